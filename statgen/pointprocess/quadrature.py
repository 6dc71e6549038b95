"""Quadrature rules shared by the intensities, the K-function, the Palm likelihood and the error maps.

- :func:`gauss_legendre_panels`: composite Gauss–Legendre rule on consecutive panels;
- :func:`tensor_grid`: the product of 1-D rules (points (N, d) and weights (N,));
- :func:`box_gauss_legendre`, :func:`box_midpoints`: tensor rules on a box;
- :func:`sphere_rule`: directions on the unit sphere S^{d−1} with weights summing to its area.

Inner helpers: arguments are not validated (their public callers validate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["gauss_legendre_panels", "tensor_grid", "box_gauss_legendre", "box_midpoints", "sphere_rule",
           "sphere_area"]


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
