"""Quadrature rules shared by the intensities, the K-function, the Palm likelihood and the error maps.

- :func:`gauss_legendre_panels`: composite Gauss–Legendre rule on consecutive panels;
- :func:`tensor_grid`: the product of 1-D rules (points (N, d) and weights (N,));
- :func:`box_gauss_legendre`, :func:`box_midpoints`: tensor rules on a box;
- :func:`sphere_rule`: directions on the unit sphere S^{d−1} with weights summing to its area;
- :func:`clipped_ball_rule`: ∫ over W ∩ b(c, R) in polar coordinates around c, clipped by the box W.

Inner helpers: arguments are not validated (their public callers validate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["gauss_legendre_panels", "tensor_grid", "box_gauss_legendre", "box_midpoints", "sphere_rule",
           "sphere_area", "clipped_ball_rule"]


def gauss_legendre_panels(edges: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of ``order``-point Gauss–Legendre on each panel [edges[i], edges[i+1]]."""
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.asarray(edges, dtype=float)
    a, b = edges[:-1, None], edges[1:, None]
    return (0.5 * (a + b) + 0.5 * (b - a) * x).ravel(), (0.5 * (b - a) * w).ravel()


def tensor_grid(axes: Sequence[np.ndarray], weights: Sequence[np.ndarray] | None = None):
    """Points of the product grid of ``axes`` as (N, d), first axis slowest ("ij" order); with
    ``weights`` also the (N,) products of the per-axis weights."""
    pts = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    if weights is None:
        return pts
    return pts, np.prod(np.meshgrid(*weights, indexing="ij"), axis=0).ravel()


