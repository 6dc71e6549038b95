"""Distance distributions on a pixel grid, as spatstat's ``distcdf`` computes them for ``kppm``.

The Palm likelihood and clik2 integrals are ∫ w(r) g(r) dG(r) with G the distribution of the
distance between two random locations: a data point and a (λ-weighted) window location for
the Palm likelihood, two (λ-weighted) window locations for clik2. spatstat computes G by

1. rasterizing both measures on the window's 128 × 128 mask (data points to their nearest
   pixel centre, the window to its pixels, weighted by λ when inhomogeneous);
2. their cross-covariance image C(ℓ) = Σ_u A(u) B(u + ℓ) by FFT, the (2n + 1) lags of each axis
   placed on a grid of step 2L/(2n + 1) over [−L, L] (L the side of the frame);
3. the histogram of the lag lengths weighted by C on 1024 radii from 0 to the largest lag,
   cumulated; below 10 lag pixels the cdf is replaced by the least-squares fit a r² + b r³ on the
   radii below 20 lag pixels, then made non-decreasing;
4. refinement to a step ≤ r_max/4096 by a cubic smoothing spline through G(r)/r², its smoothing
   chosen by generalized cross-validation: R's ``smooth.spline`` with its default knots and spar
   search (:mod:`~statgen.pointprocess.smooth_spline`; the refined G equals spatstat's to 2e-7 on
   bei), and a left Riemann–Stieltjes sum.

Step 2's lag grid is 2n/(2n + 1) of the true pixel lag, and steps 1 and 3 smooth the cdf near
r = 0: spatstat's G exceeds the exact one by ≈ 1 % (window pairs) to 3 % (data–window pairs) at
the short distances that matter. ``KppmFit(integral="exact")`` uses the exact G instead.

References
----------
Baddeley, A., Rubak, E., Turner, R. (2015). Spatial Point Patterns, §12.4 (kppm's Palm / clik2
integrals).
"""

from __future__ import annotations

import math

import numpy as np

from statgen.pointprocess.smooth_spline import r_smooth_spline

__all__ = ["MASK_SIZE", "mask_centres", "raster_counts", "lag_cdf"]

MASK_SIZE = 128  # spatstat.options("npixel")


def mask_centres(window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xcol (n,), yrow (n,), inside (n, n) bool): the pixel centres of the window's mask."""
    lo, hi = window.frame()
    n = MASK_SIZE
    xs, ys = (hi[0] - lo[0]) / n, (hi[1] - lo[1]) / n
    xcol = lo[0] + (np.arange(n) + 0.5) * xs
    yrow = lo[1] + (np.arange(n) + 0.5) * ys
    if window.is_rectangle:
        inside = np.ones((n, n), dtype=bool)
    else:
        X, Y = np.meshgrid(xcol, yrow)
        inside = window.contains(np.column_stack([X.ravel(), Y.ravel()])).reshape(n, n)
    return xcol, yrow, inside


def raster_counts(points: np.ndarray, window) -> np.ndarray:
    """(n, n) counts of the points at their nearest pixel centre (``pixellate.ppp``), rows = y."""
    xcol, yrow, _ = mask_centres(window)
    n = MASK_SIZE
    cc = np.clip(1 + np.round((points[:, 0] - xcol[0]) / (xcol[1] - xcol[0])).astype(np.int64), 1, n) - 1
    rr = np.clip(1 + np.round((points[:, 1] - yrow[0]) / (yrow[1] - yrow[0])).astype(np.int64), 1, n) - 1
    out = np.zeros((n, n))
    np.add.at(out, (rr, cc), 1.0)
    return out


def lag_cdf(A: np.ndarray, B: np.ndarray, window, rmax: float) -> tuple[np.ndarray, np.ndarray]:
    """spatstat's distance cdf between the measures A and B (pixel images on the window's mask),
    as the nodes r_k ≤ r_max and increments ΔG_k of its left Riemann–Stieltjes sum."""
    n = MASK_SIZE
    lo, hi = window.frame()
    side = hi - lo
    Ap = np.zeros((2 * n, 2 * n))
    Bp = np.zeros((2 * n, 2 * n))
    Ap[:n, :n], Bp[:n, :n] = A, B
    G = np.abs(np.fft.ifft2(np.fft.fft2(Ap) * np.conj(np.fft.fft2(Bp))))
    idx = np.arange(-n, n + 1) % (2 * n)
    G = G[np.ix_(idx, idx)]
    xstep, ystep = 2 * side[0] / (2 * n + 1), 2 * side[1] / (2 * n + 1)
    xc = -side[0] + (np.arange(2 * n + 1) + 0.5) * xstep
    yc = -side[1] + (np.arange(2 * n + 1) + 0.5) * ystep
    R = np.sqrt(xc[None, :] ** 2 + yc[:, None] ** 2).ravel()
    gv = G.ravel()
    rtop = float(R.max())
    rgrid = np.linspace(0.0, rtop, 1024)
    cell = np.searchsorted(rgrid, R, side="right")  # findInterval, rightmost closed
    cell[R == rtop] = rgrid.size - 1
    h = np.bincount(cell, weights=gv / gv.sum(), minlength=rgrid.size + 1)[1:rgrid.size]
    ch = np.concatenate([[0.0], np.cumsum(h)])
    pix = max(xstep, ystep)
    suspect = rgrid <= 10 * pix
    ref = rgrid <= 20 * pix
    X = np.column_stack([rgrid[ref] ** 2, rgrid[ref] ** 3])
    coef, *_ = np.linalg.lstsq(X, ch[ref], rcond=None)
    ch[suspect] = np.column_stack([rgrid[suspect] ** 2, rgrid[suspect] ** 3]) @ coef
    ch[0] = 0.0
    ch = np.maximum.accumulate(ch)
    # refine: step rstep / ceil(rstep / delta), spline through G / r²
    rstep = float(np.mean(np.diff(rgrid)))
    delta = rmax / 4096
    inflate = rstep / delta
    if inflate > 1:
        fine = rstep / math.ceil(inflate)
        rnew = np.arange(0.0, rtop + 1e-12 * rtop, fine)
        rnew = rnew[rnew <= rtop]
        pos = rgrid > 0
        spl = r_smooth_spline(rgrid[pos], ch[pos] / rgrid[pos] ** 2)
        cdf = spl(rnew) * rnew**2
    else:
        rnew, cdf = rgrid, ch
    keep = rnew <= rmax
    r, f = rnew[keep], cdf[keep]
    dG = np.concatenate([np.diff(f), [0.0]])
    return r, dG
