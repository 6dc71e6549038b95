"""Approximations of the conditional intensity λ(x | y₁..yₙ) and their regimes of validity.

All take a :class:`~statgen.pointprocess.model.NeymanScott` model, locations x (m, d) and events
y (n, d) inside the window, and return (values (m,), error estimates (m,)); the error is the
numerical error of the ingredients, not the approximation error (which
:func:`statgen.pointprocess.assessment.approximation_error` measures against the exact value).
``NeymanScott.conditional_intensity(x, events, method=...)`` is the usual way to call them.

1. ``independent``: λ(x) + Σ_i [λ(x | y_i) − λ(x)]. Each event is explained by its own cluster:
   ``grouped`` with one event per group. Exact when no two events can share a parent (pairwise
   distances ≫ kernel range, i.e. the pair correlation g(y_i, y_j) ≈ 1); overestimates when
   nearby events likely share a parent (the same cluster is counted once per event). Cost O(n m).
2. ``grouped``: events linked when closer than a cutoff (2 × the kernel range at tolerance
   ``group_tol``); exact recursion inside each connected group, groups combined as in (1):
   λ(x) + Σ_g [λ(x | Y_g) − λ(x)]. Exact for the Matérn kernel with cutoff 2R (no parent can be
   within R of two groups); otherwise the error is of the order of the kernel mass beyond the
   cutoff. Cost Σ_g 3^{n_g}.
3. ``reweighted``: λ(x) [1 + Σ_i (g₀(x − y_i) − 1)] with the stationary pair correlation
   g₀(r) = 1 + (k * k)(r) / κ_ref (second-order intensity-reweighted stationarity, as assumed
   by spatstat's inhomogeneous ``kppm``). Valid when the clustering strength is spatially
   constant, i.e. when the inhomogeneity is in α rather than κ; with inhomogeneous parents
   it is biased by the factor κ_ref/κ(y) near y (too weak where parents are dense).
4. ``slowly_varying``: λ(x) + Σ_i α(y_i) (k * k)(x − y_i). The parent's posterior given y is
   ∝ κ(c)α(c)k(y − c) ≈ k(y − c) when κα varies little over a kernel range: valid when
   (kernel scale) × |∇ log(κα)| ≪ 1 and events are far apart (relative error of order
   σ|∇ log κα| for the Thomas kernel, exactly exp(b·(x−y)/2 − σ²|b|²/4) − 1 for log-linear κ).

References
----------
Baddeley, A., Møller, J., Waagepetersen, R. (2000). Non- and semi-parametric estimation of
interaction in inhomogeneous point patterns. Statistica Neerlandica 54, 329–350 (reweighted
second-order stationarity).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import csgraph, csr_matrix

from statgen._checks import as_array
from statgen.pointprocess import conditional
from statgen.pointprocess._args import check_memory, check_positive
from statgen.pointprocess.window import check_points

__all__ = ["independent", "grouped", "reweighted", "slowly_varying", "event_groups"]


def _inputs(model, x, events):
    x = check_points(x, "x", model.d)
    y = check_points(events, "events", model.d, window=model.window)
    return x, y


def _sum_over_groups(model, x, y, groups):
    """λ(x) + Σ_g [λ(x | Y_g) − λ(x)] with the exact recursion inside each group."""
    lam, err = model.engine.intensity(x)
    out, tot_err = lam.copy(), err.copy()
    for g in groups:  # loop over groups (few), vectorized over x
        val, e = conditional.exact(model.engine, x, y[g])
        out += val - lam
        tot_err += e
    return out, tot_err


def event_groups(events, cutoff: float) -> list[np.ndarray]:
    """Connected components (index arrays) of the graph linking events (n, d) at distance ≤ ``cutoff``."""
    y = as_array(events, "events", ndim=2)
    c = float(as_array(cutoff, "cutoff", ndim=0, finite=False))
    if math.isnan(c):
        raise ValueError("cutoff must be a distance (a number, possibly inf), got nan")
    n = y.shape[0]
    if n == 0:
        return []
    check_memory(8.0 * 4 * n * n * y.shape[1], f"events: {n} events (pairwise distances)")
    dist = np.linalg.norm(y[:, None] - y[None], axis=2)
    _, lab = csgraph.connected_components(csr_matrix(dist <= c), directed=False)
    return [np.flatnonzero(lab == g) for g in range(lab.max() + 1)]


def independent(model, x, events):
    """λ(x) + Σ_i [λ(x | y_i) − λ(x)]: :func:`grouped` with one event per group."""
    x, y = _inputs(model, x, events)
    return _sum_over_groups(model, x, y, [np.array([i]) for i in range(y.shape[0])])


def grouped(model, x, events, *, cutoff: float):
    """λ(x) + Σ_g [λ(x | Y_g) − λ(x)] over the groups of events linked at distance ≤ ``cutoff``."""
    x, y = _inputs(model, x, events)
    return _sum_over_groups(model, x, y, event_groups(y, cutoff))


def _distances(x, y):
    check_memory(8.0 * 3 * x.shape[0] * max(1, y.shape[0]) * x.shape[1],
                 f"x and events: {x.shape[0]} locations × {y.shape[0]} events")
    return np.linalg.norm(x[:, None, :] - y[None, :, :], axis=2)


def reweighted(model, x, events, *, kappa_ref: float | None = None):
    """λ(x) [1 + Σ_i (g₀(|x − y_i|) − 1)], g₀ the stationary pair correlation at parent intensity
    ``kappa_ref`` (> 0; default the mean of κ over the window)."""
    x, y = _inputs(model, x, events)
    kref = model.mean_parent_intensity() if kappa_ref is None else check_positive(kappa_ref, "kappa_ref")
    if not kref > 0:
        raise ValueError(f"kappa_ref: the mean parent intensity over the window is {kref!r}; give kappa_ref > 0")
    lam, err = model.engine.intensity(x)
    excess = model.kernel_self_convolution(_distances(x, y)).sum(axis=1) / kref
    return lam * (1.0 + excess), err * (1.0 + excess)


def slowly_varying(model, x, events):
    """λ(x) + Σ_i α(y_i) (k * k)(x − y_i)."""
    x, y = _inputs(model, x, events)
    lam, err = model.engine.intensity(x)
    return lam + model.kernel_self_convolution(_distances(x, y)) @ model.alpha._values(y), err
