"""Likelihood paths along gamma: exact scores against enumeration identities and independent values."""

import numpy as np
import pytest

from statgen.graphical import (
    chain_potts,
    exact_cross_log_likelihood,
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


def _brute_predicted_gamma(m):
    """1 / mean_i Σ_j ||J_ij||²_F with each block double-centred entry by entry (zero-sum gauge)."""
    L, q = m.L, m.q
    tot = np.zeros(L)
    for i in range(L):
        for j in range(L):
            B = m.J[i, j]
            for a in range(q):
                for b in range(q):
                    x = B[a, b] - B[:, b].mean() - B[a, :].mean() + B.mean()
                    tot[i] += x * x
    return 1.0 / tot.mean()


def test_exact_path_properties():
    true = chain_potts(5, 3, 0.8, rng=np.random.default_rng(1), sigma_h=0.5)
    s = true.sample_exact(300, seed=2)
    g = np.logspace(-2, 2, 6)
    path = potts_likelihood_path(true, s, g, penalty="l2")
    assert path.exact and np.all(path.test_se == 0)
    assert np.all(np.diff(path.train) < 1e-9)  # the penalized fit's training likelihood falls with γ
    assert np.all(np.diff(path.coupling_norm) < 0)  # and its couplings shrink
    assert path.test.max() <= -true.entropy() / 5 + 1e-12  # no model beats the truth on its own data
    # γ* against an independent brute-force double centring of every block
    assert path.gamma_pred == pytest.approx(_brute_predicted_gamma(true), rel=1e-12)
    assert potts_predicted_gamma(true) == pytest.approx(_brute_predicted_gamma(true), rel=1e-12)
    # γ_opt: an interior maximum of L_test, at the vertex of the parabola (in log γ) through the best
    # grid point and its neighbours, fitted here independently by least squares
    k = int(np.argmax(path.test))
    assert 0 < k < len(g) - 1  # regularization helps at M = 300: the optimum is not an edge of the grid
    a2, a1, _ = np.polyfit(np.log(g[k - 1:k + 2]), path.test[k - 1:k + 2], 2)
    assert path.gamma_opt == pytest.approx(np.exp(-a1 / (2 * a2)), rel=1e-9)
    # γ_cross: the zero of L_gen − L_test, interpolated linearly in log γ (np.interp here) on the sign
    # change nearest γ_opt (gen and test meet again as γ → ∞)
    d = path.gen - path.test
    brackets = [j for j in range(len(g) - 1) if d[j] * d[j + 1] < 0]
    assert brackets
    lg, lo = np.log(g), np.log(path.gamma_opt)
    j = min(brackets, key=lambda j: max(0.0, lg[j] - lo, lo - lg[j + 1]))
    xp, fp = (d[j:j + 2], lg[j:j + 2]) if d[j] < d[j + 1] else (d[j:j + 2][::-1], lg[j:j + 2][::-1])
    assert path.gamma_cross == pytest.approx(np.exp(np.interp(0.0, xp, fp)), rel=1e-12)
    # at huge γ the couplings vanish: gen = −S of the independent-site model, −H(f)/L with f the data's
    # site frequencies, up to the field penalty γ_h = 1e-3 (measured gap 2.5e-4 nats/site)
    assert path.coupling_norm[-1] < 1e-2 * path.coupling_norm[0]
    f = np.stack([np.bincount(s[:, i], minlength=3) for i in range(5)]) / len(s)
    assert path.gen[-1] == pytest.approx(float((f * np.log(f)).sum()) / 5, abs=1e-3)


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
