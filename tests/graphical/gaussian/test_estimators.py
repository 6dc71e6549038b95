"""Gaussian MAP estimators: fit equals the functional MAP, score is the per-site log-likelihood
(checked against scipy's log-density), the Estimator contract holds."""

import numpy as np
import pytest
from scipy import stats

from statgen.graphical import (
    GaussianL1MAP,
    GaussianL2MAP,
    SphericalGaussian,
    empirical_covariance,
    map_l1,
    map_l2,
    sk_couplings,
)


def _data(n=15, B=60, seed=0):
    rng = np.random.default_rng(seed)
    model = SphericalGaussian(sk_couplings(n, 0.5, rng=rng))
    return model, model.sample(B, rng=rng), model.sample(400, rng=rng)


def test_l2_estimator_is_the_closed_form_map_and_scores_like_scipy():
    model, X, X_test = _data()
    est = GaussianL2MAP(gamma=2.0).fit(X)
    J, mu = map_l2(empirical_covariance(X), 2.0, X.shape[0] / X.shape[1])
    np.testing.assert_allclose(est.couplings_, J, atol=1e-13)
    assert est.mu_ == pytest.approx(mu, rel=1e-14) and est.alpha_ == 4.0
    np.testing.assert_allclose(est.model_.covariance(), np.linalg.inv(est.precision_), atol=1e-10)
    # unnormalized: score = mean log N(x; 0, P⁻¹) per site + ½ log 2π
    raw = GaussianL2MAP(gamma=2.0, normalize=False).fit(X)
    ref = stats.multivariate_normal(np.zeros(15), np.linalg.inv(raw.precision_)).logpdf(X_test).mean() / 15
    assert raw.score(X_test) == pytest.approx(ref + 0.5 * np.log(2 * np.pi), abs=1e-10)
    # the fit scores its own training data above fresh data, and regularization helps on fresh data
    assert est.score(X) > est.score(X_test)
    assert GaussianL2MAP(gamma=model.predicted_gamma()).fit(X).score(X_test) > GaussianL2MAP(gamma=1e-4).fit(X).score(
        X_test)


def test_l1_estimator_is_the_graphical_lasso():
    from sklearn.covariance import graphical_lasso

    _, X, X_test = _data(seed=1)
    est = GaussianL1MAP(lam=0.1, tol=1e-11).fit(X)
    C = empirical_covariance(X)
    np.testing.assert_allclose(est.precision_, map_l1(C, 0.1, tol=1e-11), atol=1e-9)
    _, P_sk = graphical_lasso(C, alpha=0.1, tol=1e-10, enet_tol=1e-10, max_iter=2000)
    assert np.max(np.abs(est.precision_ - P_sk)) < 1e-3 * np.max(np.abs(P_sk))
    np.testing.assert_allclose(est.covariance_ @ est.precision_, np.eye(15), atol=1e-9)
    np.testing.assert_array_equal(np.diag(est.couplings_), 0.0)
    assert est.gap_ <= 1e-11 * 15 and est.n_iter_ >= 1
    ref = stats.multivariate_normal(np.zeros(15), est.covariance_).logpdf(X_test).mean() / 15
    raw = GaussianL1MAP(lam=0.1, tol=1e-11, normalize=False).fit(X)
    ref = stats.multivariate_normal(np.zeros(15), raw.covariance_).logpdf(X_test).mean() / 15
    assert raw.score(X_test) == pytest.approx(ref + 0.5 * np.log(2 * np.pi), abs=1e-8)


def test_estimator_contract():
    from statgen._estimator import NotFittedError

    est = GaussianL1MAP(lam=0.2, solver="gista")
    assert est.get_params() == {"lam": 0.2, "normalize": True, "tol": 1e-9, "max_iter": 10_000, "solver": "gista"}
    twin = est.clone(lam=0.3)
    assert twin.lam == 0.3 and not twin.is_fitted()
    with pytest.raises(NotFittedError, match="call fit"):
        twin.score(np.ones((3, 4)))
    bad = GaussianL2MAP(gamma=-1.0)  # configuration is not validated in __init__ ...
    with pytest.raises(ValueError, match="gamma must be > 0"):  # ... but in fit
        bad.fit(np.ones((5, 3)))
