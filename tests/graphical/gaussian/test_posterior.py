"""PyMC posterior of the L2 couplings: gradient, curves and an N = 2 posterior integrated numerically."""

import numpy as np
import pytest

from statgen.graphical import (
    coupling_curves,
    l2_free_energy,
    l2_path,
    map_l2,
)
from tests.graphical.gaussian.helpers import sk_problem as _problem

pytest.importorskip("pymc")
pytestmark = pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS")


def test_coupling_curves_match_l2_path_at_map():
    """The generic batched curves (eigh of J) equal the closed-form path at the MAP couplings."""
    model, C = _problem(12)
    gammas = np.array([0.3, 3.0, 30.0])
    path = l2_path(C, gammas, 2.0, J_true=model)
    Js = np.stack([map_l2(C, g, 2.0)[0] for g in gammas])
    cv = coupling_curves(Js, C, C_true=model.covariance(), J_true=model)
    for k in ("train", "test", "gen", "gen_true"):
        np.testing.assert_allclose(cv[k], getattr(path, k), atol=1e-10, err_msg=k)


def test_free_energy_is_minimal_at_map():
    _, C = _problem(6)
    J, _ = map_l2(C, 1.5, 2.0)
    f0 = l2_free_energy(J, C, 1.5, 2.0)
    rng = np.random.default_rng(1)
    for _ in range(5):
        D = rng.standard_normal(J.shape)
        D = 1e-3 * (D + D.T)
        fp, fm = l2_free_energy(J + D, C, 1.5, 2.0), l2_free_energy(J - D, C, 1.5, 2.0)
        assert fp > f0 and fm > f0
        # stationarity: the odd (first-order) part is O(|D|^3), far below the even O(|D|^2) part
        assert abs(fp - fm) < 0.05 * (fp + fm - 2 * f0)


def test_pymc_gradient_matches_finite_differences():
    """The zero-gradient μ(J) trick gives the exact gradient of −β F (Tr C = N)."""
    from statgen.graphical.gaussian.posterior import _posterior_model

    _, C = _problem(4)
    gamma, alpha, beta_norm = 0.7, 2.0, 1.3
    model, n = _posterior_model(C, gamma, alpha, beta_norm)
    iu = np.triu_indices(n)
    logp = model.compile_logp()
    dlogp = model.compile_dlogp()
    rng = np.random.default_rng(2)
    J0 = map_l2(C, gamma, alpha)[0] + 0.05 * rng.standard_normal((n, n))
    J0 = 0.5 * (J0 + J0.T)
    theta = J0[iu]

    def f(th):
        J = np.zeros((n, n))
        J[iu] = th
        J = J + J.T - np.diag(np.diag(J))
        return -beta_norm * n * n * l2_free_energy(J, C, gamma, alpha)

    assert logp({"theta": theta}) == pytest.approx(f(theta), rel=1e-10)
    h = 1e-6
    fd = np.array([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)])
    np.testing.assert_allclose(dlogp({"theta": theta}), fd, rtol=1e-6, atol=1e-6)


def _n2_quadrature(C, gamma, alpha, beta_norm, center, half_width=5.0, m=121):
    """Posterior moments for N = 2 on a 3-D grid (J11, J22, J12), μ in closed form.

    For eigenvalues λ1 ≥ λ2 (gap δ), u = μ − λ1 solves (1/u + 1/(u + δ))/2 = 1:
    u = [2 − 2δ + sqrt((2δ − 2)² + 8δ)]/4.
    """
    axes = [np.linspace(c - half_width, c + half_width, m) for c in center]
    a, d, b = np.meshgrid(*axes, indexing="ij")
    delta = np.sqrt((a - d) ** 2 + 4 * b * b)
    lam1 = 0.5 * (a + d + delta)
    u = (2 - 2 * delta + np.sqrt((2 * delta - 2) ** 2 + 8 * delta)) / 4
    mu = lam1 + u
    loglik = 0.5 * (a * C[0, 0] + d * C[1, 1] + 2 * b * C[0, 1]) / 2 - 0.5 * mu + np.log(u * (u + delta)) / 4
    F = -alpha * loglik + 0.25 * gamma * (a * a + d * d + 2 * b * b) / 2
    logw = -beta_norm * 4 * F
    w = np.exp(logw - logw.max())
    assert w[0].max() < 1e-10 and w[-1].max() < 1e-10 and w[:, :, 0].max() < 1e-10  # box holds the mass
    w /= w.sum()
    train = loglik
    return {"J11": np.sum(w * a), "J22": np.sum(w * d), "J12": np.sum(w * b), "train": np.sum(w * train)}


def _batch_se(x, chains, batches=10):
    """Monte Carlo standard error by batch means within each chain."""
    x = x.reshape(chains, batches, -1).mean(axis=2)
    return float(x.std(ddof=1) / np.sqrt(x.size))


@pytest.mark.slow  # 25-70 s on 2 shared cores, mostly PyTensor compilation
def test_n2_posterior_matches_numerical_integration():
    from statgen.graphical import sample_l2_posterior

    C = np.array([[1.3, 0.45], [0.45, 0.7]])  # Tr C = N = 2
    gamma, alpha, beta_norm = 1.0, 2.0, 2.0
    J_map, _ = map_l2(C, gamma, alpha)
    ref = _n2_quadrature(C, gamma, alpha, beta_norm, center=(J_map[0, 0], J_map[1, 1], J_map[0, 1]))
    Js = sample_l2_posterior(C, gamma, alpha, beta_norm=beta_norm, draws=1500, tune=700, chains=2, seed=3)
    train = coupling_curves(Js, C)["train"]
    got = {"J11": Js[:, 0, 0], "J22": Js[:, 1, 1], "J12": Js[:, 0, 1], "train": train}
    for k, x in got.items():
        se = _batch_se(x, chains=2)
        assert abs(x.mean() - ref[k]) < 4 * se + 1e-3 * abs(ref[k]), (k, x.mean(), ref[k], se)
    # the fluctuations are real: the posterior mean of train is below the MAP's (curvature)
    assert ref["train"] < l2_path(C, [gamma], alpha).train[0]
