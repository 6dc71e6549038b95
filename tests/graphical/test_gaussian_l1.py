"""Graphical lasso (L1 MAP) and its path: checked against scikit-learn, KKT conditions and formulas."""

import numpy as np
import pytest

from statgen.graphical import SphericalGaussian, gaussian_log_likelihood, sk_couplings
from statgen.graphical import gaussian_l1 as gl1
from statgen.graphical.gaussian_l1 import l1_duality_gap, l1_objective, l1_path, l1_sweep, map_l1


def _problem(n=25, alpha=2.0, sigma=0.5, seed=0):
    rng = np.random.default_rng(seed)
    model = SphericalGaussian(sk_couplings(n, sigma, rng=rng))
    return model, model.sample_covariance(int(alpha * n), rng=rng)


def _offdiag_max(C):
    return float(np.max(np.abs(C - np.diag(np.diag(C)))))


@pytest.mark.parametrize("frac", [0.05, 0.2, 0.6])
def test_objective_matches_sklearn(frac):
    from sklearn.covariance import graphical_lasso

    _, C = _problem()
    lam = frac * _offdiag_max(C)
    P = map_l1(C, lam)
    _, P_sk = graphical_lasso(C, alpha=lam, tol=1e-10, enet_tol=1e-10, max_iter=2000)
    f, f_sk = l1_objective(C, P, lam), l1_objective(C, P_sk, lam)
    assert abs(f - f_sk) <= 1e-6 * abs(f_sk)
    assert f <= f_sk + 1e-9 * abs(f_sk)  # never worse than the peer
    assert np.max(np.abs(P - P_sk)) < 1e-3 * np.max(np.abs(P_sk))


def test_kkt_conditions():
    """Optimality: W = P⁻¹ has W_ii = C_ii, W_ij − C_ij = λ sign(P_ij) on the support, |W_ij − C_ij| ≤ λ off it."""
    _, C = _problem(n=30)
    lam = 0.15 * _offdiag_max(C)
    P = map_l1(C, lam, tol=1e-13)
    W = np.linalg.inv(P)
    R = W - C
    assert np.allclose(np.diag(R), 0.0, atol=1e-6)
    off = ~np.eye(C.shape[0], dtype=bool)
    support = off & (P != 0)
    assert support.sum() > 10 and (off & (P == 0)).sum() > 10  # both sets are exercised
    assert np.allclose(R[support], lam * np.sign(P[support]), atol=1e-6 * lam + 1e-9)
    assert np.all(np.abs(R[off & (P == 0)]) <= lam * (1 + 1e-6))
    assert 0 <= l1_duality_gap(C, P, lam) < 1e-9


@pytest.mark.parametrize("solver", ["gista", "quic", "glasso"])
def test_solvers_agree_with_tight_reference(solver):
    _, C = _problem(n=20, alpha=0.7, seed=3)  # rank-deficient C (B < N)
    lam = 0.1 * _offdiag_max(C)
    P_ref, _ = gl1._solve(C, lam, None, 1e-13, 100_000, "quic")
    P, info = gl1._solve(C, lam, None, 1e-10, 100_000, solver)
    assert info.gap <= 1e-10 * max(1, abs(l1_objective(C, P, lam)))
    assert abs(l1_objective(C, P, lam) - l1_objective(C, P_ref, lam)) <= 1e-9 * abs(l1_objective(C, P_ref, lam))


def test_block_screening_is_exact():
    """A block-diagonal C gives a block-diagonal P equal to the separate solves."""
    _, A = _problem(n=12, seed=1)
    _, B = _problem(n=9, seed=2)
    C = np.zeros((21, 21))
    C[:12, :12], C[12:, 12:] = A, B
    lam = 0.1 * min(_offdiag_max(A), _offdiag_max(B))
    P = map_l1(C, lam, tol=1e-12)
    assert np.all(P[:12, 12:] == 0)
    assert np.allclose(P[:12, :12], map_l1(A, lam, tol=1e-12), atol=1e-7)
    assert np.allclose(P[12:, 12:], map_l1(B, lam, tol=1e-12), atol=1e-7)
    # above the largest |C_ij| the solution is diagonal, 1/C_ii
    assert np.allclose(map_l1(C, 1.01 * _offdiag_max(C)), np.diag(1 / np.diag(C)), atol=0)


def test_path_curves_against_direct_formulas():
    model, C = _problem(n=20, alpha=3.0, seed=4)
    gammas = np.logspace(-2, 1, 7)
    path = l1_path(C, gammas, 3.0, J_true=model, tol=1e-13, keep_precisions=True)
    C_true = model.covariance
    for i, g in enumerate(path.gammas):
        P = path.precisions[i]
        cold = map_l1(C, g / 3.0, tol=1e-13)  # warm-started path == cold solve
        lam = g / 3.0
        assert abs(l1_objective(C, P, lam) - l1_objective(C, cold, lam)) < 1e-10 * abs(l1_objective(C, cold, lam))
        W = np.linalg.inv(P)
        assert path.train[i] == pytest.approx(gaussian_log_likelihood(P, C), abs=1e-12)
        assert path.test[i] == pytest.approx(gaussian_log_likelihood(P, C_true), abs=1e-12)
        assert path.gen[i] == pytest.approx(gaussian_log_likelihood(P, W), abs=1e-10)
        assert path.gen_true[i] == pytest.approx(gaussian_log_likelihood(model.precision, W), abs=1e-10)
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


def test_sweep_shapes_and_consistency():
    model, _ = _problem(n=15)
    out = l1_sweep(model, [1.0, 4.0], np.logspace(-2, 0.5, 6), 2, rng=np.random.default_rng(0), refine=False)
    assert out["test"].shape == (2, 2, 6) and out["gamma_opt"].shape == (2, 2)
    np.testing.assert_allclose(out["train_max"], out["train"].max(axis=2))
    assert out["gamma_pred"] == pytest.approx(model.predicted_gamma)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(C=np.array([[1.0, 0.2], [0.1, 1.0]]), lam=0.1), "C"),
        (dict(C=np.array([[1.0, 2.0], [2.0, 1.0]]), lam=0.1), "C"),
        (dict(C=np.ones((2, 3)), lam=0.1), "C"),
        (dict(C=np.array([[1.0, np.nan], [np.nan, 1.0]]), lam=0.1), "C"),
        (dict(C=np.eye(2), lam=0.0), "lam"),
        (dict(C=np.eye(2), lam=-1.0), "lam"),
        (dict(C=np.eye(2), lam=0.1, P_init=np.ones((3, 3)) + np.eye(3)), "P_init"),
        (dict(C=np.eye(2), lam=0.1, solver="newton"), "solver"),
    ],
)
def test_map_l1_validation(kwargs, name):
    with pytest.raises(ValueError, match=name):
        map_l1(**kwargs)


def test_path_validation():
    _, C = _problem(n=5)
    with pytest.raises(ValueError, match="gammas"):
        l1_path(C, [0.1, -1.0], 1.0)
    with pytest.raises(ValueError, match="alpha"):
        l1_path(C, [0.1], 0.0)
    with pytest.raises(ValueError, match="C_true"):
        l1_path(C, [0.1], 1.0, C_true=np.eye(4))
