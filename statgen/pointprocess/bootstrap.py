"""Parametric bootstrap of a fitted point-process estimator: refit patterns simulated from the fit.

Shared by :class:`~statgen.pointprocess.kppm.KppmFit` and
:class:`~statgen.pointprocess.parent_covariates.ParentCovariateFit` (B. Efron & R. Tibshirani, *An
Introduction to the Bootstrap*, 1993, ch. 6): the estimator's ``simulate(rng=)`` draws a pattern from
the fitted model, a clone with the fitted r_max refits it in the same window with the same covariates.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_bool, check_int
from statgen._progress import progress_bar
from statgen.pointprocess._args import check_rng


def parametric_bootstrap(est, names, n_boot: int, *, rng: np.random.Generator, progress: bool) -> dict:
    """Refit ``n_boot`` ≥ 2 simulated patterns; store the replicates of ``est.params_[name]`` for each
    name in ``est.bootstrap_`` and their standard deviations (ddof 1; floats for scalar parameters) in
    ``est.stderr_``, which is returned. A replicate that cannot be fitted raises ValueError naming it."""
    n_boot = check_int(n_boot, "n_boot", minimum=2)
    check_rng(rng)
    progress = check_bool(progress, "progress")
    twin = est.clone(rmax=est.rmax_)
    reps = {k: [] for k in names}
    for b in progress_bar(range(n_boot), desc="bootstrap", progress=progress):
        pts = est.simulate(rng=rng)
        try:
            twin.fit(pts, est.window_, est.covariates_)
        except ValueError as exc:
            raise ValueError(f"n_boot: bootstrap replicate {b} ({pts.shape[0]} simulated points) could not be "
                             f"fitted: {exc}") from exc
        for name in reps:
            reps[name].append(twin.params_[name])
    est.bootstrap_ = {k: np.asarray(v) for k, v in reps.items()}
    sd = {k: v.std(axis=0, ddof=1) for k, v in est.bootstrap_.items()}
    est.stderr_ = {k: float(v) if np.ndim(v) == 0 else v for k, v in sd.items()}
    return est.stderr_
