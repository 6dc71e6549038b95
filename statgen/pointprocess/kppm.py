"""spatstat's ``kppm`` in statgen: stationary-parent cluster processes, offspring modulated by covariates.

:class:`KppmFit` fits the model spatstat fits — parents a homogeneous Poisson process of
intensity κ, offspring intensity λ(x) = exp(β₀ + β·Z(x)) (constant without covariates), so the
pair correlation g(r; κ, s) is that of the stationary family — by the same two steps and with
the same defaults as ``kppm(X ~ Z, clusters, method)`` of spatstat.model 3.2-1:

1. β by Poisson likelihood (:func:`~statgen.pointprocess.covariates.fit_trend`; λ = n/|W| without covariates);
2. (κ, scale) by one of

   - ``mincon``: minimum contrast mean_{r ∈ [r_min, r_max]} |T̂(r)^q − T(r; θ)^q|^p on the 513 radii
     of ``Kest``, T = K (``statistic="K"``, Ripley-corrected K̂) or g (``"pcf"``, kernel estimate ĝ,
     r_min = the first radius > 0), q = 1/4, p = 2, r_max from ``rmax.rule``; with covariates the
     inhomogeneous K̂ / ĝ of ``Kinhom`` / ``pcfinhom`` (weights 1/(λ_i λ_j), renormalised);
   - ``palm``: the Palm likelihood (Tanaka, Ogata & Stoyan 2008)
     Σ_{i≠j, d_ij ≤ c} log(λ(x_j) g(d_ij)) − Σ_i ∫_W 1{|u − x_i| ≤ c} λ(u) g(|u − x_i|) du;
   - ``clik2``: the second-order composite likelihood (Guan 2006)
     2 [Σ_{i<j, d_ij ≤ c} log g(d_ij) − N_c log(∫∫ 1{|u−v| ≤ c} λ(u)λ(v) g(|u−v|) du dv / (∫λ)²)],

   with the cutoff c = r_max/2 (kppm's default ``weightfun``), maximized (or minimized) by R's
   Nelder–Mead (:func:`~statgen.pointprocess.nelder_mead.nelder_mead_r`) in spatstat's native
   parameters from spatstat's starting values, ``parscale = |start|``, ``fnscale = |f(start)|``.

Every step follows spatstat, including the pixel approximation of the distance distributions
(:mod:`~statgen.pointprocess.pixel_cdf`); on redwood and redwoodfull all 32 fits (4 families × 4
methods) equal kppm's to 1e-12 (tests/pointprocess/test_kppm.py), on bei (3 604 points) to 1e-10,
with or without its covariates elev and grad, for all four methods (β by spatstat's Berman–Turner
quadrature; λ at the points by spatstat's pixel lookups). ``integral="exact"`` replaces the
pixel distance distributions by exact ones (for rectangles, closed forms; for polygons, circle arcs),
a deliberate option: spatstat's G exceeds the exact one by 1–3 % at short range. The variance-Gamma
K-function is a closed form (spatstat integrates numerically to 1.2e-4; the fits still agree to 1e-12).

``starts > 1`` adds a multi-start search (not in spatstat): Nelder–Mead from a grid of starting
points, keeping the best fit that is not degenerate (κ|W| < 1 parent expected in the window, or
a scale beyond the window's diameter: the κ → 0 / huge-cluster solutions spatstat's documentation
warns about). ``degenerate_`` says whether the returned fit is one.

References
----------
Tanaka, U., Ogata, Y., Stoyan, D. (2008). Parameter estimation and model selection for
Neyman–Scott point processes. Biometrical Journal 50, 43–57. doi:10.1002/bimj.200610339
Guan, Y. (2006). A composite likelihood approach in fitting spatial point process models.
JASA 101, 1502–1512. doi:10.1198/016214506000000500
Baddeley, A., Rubak, E., Turner, R. (2015). Spatial Point Patterns. CRC Press, §12.4.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from statgen._checks import as_array, check_choice, check_int
from statgen._estimator import Estimator
from statgen.pointprocess._args import check_positive, check_rng
from statgen.pointprocess.bootstrap import parametric_bootstrap
from statgen.pointprocess.cluster_families import FAMILIES, ClusterFamily
from statgen.pointprocess.covariates import CovariateGrid, fit_trend
from statgen.pointprocess.nelder_mead import nelder_mead_r
from statgen.pointprocess.pixel_cdf import MASK_SIZE, lag_cdf, mask_centres, raster_counts
from statgen.pointprocess.polygon import as_polygon
from statgen.pointprocess.summary import (
    k_estimate,
    k_inhom_estimate,
    mean_nn_distance,
    pair_distances,
    pcf_estimate,
    pcf_inhom_estimate,
    r_grid,
    rmax_rule,
)

__all__ = ["KppmFit", "KPPM_METHODS"]

KPPM_METHODS = ("mincon", "palm", "clik2")
_MIN_POINTS = 10
_HUGE = math.sqrt(np.finfo(float).max) * np.finfo(float).eps
_N_PANEL, _ORDER = 128, 8  # Gauss–Legendre panels × nodes for the exact distance integrals
_N_BINS = 4096  # distance bins of the pixel-based integrals (spatstat: delta = r_max / 4096)


def _check_pattern(points, window):
    W = as_polygon(window)
    x = as_array(points, "points", ndim=2)
    if x.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2) (a planar pattern), got shape {x.shape}")
    out = ~W.contains(x)
    if np.any(out):
        raise ValueError(f"points must lie inside the window; {int(out.sum())} of {x.shape[0]} point(s) are outside, "
                         f"e.g. {x[out][0].tolist()}")
    if x.shape[0] < _MIN_POINTS:
        raise ValueError(f"points: at least {_MIN_POINTS} points are needed to fit a cluster process, got {x.shape[0]}")
    if np.unique(x, axis=0).shape[0] < x.shape[0]:
        raise ValueError("points: the pattern has duplicated points (spatstat's estimators assume a simple pattern)")
    return x, W


def _gl_nodes(cut: float):
    t, w = np.polynomial.legendre.leggauss(_ORDER)
    edges = np.linspace(0.0, cut, _N_PANEL + 1)
    a, b = edges[:-1, None], edges[1:, None]
    return (0.5 * (a + b) + 0.5 * (b - a) * t).ravel(), (0.5 * (b - a) * w).ravel()


def _circle_fraction(x: np.ndarray, r: np.ndarray, W) -> np.ndarray:
    """(m, k): fraction of the circle b(x_i, r_k) inside W (unclipped Ripley weights inverted)."""
    m, k = x.shape[0], r.size
    xi = np.repeat(x, k, axis=0)
    rr = np.tile(r, m)
    if W.is_rectangle:
        from statgen.pointprocess.summary import _box_weights
        lo, hi = W.frame()
        with np.errstate(divide="ignore"):
            frac = 1.0 / _box_weights(xi, rr, lo, hi)
    else:
        frac = W.circle_fraction_inside(xi, rr)
    return frac.reshape(m, k)


def _binned_distances(src, src_w, dst, dst_w, cut):
    """Σ_{a,b: |s_a − d_b| ≤ cut} w_a w_b into _N_BINS bins of [0, cut]: (bin centres, sums)."""
    tree = cKDTree(dst)
    hist = np.zeros(_N_BINS)
    step = max(1, int(2e6 // max(1, len(dst))))
    for s in range(0, src.shape[0], max(step, 64)):
        blk = src[s:s + max(step, 64)]
        nb = tree.query_ball_point(blk, cut)
        lens = np.fromiter((len(v) for v in nb), dtype=np.int64, count=len(nb))
        if lens.sum() == 0:
            continue
        a = np.repeat(np.arange(blk.shape[0]), lens)
        b = np.concatenate([np.asarray(v, dtype=np.int64) for v in nb if len(v)])
        d = np.sqrt(np.sum((blk[a] - dst[b]) ** 2, axis=1))
        idx = np.minimum((d / cut * _N_BINS).astype(np.int64), _N_BINS - 1)
        hist += np.bincount(idx, weights=src_w[s + a] * dst_w[b], minlength=_N_BINS)
    centres = (np.arange(_N_BINS) + 0.5) * cut / _N_BINS
    return centres, hist


_EPS, _XMAX = np.finfo(float).eps, np.finfo(float).max


def _sum_log_pcf(g: np.ndarray) -> float:
    """Σ log g with spatstat's guard: non-finite values count as ε (so a parameter ≤ 0, where g = inf,
    gives a very low but finite likelihood, as in kppm)."""
    g = np.where(np.isfinite(g), np.clip(g, _EPS, _XMAX), _EPS)
    return float(np.sum(np.log(g)))


def _integral(g: np.ndarray, dens: np.ndarray) -> float:
    """Σ g_k dG_k, non-finite terms dropped, at least ε (spatstat's ``stieltjes`` and guard)."""
    with np.errstate(invalid="ignore"):
        t = g * dens
    return max(_EPS, float(np.sum(t[np.isfinite(t)])))


class KppmFit(Estimator):
    """Fit a cluster process as spatstat's ``kppm`` does (module docstring: model, methods, defaults).

    Parameters
    ----------
    kernel : "thomas", "matern", "cauchy" or "vargamma" (spatstat's Thomas, MatClust, Cauchy, VarGamma).
    method : "mincon" (default, as kppm), "palm" or "clik2".
    statistic : "K" (default) or "pcf", the summary function of ``mincon``.
    rmax : the largest distance used (default: spatstat's ``rmax.rule("K")``); palm and clik2 use
        pairs up to rmax/2.
    q, p : contrast exponents of ``mincon`` (1/4 and 2).
    nu : the variance-Gamma shape ν_ker > −1/2 (spatstat's default −1/4).
    starts : 1 (spatstat's single start, the default) or the number of starting points of the
        multi-start search (≥ 2; the spatstat start is always one of them).
    integral : how the Palm / clik2 distance distributions are computed: "pixel" (default: on the
        128 × 128 mask exactly as spatstat does, :mod:`~statgen.pointprocess.pixel_cdf`) or "exact"
        (circle arcs inside the window, no discretization; on redwood / redwoodfull the estimates then
        differ from kppm's by up to 3.7 % (palm) and 0.75 % (clik2): spatstat's discretization error).

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict with ``kappa``, ``scale`` (σ, R, ω or η), ``mu`` (mean offspring count λ̄/κ),
        ``beta`` (trend coefficients, intercept first) and ``native`` (spatstat's ``par``).
    objective_ : the optimized value (contrast, or log Palm / composite likelihood up to spatstat's constants).
    degenerate_ : whether the fit has κ|W| < 1 or a scale larger than the window's diameter.
    window_, rmax_, n_points_, converged_, nfev_.
    """

    def __init__(self, kernel: str = "thomas", *, method: str = "mincon", statistic: str = "K",
                 rmax: float | None = None, q: float = 0.25, p: float = 2.0, nu: float = -0.25,
                 starts: int = 1, integral: str | None = None):
        self.kernel = kernel
        self.method = method
        self.statistic = statistic
        self.rmax = rmax
        self.q = q
        self.p = p
        self.nu = nu
        self.starts = starts
        self.integral = integral

    # ------------------------------------------------------------------ configuration
    def _check_config(self):
        check_choice(self.kernel, "kernel", FAMILIES)
        check_choice(self.method, "method", KPPM_METHODS)
        check_choice(self.statistic, "statistic", ("K", "pcf"))
        if self.rmax is not None:
            check_positive(self.rmax, "rmax")
        check_positive(self.q, "q")
        check_positive(self.p, "p")
        nu = float(self.nu)
        if not math.isfinite(nu) or nu <= -0.5:
            raise ValueError(f"nu must be a finite number > -1/2 (the variance-Gamma shape), got {self.nu!r}")
        check_int(self.starts, "starts", minimum=1)
        if self.integral is not None:
            check_choice(self.integral, "integral", ("pixel", "exact"))

    # ------------------------------------------------------------------ objectives
    def _mincon(self, x, W, rmax, lam_x=None):
        r = r_grid(rmax)
        if self.statistic == "K":
            obs = k_estimate(x, W, r) if lam_x is None else k_inhom_estimate(x, W, r, lam_x)
            theo = self.family_.K
        else:
            if lam_x is None:
                obs = pcf_estimate(x, W, r)
            else:  # pcfinhom's own radii (its r_max uses the largest λ_i); the contrast stops at r_max
                r, obs = pcf_inhom_estimate(x, W, lam_x)
                keep = r <= rmax
                r, obs = r[keep], obs[keep]
            theo = self.family_.pcf
            r, obs = r[1:], obs[1:]  # g(0) is infinite: kppm starts at the second radius
        q, p = self.q, self.p
        obsq = obs**q

        def f(par, big):
            t = theo(par, r)
            with np.errstate(invalid="ignore", over="ignore"):
                disc = np.abs(t**q - obsq) ** p
            disc = np.where(np.isfinite(disc), disc, big + math.sqrt(float(np.sum(np.asarray(par) ** 2))))
            return float(np.mean(disc))
        return f, +1.0

    def _palm(self, x, W, cut, lam_x, pix):
        i, j, d = pair_distances(x, cut)
        up = i < j
        d = d[up]
        n = x.shape[0]
        const = float(np.sum(np.log(lam_x[i])))  # Σ over ordered pairs of log λ(x_j)
        if self._integral_kind() == "pixel":
            B, total = self._mask_measure(W, pix)
            nodes, dG = lag_cdf(raster_counts(x, W), B, W, 2 * cut)
            keep = nodes <= cut
            gscale = n * n if pix is None else n * total  # spatstat: n², or n ∫λ with covariates
            nodes, dens = nodes[keep], dG[keep] * gscale
        elif pix is None:
            nodes, wts = _gl_nodes(cut)
            frac = _circle_fraction(x, nodes, W)  # (n, k)
            dens = wts * 2 * math.pi * nodes * frac.sum(axis=0) * (n / W.area())  # Σ_i λ ∫ … du
        else:
            centres, area, lam_p = pix
            nodes, dens = _binned_distances(x, np.ones(n), centres, area * lam_p, cut)
        pcf = self.family_.pcf

        def f(par, big):
            val = const + 2 * _sum_log_pcf(pcf(par, d)) - _integral(pcf(par, nodes), dens)
            return val if math.isfinite(val) else -big
        return f, -1.0

    def _clik2(self, x, W, cut, pix):
        _, _, d = pair_distances(x, cut)
        d = d[: d.size // 2]  # unordered pairs
        npairs = d.size
        if self._integral_kind() == "pixel":
            B, _ = self._mask_measure(W, pix)
            nodes, dG = lag_cdf(B, B, W, 2 * cut)
            keep = nodes <= cut
            nodes, dens = nodes[keep], dG[keep]
        elif pix is None:
            lo, hi = W.frame()
            nodes, wts = _gl_nodes(cut)
            if W.is_rectangle:
                a, b = hi - lo
                dens = wts * nodes * (2 * math.pi * a * b - 4 * nodes * (a + b) + 2 * nodes**2) / (a * b) ** 2
            else:
                u = W.uniform_points(4096, np.random.default_rng(0))  # fixed: the objective must be deterministic
                dens = wts * 2 * math.pi * nodes * _circle_fraction(u, nodes, W).mean(axis=0) / W.area()
        else:
            centres, area, lam_p = pix
            wgt = area * lam_p
            nodes, dens = _binned_distances(centres, wgt, centres, wgt, cut)
            dens = dens / float(wgt.sum()) ** 2
        pcf = self.family_.pcf

        def f(par, big):
            val = 2 * (_sum_log_pcf(pcf(par, d)) - npairs * math.log(_integral(pcf(par, nodes), dens)))
            return val if math.isfinite(val) else -big
        return f, -1.0

    def _integral_kind(self) -> str:
        return "pixel" if self.integral is None else self.integral

    def _mask_measure(self, W, pix):
        """(image on the window's mask, its integral): 1 inside the window, or λ with covariates."""
        xcol, yrow, inside = mask_centres(W)
        lo, hi = W.frame()
        area = float(np.prod(hi - lo)) / MASK_SIZE**2
        img = inside.astype(float)
        if pix is not None:
            X, Y = np.meshgrid(xcol, yrow)
            b = self._beta
            lam = np.exp(b[0] + self._grid.at(np.column_stack([X.ravel(), Y.ravel()])) @ b[1:]).reshape(img.shape)
            img = img * lam
        return img, float(img.sum()) * area

    # ------------------------------------------------------------------ fitting
    def _degenerate(self, par, W) -> bool:
        lo, hi = W.frame()
        diam = float(np.hypot(*(hi - lo)))
        if par[0] <= 0 or par[1] <= 0:
            return True
        return bool(par[0] * W.area() < 1.0 or self.family_.scale(par[1]) > diam)

    def _optimize(self, f, sign, start):
        v0 = f(start, 1.0)
        big = min(_HUGE, max(math.sqrt(_HUGE), 1024 * abs(v0)))
        v0 = f(start, big)
        tiny = math.sqrt(np.finfo(float).eps)
        fnscale = sign * max(abs(v0), tiny)
        return nelder_mead_r(lambda par: f(par, big), start, parscale=np.maximum(np.abs(start), tiny),
                             fnscale=fnscale)

    def fit(self, points, window, covariates: CovariateGrid | None = None) -> KppmFit:
        """Fit to a planar pattern ``points`` (n, 2), n ≥ 10, observed in ``window`` (a
        :class:`~statgen.pointprocess.polygon.Polygon` or a box ((x₀, x₁), (y₀, y₁))), with optional
        ``covariates`` (a :class:`~statgen.pointprocess.covariates.CovariateGrid` covering the window)
        modulating the offspring intensity."""
        self._check_config()
        x, W = _check_pattern(points, window)
        if covariates is not None and not isinstance(covariates, CovariateGrid):
            raise TypeError(f"covariates must be a CovariateGrid or None, got {type(covariates).__name__}")
        self.family_ = ClusterFamily(self.kernel, float(self.nu))
        n = x.shape[0]
        rmax = rmax_rule(W, n) if self.rmax is None else float(self.rmax)
        beta, lam_x, pix = fit_trend(x, W, covariates)
        self._beta, self._grid = beta, covariates
        cut = rmax / 2
        if self.method != "mincon" and pair_distances(x, cut)[2].size == 0:
            raise ValueError(f"points: no two points are within rmax/2 = {cut:g} of each other; raise rmax")
        if self.method == "mincon":
            # Kinhom / pcfinhom take λ from the fitted image, indexed by the pattern (spatstat's Z[X] rule)
            lam_img = None if covariates is None else np.exp(beta[0] + covariates.at(x, "image") @ beta[1:])
            f, sign = self._mincon(x, W, rmax, lam_img)
        elif self.method == "palm":
            f, sign = self._palm(x, W, cut, lam_x, pix)
        else:
            f, sign = self._clik2(x, W, cut, pix)
        start = self.family_.start(n / W.area(), mean_nn_distance(x))
        starts = [start]
        if self.starts > 1:
            grid = [(a, s) for a in (1.0, 0.2, 0.05, 3.0) for s in (1.0, 0.5, 2.0, 0.25)]
            for a, s in grid[1:self.starts]:
                starts.append(np.array([start[0] * a, self.family_.native(self.family_.scale(start[1]) * s)]))
        fits = [self._optimize(f, sign, s0) for s0 in starts]
        if sign < 0:
            key = [(-r.fun if math.isfinite(r.fun) else math.inf) for r in fits]
        else:
            key = [r.fun for r in fits]
        ok = [k for k in range(len(fits)) if not self._degenerate(fits[k].x, W)]
        pool = ok if (ok and len(fits) > 1) else list(range(len(fits)))
        best = fits[min(pool, key=lambda k: key[k])]
        par = best.x
        lam_bar = float(np.mean(lam_x)) if pix is None else float(pix[1] @ pix[2] / pix[1].sum())
        self.params_ = {"kappa": float(par[0]), "scale": self.family_.scale(par[1]), "mu": lam_bar / float(par[0]),
                        "beta": beta, "native": par.copy()}
        self.objective_ = float(best.fun)
        self.degenerate_ = self._degenerate(par, W)
        self.converged_, self.nfev_ = best.converged, best.nfev
        self.window_, self.rmax_, self.n_points_ = W, rmax, n
        self.covariates_ = covariates
        self._train_points = x
        return self

    def score(self, points, window, covariates: CovariateGrid | None = None) -> float:
        """The Palm log-likelihood (with the λ terms, cutoff rmax_/2) of a pattern under the fitted model."""
        self._check_fitted("params_")
        x, W = _check_pattern(points, window)
        beta, lam_x, pix = fit_trend(x, W, covariates)
        self._beta, self._grid = beta, covariates
        f, _ = self._palm(x, W, self.rmax_ / 2, lam_x, pix)
        return f(self.params_["native"], _HUGE)

    def palm_aic(self) -> float:
        """−2 ℓ_P + 2k at the fit (Tanaka, Ogata & Stoyan 2008), k = 2 + the number of trend coefficients."""
        self._check_fitted("params_")
        ll = self.score(self._train_points, self.window_, self.covariates_)
        return -2.0 * ll + 2 * (2 + self.params_["beta"].size)

    def simulate(self, *, rng: np.random.Generator) -> np.ndarray:
        """One pattern from the fitted model in its window (stationary cluster process of offspring
        mean max λ / κ, thinned to λ(x) when there are covariates)."""
        self._check_fitted("params_")
        check_rng(rng)
        from statgen.pointprocess.model import NeymanScott
        W = self.window_
        kap = self.params_["kappa"]
        if self.covariates_ is None:
            lam_max = self.params_["mu"] * kap
        else:
            _, _, pix = fit_trend(self._train_points, W, self.covariates_)
            lam_max = float(pix[2].max())
        model = NeymanScott(kap, lam_max / kap, self.family_.kernel(self.params_["scale"]), W)
        pts = model.simulate(rng=rng)  # clipped to the (polygon) window
        if self.covariates_ is not None:
            b = self.params_["beta"]
            lam = np.exp(b[0] + self.covariates_.at(pts) @ b[1:])
            pts = pts[rng.random(pts.shape[0]) * lam_max < lam]
        return pts

    def bootstrap(self, n_boot: int = 100, *, rng: np.random.Generator, progress: bool = True) -> dict:
        """Parametric bootstrap standard errors of κ, scale and μ (refits of ``n_boot`` ≥ 2 simulated
        patterns with the same configuration and r_max); replicates in ``bootstrap_``."""
        self._check_fitted("params_")
        return parametric_bootstrap(self, ("kappa", "scale", "mu"), n_boot, rng=rng, progress=progress)
