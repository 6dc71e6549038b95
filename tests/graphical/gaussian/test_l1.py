"""Graphical lasso (L1 MAP): checked against scikit-learn, KKT conditions and block screening."""

import numpy as np
import pytest

from statgen.graphical import l1_duality_gap, l1_objective, map_l1
from statgen.graphical.gaussian.l1 import solve_l1
from tests.graphical.gaussian.helpers import sk_problem as _problem


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
    P_ref, _ = solve_l1(C, lam, None, 1e-13, 100_000, "quic")
    P, info = solve_l1(C, lam, None, 1e-10, 100_000, solver)
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
