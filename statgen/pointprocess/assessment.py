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

import math

import numpy as np

from statgen._progress import progress_bar

__all__ = ["monte_carlo_conditional_intensity", "approximation_error"]


def monte_carlo_conditional_intensity(model, x, events, *, reps: int, rng: np.random.Generator,
                                      chunk: int = 5000, edge_tol: float = 1e-8, progress: bool = False):
    """Monte Carlo λ(x | events) and its standard error from ``reps`` parent configurations.

    Parents are simulated (vectorized over a chunk of replicates) on the bounding box of x and
    the events dilated by the kernel range at ``edge_tol``; farther parents change Λ at these
    points by less than that tail mass.

    Returns
    -------
    (estimate (m,), standard error (m,)).
    """
    x = model._points(x, "x")
    y = model._points(events, "events", inside=True)
    z = np.vstack([y, x])
    r = model.dilation(edge_tol)
    box = np.column_stack([z.min(axis=0) - r, z.max(axis=0) + r])
    kmax = model.kappa.max_on(box)
    vol = float(np.prod(box[:, 1] - box[:, 0]))
    n = y.shape[0]
    sums = np.zeros((3, x.shape[0]))  # Σ num, Σ num², Σ num·den
    dsum = np.zeros(2)  # Σ den, Σ den²
    done = 0
    for start in progress_bar(range(0, reps, chunk), desc="Monte Carlo", progress=progress):
        m = min(chunk, reps - start)
        npar = rng.poisson(kmax * vol * m)
        c = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((npar, model.d))
        rep = rng.integers(0, m, npar)
        keep = rng.random(npar) * kmax < model.kappa(c)
        c, rep = c[keep], rep[keep]
        a = model.alpha(c)
        L = np.stack([np.bincount(rep, weights=a * model.kernel.pdf(zz - c), minlength=m) for zz in z], 1)
        den = np.prod(L[:, :n], axis=1)
        num = L[:, n:] * den[:, None]
        sums += np.stack([num.sum(0), (num**2).sum(0), (num * den[:, None]).sum(0)])
        dsum += [den.sum(), (den**2).sum()]
        done += m
    mean_num, mean_den = sums[0] / done, dsum[0] / done
    est = mean_num / mean_den
    # variance of num − est·den, from the accumulated moments
    var = (sums[1] / done - mean_num**2) - 2 * est * (sums[2] / done - mean_num * mean_den) \
        + est**2 * (dsum[1] / done - mean_den**2)
    se = np.sqrt(np.clip(var, 0, None) * done / (done - 1) / done) / mean_den
    return est, se


def approximation_error(model, events, *, method: str, half_width: float, n: int = 41) -> float:
    """∫|λ_method(x|Y) − λ_exact(x|Y)| dx / ∫(λ_exact(x|Y) − λ(x)) dx over the box around the
    events dilated by ``half_width`` (midpoint rule on an n^d grid, clipped to the window)."""
    y = model._points(events, "events", inside=True)
    lo = np.maximum(y.min(axis=0) - half_width, model.window[:, 0])
    hi = np.minimum(y.max(axis=0) + half_width, model.window[:, 1])
    axes = [l + (h - l) * (np.arange(n) + 0.5) / n for l, h in zip(lo, hi, strict=True)]
    grid = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], 1)
    exact = model.conditional_intensity(grid, y)
    approx = model.conditional_intensity(grid, y, method=method)
    excess = np.sum(exact - model.intensity(grid))
    return float(np.sum(np.abs(approx - exact)) / excess) if excess > 0 else math.nan
