"""Interaction graphs and random Potts models: edge counts, degrees, coupling statistics, gamma*."""

import numpy as np
import pytest

from statgen.graphical import (
    chain_edges,
    complete_potts,
    erdos_renyi_edges,
    lattice_edges,
    lattice_potts,
    potts_predicted_gamma,
)


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
