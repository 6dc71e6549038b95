"""The warm-started graphical-lasso path: curves against direct formulas, refinement and Monte Carlo gen."""

import numpy as np
import pytest

from statgen.graphical import (
    gaussian_log_likelihood,
    l1_objective,
    l1_path,
    map_l1,
)
from tests.graphical.gaussian.helpers import sk_problem as _problem


def test_path_curves_against_direct_formulas():
    model, C = _problem(n=20, alpha=3.0, seed=4)
    gammas = np.logspace(-2, 1, 7)
    path = l1_path(C, gammas, 3.0, J_true=model, tol=1e-13, keep_precisions=True)
    C_true = model.covariance()
    for i, g in enumerate(path.gammas):
        P = path.precisions[i]
        cold = map_l1(C, g / 3.0, tol=1e-13)  # warm-started path == cold solve
        lam = g / 3.0
        assert abs(l1_objective(C, P, lam) - l1_objective(C, cold, lam)) < 1e-10 * abs(l1_objective(C, cold, lam))
        W = np.linalg.inv(P)
        assert path.train[i] == pytest.approx(gaussian_log_likelihood(P, C), abs=1e-12)
        assert path.test[i] == pytest.approx(gaussian_log_likelihood(P, C_true), abs=1e-12)
        assert path.gen[i] == pytest.approx(gaussian_log_likelihood(P, W), abs=1e-10)
        assert path.gen_true[i] == pytest.approx(gaussian_log_likelihood(model.precision(), W), abs=1e-10)
    # stationarity identity gen = train − λ Σ_{i≠j}|P_ij| / (2N)
    np.testing.assert_allclose(path.gen, path.train - path.penalty, atol=1e-9)


def test_gamma_opt_refined_and_monte_carlo_gen():
    model, C = _problem(n=20, alpha=4.0, seed=5)
    gammas = np.logspace(-2.5, 0.5, 13)
    path = l1_path(C, gammas, 4.0, J_true=model)
    assert path.gammas[0] < path.gamma_opt < path.gammas[-1]
    assert path.at_opt["test"] >= np.max(path.test) - 1e-9  # the refinement never lands lower
    i = int(np.argmax(path.test))
    assert path.gammas[max(i - 1, 0)] <= path.gamma_opt <= path.gammas[min(i + 1, 12)]
    # gen_cross: gen and test agree there (the root of gen − test)
    if np.isfinite(path.gamma_cross):
        sub = l1_path(C, [path.gamma_cross], 4.0, J_true=model, refine=False)
        assert sub.gen[0] == pytest.approx(sub.test[0], abs=1e-6)
    # Monte Carlo: L_gen scores samples of the inferred model with the inferred model
    P = map_l1(C, path.gamma_opt / 4.0)
    rng = np.random.default_rng(7)
    x = rng.multivariate_normal(np.zeros(20), np.linalg.inv(P), size=40_000)
    logdet = np.linalg.slogdet(P)[1]
    per_sample = (logdet - np.einsum("si,ij,sj->s", x, P, x)) / (2 * 20)
    se = per_sample.std() / np.sqrt(per_sample.size)
    assert abs(per_sample.mean() - path.at_opt["gen"]) < 3 * se
