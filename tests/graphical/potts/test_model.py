"""PottsModel: energies, gauge, enumeration, exact sampling, input checks, against brute-force loops."""

import itertools

import numpy as np
import pytest

from statgen.graphical import PottsModel, chain_potts, potts_couplings, zero_sum_gauge
from tests.graphical.potts.helpers import dense_model


def _random_dense(L, q, rng, scale=0.5):
    return dense_model(L, q, rng, scale=scale, h_scale=1.0)


def _brute_energy(m, s):
    out = np.zeros(len(s))
    for k, x in enumerate(s):
        e = 0.0
        for i in range(m.L):
            e -= m.h[i, x[i]]
            for j in range(i + 1, m.L):
                e -= m.J[i, j, x[i], x[j]]
        out[k] = e
    return out


@pytest.mark.parametrize("L,q", [(5, 3), (4, 7)])  # q = 7 takes the gather branch of the energy
def test_energy_matches_loop(L, q):
    rng = np.random.default_rng(0)
    m = _random_dense(L, q, rng)
    s = rng.integers(0, q, (200, L))
    np.testing.assert_allclose(m.energy(s), _brute_energy(m, s), rtol=0, atol=1e-12)


def test_enumeration_matches_loop():
    rng = np.random.default_rng(1)
    m = _random_dense(4, 3, rng)
    conf = np.array(list(itertools.product(range(3), repeat=4)))
    np.testing.assert_array_equal(m.configurations(), conf)
    e = _brute_energy(m, conf)
    logz = np.log(np.sum(np.exp(-e)))
    p = np.exp(-e - logz)
    assert m.log_partition() == pytest.approx(logz, abs=1e-12)
    np.testing.assert_allclose(m.probabilities(), p, atol=1e-14)
    assert m.entropy() == pytest.approx(-(p @ np.log(p)), abs=1e-12)
    p1, p2 = m.marginals()
    for i in range(4):
        np.testing.assert_allclose(p1[i], np.bincount(conf[:, i], weights=p, minlength=3), atol=1e-14)
        for j in range(4):
            b = np.zeros((3, 3))
            np.add.at(b, (conf[:, i], conf[:, j]), p)
            np.testing.assert_allclose(p2[i, j], b, atol=1e-14)
    # mean log-likelihood of a data set = mean(−E) − log Z
    s = conf[[0, 5, 7]]
    assert m.log_likelihood(s) == pytest.approx(float(np.mean(-e[[0, 5, 7]]) - logz), abs=1e-12)


def test_exact_samples_follow_probabilities():
    m = chain_potts(3, 3, 1.0, rng=np.random.default_rng(2), sigma_h=1.0)
    n = 200_000
    s = m.sample_exact(n, seed=3)
    k = (s * 3 ** np.arange(2, -1, -1)).sum(1)
    emp = np.bincount(k, minlength=27) / n
    p = m.probabilities()
    # each frequency within 5 binomial standard errors
    assert np.all(np.abs(emp - p) < 5 * np.sqrt(p * (1 - p) / n) + 1e-12)


def test_zero_sum_gauge_keeps_distribution():
    rng = np.random.default_rng(4)
    m = _random_dense(5, 4, rng)
    g = m.gauge()
    np.testing.assert_allclose(g.J.sum(2), 0, atol=1e-12)
    np.testing.assert_allclose(g.J.sum(3), 0, atol=1e-12)
    np.testing.assert_allclose(g.h.sum(1), 0, atol=1e-12)
    s = rng.integers(0, 4, (300, 5))
    d = m.energy(s) - g.energy(s)
    np.testing.assert_allclose(d, d[0], atol=1e-11)  # energies differ by one constant
    assert g.log_partition() == pytest.approx(m.log_partition() + d[0], abs=1e-10)  # E_m = E_g + d
    # the zero-sum gauge minimizes Σ||J_ij||²: adding any gauge term increases it
    h2, J2 = zero_sum_gauge(g.h, g.J)
    np.testing.assert_allclose(J2, g.J, atol=1e-12)
    Jp = g.J.copy()
    u = rng.normal(size=4)
    Jp[0, 1] += u[:, None]
    Jp[1, 0] += u[None, :]
    assert np.sum(Jp**2) > np.sum(g.J**2)


def test_bad_input():
    rng = np.random.default_rng(7)
    m = chain_potts(4, 3, 0.5, rng=rng)
    with pytest.raises(ValueError, match="s must hold states"):
        m.energy([[0, 1, 2, 3]])
    with pytest.raises(ValueError, match="s must hold states"):
        m.energy([[0, 1, -1, 2]])
    with pytest.raises(ValueError, match="ragged"):
        m.energy([[0, 1, 2, 1], [0, 1]])
    with pytest.raises(ValueError, match="empty"):
        m.energy(np.zeros((0, 4), dtype=int))
    with pytest.raises(ValueError, match="L = 4 columns"):
        m.energy([[0, 1, 2]])
    with pytest.raises(TypeError, match="s must hold integer states"):
        m.energy(np.array([["a", "b", "c", "d"]]))
    J = m.J.copy()
    J[0, 1, 0, 1] += 1.0
    with pytest.raises(ValueError, match=r"\bJ\b"):
        PottsModel(m.h, J)
    J = m.J.copy()
    J[2, 2, 0, 0] = 1.0
    with pytest.raises(ValueError, match="diagonal"):
        PottsModel(m.h, J)
    with pytest.raises(ValueError, match=r"\bJ\b"):
        PottsModel(m.h, m.J[:3])
    with pytest.raises(ValueError, match="q\\*\\*L"):
        chain_potts(13, 3, 0.5, rng=rng).log_partition()
    with pytest.raises(ValueError, match="edges"):
        potts_couplings(4, 3, [(0, 4)], 0.5, rng=rng)
    with pytest.raises(ValueError, match="sigma"):
        chain_potts(4, 3, -1.0, rng=rng)
