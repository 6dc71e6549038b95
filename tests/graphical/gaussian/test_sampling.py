"""Exact Gaussian samples and Wishart covariances against their moments."""

import numpy as np
import pytest

from statgen.graphical import (
    SphericalGaussian,
    empirical_covariance,
    sample_gaussian,
    sk_couplings,
    wishart_covariance,
)
from tests.graphical.gaussian.helpers import sk_model as _sk_model


def test_sampler_covariance_matches_inverse_precision():
    rng = np.random.default_rng(2)
    J = sk_couplings(6, 0.8, rng=rng)
    model = SphericalGaussian(J)
    C_exact = np.linalg.inv(model.mu * np.eye(6) - J)  # independent of the eigen route
    assert np.trace(C_exact) == pytest.approx(
        6.0, rel=1e-12
    )  # spherical constraint: mean variance 1
    np.testing.assert_allclose(model.covariance(), C_exact, atol=1e-12)
    X = sample_gaussian(J, 200_000, rng=rng)
    S = X.T @ X / X.shape[0]
    se = np.sqrt((np.outer(np.diag(C_exact), np.diag(C_exact)) + C_exact**2) / X.shape[0])
    assert np.max(np.abs(S - C_exact) / se) < 5.0
    C = empirical_covariance(X)
    assert np.trace(C) == pytest.approx(6.0, rel=1e-14)


@pytest.mark.parametrize("B", [3, 9])  # rank-deficient route and Bartlett route
def test_wishart_covariance_moments(B):
    """E[B C_ij] = B S_ij and Var[B C_ij] = B (S_ij^2 + S_ii S_jj) for the unnormalized Wishart."""
    rng = np.random.default_rng(4 + B)
    model = _sk_model(5, 0.9, 4)
    S = model.covariance()
    R = 20_000
    W = np.stack([model.sample_covariance(B, rng=rng, normalize=False) for _ in range(R)]) * B
    mean_ref = B * S
    var_ref = B * (S**2 + np.outer(np.diag(S), np.diag(S)))
    z_mean = (W.mean(0) - mean_ref) / np.sqrt(var_ref / R)
    assert np.max(np.abs(z_mean)) < 5.0
    var = W.var(0)
    se_var = np.sqrt((((W - W.mean(0)) ** 4).mean(0) - var**2) / R)
    assert np.max(np.abs((var - var_ref) / se_var)) < 5.0
    # the generic entry point (arbitrary covariance) follows the same law; normalized -> Tr = N
    Cn = wishart_covariance(S, B, rng=rng)
    assert np.trace(Cn) == pytest.approx(5.0, rel=1e-14)
    np.testing.assert_allclose(Cn, Cn.T, atol=0)
