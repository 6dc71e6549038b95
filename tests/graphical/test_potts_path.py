"""Likelihood paths along γ: exact scores against enumeration identities, grid helpers against closed forms."""

import numpy as np
import pytest

from statgen.graphical import (
    chain_potts,
    exact_cross_log_likelihood,
    grid_argmax,
    grid_crossing,
    potts_likelihood_path,
    potts_predicted_gamma,
)


def test_cross_log_likelihood_identities():
    rng = np.random.default_rng(0)
    m = chain_potts(5, 3, 0.7, rng=rng, sigma_h=0.5)
    o = chain_potts(5, 3, 0.7, rng=rng, sigma_h=0.5)
    assert exact_cross_log_likelihood(m, m) == pytest.approx(-m.entropy(), abs=1e-12)
    # Gibbs inequality: Σ P log Q <= Σ P log P, gap = KL(P || Q) > 0
    assert exact_cross_log_likelihood(m, o) < -m.entropy()
    with pytest.raises(ValueError, match="same"):
        exact_cross_log_likelihood(m, chain_potts(4, 3, 0.7, rng=rng))


def test_grid_helpers_closed_forms():
    lx = np.linspace(-3, 3, 13)
    assert grid_argmax(lx, -(lx - 0.37) ** 2) == pytest.approx(np.exp(0.37), rel=1e-12)  # parabola: exact
    assert grid_crossing(lx, 2.0 * (lx - 0.8), 1.0) == pytest.approx(np.exp(0.8), rel=1e-12)  # line: exact
    assert np.isnan(grid_crossing(lx, lx**2 + 1, 1.0))


def test_exact_path_properties():
    true = chain_potts(5, 3, 0.8, rng=np.random.default_rng(1), sigma_h=0.5)
    s = true.sample_exact(300, seed=2)
    g = np.logspace(-2, 2, 6)
    path = potts_likelihood_path(true, s, g, penalty="l2")
    assert path.exact and np.all(path.test_se == 0)
    assert np.all(np.diff(path.train) < 1e-9)  # the penalized fit's training likelihood falls with γ
    assert np.all(np.diff(path.coupling_norm) < 0)  # and its couplings shrink
    assert path.test.max() <= -true.entropy() / 5 + 1e-12  # no model beats the truth on its own data
    assert path.gamma_pred == pytest.approx(potts_predicted_gamma(true))
    assert g[0] <= path.gamma_opt <= g[-1]
    # at huge γ the couplings vanish: gen = −S of the independent-site model
    assert path.coupling_norm[-1] < 1e-2 * path.coupling_norm[0]


def test_path_bad_input():
    true = chain_potts(4, 3, 0.8, rng=np.random.default_rng(1))
    s = true.sample_exact(50, seed=2)
    with pytest.raises(ValueError, match="gammas"):
        potts_likelihood_path(true, s, [1.0, 0.5, 2.0])
    with pytest.raises(ValueError, match="penalty"):
        potts_likelihood_path(true, s, [0.1, 1.0, 10.0], penalty="l0")
    with pytest.raises(ValueError, match="estimator"):
        potts_likelihood_path(true, s, [0.1, 1.0, 10.0], estimator="mcmc")
    big = chain_potts(14, 3, 0.5, rng=np.random.default_rng(2))
    with pytest.raises(ValueError, match="s_test"):
        potts_likelihood_path(big, np.zeros((5, 14), dtype=int), [0.1, 1.0, 10.0])
