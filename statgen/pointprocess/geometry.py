"""Volumes of balls and of intersections of balls (the cluster integrals of the Matérn process).

For the Matérn kernel with constant κ and α, K_B = κ α^|B| |∩_{i∈B} b(y_i, R)| / V_d(R)^|B|.

- :func:`ball_volume`: V_d(r) = π^{d/2} r^d / Γ(d/2 + 1);
- :func:`lens_volume`: the intersection of two equal balls at distance r, closed form in d = 1, 2, 3;
- :func:`ball_intersection_volume`, :func:`disc_intersection_exp_integral`: any number of balls, as follows.

- d = 1: the intersection of intervals, exact.
- d = 2: exact for any number of discs (and unequal radii): the boundary of the (convex)
  intersection is a union of circular arcs, found by sorting the angles where the circles
  cross and testing each sub-arc's midpoint; the area follows from Green's theorem
  A = ½∮(x dy − y dx), which is closed form on each arc. The same arcs give
  ∫_A exp(b·c) dc = |b|⁻² ∮ exp(b·c) (b·n) ds by Gauss–Legendre quadrature on each arc
  (analytic integrand, so the error is at machine precision; it is estimated by comparing
  orders 12 and 24).
- d = 3: two balls in closed form (the lens π(4R + r)(2R − r)²/12); three or more by
  Gauss–Legendre quadrature over slices z whose areas are exact 2-D disc intersections
  (the slice area is continuous with kinks, so the error, estimated from two orders, is
  about 1e-6 relative).
"""

from __future__ import annotations

import math

import numpy as np

from statgen._checks import as_array, check_int
from statgen.pointprocess._args import check_d, check_memory, check_positive, check_rng

__all__ = ["ball_volume", "lens_volume", "ball_intersection_volume", "disc_intersection_exp_integral",
           "uniform_directions"]

_TWO_PI = 2 * np.pi


def _disc_arcs(centers: np.ndarray, radii: np.ndarray):
    """Arcs of each circle that lie inside all the other discs.

    centers: (N, k, 2), radii: (N, k). Returns theta_lo, theta_hi, inside (each (N, k, P)).
    """
    N, k, _ = centers.shape
    diff = centers[:, None, :, :] - centers[:, :, None, :]  # [n, i, j] = c_j - c_i
    dist = np.sqrt(np.sum(diff**2, axis=-1))
    phi = np.arctan2(diff[..., 1], diff[..., 0])
    ri, rj = radii[:, :, None], radii[:, None, :]
    eye = np.eye(k, dtype=bool)[None]
    scale = np.maximum(ri, rj)
    coincident = (dist <= 1e-13 * scale) & ~eye
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (ri**2 + dist**2 - rj**2) / (2 * ri * dist)
    # coincident centres: the larger disc adds no constraint; a smaller one excludes circle i;
    # equal coincident discs: only the lowest index keeps its boundary
    lower = np.tril(np.ones((k, k), dtype=bool), -1)[None]
    t = np.where(coincident, np.where(rj > ri, -np.inf, np.where(rj < ri, np.inf,
                                                              np.where(lower, np.inf, -np.inf))), t)
    t = np.where(eye, -np.inf, t)
    excluded = np.any(t >= 1.0, axis=2)  # circle i lies entirely outside some disc j
    half = np.arccos(np.clip(t, -1.0, 1.0))
    crossing = (np.abs(t) < 1.0)
    br = np.concatenate([phi - half, phi + half], axis=2) % _TWO_PI
    br = np.where(np.concatenate([crossing, crossing], axis=2), br, 0.0)
    br = np.sort(np.concatenate([br, np.zeros((N, k, 1)), np.full((N, k, 1), _TWO_PI)], axis=2), axis=2)
    lo, hi = br[..., :-1], br[..., 1:]
    mid = 0.5 * (lo + hi)
    pts = centers[:, :, None, :] + radii[:, :, None, None] * np.stack([np.cos(mid), np.sin(mid)], axis=-1)
    # inside test of every midpoint against every disc j: (N, i, P, j)
    d2 = np.sum((pts[:, :, :, None, :] - centers[:, None, None, :, :]) ** 2, axis=-1)
    ok = d2 <= (radii[:, None, None, :] ** 2) * (1 + 1e-12)
    ok = ok | eye[:, :, None, :]  # a circle is always "inside" its own disc
    ok = ok | (t == -np.inf)[:, :, None, :]
    inside = np.all(ok, axis=-1) & ~excluded[:, :, None] & (hi > lo)
    return lo, hi, inside


