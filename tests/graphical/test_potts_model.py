"""PottsModel: energies, gauge, enumeration, generators, input checks — against brute-force loops."""

import itertools

import numpy as np
import pytest

from statgen.graphical import (
    PottsModel,
    chain_edges,
    chain_potts,
    complete_potts,
    erdos_renyi_edges,
    lattice_edges,
    lattice_potts,
    potts_couplings,
    potts_predicted_gamma,
    zero_sum_gauge,
)


def _random_dense(L, q, rng, scale=0.5):
    """A dense, non-gauge-fixed model (symmetrized random blocks)."""
    J = rng.normal(0, scale, (L, L, q, q))
    J = 0.5 * (J + J.transpose(1, 0, 3, 2))
    J[np.arange(L), np.arange(L)] = 0
    return PottsModel(rng.normal(0, 1, (L, q)), J)


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


def test_graph_edges():
    assert len(chain_edges(10)) == 9 and len(chain_edges(10, periodic=True)) == 10
    e = lattice_edges(3, 4)
    assert len(e) == 3 * 3 + 2 * 4
    assert np.all(np.abs(e[:, 0] - e[:, 1]) > 0)
    deg = np.bincount(e.ravel(), minlength=12)
    assert deg.min() == 2 and deg.max() == 4
    assert len(lattice_edges(4, 4, periodic=True)) == 32
    rng = np.random.default_rng(5)
    L, c = 400, 3.0
    e = erdos_renyi_edges(L, c, rng=rng)
    n_pairs = L * (L - 1) / 2
    p = c / (L - 1)
    assert abs(len(e) - n_pairs * p) < 5 * np.sqrt(n_pairs * p * (1 - p))


def test_coupling_generator_statistics():
    rng = np.random.default_rng(6)
    L, q, sigma = 60, 4, 0.3
    m = complete_potts(L, q, sigma, rng=rng)
    blocks = m.J[np.triu_indices(L, 1)]
    np.testing.assert_allclose(blocks.sum(1), 0, atol=1e-12)
    np.testing.assert_allclose(blocks.sum(2), 0, atol=1e-12)
    n2 = np.einsum("kab,kab->k", blocks, blocks)
    # E||J_ij||² = σ²(q−1)² (chi-square with (q−1)² d.o.f.); mean of 1770 blocks to 5 standard errors
    expected = sigma**2 * (q - 1) ** 2
    assert abs(n2.mean() - expected) < 5 * expected * np.sqrt(2 / (q - 1) ** 2 / len(n2))
    # predicted γ = 1 / mean_i Σ_j ||J_ij||²_F
    full = np.einsum("ijab,ijab->ij", m.J, m.J)
    assert potts_predicted_gamma(m) == pytest.approx(1 / full.sum(1).mean(), rel=1e-12)
    lat = lattice_potts(3, 3, 3, 0.5, rng=rng)
    A = np.abs(lat.J).sum((2, 3)) > 0
    assert A.sum() == 2 * len(lattice_edges(3, 3))


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
    with pytest.raises(TypeError):
        m.energy(np.array([["a", "b", "c", "d"]]))
    J = m.J.copy()
    J[0, 1, 0, 1] += 1.0
    with pytest.raises(ValueError, match="J"):
        PottsModel(m.h, J)
    J = m.J.copy()
    J[2, 2, 0, 0] = 1.0
    with pytest.raises(ValueError, match="diagonal"):
        PottsModel(m.h, J)
    with pytest.raises(ValueError, match="J"):
        PottsModel(m.h, m.J[:3])
    with pytest.raises(ValueError, match="q\\*\\*L"):
        chain_potts(13, 3, 0.5, rng=rng).log_partition()
    with pytest.raises(ValueError, match="edges"):
        potts_couplings(4, 3, [(0, 4)], 0.5, rng=rng)
    with pytest.raises(ValueError, match="sigma"):
        chain_potts(4, 3, -1.0, rng=rng)
