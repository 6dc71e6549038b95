"""The closed-form L2 MAP: matrix stationarity and a numerical optimum (gradient checked by finite differences)."""

import numpy as np
import pytest
from scipy import optimize

from statgen.graphical import map_l2, spherical_mu
from tests.graphical.gaussian.helpers import sk_model as _sk_model


@pytest.mark.parametrize("alpha", [0.3, 2.0])
@pytest.mark.parametrize("gamma", [1e-3, 0.7, 40.0, 1e4])
def test_map_l2_stationarity_in_matrix_form(alpha, gamma):
    """gamma J - alpha C + alpha (mu I - J)^{-1} = 0 and Tr (mu I - J)^{-1} = N, with a direct inverse."""
    rng = np.random.default_rng(5)
    n = 40
    model = _sk_model(n, 0.5, 5)
    C = model.sample_covariance(max(1, int(alpha * n)), rng=rng)
    J, mu = map_l2(C, gamma, alpha)
    inv = np.linalg.inv(mu * np.eye(n) - J)
    scale = max(1.0, gamma * np.abs(J).max(), alpha * np.abs(C).max())
    assert np.max(np.abs(gamma * J - alpha * C + alpha * inv)) < 1e-10 * scale
    assert np.trace(inv) / n == pytest.approx(1.0, abs=1e-12)


def _map_objective(C, gamma, alpha):
    """-F(J) = -[alpha l(J; C) - gamma/4 Tr J^2 / N] on the upper triangle (with diagonal) of J."""
    n = C.shape[0]
    iu = np.triu_indices(n)
    w = np.where(iu[0] == iu[1], 1.0, 2.0)  # d/dx of a symmetric entry hits J_ij and J_ji

    def f(x):
        J = np.zeros((n, n))
        J[iu] = x
        J = J + np.triu(J, 1).T
        lam, V = np.linalg.eigh(J)
        mu = spherical_mu(lam)
        log_z = 0.5 * (mu - np.mean(np.log(mu - lam)))
        F = alpha * (0.5 * np.sum(J * C) / n - log_z) - gamma / 4 * np.sum(J * J) / n
        Cm = (V / (mu - lam)) @ V.T  # d log Z / dJ = C_model / (2N) (envelope theorem in mu)
        G = alpha * (0.5 * C - 0.5 * Cm) / n - gamma / 2 * J / n
        return -F, -(G[iu] * w)

    return f, iu


def test_map_l2_equals_numerical_optimum():
    rng = np.random.default_rng(6)
    n, alpha, gamma = 10, 1.5, 0.8
    C = _sk_model(n, 0.7, 6).sample_covariance(15, rng=rng)
    f, iu = _map_objective(C, gamma, alpha)
    x0 = np.zeros(len(iu[0]))
    # the analytic gradient is itself checked by central differences
    fd = optimize.approx_fprime(x0 + 0.01, lambda x: f(x)[0], 1e-7)
    np.testing.assert_allclose(f(x0 + 0.01)[1], fd, atol=1e-6)
    res = optimize.minimize(
        f, x0, jac=True, method="BFGS", options={"gtol": 1e-13, "maxiter": 10_000}
    )
    J_num = np.zeros((n, n))
    J_num[iu] = res.x
    J_num = J_num + np.triu(J_num, 1).T
    J, _ = map_l2(C, gamma, alpha)
    assert np.max(np.abs(J - J_num)) < 1e-6