def _disc_intersection_area(centers: np.ndarray, radii: np.ndarray) -> np.ndarray:
    c = centers - centers.mean(axis=1, keepdims=True)  # Green's formula is exact; centring avoids cancellation
    lo, hi, inside = _disc_arcs(c, radii)
    r = radii[:, :, None]
    cx, cy = c[:, :, 0:1], c[:, :, 1:2]
    seg = 0.5 * (r**2 * (hi - lo) + r * cx * (np.sin(hi) - np.sin(lo)) - r * cy * (np.cos(hi) - np.cos(lo)))
    return np.sum(np.where(inside, seg, 0.0), axis=(1, 2))




def ball_volume(r, d: int):
    """Volume of the d-ball of radius r ≥ 0: V_d(r) = π^{d/2} r^d / Γ(d/2 + 1) (units length^d)."""
    r = as_array(r, "r")
    if np.any(r < 0):
        raise ValueError(f"r must be >= 0 (a radius), got min {float(r.min())!r}")
    return _ball_volume(r, check_d(d))


def _ball_volume(r, d: int):
    return math.pi ** (d / 2) * np.asarray(r, dtype=float) ** d / math.gamma(d / 2 + 1)


def lens_volume(r, radius: float, d: int) -> np.ndarray:
    """Volume of the intersection of two d-balls of radius R with centres at distance r ≥ 0.

    d = 1: 2R − r; d = 2: 2R² acos(r/2R) − (r/2)√(4R² − r²); d = 3: π(4R + r)(2R − r)²/12;
    zero for r ≥ 2R. Units length^d.
    """
    r = as_array(r, "r")
    if np.any(r < 0):
        raise ValueError(f"r must be >= 0 (a distance), got min {float(r.min())!r}")
    return _lens_volume(r, check_positive(radius, "radius"), check_d(d))


def _lens_volume(r: np.ndarray, R: float, d: int) -> np.ndarray:
    inside = r < 2 * R
    rr = np.minimum(r, 2 * R)
    if d == 1:
        v = 2 * R - rr
    elif d == 2:
        v = 2 * R**2 * np.arccos(rr / (2 * R)) - 0.5 * rr * np.sqrt(np.clip(4 * R**2 - rr**2, 0, None))
    else:
        v = math.pi * (4 * R + rr) * (2 * R - rr) ** 2 / 12.0
    return np.where(inside, v, 0.0)


def _check_centers(centers, d: int | None) -> np.ndarray:
    c = as_array(centers, "centers", ndim=3)
    N, k, dim = c.shape
    if d is not None and dim != d:
        raise ValueError(f"centers must have shape (N, k, {d}), got {c.shape}")
    if not 1 <= dim <= 3:
        raise ValueError(f"centers must have shape (N, k, d) with d in 1..3, got {c.shape}")
    if k < 1:
        raise ValueError(f"centers must hold at least one ball per batch (k >= 1), got shape {c.shape}")
    # the arc computation holds (N, k, 2k + 2, k) arrays
    check_memory(8.0 * 6 * N * k * (2 * k + 2) * k, f"centers of shape {c.shape}")
    return c


