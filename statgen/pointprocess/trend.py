"""First-order trend: Poisson maximum likelihood of a log-linear intensity λ(x) = exp(θ₀ + θ·x) on a box
or a polygon.

For κ(c) = exp(a + b·c) parents and constant α, λ(x) = α exp(a + b·x) E[exp(b·U)], so the
gradient of the fitted trend is exactly b: the first step of the two-step fits of
:class:`~statgen.pointprocess.fit.ClusterFit`.

References
----------
Waagepetersen, R., Guan, Y. (2009). Two-step estimation for inhomogeneous spatial point
processes. JRSS B 71, 685–702. doi:10.1111/j.1467-9868.2008.00702.x
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from statgen.pointprocess.polygon import Polygon
from statgen.pointprocess.polygon_quadrature import polygon_rule
from statgen.pointprocess.window import check_points, check_window

__all__ = ["log_box_exp_integral", "log_exp_integral", "fit_loglinear_intensity"]


def log_box_exp_integral(theta: np.ndarray, window: np.ndarray) -> float:
    """log ∫_W exp(θ·x) dx = Σ_k [θ_k m_k + |θ_k| L_k/2 + log((1 − e^{−|θ_k| L_k}) / |θ_k|)], with
    m_k, L_k the centre and length of side k (→ log L_k as θ_k → 0); stable for any θ (inner helper)."""
    lo, hi = window[:, 0], window[:, 1]
    length, mid = hi - lo, 0.5 * (lo + hi)
    t = np.abs(theta)
    small = t < 1e-12
    ts = np.where(small, 1.0, t)
    per_axis = np.where(small, np.log(length),
                        theta * mid + 0.5 * ts * length + np.log(-np.expm1(-ts * length)) - np.log(ts))
    return float(np.sum(per_axis))


class _PolygonExpIntegral:
    """log ∫_W exp(θ·x) dx on a polygon by :func:`~statgen.pointprocess.polygon_quadrature.polygon_rule`
    (positive weights, relative error ≈ 1e-15 for |θ|·diam ≲ 10; inner helper)."""

    def __init__(self, polygon: Polygon, order: int = 16):
        self.nodes, w = polygon_rule(polygon, order)
        self.logw = np.log(w)

    def __call__(self, theta: np.ndarray) -> float:
        e = self.logw + self.nodes @ theta
        m = float(e.max())
        return m + math.log(float(np.sum(np.exp(e - m))))


def log_exp_integral(theta: np.ndarray, window) -> float:
    """log ∫_W exp(θ·x) dx for a box (closed form, :func:`log_box_exp_integral`) or a 2-D
    :class:`~statgen.pointprocess.polygon.Polygon` (Gauss rule on its triangles; inner helper)."""
    if isinstance(window, Polygon):
        return _PolygonExpIntegral(window)(np.asarray(theta, float))
    return log_box_exp_integral(np.asarray(theta, float), window)


def fit_loglinear_intensity(points, window) -> tuple[float, np.ndarray]:
    """Poisson maximum likelihood of λ(x) = exp(θ₀ + θ·x) on a box or a polygon: returns (θ₀, θ).

    θ₀ is profiled out (e^{θ₀} = n / ∫_W e^{θ·x} dx); θ maximizes Σ θ·x_i − n log ∫_W e^{θ·x} dx.
    ``window`` is a box ((lo_1, hi_1), ...) (closed-form integral) or a 2-D
    :class:`~statgen.pointprocess.polygon.Polygon` (the integral by a Gauss rule on its triangles,
    relative error ≈ 1e-15). The maximum exists when the points' mean lies inside the window:
    patterns whose points all sit on one face of the window's frame are refused.
    """
    polygon = window if isinstance(window, Polygon) else None
    w = check_window(window.box_array() if polygon is not None else window)
    x = check_points(points, "points", w.shape[0], window=w, min_rows=1)
    if polygon is not None:
        polygon.check_inside(x)
    n = x.shape[0]
    for k in range(w.shape[0]):
        for side, bound in (("lower", w[k, 0]), ("upper", w[k, 1])):
            if np.all(x[:, k] == bound):
                raise ValueError(f"points: all {n} points lie on the {side} face x_{k + 1} = {bound:g} of the window, "
                                 "so the log-linear trend's maximum likelihood does not exist (θ → ±∞)")
    s = x.sum(axis=0)
    log_int = _PolygonExpIntegral(polygon) if polygon is not None else (lambda th: log_box_exp_integral(th, w))

    def f(th):
        return -(s @ th - n * log_int(th))

    th = optimize.minimize(f, np.zeros(w.shape[0]), method="BFGS").x
    if not np.all(np.isfinite(th)):
        raise ValueError(f"points: the log-linear trend fit did not converge (θ = {th.tolist()})")
    return math.log(n) - log_int(th), th
