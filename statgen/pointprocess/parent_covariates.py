"""Thomas processes whose *parents* follow covariates, κ(c) = exp(θ₀ + θ·Z(c)), fitted to a pattern,
and compared with spatstat's model (offspring following the covariates) by the Palm likelihood.

Model: parents Poisson(κ), κ(c) = e^{θ₀} F(c), F = exp(θ·Z) on the covariate pixels (edge values
continued outside the grid), α offspring per parent, Gaussian kernel k_σ. With S_s = k_s * F,

    λ(x) = α e^{θ₀} S_σ(x),
    λ(u | x) = λ(u) + α k_{σ√2}(u − x) S_{σ/√2}((u + x)/2) / S_σ(x)

(the product of two Gaussians at c is a Gaussian in u − x times one around the midpoint). The
smoothings S_s are Gaussian filters of F on the pixel grid (:func:`scipy.ndimage.gaussian_filter`),
interpolated bilinearly.

Fit (:class:`ParentCovariateFit`), alternating two steps twice from the offspring model's σ:
(A) θ by the Poisson likelihood of λ at the current σ (c = α e^{θ₀} profiled out);
(B) σ and α by the Palm likelihood with θ fixed and c re-profiled (∫_W λ = n).

Comparison (:func:`palm_comparison`): both models' Palm log-likelihoods

    ℓ_P = Σ_{i≠j, d_ij ≤ c} log λ(x_j | x_i) − Σ_i Σ_{pixels u ∈ W, |u − x_i| ≤ c} |u| λ(u | x_i),

on the same pairs and the same pixel sums (for the offspring model λ(u | x) = λ(u) g(|u − x|)),
and the Palm AIC −2ℓ_P + 2k of Tanaka, Ogata & Stoyan (2008); both models have k = p + 3
parameters, so the AIC difference is the log-likelihood difference.

References
----------
Tanaka, U., Ogata, Y., Stoyan, D. (2008). Parameter estimation and model selection for
Neyman–Scott point processes. Biometrical Journal 50, 43–57. doi:10.1002/bimj.200610339
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage, optimize
from scipy.spatial import cKDTree

from statgen._estimator import Estimator
from statgen.pointprocess._args import check_positive
from statgen.pointprocess.covariates import CovariateGrid
from statgen.pointprocess.kppm import KppmFit, _check_pattern
from statgen.pointprocess.summary import pair_distances, rmax_rule

__all__ = ["ParentCovariateFit", "palm_comparison"]


class _PalmData:
    """Pairs and point–pixel neighbours within the cutoff, shared by both models' likelihoods."""

    def __init__(self, x, W, grid: CovariateGrid, cut: float):
        self.x, self.cut = x, cut
        i, j, _ = pair_distances(x, cut)
        self.i, self.j = i, j
        self.centres, self.area, _ = grid.pixels(W)  # every pixel meeting W, with its exact area |pixel ∩ W|
        nb = cKDTree(self.centres).query_ball_point(x, cut)
        self.src = np.repeat(np.arange(x.shape[0]), [len(v) for v in nb])
        self.pix = np.concatenate([np.asarray(v, dtype=np.int64) for v in nb])

    def loglik(self, palm_intensity) -> float:
        """ℓ_P for ``palm_intensity(u, x) -> λ(u | x)`` (paired rows)."""
        x = self.x
        first = np.sum(np.log(np.maximum(palm_intensity(x[self.j], x[self.i]), 1e-300)))
        second = palm_intensity(self.centres[self.pix], x[self.src]) @ self.area[self.pix]
        return float(first - second)


class _Smoother:
    """S_s = k_s * F on the (padded) covariate grid, evaluated anywhere by bilinear interpolation."""

    def __init__(self, grid: CovariateGrid, pad: int):
        self.grid, self.pad = grid, pad
        self.dx, self.dy = grid.dx, grid.dy
        self.x0 = grid.x[0] - pad * grid.dx
        self.y0 = grid.y[0] - pad * grid.dy
        self.Z = np.pad(grid.images, ((0, 0), (pad, pad), (pad, pad)), mode="edge")

    def field(self, theta):
        eta = np.tensordot(theta, self.Z, axes=1)
        self.shift = float(eta.max())
        return np.exp(eta - self.shift)

    def smooth(self, F, s):
        return ndimage.gaussian_filter(F, sigma=(s / self.dy, s / self.dx), mode="nearest", truncate=4.0)

    def at(self, S, pts):
        rows = (pts[:, 1] - self.y0) / self.dy
        cols = (pts[:, 0] - self.x0) / self.dx
        return ndimage.map_coordinates(S, [rows, cols], order=1, mode="nearest")


