"""Second-order summary functions of a stationary planar pattern, estimated as spatstat estimates them.

What ``kppm``'s minimum contrast fits compare the model with, with spatstat's defaults:

- :func:`rmax_rule`: r_max = min(shortest side / 4, √(1000 / (π λ))) (``rmax.rule("K")``);
- :func:`r_grid`: 513 radii evenly spaced on [0, r_max] (``Kest``'s breaks, step r_max/512);
- :func:`ripley_weights`: Ripley's isotropic edge correction e(x, r) = 2π r / |∂b(x, r) ∩ W|
  (clipped to [1, 100], as spatstat does) for rectangles and simple polygons;
- :func:`k_estimate`: K̂(r) = |W| / (n(n − 1)) Σ_{i≠j} 1{d_ij ≤ r} e(x_i, d_ij)
  (``Kest(X, correction = "best")``: λ² estimated by n(n − 1)/|W|²);
- :func:`pcf_estimate`: ĝ(r) = |W| / (2π r n(n − 1)) Σ_{i≠j} κ_h(r − d_ij) e(x_i, d_ij), the
  Epanechnikov kernel of half-width h = 0.15/√λ (Stoyan's rule), smoothed as R's ``density``
  does (linear binning on 1024 points, FFT convolution, linear interpolation) — ``pcf.ppp``
  with its defaults;
- :func:`mean_nn_distance`: the mean nearest-neighbour distance (spatstat's starting values).

References
----------
Ripley, B. D. (1977). Modelling spatial patterns. JRSS B 39, 172–212.
Stoyan, D., Stoyan, H. (1994). Fractals, Random Shapes and Point Fields. Wiley (the bandwidth rule).
Baddeley, A., Rubak, E., Turner, R. (2015). Spatial Point Patterns: Methodology and Applications
with R. CRC Press, ch. 7 (Kest, pcf).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["rmax_rule", "r_grid", "ripley_weights", "k_estimate", "pcf_estimate", "k_inhom_estimate",
           "pcf_inhom_estimate", "mean_nn_distance", "pair_distances", "r_density"]

N_R = 513  # spatstat's default number of radii


def rmax_rule(window, n: int) -> float:
    """spatstat's default r_max for K: min(shortest side of the frame / 4, √(1000 / (π λ))), λ = n/|W|."""
    lo, hi = window.frame()
    lam = n / window.area()
    return float(min(float(np.min(hi - lo)) / 4.0, math.sqrt(1000.0 / (math.pi * lam))))


def r_grid(rmax: float) -> np.ndarray:
    """The 513 radii 0, r_max/512, …, r_max of ``Kest``."""
    return np.linspace(0.0, rmax, N_R)


def pair_distances(x: np.ndarray, rmax: float):
    """Ordered pairs (i, j), i ≠ j, closer than ``rmax``: (i, j, d_ij)."""
    ij = cKDTree(x).query_pairs(rmax, output_type="ndarray")
    i = np.concatenate([ij[:, 0], ij[:, 1]]).astype(np.int64)
    j = np.concatenate([ij[:, 1], ij[:, 0]]).astype(np.int64)
    d = np.sqrt(np.sum((x[i] - x[j]) ** 2, axis=1))
    return i, j, d