def box_gauss_legendre(box: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n^d-point tensor Gauss–Legendre rule on the box (d, 2): ∫_box f ≈ Σ w_i f(x_i)."""
    nodes, w = np.polynomial.legendre.leggauss(n)
    axes = [0.5 * (lo + hi) + 0.5 * (hi - lo) * nodes for lo, hi in box]
    wts = [0.5 * (hi - lo) * w for lo, hi in box]
    return tensor_grid(axes, wts)


def box_midpoints(lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """The n^d cell midpoints of the box [lo, hi] (equal weights |box| / n^d)."""
    axes = [a + (b - a) * (np.arange(n) + 0.5) / n for a, b in zip(lo, hi, strict=True)]
    return tensor_grid(axes)


def sphere_area(d: int) -> float:
    """Area of the unit sphere S^{d−1}: S_d = 2 π^{d/2} / Γ(d/2) (2, 2π, 4π for d = 1, 2, 3)."""
    return 2 * math.pi ** (d / 2) / math.gamma(d / 2)


def sphere_rule(d: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors u_k (K, d) and weights w_k with Σ w_k = S_d, for ∫_{S^{d−1}} f ≈ Σ w_k f(u_k).

    d = 1: the two directions ±1. d = 2: n equally spaced angles (exact for trigonometric
    polynomials of degree < n). d = 3: max(1, n // 2) Gauss–Legendre nodes in cos θ times n
    equally spaced azimuths.
    """
    if d == 1:
        return np.array([[1.0], [-1.0]]), np.array([1.0, 1.0])
    if d == 2:
        th = (np.arange(n) + 0.5) * 2 * math.pi / n
        return np.stack([np.cos(th), np.sin(th)], 1), np.full(n, 2 * math.pi / n)
    ct, wc = np.polynomial.legendre.leggauss(max(1, n // 2))
    ph = (np.arange(n) + 0.5) * 2 * math.pi / n
    CT, PH = np.meshgrid(ct, ph, indexing="ij")
    st = np.sqrt(1 - CT**2)
    dirs = np.stack([st * np.cos(PH), st * np.sin(PH), CT], -1).reshape(-1, 3)
    return dirs, np.repeat(wc, n) * (2 * math.pi / n)


def _reach(center: np.ndarray, dirs: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Distance from ``center`` to the boundary of the box along each unit vector of ``dirs``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(dirs > 0, (window[:, 1] - center) / dirs,
                     np.where(dirs < 0, (window[:, 0] - center) / dirs, np.inf))
    return t.min(axis=-1)


def _clipped_angles(center: np.ndarray, window: np.ndarray, radius: float, per_panel: int):
    """2-D angular rule for a disc clipped by a box: Gauss–Legendre panels between the angles where
    the radial extent ρ(θ) = min(R, reach(θ)) has a kink. Where a face at distance δ with normal
    angle θ_f clips the disc, ρ = δ / cos(θ − θ_f), and the panel uses the variable s = tan(θ − θ_f)
    (dθ = ds / (1 + s²)), in which the area element ρ²/2 dθ = δ²/2 ds is constant."""
    faces = []  # (normal angle, distance) of the four faces
    for axis in (0, 1):
        for side, sign in ((0, -1), (1, 1)):
            theta = (0.0 if axis == 0 else 0.5 * math.pi) + (0.0 if sign > 0 else math.pi)
            faces.append((theta, abs(window[axis, side] - center[axis])))
    breaks = [0.0, 2 * math.pi]
    for theta, dist in faces:
        if dist < radius:
            half = math.acos(dist / radius)
            breaks += [(theta - half) % (2 * math.pi), (theta + half) % (2 * math.pi)]
    for cx in window[0]:
        for cy in window[1]:
            v = np.array([cx, cy]) - center
            if np.linalg.norm(v) < radius:
                breaks.append(math.atan2(v[1], v[0]) % (2 * math.pi))
    edges = np.unique(np.asarray(breaks))
    x, gw = np.polynomial.legendre.leggauss(per_panel)
    ths, ws = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mid = 0.5 * (lo + hi)
        reach = [dist / math.cos(mid - theta) if math.cos(mid - theta) > 1e-12 else math.inf for theta, dist in faces]
        f = int(np.argmin(reach))
        if reach[f] >= radius:  # unclipped: ρ = R, smooth in θ; panels at most 30° wide
            sub = np.linspace(lo, hi, max(2, int(math.ceil((hi - lo) / (math.pi / 6))) + 1))
            th, w = gauss_legendre_panels(sub, per_panel)
        else:
            theta_f = faces[f][0]
            sa = math.tan((lo - theta_f + math.pi) % (2 * math.pi) - math.pi)
            sb = math.tan((hi - theta_f + math.pi) % (2 * math.pi) - math.pi)
            sv = 0.5 * (sa + sb) + 0.5 * (sb - sa) * x
            th, w = theta_f + np.arctan(sv), 0.5 * (sb - sa) * gw / (1 + sv**2)
        ths.append(th)
        ws.append(w)
    th = np.concatenate(ths)
    return np.stack([np.cos(th), np.sin(th)], 1), np.concatenate(ws)


def clipped_ball_rule(centers: np.ndarray, window: np.ndarray, radius: float, *, n_radial: int = 12,
                      n_angle: int = 24):
    """Nodes and weights for ∫_{W ∩ b(c_i, R)} f(u) du around each centre c_i (rows of ``centers``).

    Polar coordinates around c_i: along each direction θ, ``n_radial`` Gauss–Legendre nodes on
    [0, ρ(θ)], ρ(θ) = min(R, distance to the boundary of W). Directions: for a ball inside W the
    ``n_angle`` directions of :func:`sphere_rule`; in 2-D, for a disc that W clips, Gauss–Legendre
    panels (6 nodes each) between the angles where ρ(θ) has a kink, so the clipping is integrated to
    the accuracy of the unclipped rule. (In 3-D a clipped ball keeps the plain sphere rule: its error
    is of order (angular spacing)², about 1 % for a ball cut near its centre.)

    Returns (source index of each node (N,), nodes (N, d), weights (N,)); nodes with zero weight dropped.
    """
    n, d = centers.shape
    gx, gw = np.polynomial.legendre.leggauss(n_radial)
    dirs, wdir = sphere_rule(d, n_angle)
    clipped = np.zeros(n, dtype=bool)
    if d == 2:
        margin = np.minimum(centers - window[:, 0], window[:, 1] - centers).min(axis=1)
        clipped = margin < radius
    src, nodes, weights = [], [], []

    def add(idx, c, u, wu):
        rho = np.minimum(radius, _reach(c[:, None, :], u[None], window))  # (m, directions)
        rad = 0.5 * rho[..., None] * (gx + 1)
        w = 0.5 * rho[..., None] * gw * rad ** (d - 1) * wu[None, :, None]
        pts = c[:, None, None, :] + rad[..., None] * u[None, :, None, :]
        keep = (w > 0).ravel()
        src.append(np.repeat(idx, rad.shape[1] * rad.shape[2])[keep])
        nodes.append(pts.reshape(-1, d)[keep])
        weights.append(w.ravel()[keep])

    inner = np.flatnonzero(~clipped)
    add(inner, centers[inner], dirs, wdir)
    for i in np.flatnonzero(clipped):
        u, wu = _clipped_angles(centers[i], window, radius, 6)
        add(np.array([i]), centers[i : i + 1], u, wu)
    order = np.argsort(np.concatenate(src), kind="stable")
    return np.concatenate(src)[order], np.concatenate(nodes)[order], np.concatenate(weights)[order]
