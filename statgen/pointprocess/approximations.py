r"""Approximations of the conditional intensity λ(x | y₁..yₙ) and their regimes of validity.

All take a :class:`~statgen.pointprocess.model.NeymanScott` model, locations x (m, d) and events
y (n, d), and return (values (m,), error estimates (m,)) — the error is the numerical error of
the ingredients, not the approximation error (which the studies measure against ``exact``).

1. ``independent``: λ(x) + Σ_i [λ(x | y_i) − λ(x)]. Each event is explained by its own cluster.
   Exact when no two events can share a parent (pairwise distances ≫ kernel range, i.e. the
   pair correlation g(y_i, y_j) ≈ 1); overestimates when nearby events likely share a parent
   (the same cluster is counted once per event). Cost O(n m).
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
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csgraph, csr_matrix

__all__ = ["independent", "grouped", "reweighted", "slowly_varying", "event_groups"]


def independent(model, x, y):
    lam, err = model.engine.intensity(x)
    out, tot_err = lam.copy(), err.copy()
    for i in range(y.shape[0]):  # loop over events (few), vectorized over x
        val, e = model._exact(x, y[i : i + 1])
        out += val - lam
        tot_err += e
    return out, tot_err


def event_groups(y: np.ndarray, cutoff: float) -> list[np.ndarray]:
    """Connected components of the graph linking events closer than ``cutoff``."""
    n = y.shape[0]
    if n == 0:
        return []
    dist = np.linalg.norm(y[:, None] - y[None], axis=2)
    _, lab = csgraph.connected_components(csr_matrix(dist <= cutoff), directed=False)
    return [np.flatnonzero(lab == g) for g in range(lab.max() + 1)]


def grouped(model, x, y, *, cutoff: float):
    lam, err = model.engine.intensity(x)
    out, tot_err = lam.copy(), err.copy()
    for g in event_groups(y, cutoff):
        val, e = model._exact(x, y[g])
        out += val - lam
        tot_err += e
    return out, tot_err


def reweighted(model, x, y, *, kappa_ref: float | None = None):
    lam, err = model.engine.intensity(x)
    kref = model.mean_parent_intensity() if kappa_ref is None else float(kappa_ref)
    if not kref > 0:
        raise ValueError(f"kappa_ref must be > 0, got {kref!r}")
    r = np.linalg.norm(x[:, None, :] - y[None, :, :], axis=2)
    excess = model.kernel_self_convolution(r).sum(axis=1) / kref
    return lam * (1.0 + excess), err * (1.0 + excess)


def slowly_varying(model, x, y):
    lam, err = model.engine.intensity(x)
    r = np.linalg.norm(x[:, None, :] - y[None, :, :], axis=2)
    return lam + model.kernel_self_convolution(r) @ model.alpha(y), err
