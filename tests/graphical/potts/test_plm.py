"""Pseudo-likelihood: objective against brute force, gradients by finite differences, exact L1 KKT,
recovery of planted chain couplings, penalty effects."""

import numpy as np
import pytest
import torch

from statgen.graphical import (
    PseudoLikelihoodPotts,
    chain_edges,
    chain_potts,
    fit_ml,
    fit_plm,
    plm_objective,
)
from statgen.graphical.potts.inference._problem import make_problem
from statgen.graphical.potts.inference.plm import plm_value_grad
from tests.graphical.potts.helpers import coupling_errors as _errors
from tests.graphical.potts.helpers import dense_model as _dense
from tests.graphical.potts.helpers import fd_check as _fd_check


def _brute_plm(m, s, w):
    """−(1/Σw) Σ_m w_m Σ_i log P(s_mi | s_m,−i) by explicit loops."""
    tot = 0.0
    for x, wm in zip(s, w, strict=True):
        for i in range(m.L):
            f = m.h[i].copy()
            for j in range(m.L):
                if j != i:
                    f += m.J[i, j, :, x[j]]
            tot -= wm * (f[x[i]] - np.log(np.sum(np.exp(f))))
    return tot / w.sum()


def test_plm_objective_matches_loop():
    rng = np.random.default_rng(0)
    m = _dense(5, 3, rng)
    s = rng.integers(0, 3, (40, 5))
    w = rng.uniform(0.2, 2.0, 40)
    assert plm_objective(m, s, weights=w) == pytest.approx(_brute_plm(m, s, w), abs=1e-12)
    # L2 penalty: (γ/α)·((q−1)²/2)·Σ_{i<j}||J_ij||², α = M_eff/L; fields penalty (γ_h/2)||h||²
    g, gh = 0.7, 0.1
    alpha = w.sum() / 5
    pen = g / alpha * (2**2 / 2) * sum(np.sum(m.J[i, j] ** 2) for i in range(5) for j in range(i + 1, 5))
    pen += gh / 2 * np.sum(m.h**2)
    assert plm_objective(m, s, weights=w, gamma=g, gamma_h=gh) == pytest.approx(_brute_plm(m, s, w) + pen, abs=1e-12)
    # L1 (smoothed |x| ≈ √(x²+ε²) − ε): Σ_{i<j,a,b} |J_ij(a,b)| · γ/α
    l1 = sum(np.sum(np.abs(m.J[i, j])) for i in range(5) for j in range(i + 1, 5))
    assert plm_objective(m, s, weights=w, penalty="l1", gamma=g) == pytest.approx(
        _brute_plm(m, s, w) + g / alpha * l1, abs=1e-12)
    l1s = sum(np.sum(np.sqrt(m.J[i, j] ** 2 + 1e-6) - 1e-3) for i in range(5) for j in range(i + 1, 5))
    assert plm_objective(m, s, weights=w, penalty="l1", gamma=g, l1_eps=1e-3) == pytest.approx(
        _brute_plm(m, s, w) + g / alpha * l1s, abs=1e-12)


def test_exact_l1_fit_satisfies_kkt():
    """Exact L1 optimum (L-BFGS-B on the split J = u − v): the smooth gradient g of each coupling obeys
    g = −γ_eff sign(J) where J ≠ 0 and |g| ≤ γ_eff where J = 0 (subgradient optimality)."""
    rng = np.random.default_rng(8)
    m = chain_potts(5, 3, 0.8, rng=rng, sigma_h=0.3)
    s = m.sample_exact(2000, seed=1)
    est = PseudoLikelihoodPotts("l1", 4.0, tol=1e-10, max_iter=2000).fit(s, 3)
    p = make_problem(s, 3, "l2", 0.0, est.gamma_h, None, 0.0, "cpu", torch.float64)  # smooth part only
    _, grad = plm_value_grad(p, p.pack(est.model_))
    gJ = grad[15:].numpy()
    J = p.pack(est.model_)[15:].numpy()
    g_eff = 4.0 / (2000 / 5)
    nz = J != 0
    assert 0.2 < nz.mean() < 0.9  # some exact zeros, some couplings kept
    np.testing.assert_allclose(gJ[nz], -g_eff * np.sign(J[nz]), atol=1e-5)
    assert np.all(np.abs(gJ[~nz]) <= g_eff + 1e-5)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_plm_gradient_finite_differences(penalty):
    rng = np.random.default_rng(2)
    m = _dense(5, 4, rng)
    s = rng.integers(0, 4, (50, 5))
    p = make_problem(s, 4, penalty, 0.3, 0.05, rng.uniform(0.5, 1.5, 50), 1e-2, "cpu", torch.float64)
    _fd_check(lambda x: plm_value_grad(p, x), p.pack(m), rng)


@pytest.fixture(scope="module")
def plm0(planted):
    return fit_plm(planted[1], 3, gamma=0.0)


def test_plm_and_ml_recover_planted_chain(planted, plm0):
    """10⁴ samples: each coupling block within 0.15 (max abs, zero-sum gauge) of the truth — the
    statistical error of one entry is ≈ 1/√(M p_a p_b) ≈ 0.03, so 0.15 is ~5σ on the worst of 135 entries."""
    true, s = planted
    for fit in (plm0, fit_ml(s, 3, gamma=0.0)):
        on, off = _errors(fit, true)
        assert on < 0.15 and off < 0.15
    # an edge list restricting the PLM to the true graph gives the same answer on the edges
    est = PseudoLikelihoodPotts(edges=chain_edges(6)).fit(s, 3)
    assert _errors(est.model_, true)[0] < 0.15


def test_plm_l2_shrinks_and_l1_sparsifies(planted, plm0):
    """γ is per site and per α = M/L (module docstring), so γ ~ 10 is needed to act on 10⁴ samples of 6 sites."""
    true, s = planted
    off = np.abs(true.J).sum((2, 3)) == 0

    def norms(m):
        return np.sqrt((m.gauge().J ** 2).sum((2, 3)))

    n0, n2 = norms(plm0), norms(fit_plm(s, 3, gamma=10.0))
    assert n2[~off].mean() < 0.9 * n0[~off].mean()  # L2 shrinks the edges
    n1 = norms(fit_plm(s, 3, penalty="l1", gamma=20.0))
    # L1 sets the non-edges to (smoothed) zero, far below the unpenalized noise level, and keeps the edges
    assert n1[off].mean() < 0.1 * n0[off].mean()
    assert n1[~off].mean() > 0.7 * norms(true)[~off].mean()


def test_inference_bad_input():
    with pytest.raises(ValueError, match="states"):
        fit_plm([[0, 1, 3]], 3)
    with pytest.raises(ValueError, match="ragged"):
        fit_plm([[0, 1, 2], [0, 1]], 3)
    with pytest.raises(ValueError, match="empty"):
        fit_plm(np.zeros((0, 3), dtype=int), 3)
    with pytest.raises(ValueError, match="penalty"):
        fit_plm([[0, 1, 2]], 3, penalty="l3")
    with pytest.raises(ValueError, match="gamma"):
        fit_plm([[0, 1, 2]], 3, gamma=-1.0)
    with pytest.raises(ValueError, match="weights"):
        fit_plm([[0, 1, 2], [1, 1, 1]], 3, weights=[1.0])
    with pytest.raises(ValueError, match="q\\*\\*L"):
        fit_ml(np.zeros((5, 14), dtype=int), 3)