def disc_intersection_exp_integral(centers, radius: float, b, *, order: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """∫ over ∩_i b(c_i, R) of exp(b·c) dc for batches of 2-D discs (Green's theorem on arcs).

    Parameters
    ----------
    centers : (N, k, 2) disc centres.
    radius : common radius R > 0.
    b : (2,) gradient.
    order : Gauss–Legendre nodes per arc (>= 8; the error estimate compares with order // 2).

    Returns
    -------
    (values (N,), error estimates (N,)) — the error is |Q_order − Q_order/2|.
    """
    c = _check_centers(centers, 2)
    g = as_array(b, "b", shape=(2,))
    return _disc_intersection_exp_integral(c, check_positive(radius, "radius"), g,
                                           order=check_int(order, "order", minimum=8, maximum=1000))


def _disc_intersection_exp_integral(centers: np.ndarray, radius: float, b: np.ndarray, *, order: int = 24):
    N, k, _ = centers.shape
    radii = np.full((N, k), float(radius))
    nb2 = float(b @ b)
    if nb2 == 0.0:
        a = _disc_intersection_area(centers, radii)
        return a, np.zeros_like(a)
    shift = centers.mean(axis=1, keepdims=True)
    c = centers - shift
    lo, hi, inside = _disc_arcs(c, radii)

    def quad(n):
        x, w = np.polynomial.legendre.leggauss(n)
        th = 0.5 * (hi[..., None] + lo[..., None]) + 0.5 * (hi - lo)[..., None] * x  # (N, k, P, n)
        e = np.stack([np.cos(th), np.sin(th)], axis=-1)
        pos = c[:, :, None, None, :] + radius * e
        f = np.exp(pos @ b) * (e @ b) * radius
        val = 0.5 * (hi - lo) * np.sum(f * w, axis=-1)
        return np.sum(np.where(inside, val, 0.0), axis=(1, 2)) / nb2

    q1, q2 = quad(order), quad(max(order // 2, 4))
    factor = np.exp(shift[:, 0, :] @ b)
    return q1 * factor, np.abs(q1 - q2) * factor + 1e-15 * np.abs(q1 * factor)


def ball_intersection_volume(centers, radius: float, *, order: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Volume of ∩_i b(c_i, R) for batches of equal balls in d = 1, 2, 3.

    Parameters
    ----------
    centers : (N, k, d) centres (k >= 1).
    radius : R > 0.
    order : Gauss–Legendre slices for d = 3 and k >= 3 (>= 8; the error estimate compares with order // 2).

    Returns
    -------
    (volumes (N,), error estimates (N,)); the error is 0 where the formula is exact
    (d = 1, d = 2, and d = 3 with k <= 2).
    """
    c = _check_centers(centers, None)
    if c.shape[2] == 3:
        check_memory(8.0 * 6 * c.shape[0] * order * c.shape[1] ** 3, f"centers of shape {c.shape} with order={order}")
    return _ball_intersection_volume(c, check_positive(radius, "radius"),
                                     order=check_int(order, "order", minimum=8, maximum=1000))


def _ball_intersection_volume(centers: np.ndarray, radius: float, *, order: int = 96):
    N, k, d = centers.shape
    R = float(radius)
    zero = np.zeros(N)
    if d == 1:
        c = centers[..., 0]
        return np.clip(c.min(axis=1) - c.max(axis=1) + 2 * R, 0.0, None), zero
    if d == 2:
        return _disc_intersection_area(centers, np.full((N, k), R)), zero
    if k == 1:
        return np.full(N, 4.0 / 3.0 * np.pi * R**3), zero
    if k == 2:
        return _lens_volume(np.linalg.norm(centers[:, 0] - centers[:, 1], axis=1), R, 3), zero

    def slices(n):
        lo = centers[..., 2].max(axis=1) - R
        hi = centers[..., 2].min(axis=1) + R
        x, w = np.polynomial.legendre.leggauss(n)
        width = np.clip(hi - lo, 0.0, None)
        z = 0.5 * (lo + hi)[:, None] + 0.5 * width[:, None] * x  # (N, n)
        rad = np.sqrt(np.clip(R**2 - (z[:, :, None] - centers[:, None, :, 2]) ** 2, 0.0, None))  # (N, n, k)
        cc = np.broadcast_to(centers[:, None, :, :2], (N, n, k, 2)).reshape(N * n, k, 2)
        area = _disc_intersection_area(cc, np.maximum(rad.reshape(N * n, k), 1e-300)).reshape(N, n)
        return 0.5 * width * np.sum(area * w, axis=1)

    v1, v2 = slices(order), slices(order // 2)
    return v1, np.abs(v1 - v2)


def uniform_directions(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """(n, d) independent unit vectors uniform on S^{d−1}.

    d = 2 draws the angle in single precision (resolution ~4e-7 rad): numpy's float32 cos/sin are
    vectorized, about 8x faster than float64, and the directions stay uniform to that resolution.
    """
    n, d = check_int(n, "n", minimum=0), check_d(d)
    check_rng(rng)
    check_memory(8.0 * 3 * n * d, f"n={n} directions in d={d}")
    if d == 1:
        return np.where(rng.random((n, 1)) < 0.5, -1.0, 1.0)
    if d == 2:
        th = rng.random(n, dtype=np.float32)
        th *= np.float32(2 * math.pi)
        out = np.empty((n, 2))
        np.cos(th, out=out[:, 0], dtype=np.float32, casting="unsafe")
        np.sin(th, out=out[:, 1], dtype=np.float32, casting="unsafe")
        return out
    z = rng.standard_normal((n, d))
    return z / np.linalg.norm(z, axis=1, keepdims=True)
