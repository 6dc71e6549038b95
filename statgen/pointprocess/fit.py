"""Fitting stationary and non-stationary (log-linear parents) cluster processes: Thomas, Matérn,
Cauchy and variance-Gamma kernels, on boxes or (2-D) polygon windows.

Two-step fitting, as in spatstat's ``kppm`` but with the inhomogeneity in the *parents*:

1. First order: λ(x) = exp(θ₀ + θ·x) by Poisson likelihood (:mod:`statgen.pointprocess.trend`).
   For κ(c) = exp(a + b·c) and constant α, λ(x) = α exp(a + b·x) E[exp(b·U)], so b = θ exactly.
2. Second order, with b fixed: the parent level a and the kernel scale (σ or R) by one of the
   objectives of :mod:`statgen.pointprocess.objectives` (the Palm likelihood or minimum contrast
   on K_inhom); α follows from the fitted first-order intercept.

Standard errors by parametric bootstrap (:meth:`ClusterFit.bootstrap`).

Kernels: "thomas" (σ), "matern" (R), "cauchy" (ω) and "vargamma" (η, shape ``nu``). A log-linear κ
needs E[exp(b·U)] < ∞: true for Thomas and Matérn, never for the Cauchy kernel (its tail decays
like |u|^{−3}: λ would be infinite), so ``kernel="cauchy"`` needs ``parents="constant"``. For the
variance-Gamma kernel λ is finite when |b| < 1/η, but the pair integral of the tilted kernel has no
closed form, so ClusterFit fits it with constant parents only (the stationary Cauchy and
variance-Gamma pair integrals κα²(k * k) are closed forms).

Polygon windows (2-D :class:`~statgen.pointprocess.polygon.Polygon`, method "palm"): the first-order
integral ∫_W e^{θ·x} dx by a Gauss rule on the polygon's triangles (relative error ≈ 1e-15), the
Palm integral over W ∩ b(x_i, r_max) by
:func:`~statgen.pointprocess.polygon_quadrature.polygon_ball_rule`; the model's λ and Palm
intensity include every parent in the plane (inside or outside W), as for a box. The minimum
contrast objective's translation correction is written for boxes, so ``mincon`` refuses polygons.

References
----------
Tanaka, U., Ogata, Y., Stoyan, D. (2008). Parameter estimation and model selection for
Neyman–Scott point processes. Biometrical Journal 50, 43–57. doi:10.1002/bimj.200610339
Waagepetersen, R., Guan, Y. (2009). Two-step estimation for inhomogeneous spatial point
processes. JRSS B 71, 685–702. doi:10.1111/j.1467-9868.2008.00702.x
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from statgen._checks import check_bool, check_choice, check_int
from statgen._estimator import Estimator
from statgen._progress import progress_bar
from statgen.pointprocess._args import check_positive, check_rng
from statgen.pointprocess.fields import Constant, LogLinear
from statgen.pointprocess.kernels import (
    CauchyKernel,
    Kernel,
    MaternKernel,
    ThomasKernel,
    VarGammaKernel,
)
from statgen.pointprocess.kfunction import count_close_pairs
from statgen.pointprocess.model import NeymanScott
from statgen.pointprocess.objectives import OBJECTIVES, Objective, PalmLikelihood
from statgen.pointprocess.polygon import Polygon
from statgen.pointprocess.trend import fit_loglinear_intensity, log_exp_integral
from statgen.pointprocess.window import check_points, check_window, window_volume

__all__ = ["ClusterFit", "KERNELS", "PARENTS"]

KERNELS: dict[str, type[Kernel]] = {"thomas": ThomasKernel, "matern": MaternKernel, "cauchy": CauchyKernel,
                                    "vargamma": VarGammaKernel}  # built from their scale (and ν)
PARENTS = ("loglinear", "constant")
_MIN_POINTS = 10
_LOG_SCALE_RANGE = 8.0  # the scale is searched in (r_max e^{-8}, r_max)


class ClusterFit(Estimator):
    """Fit a Thomas, Matérn, Cauchy or variance-Gamma cluster process with constant or log-linear parents.

    Follows the estimator contract of the package: configuration in ``__init__`` (not validated
    there), validation and learning in :meth:`fit`, learned state in attributes ending in ``_``,
    :meth:`score` a log-likelihood, ``get_params()`` / ``clone()`` for refits (the bootstrap).

    Parameters
    ----------
    kernel : "thomas" (scale = σ), "matern" (R), "cauchy" (ω; needs ``parents="constant"``) or
        "vargamma" (η, shape ``nu``).
    parents : "loglinear" (κ(c) = exp(a + b·c)) or "constant" (b = 0).
    method : "palm" (Palm likelihood) or "mincon" (minimum contrast on K_inhom; boxes only).
    rmax : largest interpoint distance used (> 0; default: 1/4 of the shortest side of the window's frame).
    q : power of the contrast (``mincon``), > 0.
    nu : the variance-Gamma shape ν > −1/2 (default −1/4, spatstat's), ignored by the other kernels.

    Attributes (after :meth:`fit`)
    ------------------------------
    model_ : the fitted :class:`NeymanScott`.
    params_ : dict with ``a`` (log parent intensity at the origin), ``b`` (gradient), ``kappa``
        (mean parent intensity over the window), ``alpha`` and ``scale``.
    rmax_, window_, n_points_ : the r_max used, the window and the number of points.
    objective_ : the minimized value of the method's objective; optimizer_ : scipy's result.
    stderr_, bootstrap_ : bootstrap standard errors and replicates (after :meth:`bootstrap`).

    Examples
    --------
    >>> fit = ClusterFit("thomas", parents="loglinear", method="palm").fit(points, window)
    >>> fit.params_["scale"], fit.bootstrap(50, rng=np.random.default_rng(1))["scale"]
    """

    def __init__(self, kernel: str = "thomas", *, parents: str = "loglinear", method: str = "palm",
                 rmax: float | None = None, q: float = 0.25, nu: float = -0.25):
        self.kernel = kernel
        self.parents = parents
        self.method = method
        self.rmax = rmax
        self.q = q
        self.nu = nu

    # ------------------------------------------------------------------ configuration and data
    def _check_config(self) -> None:
        check_choice(self.kernel, "kernel", list(KERNELS))
        check_choice(self.parents, "parents", PARENTS)
        check_choice(self.method, "method", list(OBJECTIVES))
        if self.rmax is not None:
            check_positive(self.rmax, "rmax")
        check_positive(self.q, "q")
        if self.kernel == "cauchy" and self.parents == "loglinear":
            raise ValueError("kernel='cauchy' needs parents='constant': with log-linear parents κ(c) = exp(a + b·c) "
                             "the Cauchy kernel's |u|^-3 tail makes the intensity infinite (E[exp(b·U)] = ∞)")
        if self.kernel == "vargamma" and self.parents == "loglinear":
            raise ValueError("kernel='vargamma' needs parents='constant' in ClusterFit: with log-linear parents the "
                             "pair integral ∫ e^{b·c} k(x − c) k(y − c) dc of the variance-Gamma kernel has no closed "
                             "form (the quadrature engine is too slow inside an optimizer); for covariate-driven "
                             "parents use ParentCovariateFit")
        if self.kernel == "vargamma":
            if isinstance(self.nu, bool) or not isinstance(self.nu, int | float | np.integer | np.floating):
                raise TypeError(f"nu must be a real number > -1/2 (the variance-Gamma shape), got {self.nu!r}")
            nu = float(self.nu)
            if not math.isfinite(nu) or nu <= -0.5:
                raise ValueError(f"nu must be a finite number > -1/2 (the variance-Gamma shape), got {self.nu!r}")

    def _kernel(self, scale: float) -> Kernel:
        if self.kernel == "vargamma":
            return VarGammaKernel(float(self.nu), scale)
        return KERNELS[self.kernel](scale)

    def _objective(self, cls: type[Objective], x, w, rmax, lam_hat) -> Objective:
        return cls(x, w, rmax, lam_hat, **{name: getattr(self, name) for name in cls.settings})

    @staticmethod
    def _data(points, window):
        polygon = window if isinstance(window, Polygon) else None
        w = check_window(window.box_array() if polygon is not None else window)
        x = check_points(points, "points", w.shape[0], window=w)
        if polygon is not None:
            polygon.check_inside(x)
        if x.shape[0] < _MIN_POINTS:
            raise ValueError(f"points: at least {_MIN_POINTS} points are needed to fit a cluster process, "
                             f"got {x.shape[0]}")
        distinct = np.unique(x, axis=0).shape[0]
        if distinct < _MIN_POINTS:
            raise ValueError(f"points: at least {_MIN_POINTS} distinct locations are needed to fit a cluster "
                             f"process, got {distinct} among {x.shape[0]} points (duplicated points?)")
        return x, (polygon if polygon is not None else w)

    # ------------------------------------------------------------------ model from parameters
    def _model(self, a, b, log_scale, theta0, window):
        kern = self._kernel(math.exp(log_scale))
        # constant parents as a Constant field: the engines' closed forms for stationary Cauchy / variance-Gamma
        kappa = Constant(math.exp(a)) if self.parents == "constant" else LogLinear(a, b)
        unit = NeymanScott(kappa, 1.0, kern, window)
        alpha = math.exp(theta0) / float(unit.intensity(np.zeros((1, unit.d)))[0])
        return NeymanScott(kappa, alpha, kern, window), alpha

    # ------------------------------------------------------------------ the contract
    def fit(self, points, window) -> ClusterFit:
        """Estimate the parameters from a pattern ``points`` (n, d), n ≥ 10 distinct points, observed in ``window``."""
        self._check_config()
        x, w = self._data(points, window)
        box = w.box_array() if isinstance(w, Polygon) else w
        area = w.area() if isinstance(w, Polygon) else window_volume(w)
        if isinstance(w, Polygon) and self.method == "mincon":
            raise ValueError("method='mincon' needs a box window (its translation edge correction is written for "
                             "boxes); use method='palm' on a Polygon window")
        d = box.shape[0]
        rmax = 0.25 * float((box[:, 1] - box[:, 0]).min()) if self.rmax is None else float(self.rmax)
        if self.parents == "loglinear":
            theta0, b = fit_loglinear_intensity(x, w)
        else:
            theta0, b = math.log(x.shape[0] / area), np.zeros(d)
        lam_hat = np.exp(theta0 + x @ b)
        if count_close_pairs(x, rmax) == 0:
            raise ValueError(f"points: no two points are within rmax={rmax:g} of each other, so the pattern says "
                             "nothing about clustering at that range; raise rmax")
        obj = self._objective(OBJECTIVES[self.method], x, w, rmax, lam_hat)
        lo_ls, hi_ls = math.log(rmax) - _LOG_SCALE_RANGE, math.log(rmax)

        def f(p):
            a, ls = p
            if not (lo_ls < ls < hi_ls):
                return np.inf
            try:
                model, _ = self._model(a, b, ls, theta0, w)
            except (ValueError, OverflowError):
                return np.inf
            v = obj(model)
            return v if np.isfinite(v) else np.inf

        # start from a coarse grid over (parents per cluster, scale), then Nelder–Mead
        mean_lam = float(np.exp(theta0 + log_exp_integral(b, w)) / area)
        cand = [(math.log(mean_lam / m) - float(b @ box.mean(axis=1)), math.log(s * rmax))
                for m in (2.0, 5.0, 15.0, 40.0) for s in (0.03, 0.08, 0.2, 0.45)]
        start = min(cand, key=lambda p: f(np.array(p)))
        res = optimize.minimize(f, np.array(start), method="Nelder-Mead",
                                options={"xatol": 1e-5, "fatol": 1e-9, "maxiter": 400})
        a, ls = res.x
        if not np.isfinite(res.fun) or ls < lo_ls + 1e-3:
            raise ValueError(f"points: the fit is degenerate (the cluster scale collapsed to {math.exp(ls):.3g}, the "
                             f"lower end of the search range rmax·e^-{_LOG_SCALE_RANGE:g}): the pattern's {x.shape[0]} "
                             "points look like exact duplicates rather than clusters")
        self.model_, alpha = self._model(a, b, ls, theta0, w)
        self.params_ = {"a": float(a), "b": np.asarray(b, float), "kappa": self.model_.mean_parent_intensity(),
                        "alpha": alpha, "scale": math.exp(ls)}
        self.window_, self.rmax_, self.n_points_ = w, rmax, x.shape[0]
        self.objective_, self.optimizer_ = float(res.fun), res
        return self

    def score(self, points, window) -> float:
        """Log-likelihood of a pattern under the fitted model, at the fitted r_max.

        For ``method="palm"`` it is the Palm log-likelihood ℓ_P (the maximized objective on the
        training pattern). Minimum contrast is not a likelihood, so for ``method="mincon"`` the
        score is the Palm log-likelihood too: scores of fits by different methods are comparable.
        """
        self._check_fitted("model_")
        x, w = self._data(points, window)
        cls = OBJECTIVES[self.method]
        cls = cls if cls.likelihood else PalmLikelihood
        lam_hat = self.model_.intensity(x)
        return -self._objective(cls, x, w, self.rmax_, lam_hat)(self.model_)

    def bootstrap(self, n_boot: int = 100, *, rng: np.random.Generator, progress: bool = True) -> dict:
        """Parametric bootstrap: refit ``n_boot`` ≥ 2 patterns simulated from the fitted model.

        The refits use ``clone(rmax=rmax_)`` (same configuration, the fitted r_max). Returns (and
        stores as ``stderr_``) the standard deviations of the refitted parameters; the replicates
        are kept in ``bootstrap_`` (dict of arrays).
        """
        self._check_fitted("model_")
        n_boot = check_int(n_boot, "n_boot", minimum=2)
        check_rng(rng)
        progress = check_bool(progress, "progress")
        reps = {k: [] for k in self.params_}
        twin = self.clone(rmax=self.rmax_)
        for k in progress_bar(range(n_boot), desc="bootstrap", progress=progress):
            pattern = self.model_.simulate(rng=rng)
            try:
                twin.fit(pattern, self.window_)
            except ValueError as exc:
                raise ValueError(f"n_boot: bootstrap replicate {k} ({pattern.shape[0]} simulated points) could not "
                                 f"be fitted: {exc}") from exc
            for name, v in twin.params_.items():
                reps[name].append(v)
        self.bootstrap_ = {k: np.asarray(v) for k, v in reps.items()}
        self.stderr_ = {k: v.std(axis=0, ddof=1) for k, v in self.bootstrap_.items()}
        return self.stderr_