def _box_weights(x: np.ndarray, r: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """e(x, r) for a rectangle: the angle of the circle outside the box, side by side, the arcs cut
    by two sides meeting at a corner counted once (spatstat's ``edge.Ripley``)."""
    dL, dR = x[:, 0] - lo[0], hi[0] - x[:, 0]
    dD, dU = x[:, 1] - lo[1], hi[1] - x[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        def hang(d):
            return np.where(r > d, np.arccos(np.clip(d / r, -1.0, 1.0)), 0.0)
        aL, aR, aD, aU = hang(dL), hang(dR), hang(dD), hang(dU)
    ext = (np.minimum(aL, np.arctan2(dU, dL)) + np.minimum(aL, np.arctan2(dD, dL))
           + np.minimum(aR, np.arctan2(dU, dR)) + np.minimum(aR, np.arctan2(dD, dR))
           + np.minimum(aU, np.arctan2(dL, dU)) + np.minimum(aU, np.arctan2(dR, dU))
           + np.minimum(aD, np.arctan2(dL, dD)) + np.minimum(aD, np.arctan2(dR, dD)))
    eps = np.finfo(float).eps
    corner = ((dL < eps).astype(int) + (dR < eps) + (dD < eps) + (dU < eps)) >= 2
    ext = np.where(corner, ext + math.pi / 2, ext)
    with np.errstate(divide="ignore"):
        return 1.0 / (1.0 - ext / (2 * math.pi))


def ripley_weights(x: np.ndarray, r: np.ndarray, window) -> np.ndarray:
    """Ripley's isotropic weights e(x_i, r_i) = 2π r_i / |∂b(x_i, r_i) ∩ W|, clipped to [1, 100]
    (rows of ``x`` paired with entries of ``r``; ``window`` a :class:`Polygon`)."""
    r = np.asarray(r, dtype=float)
    if window.is_rectangle:
        lo, hi = window.frame()
        w = _box_weights(x, r, lo, hi)
    else:
        frac = window.circle_fraction_inside(x, r)
        with np.errstate(divide="ignore"):
            w = 1.0 / frac
    return np.clip(np.where(np.isfinite(w), w, 100.0), 1.0, 100.0)


def k_estimate(x: np.ndarray, window, r: np.ndarray) -> np.ndarray:
    """Ripley-corrected K̂(r) at radii ``r`` (sorted, from 0), spatstat's ``Kest(correction="best")``."""
    n = x.shape[0]
    i, j, d = pair_distances(x, float(r[-1]))
    wt = ripley_weights(x[i], d, window)
    order = np.argsort(d, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(wt[order])])
    return cum[np.searchsorted(d[order], r, side="right")] * window.area() / (n * (n - 1.0))


def k_inhom_estimate(x: np.ndarray, window, r: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """spatstat's ``Kinhom(X, lambda, correction="best")`` (renormalised, normpower 1):
    K̂(r) = (|W| / Σ 1/λ_i) / |W| · Σ_{i≠j, d_ij ≤ r} e(x_i, d_ij) / (λ_i λ_j)."""
    area = window.area()
    i, j, d = pair_distances(x, float(r[-1]))
    wt = ripley_weights(x[i], d, window) / (lam[i] * lam[j])
    order = np.argsort(d, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(wt[order])])
    renorm = area / float(np.sum(1.0 / lam))
    return cum[np.searchsorted(d[order], r, side="right")] * renorm / area


def pcf_inhom_estimate(x: np.ndarray, window, lam: np.ndarray, *, stoyan: float = 0.15):
    """spatstat's ``pcfinhom(X, lambda, correction="best")``: (r, ĝ(r)) on its own 513 radii, up to
    ``rmax.rule`` with the largest λ_i (spatstat passes the vector λ to the rule), the Epanechnikov
    kernel of half-width stoyan/√(n/|W|), weights e_ij/(λ_i λ_j), renormalised by |W| / Σ 1/λ_i."""
    n = x.shape[0]
    area = window.area()
    lo, hi = window.frame()
    rmax = float(min(float(np.min(hi - lo)) / 4.0, math.sqrt(1000.0 / (math.pi * float(np.max(lam))))))
    r = r_grid(rmax)
    h = stoyan / math.sqrt(n / area)
    i, j, d = pair_distances(x, rmax + h)
    wt = ripley_weights(x[i], d, window) / (lam[i] * lam[j])
    y = r_density(d, wt, h / math.sqrt(5.0), r.size, 0.0, rmax)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = y / r / (2 * math.pi * area) * (area / float(np.sum(1.0 / lam)))
    return r, np.where(r > 0, g, np.inf)


def r_density(x: np.ndarray, weights: np.ndarray, bw: float, n_out: int, lo_out: float, hi_out: float) -> np.ndarray:
    """R's ``density.default(x, weights = w/Σw, bw, kernel = "epanechnikov", n, from, to)$y · Σw``
    (R < 4.4 coordinates): linear binning on 2·N points over [from − 4bw, to + 4bw], N = max(n, 512)
    rounded up to a power of 2, circular FFT convolution with the kernel, linear interpolation."""
    n = max(n_out, 512)
    if n > 512:
        n = 1 << int(math.ceil(math.log2(n)))
    tot = float(np.sum(weights))
    w = weights / tot
    lo, up = lo_out - 4 * bw, hi_out + 4 * bw
    y = np.zeros(2 * n)
    delta = (up - lo) / (n - 1)
    xpos = (x - lo) / delta
    ix = np.floor(xpos).astype(np.int64)
    fx = xpos - ix
    mid = (ix >= 0) & (ix <= n - 2)
    np.add.at(y, ix[mid], w[mid] * (1 - fx[mid]))
    np.add.at(y, ix[mid] + 1, w[mid] * fx[mid])
    left = ix == -1
    np.add.at(y, np.zeros(int(left.sum()), dtype=np.int64), w[left] * fx[left])
    right = ix == n - 1
    np.add.at(y, ix[right], w[right] * (1 - fx[right]))
    kords = np.linspace(0.0, 2 * (up - lo), 2 * n)
    kords[n + 1:] = -kords[n - 1:0:-1]
    a = bw * math.sqrt(5.0)
    ax = np.abs(kords)
    kern = np.where(ax < a, 0.75 * (1 - (ax / a) ** 2) / a, 0.0)
    conv = np.fft.ifft(np.fft.fft(y) * np.conj(np.fft.fft(kern))).real[:n]
    conv = np.maximum(conv, 0.0)  # R divides the unnormalized inverse by 2N; numpy's ifft already does
    xords = np.linspace(lo, up, n)
    xout = np.linspace(lo_out, hi_out, n_out)
    return np.interp(xout, xords, conv) * tot


def pcf_estimate(x: np.ndarray, window, r: np.ndarray, *, stoyan: float = 0.15) -> np.ndarray:
    """Ripley-corrected kernel estimate ĝ(r) on the evenly spaced radii ``r`` (from 0; ĝ(0) = inf),
    spatstat's ``pcf(X, correction = "best")`` with its defaults (Epanechnikov, h = stoyan/√λ)."""
    n = x.shape[0]
    area = window.area()
    lam = n / area
    h = stoyan / math.sqrt(lam)
    bw = h / math.sqrt(5.0)
    i, j, d = pair_distances(x, float(r[-1]) + h)
    wt = ripley_weights(x[i], d, window)
    y = r_density(d, wt, bw, r.size, float(r[0]), float(r[-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = y / r / (2 * math.pi * n * (n - 1.0) / area)
    return np.where(r > 0, g, np.inf)


def mean_nn_distance(x: np.ndarray) -> float:
    """Mean distance from each point to its nearest neighbour (``mean(nndist(X))``)."""
    d, _ = cKDTree(x).query(x, k=2)
    return float(np.mean(d[:, 1]))
