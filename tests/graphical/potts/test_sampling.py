"""Potts MCMC against exact enumeration."""

import numpy as np
import pytest
import torch

from statgen.graphical import (
    PottsChains,
    ais_log_partition,
    chain_potts,
    color_classes,
    lattice_potts,
)
from statgen.graphical.potts.sampling import model_classes, model_tensors


def _expected_tv(p, n):
    """E[TV] of an n-sample histogram of p (normal approximation per cell): ½ Σ_x √(2 p_x / (π n))."""
    return 0.5 * np.sum(np.sqrt(2 * p / (np.pi * n)))


@pytest.mark.parametrize("method,dtype", [("gibbs", torch.float64),
                                          pytest.param("metropolis", torch.float32, marks=pytest.mark.slow)])
def test_chain_histogram_matches_enumeration(method, dtype):
    """L = 6, q = 3: the histogram of 25 000 chains × 20 sweeps (5·10⁵ draws) is within TV 0.02 of
    exact. Independent draws would give E[TV] ≈ 0.009 here; autocorrelation inflates it a little."""
    m = chain_potts(6, 3, 1.0, rng=np.random.default_rng(3), sigma_h=1.0)
    p = m.probabilities()
    assert _expected_tv(p, 5e5) < 0.01
    ch = PottsChains(6, 3, 25_000, classes=model_classes(m), seed=0, dtype=dtype)
    ch.set_params(*model_tensors(m, dtype=dtype))
    ch.sweep(8, method=method)
    pw = torch.tensor(3 ** np.arange(5, -1, -1))
    cnt = torch.zeros(729, dtype=torch.long)
    for _ in range(20):
        ch.sweep(1, method=method)
        cnt += torch.bincount((ch.states * pw).sum(1), minlength=729)
    emp = cnt.numpy() / cnt.sum().item()
    assert 0.5 * np.abs(emp - p).sum() < 0.02


def test_sample_is_seeded_and_matches_marginals():
    m = lattice_potts(2, 3, 3, 0.8, rng=np.random.default_rng(4), sigma_h=0.5)
    a = m.sample(20_000, sweeps=30, seed=11)
    b = m.sample(20_000, sweeps=30, seed=11)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, m.sample(20_000, sweeps=30, seed=12))
    p1, _ = m.marginals()
    emp = np.stack([np.bincount(a[:, i], minlength=3) for i in range(6)]) / len(a)
    assert np.all(np.abs(emp - p1) < 5 * np.sqrt(p1 * (1 - p1) / len(a)))


def test_color_classes_are_independent_sets():
    A = np.abs(lattice_potts(4, 5, 3, 0.5, rng=np.random.default_rng(0)).J).sum((2, 3)) > 0
    cls = color_classes(A)
    assert len(cls) == 2  # a square lattice is bipartite
    assert sorted(np.concatenate(cls).tolist()) == list(range(20))
    for c in cls:
        assert not A[np.ix_(c, c)].any()


def test_sampler_bad_input():
    m = chain_potts(4, 3, 0.5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="method"):
        m.sample(10, sweeps=1, method="wolff")
    with pytest.raises(ValueError, match="sweeps"):
        m.sample(10, sweeps=-1)
    with pytest.raises(ValueError, match="init"):
        m.sample(10, sweeps=1, init=np.zeros((10, 3), dtype=int))
    with pytest.raises(ValueError, match="n must be >= 1"):
        m.sample(0)


@pytest.mark.gpu
def test_cuda_sampler_matches_marginals():
    m = lattice_potts(2, 3, 3, 0.8, rng=np.random.default_rng(4), sigma_h=0.5)
    a = m.sample(100_000, sweeps=30, seed=11, device="cuda")
    p1, _ = m.marginals()
    emp = np.stack([np.bincount(a[:, i], minlength=3) for i in range(6)]) / len(a)
    assert np.all(np.abs(emp - p1) < 5 * np.sqrt(p1 * (1 - p1) / len(a)))
    est = ais_log_partition(m, n_chains=2000, n_temps=200, seed=1, device="cuda")
    assert abs(est.log_z - m.log_partition()) < 3 * est.stderr
