"""The Potts estimators on the Estimator contract, the named-graph factory, reweighting in chunks and
the sampling conventions (seed or generator)."""

import numpy as np
import pytest
import torch

from statgen.graphical import (
    BoltzmannMachinePotts,
    MaximumLikelihoodPotts,
    PseudoLikelihoodPotts,
    chain_potts,
    erdos_renyi_potts,
    lattice_potts,
    ml_objective,
    potts_model,
    sequence_weights,
)


@pytest.fixture(scope="module")
def data():
    m = chain_potts(4, 3, 0.8, rng=np.random.default_rng(0), sigma_h=0.5)
    return m, m.sample_exact(400, seed=1)


def test_fit_validates_score_is_the_log_likelihood_and_clone_refits(data):
    m, s = data
    est = PseudoLikelihoodPotts(penalty="l3")  # stored, not validated, in __init__
    with pytest.raises(ValueError, match="penalty must be one of"):
        est.fit(s, 3)
    est = PseudoLikelihoodPotts(gamma=0.5, max_iter=200).fit(s, 3)
    assert est.score(s) == pytest.approx(est.model_.log_likelihood(s), abs=1e-12)
    # an independent value: mean(−E) − log Z from the enumerated probabilities
    logp = np.log(est.model_.probabilities())
    k = (s * 3 ** np.arange(3, -1, -1)).sum(1)
    assert est.score(s) == pytest.approx(logp[k].mean(), abs=1e-10)
    twin = est.clone()
    assert twin.get_params() == est.get_params() and not hasattr(twin, "model_")
    np.testing.assert_allclose(twin.fit(s, 3).model_.J, est.model_.J, atol=1e-12)  # same config, same answer
    ml = MaximumLikelihoodPotts(gamma=0.5).fit(s, 3)
    # the exact MAP minimizes the penalized negative log-likelihood: no worse there than the PLM fit
    assert ml_objective(ml.model_, s, gamma=0.5, gamma_h=1e-3) <= ml_objective(est.model_, s, gamma=0.5,
                                                                                gamma_h=1e-3) + 1e-9
    assert set(BoltzmannMachinePotts().get_params()) >= {"lr", "n_chains", "sweeps", "target_pearson", "seed"}


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_progress_bar_counts_the_iterations(data, monkeypatch, penalty):
    """``progress=True`` drives a bar over the optimizer's iterations (L-BFGS or L-BFGS-B)."""
    import statgen.graphical.potts.inference._optimize as opt

    seen = {}

    class Bar:
        def __init__(self, *a, total=None, progress=True, **kw):
            seen.update(total=total, progress=progress, n=0)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, k=1):
            seen["n"] += k

    monkeypatch.setattr(opt, "progress_bar", Bar)
    est = PseudoLikelihoodPotts(penalty=penalty, gamma=0.5, max_iter=50, progress=True).fit(data[1], 3)
    assert seen["progress"] is True and seen["total"] == 50
    assert seen["n"] == est.n_iter_ > 0


def test_named_graph_factory_matches_the_generators():
    for spec, kw, direct in [
        ("chain", {"L": 6}, lambda r: chain_potts(6, 3, 0.5, rng=r, sigma_h=0.2)),
        ("chain:6", {}, lambda r: chain_potts(6, 3, 0.5, rng=r, sigma_h=0.2)),
        ("lattice:rows=2,cols=3", {}, lambda r: lattice_potts(2, 3, 3, 0.5, rng=r, sigma_h=0.2)),
        ("erdos_renyi", {"L": 7, "degree": 2.0},
         lambda r: erdos_renyi_potts(7, 3, 0.5, mean_degree=2.0, rng=r, sigma_h=0.2)),
    ]:
        a = potts_model(spec, 3, 0.5, rng=np.random.default_rng(3), sigma_h=0.2, **kw)
        b = direct(np.random.default_rng(3))
        np.testing.assert_array_equal(a.J, b.J)
        np.testing.assert_array_equal(a.h, b.h)
    with pytest.raises(ValueError, match="did you mean 'rows'"):
        potts_model("lattice", 3, 0.5, rng=np.random.default_rng(0), rowz=2, cols=3)
    with pytest.raises(ValueError, match="given both in the spec and as keywords"):
        potts_model("chain:6", 3, 0.5, rng=np.random.default_rng(0), L=6)


def test_sequence_weights_in_chunks_equal_one_block():
    rng = np.random.default_rng(4)
    base = rng.integers(0, 5, 20)
    s = np.where(rng.random((53, 20)) < 0.3, rng.integers(0, 5, (53, 20)), base)
    d = (s[:, None, :] != s[None, :, :]).sum(2)
    expected = 1.0 / (20 - d >= (1 - 0.3) * 20).sum(1)  # plmc: identity ≥ (1 − θ)L
    for chunk in (1, 7, 53, 4096):
        np.testing.assert_array_equal(sequence_weights(s, 5, theta=0.3, chunk=chunk), expected)
    np.testing.assert_array_equal(sequence_weights(s, 5, theta=0.0), 1.0 / (d == 0).sum(1))  # θ = 0: duplicates


def test_sampling_takes_a_seed_or_a_generator(data):
    m, _ = data
    a = m.sample(50, sweeps=3, seed=7)
    g = torch.Generator().manual_seed(7)
    np.testing.assert_array_equal(m.sample(50, sweeps=3, generator=g), a)  # the same stream
    b = m.sample(50, sweeps=3, generator=g)  # the generator advanced in place: new draws
    assert not np.array_equal(a, b)
    with pytest.raises(ValueError, match="seed or generator, not both"):
        m.sample(5, sweeps=1, seed=1, generator=torch.Generator())
