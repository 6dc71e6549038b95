"""Covariate images on a regular grid and the log-linear first-order trend they define.

A :class:`CovariateGrid` holds p covariate images Z₁..Z_p sampled at the centres of a regular
pixel grid covering the window (spatstat's ``im``). The trend is

    λ(x) = exp(β₀ + β·Z(x)),

with Z(x) the value of the pixel containing x, fitted by Poisson maximum likelihood with the
integral ∫_W λ = Σ_pixels |pixel ∩ W| λ (pixel areas inside a polygon window estimated by
sub-sampling each pixel on a 4×4 grid). This is the first step of kppm's two-step fit
(``ppm(X ~ Z₁ + … + Z_p)``); spatstat uses a Berman–Turner quadrature on its own dummy grid,
so its β differs from this exact pixel likelihood by the quadrature error (≈ 1e-3 on bei).

References
----------
Berman, M., Turner, T. R. (1992). Approximating point process likelihoods with GLIM. Applied
Statistics 41, 31–38.
Waagepetersen, R., Guan, Y. (2009). Two-step estimation for inhomogeneous spatial point
processes. JRSS B 71, 685–702. doi:10.1111/j.1467-9868.2008.00702.x
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import optimize

from statgen._checks import as_array
from statgen.pointprocess.polygon_quadrature import pixel_areas

__all__ = ["CovariateGrid", "fit_trend"]


class CovariateGrid:
    """Covariate images on a regular grid of pixel centres.

    Parameters
    ----------
    x, y : strictly increasing, evenly spaced pixel-centre coordinates (n_x,), (n_y,), ≥ 2 each.
    images : mapping name → (n_y, n_x) array of finite values (row = y, column = x, as an image),
        or a single (n_y, n_x) array (named "z").

    The pixels are the cells of width Δx × Δy centred on the grid points; the grid covers a window
    when every window point lies in a pixel.
    """

    def __init__(self, x, y, images):
        self.x = as_array(x, "x", ndim=1)
        self.y = as_array(y, "y", ndim=1)
        for name, a in (("x", self.x), ("y", self.y)):
            if a.size < 2 or np.any(np.diff(a) <= 0):
                raise ValueError(f"{name} must be strictly increasing with at least 2 pixel centres, got {a.size}")
            step = np.diff(a)
            if np.ptp(step) > 1e-6 * step.mean():
                raise ValueError(f"{name} must be evenly spaced (a regular pixel grid); steps range "
                                 f"{step.min():g}..{step.max():g}")
        if not isinstance(images, Mapping):
            images = {"z": images}
        if len(images) == 0:
            raise ValueError("images must hold at least one covariate image")
        self.names = list(images)
        shape = (self.y.size, self.x.size)
        self.images = np.stack([as_array(images[k], f"images[{k!r}]", shape=shape) for k in self.names])
        self.dx, self.dy = float(self.x[1] - self.x[0]), float(self.y[1] - self.y[0])

    def __repr__(self) -> str:
        return f"CovariateGrid({self.names}, {self.x.size}x{self.y.size} pixels)"

    @property
    def extent(self) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) corners of the union of the pixels."""
        lo = np.array([self.x[0] - self.dx / 2, self.y[0] - self.dy / 2])
        hi = np.array([self.x[-1] + self.dx / 2, self.y[-1] + self.dy / 2])
        return lo, hi

    def check_covers(self, window, name: str = "covariates") -> None:
        """Raise ValueError unless the pixels cover the window's frame (up to 1e-9 of a pixel)."""
        lo, hi = self.extent
        flo, fhi = window.frame()
        tol = 1e-9 * np.array([self.dx, self.dy])
        if np.any(flo < lo - tol) or np.any(fhi > hi + tol):
            raise ValueError(f"{name}: the covariate grid covers [{lo[0]:g}, {hi[0]:g}] x [{lo[1]:g}, {hi[1]:g}] but the "
                             f"window spans [{flo[0]:g}, {fhi[0]:g}] x [{flo[1]:g}, {fhi[1]:g}]; give images that "
                             "cover the whole window")

    def pixel_index(self, points: np.ndarray, rule: str = "ppm") -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of the pixel whose centre is nearest to each point (edge pixels beyond the grid).

        Points on a pixel boundary are ambiguous; the two rules reproduce spatstat's two lookups:
        ``"ppm"`` (covariates at ppm's quadrature points: round(offset/step), half to even) and
        ``"image"`` (``nearest.pixel``, used when an image is indexed by a pattern, ``Z[X]``:
        round(1 + offset/step) in 1-based indices, half to even)."""
        shift = 0.0 if rule == "ppm" else 1.0
        col = np.round(shift + (points[:, 0] - self.x[0]) / self.dx).astype(np.int64) - int(shift)
        row = np.round(shift + (points[:, 1] - self.y[0]) / self.dy).astype(np.int64) - int(shift)
        return np.clip(row, 0, self.y.size - 1), np.clip(col, 0, self.x.size - 1)

    def at(self, points: np.ndarray, rule: str = "ppm") -> np.ndarray:
        """(m, p) covariate values at points (the value of their pixel, :meth:`pixel_index`)."""
        row, col = self.pixel_index(points, rule)
        return self.images[:, row, col].T

    def pixels(self, window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(centres (P, 2), areas inside the window (P,), covariates (P, p)) of pixels meeting the window."""
        X, Y = np.meshgrid(self.x, self.y)
        centres = np.column_stack([X.ravel(), Y.ravel()])
        if window.is_rectangle:
            lo, hi = window.frame()
            wx = np.clip(np.minimum(centres[:, 0] + self.dx / 2, hi[0]) - np.maximum(centres[:, 0] - self.dx / 2, lo[0]),
                         0, None)
            wy = np.clip(np.minimum(centres[:, 1] + self.dy / 2, hi[1]) - np.maximum(centres[:, 1] - self.dy / 2, lo[1]),
                         0, None)
            area = wx * wy
        else:
            area = pixel_areas(window, centres, self.dx, self.dy)
        keep = area > 0
        Z = self.images.reshape(len(self.names), -1).T
        return centres[keep], area[keep], Z[keep]


def berman_turner_scheme(points: np.ndarray, window) -> tuple[np.ndarray, np.ndarray]:
    """spatstat's default quadrature for ``ppm`` on a rectangle: the data, an m × m grid of dummy
    points at tile centres plus the 4 corners, m = max(32, 10⌈2√n/10⌉), and counting weights
    (tile area / number of quadrature points in the tile). Returns (points (N, 2), weights (N,)),
    the data first."""
    n = points.shape[0]
    m = max(32, 10 * math.ceil(2 * math.sqrt(n) / 10))
    lo, hi = window.frame()
    side = hi - lo
    gx = lo[0] + (np.arange(m) + 0.5) * side[0] / m
    gy = lo[1] + (np.arange(m) + 0.5) * side[1] / m
    X, Y = np.meshgrid(gx, gy)
    corners = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [lo[0], hi[1]], [hi[0], hi[1]]])
    Q = np.vstack([points, np.column_stack([X.ravel(), Y.ravel()]), corners])
    ix = np.clip(np.ceil(m * (Q[:, 0] - lo[0]) / side[0]), 1, m).astype(np.int64)
    iy = np.clip(np.ceil(m * (Q[:, 1] - lo[1]) / side[1]), 1, m).astype(np.int64)
    tile = (iy - 1) * m + ix - 1
    counts = np.bincount(tile, minlength=m * m)
    return Q, float(np.prod(side)) / (m * m) / counts[tile]