class ParentCovariateFit(Estimator):
    """Thomas process with parents following covariate images (module docstring).

    Parameters
    ----------
    rmax : the Palm likelihood uses pairs up to rmax/2 (default: spatstat's ``rmax.rule``, as KppmFit).

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : ``theta`` (covariate coefficients of log κ), ``theta0``, ``alpha``, ``scale`` (σ),
        ``kappa`` (mean parent intensity over the window).
    loglik_ : the Palm log-likelihood at the fit; aic_ : −2ℓ_P + 2(p + 3).
    """

    def __init__(self, *, rmax: float | None = None):
        self.rmax = rmax

    def _lam_parts(self, theta, s):
        F = self._sm.field(theta)
        return F, self._sm.smooth(F, s)

    def fit(self, points, window, covariates: CovariateGrid) -> ParentCovariateFit:
        """Fit to ``points`` (n, 2) in ``window`` with the covariate images ``covariates`` (covering the window)."""
        if self.rmax is not None:
            check_positive(self.rmax, "rmax")
        if not isinstance(covariates, CovariateGrid):
            raise TypeError(f"covariates must be a CovariateGrid, got {type(covariates).__name__}")
        x, W = _check_pattern(points, window)
        covariates.check_covers(W)
        n = x.shape[0]
        rmax = rmax_rule(W, n) if self.rmax is None else float(self.rmax)
        cut = rmax / 2
        off = KppmFit("thomas", method="palm", rmax=rmax).fit(x, W, covariates)
        pad = int(math.ceil(2 * cut / min(covariates.dx, covariates.dy)))
        self._sm = _Smoother(covariates, pad)
        data = _PalmData(x, W, covariates, cut)
        centres, area = data.centres, data.area
        theta = np.asarray(off.params_["beta"][1:], float)
        s = off.params_["scale"]
        alpha = max(off.params_["mu"], 1.01)
        for _ in range(2):
            theta = self._first_order(x, centres, area, theta, s)
            s, alpha = self._second_order(data, theta, s, alpha, n)
        self.params_ = self._params(theta, s, alpha, n, centres, area)
        self.loglik_ = data.loglik(self._palm_fn(theta, s, alpha, n, centres, area))
        self.aic_ = -2 * self.loglik_ + 2 * (theta.size + 3)
        self.offspring_fit_, self.window_, self.rmax_ = off, W, rmax
        self._data = data
        return self

    # (A) first order: θ by Poisson likelihood at fixed σ, c profiled
    def _first_order(self, x, centres, area, theta0, s):
        def f(th):
            _, S = self._lam_parts(th, s)
            Sx, Su = self._sm.at(S, x), self._sm.at(S, centres)
            return -(np.sum(np.log(np.maximum(Sx, 1e-300))) - x.shape[0] * math.log(float(Su @ area)))
        return optimize.minimize(f, theta0, method="Nelder-Mead",
                                 options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 2000}).x

    def _palm_fn(self, theta, s, alpha, n, centres, area):
        _, S = self._lam_parts(theta, s)
        S2 = self._sm.smooth(self._sm.field(theta), s / math.sqrt(2))
        c = n / float(self._sm.at(S, centres) @ area)
        v2 = 2 * s * s

        def palm(u, xx):
            d2 = np.sum((u - xx) ** 2, axis=1)
            pair = alpha * np.exp(-d2 / (2 * v2)) / (2 * math.pi * v2)
            return c * self._sm.at(S, u) + pair * self._sm.at(S2, 0.5 * (u + xx)) / self._sm.at(S, xx)
        return palm

    # (B) second order: (log σ, log(α − 1)) by Palm likelihood at fixed θ
    def _second_order(self, data, theta, s0, alpha0, n):
        def f(p):
            s, alpha = math.exp(p[0]), 1.0 + math.exp(p[1])
            if not (1e-6 * data.cut < s < 2 * data.cut):
                return np.inf
            return -data.loglik(self._palm_fn(theta, s, alpha, n, data.centres, data.area))
        res = optimize.minimize(f, [math.log(s0), math.log(alpha0 - 1.0)], method="Nelder-Mead",
                                options={"xatol": 1e-5, "fatol": 1e-7, "maxiter": 400})
        return math.exp(res.x[0]), 1.0 + math.exp(res.x[1])

    def _params(self, theta, s, alpha, n, centres, area):
        _, S = self._lam_parts(theta, s)
        c = n / float(self._sm.at(S, centres) @ area)  # α e^{θ₀} (with F's shift)
        theta0 = math.log(c / alpha) - self._sm.shift
        Zc = self._sm.grid.at(centres)
        kappa = float(np.exp(theta0 + Zc @ theta) @ area / area.sum())
        return {"theta": np.asarray(theta), "theta0": theta0, "alpha": alpha, "scale": s, "kappa": kappa}


def palm_comparison(points, window, covariates: CovariateGrid) -> dict:
    """Fit both models (offspring following the covariates: spatstat's, by :class:`KppmFit` palm; parents
    following them: :class:`ParentCovariateFit`) and return their Palm log-likelihoods and AICs on the same
    pairs and pixel sums: ``{"offspring": {...}, "parents": {...}, "delta_aic": AIC_parents − AIC_offspring}``."""
    par = ParentCovariateFit().fit(points, window, covariates)
    off = par.offspring_fit_
    data = par._data
    b, kap = off.params_["beta"], off.params_["native"]
    fam = off.family_
    grid = covariates

    def palm_off(u, xx):
        lam_u = np.exp(b[0] + grid.at(u) @ b[1:])
        return lam_u * fam.pcf(kap, np.sqrt(np.sum((u - xx) ** 2, axis=1)))
    ll_off = data.loglik(palm_off)
    k = b.size + 2
    out = {"offspring": {"loglik": ll_off, "aic": -2 * ll_off + 2 * k, "kappa": off.params_["kappa"],
                         "scale": off.params_["scale"], "beta": b},
           "parents": {"loglik": par.loglik_, "aic": par.aic_, **par.params_}}
    out["delta_aic"] = out["parents"]["aic"] - out["offspring"]["aic"]
    return out
