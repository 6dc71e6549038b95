r"""Assessing conditional intensities: Monte Carlo estimates and approximation errors.

- :func:`monte_carlo_conditional_intensity`: λ(x | y₁..yₙ) = E[Λ(x) Π_i Λ(y_i)] / E[Π_i Λ(y_i)]
  with the Cox driving intensity Λ(z) = Σ_c α(c) k(z − c) (Poisson offspring numbers make the
  Neyman–Scott process a Cox process), estimated from independently simulated parent
  configurations, with a delta-method standard error. Independent of the cluster-integral
  machinery, so it validates the exact values.
- :func:`approximation_error`: relative L¹ error of an approximation over a region, normalized by
  the cluster excess ∫ (λ(x | Y) − λ(x)) dx of the exact conditional intensity.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_bool, check_choice, check_int
from statgen._progress import progress_bar
from statgen.pointprocess._args import check_in_range, check_memory, check_positive, check_rng
from statgen.pointprocess.model import METHODS, NeymanScott
from statgen.pointprocess.quadrature import box_midpoints

__all__ = ["monte_carlo_conditional_intensity", "approximation_error"]


def monte_carlo_conditional_intensity(model, x, events, *, reps: int, rng: np.random.Generator,
                                      chunk: int = 5000, edge_tol: float = 1e-8, progress: bool = False):
    """Monte Carlo λ(x | events) and its standard error from ``reps`` ≥ 2 parent configurations.

    Parents are simulated (vectorized over a ``chunk`` of replicates) on the bounding box of x and
    the events dilated by the kernel range at ``edge_tol``; farther parents change Λ at these
    points by less than that tail mass. The ratio estimator N̄/D̄ (N = Λ(x) Π_i Λ(y_i),
    D = Π_i Λ(y_i)) gets the delta-method standard error sd(N − λ̂ D) / (√reps D̄), which needs
    at least two replicates (``reps=1`` is refused).

    Returns
    -------
    (estimate (m,), standard error (m,)).
    """
    if not isinstance(model, NeymanScott):
        raise TypeError(f"model must be a NeymanScott, got {type(model).__name__}")
    reps = check_int(reps, "reps", minimum=2)
    chunk = check_int(chunk, "chunk", minimum=1)
    check_rng(rng)
    edge_tol = check_in_range(edge_tol, "edge_tol", 0.0, 1.0, closed=False)
    progress = check_bool(progress, "progress")
    x = model._points(x, "x", inside=False)
    y = model._points(events, "events", inside=True)
    z = np.vstack([y, x])
    r = model.dilation(edge_tol)
    box = np.column_stack([z.min(axis=0) - r, z.max(axis=0) + r])
    kmax = model.kappa._max_on(box)
    vol = float(np.prod(box[:, 1] - box[:, 0]))
    n = y.shape[0]
    per_chunk = kmax * vol * min(chunk, reps)  # expected parents of one chunk
    check_memory(8.0 * (per_chunk * (model.d + 6) + 4 * min(chunk, reps) * z.shape[0]),
                 f"chunk={chunk}: {per_chunk:.3g} parents and {z.shape[0]} Λ columns per chunk")
    sums = np.zeros((3, x.shape[0]))  # Σ num, Σ num², Σ num·den
    dsum = np.zeros(2)  # Σ den, Σ den²
    done = 0
    for start in progress_bar(range(0, reps, chunk), desc="Monte Carlo", progress=progress):
        m = min(chunk, reps - start)
        npar = rng.poisson(kmax * vol * m)
        c = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((npar, model.d))
        rep = rng.integers(0, m, npar)
        keep = rng.random(npar) * kmax < model.kappa._values(c)
        c, rep = c[keep], rep[keep]
        a = model.alpha._values(c)
        L = np.stack([np.bincount(rep, weights=a * model.kernel._pdf(zz - c), minlength=m) for zz in z], 1)
        den = np.prod(L[:, :n], axis=1)
        num = L[:, n:] * den[:, None]
        sums += np.stack([num.sum(0), (num**2).sum(0), (num * den[:, None]).sum(0)])
        dsum += [den.sum(), (den**2).sum()]
        done += m
    mean_num, mean_den = sums[0] / done, dsum[0] / done
    if not mean_den > 0:
        raise ValueError(f"reps: Π Λ(y_i) over the events was 0 in all {done} replicates (no parent configuration "
                         f"explained every event); raise reps or check that the events are plausible")
    est = mean_num / mean_den
    # variance of num − est·den, from the accumulated moments
    var = (sums[1] / done - mean_num**2) - 2 * est * (sums[2] / done - mean_num * mean_den) \
        + est**2 * (dsum[1] / done - mean_den**2)
    se = np.sqrt(np.clip(var, 0, None) * done / (done - 1) / done) / mean_den
    return est, se


def approximation_error(model, events, *, method: str, half_width: float, n: int = 41) -> float:
    """E = ∫|λ_method(x|Y) − λ_exact(x|Y)| dx / ∫(λ_exact(x|Y) − λ(x)) dx over the box around the
    events dilated by ``half_width`` > 0 (midpoint rule on an n^d grid, clipped to the window).

    Refused (ValueError) when the cluster excess in the denominator is not positive on the grid.
    """
    if not isinstance(model, NeymanScott):
        raise TypeError(f"model must be a NeymanScott, got {type(model).__name__}")
    method = check_choice(method, "method", METHODS)
    half_width = check_positive(half_width, "half_width")
    n = check_int(n, "n", minimum=1)
    check_memory(8.0 * 16 * float(n) ** model.d, f"n={n}: an {n}**{model.d}-point grid")
    y = model._points(events, "events", inside=True)
    if y.shape[0] == 0:
        raise ValueError("events must hold at least one event (the error is relative to the cluster excess)")
    lo = np.maximum(y.min(axis=0) - half_width, model.window[:, 0])
    hi = np.minimum(y.max(axis=0) + half_width, model.window[:, 1])
    grid = box_midpoints(lo, hi, n)
    exact = model.conditional_intensity(grid, y)
    approx = model.conditional_intensity(grid, y, method=method)
    excess = np.sum(exact - model.intensity(grid))
    if not excess > 0:
        raise ValueError(f"half_width={half_width:g}, n={n}: the exact cluster excess ∫(λ(x|Y) − λ(x)) dx over the "
                         f"grid is {excess:.3g}, not positive; widen the region or refine the grid")
    return float(np.sum(np.abs(approx - exact)) / excess)