def fit_trend(points: np.ndarray, window, grid: CovariateGrid | None):
    """Poisson maximum likelihood of λ(x) = exp(β₀ + β·Z(x)): returns (β (p + 1,), λ at the points,
    (pixel centres, pixel areas, λ at the pixels)). Without a grid, λ = n/|W| (β = (log λ,)).

    On a rectangle the likelihood is spatstat's Berman–Turner approximation
    Σ_data η − Σ_quad w e^η (:func:`berman_turner_scheme`, covariates at the nearest pixel), which
    is what ``kppm`` uses; on a polygon it is the pixel likelihood Σ_data η − Σ_pixels |pixel ∩ W| e^η."""
    n = points.shape[0]
    if grid is None:
        lam = n / window.area()
        return np.array([math.log(lam)]), np.full(n, lam), None
    grid.check_covers(window)
    centres, area, Zp = grid.pixels(window)
    Zx = grid.at(points)
    if window.is_rectangle:  # fit on spatstat's quadrature; λ is still reported on the pixels
        Q, wq = berman_turner_scheme(points, window)
        Zq = grid.at(Q)
    else:
        Zq, wq = Zp, area
    # centre the covariates for a well-conditioned optimization
    mu, sd = Zp.mean(axis=0), Zp.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    A = np.column_stack([np.ones(Zq.shape[0]), (Zq - mu) / sd])
    B = np.column_stack([np.ones(n), (Zx - mu) / sd])
    sB = B.sum(axis=0)

    def f(b):
        eta = A @ b
        m = eta.max()
        return -(sB @ b) + math.exp(m) * float(wq @ np.exp(eta - m))

    def grad(b):
        return -sB + A.T @ (wq * np.exp(A @ b))

    def hess(b):
        return (A * (wq * np.exp(A @ b))[:, None]).T @ A

    b0 = np.zeros(A.shape[1])
    b0[0] = math.log(n / float(wq.sum()))
    res = optimize.minimize(f, b0, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-12})
    if not np.all(np.isfinite(res.x)):
        raise ValueError(f"covariates: the Poisson trend fit did not converge ({res.message})")
    b = res.x
    beta = np.concatenate([[b[0] - float(np.sum(b[1:] * mu / sd))], b[1:] / sd])
    Ap = np.column_stack([np.ones(Zp.shape[0]), (Zp - mu) / sd])
    return beta, np.exp(B @ b), (centres, area, np.exp(Ap @ b))
