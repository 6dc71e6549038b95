"""Fitting: first-order trend, K-function machinery against closed forms, parameter recovery."""

import math

import numpy as np
import pytest

from statgen.pointprocess import LogLinear, MaternKernel, NeymanScott, ThomasKernel
from statgen.pointprocess.fit import ClusterFit, expected_k_inhom, fit_loglinear_intensity, k_inhom

UNIT2 = ((0.0, 1.0), (0.0, 1.0))


def test_expected_k_of_stationary_thomas_and_matern_is_the_closed_form():
    r = np.array([0.02, 0.05, 0.1, 0.2])
    s, kappa = 0.05, 40.0
    thomas = NeymanScott(kappa, 5.0, ThomasKernel(s), UNIT2)
    np.testing.assert_allclose(expected_k_inhom(thomas, r),
                               math.pi * r**2 + (1 - np.exp(-r**2 / (4 * s * s))) / kappa, rtol=1e-7)
    # Matérn: K(r) = πr² + (1/κ) P(|U₁ − U₂| ≤ r), checked by Monte Carlo on 10⁶ pairs (3 s.e.)
    R = 0.04
    mat = NeymanScott(kappa, 5.0, MaternKernel(R), UNIT2)
    rng = np.random.default_rng(0)
    dist = np.linalg.norm(MaternKernel(R).sample(10**6, 2, rng) - MaternKernel(R).sample(10**6, 2, rng), axis=1)
    p = (dist[:, None] <= r).mean(axis=0)
    se = np.sqrt(p * (1 - p) / 10**6) / kappa
    got = expected_k_inhom(mat, r, order=8) - math.pi * r**2
    assert np.all(np.abs(got - p / kappa) < 3 * se + 1e-4 * p / kappa)


def test_k_inhom_estimator_is_unbiased_for_poisson_on_average():
    # for a Poisson process with known λ, E K̂(r) = πr² (translation correction is unbiased)
    rng = np.random.default_rng(1)
    r = np.array([0.05, 0.1])
    est = []
    for _ in range(300):
        x = rng.random((rng.poisson(200), 2))
        est.append(k_inhom(x, UNIT2, r, 200.0))
    est = np.array(est)
    se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - math.pi * r**2) < 3 * se)


def test_first_order_trend_recovers_log_linear_parents_gradient():
    # λ(x) of a log-linear-parent Thomas process is exactly exp(θ₀ + b·x): the Poisson-likelihood
    # gradient is consistent; its mean over 100 patterns must be within 3 standard errors of b
    b = np.array([1.0, -0.7])
    model = NeymanScott(LogLinear(5.5, b), 3.0, ThomasKernel(0.02), UNIT2)
    rng = np.random.default_rng(2)
    fits = [fit_loglinear_intensity(model.simulate(rng=rng), UNIT2) for _ in range(100)]
    theta = np.array([f[1] for f in fits])
    se = theta.std(axis=0, ddof=1) / 10
    assert np.all(np.abs(theta.mean(axis=0) - b) < 3 * se), (theta.mean(axis=0), se)
    lam0 = 3.0 * math.exp(5.5 + 0.02**2 * (b @ b) / 2)
    t0 = np.exp([f[0] for f in fits])
    assert abs(t0.mean() - lam0) < 3 * t0.std(ddof=1) / 10


@pytest.mark.parametrize("method,tol", [("palm", (0.15, 0.35)), ("mincon", (0.25, 0.5))])
def test_loglinear_thomas_parameters_recovered(method, tol):
    """Recovery on one seeded pattern of ~1400 points, within stated relative tolerances:
    Palm likelihood: scale 15%, offspring mean and mean parent intensity 35%; minimum contrast
    (noisier, as is well known): 25% and 50%."""
    window = ((0.0, 3.0), (0.0, 3.0))
    true = NeymanScott(LogLinear(3.0, [0.4, -0.3]), 6.0, ThomasKernel(0.03), window)
    x = true.simulate(rng=np.random.default_rng(3))
    fit = ClusterFit("thomas", parents="loglinear", method=method, rmax=0.25).fit(x, window)
    p = fit.params_
    assert p["scale"] == pytest.approx(0.03, rel=tol[0])
    assert p["alpha"] == pytest.approx(6.0, rel=tol[1])
    assert p["kappa"] == pytest.approx(true.mean_parent_intensity(), rel=tol[1])


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError):
        ClusterFit("cauchy")
    with pytest.raises(ValueError):
        ClusterFit(method="ml")
    with pytest.raises(ValueError):
        ClusterFit().fit(np.full((20, 2), 1.5), UNIT2)
    with pytest.raises(ValueError):
        ClusterFit().fit(np.random.default_rng(0).random((20, 3)), UNIT2)


@pytest.mark.slow
def test_bootstrap_standard_error_matches_replicate_spread():
    """Parametric-bootstrap s.e. of σ (15 refits) against the spread of 15 independent fits;
    with 15 samples each the ratio of two standard deviations lies in [1/2, 2] with > 99% probability."""
    window = ((0.0, 2.0), (0.0, 2.0))
    true = NeymanScott(LogLinear(3.0, [0.4, -0.3]), 6.0, ThomasKernel(0.03), window)
    rng = np.random.default_rng(0)
    spread = np.std([ClusterFit("thomas", rmax=0.2).fit(true.simulate(rng=rng), window).params_["scale"]
                     for _ in range(15)], ddof=1)
    fit = ClusterFit("thomas", rmax=0.2).fit(true.simulate(rng=rng), window)
    se = fit.bootstrap(15, rng=rng, progress=False)["scale"]
    assert 0.5 < se / spread < 2.0
