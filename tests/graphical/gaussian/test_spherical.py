"""The spherical constraint and the per-site likelihoods, against brentq, closed forms and scipy."""

import numpy as np
import pytest
from scipy import optimize, stats

from statgen.graphical import (
    empirical_covariance,
    gaussian_log_likelihood,
    ring_couplings,
    sk_couplings,
    spherical_log_likelihood,
    spherical_log_partition,
    spherical_mu,
)
from tests.graphical.gaussian.helpers import sk_model as _sk_model


def test_spherical_mu_solves_constraint_against_brentq():
    rng = np.random.default_rng(1)
    lam = np.linalg.eigvalsh(sk_couplings(100, 0.7, rng=rng))
    mu = spherical_mu(lam)
    ref = optimize.brentq(
        lambda m: np.mean(1 / (m - lam)) - 1, lam.max() + 1e-12, lam.max() + 2, xtol=1e-15
    )
    assert mu == pytest.approx(ref, rel=1e-13)
    assert spherical_mu(np.zeros(7)) == pytest.approx(1.0, rel=1e-15)  # J = 0 -> unit variances
    batch = np.stack([lam, 0.5 * lam, np.zeros(100)])
    np.testing.assert_allclose(spherical_mu(batch), [mu, spherical_mu(0.5 * lam), 1.0], rtol=1e-14)
    # ring: eigenvalues 2 j cos(2 pi k / N) are known in closed form
    k = np.arange(64)
    np.testing.assert_allclose(
        np.sort(np.linalg.eigvalsh(ring_couplings(64, 0.3))),
        np.sort(0.6 * np.cos(2 * np.pi * k / 64)),
        atol=1e-13,
    )


def test_log_likelihood_identity_and_scipy_logpdf():
    rng = np.random.default_rng(3)
    model = _sk_model(30, 0.6, 3)
    X = model.sample(500, rng=rng)
    C = empirical_covariance(X)
    P = model.precision()
    # (-tr(CP) + log det P)/(2N) == 1/2 Tr(JC)/N - log Z(J) when Tr C = N and mu is spherical
    assert gaussian_log_likelihood(P, C) == pytest.approx(
        spherical_log_likelihood(model.J, C), abs=1e-13
    )
    assert model.log_likelihood(C) == pytest.approx(spherical_log_likelihood(model.J, C), abs=1e-13)
    # against scipy: mean log-density per site = our likelihood (unnormalized C) - log(2 pi)/2
    C_raw = empirical_covariance(X, normalize=False)
    ref = stats.multivariate_normal(np.zeros(30), model.covariance()).logpdf(X).mean() / 30
    assert gaussian_log_likelihood(P, C_raw) - 0.5 * np.log(2 * np.pi) == pytest.approx(
        ref, abs=1e-10
    )
    # log Z from its definition with a brute-force mu
    lam = np.linalg.eigvalsh(model.J)
    assert spherical_log_partition(lam) == pytest.approx(model.log_partition(), abs=1e-15)
