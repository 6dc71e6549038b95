"""Boltzmann-machine learning: recovery of a planted chain, agreement with exact ML, stopping rule."""

import numpy as np

from statgen.graphical import BoltzmannMachinePotts, MaximumLikelihoodPotts
from tests.graphical.potts.helpers import coupling_errors as _errors


def test_bm_recovers_planted_chain(planted):
    """Persistent-chain Boltzmann learning (3000 chains, lr = 1): couplings within 0.15 of the truth
    (same statistical bound as PLM/ML) and within 0.06 of the exact ML fit, whose moments it matches."""
    true, s = planted
    est = BoltzmannMachinePotts(gamma=0.0, lr=1.0, n_chains=3000, sweeps=3, seed=0, target_pearson=1.0,
                                max_epochs=150, check_every=10).fit(s, 3)
    assert est.pearson_ > 0.95
    assert est.history_.pearson[-1] > est.history_.pearson[0]
    on, off = _errors(est.model_, true)
    assert on < 0.15 and off < 0.15
    ml = MaximumLikelihoodPotts(gamma=0.0, gamma_h=0.0).fit(s, 3).model_
    assert np.abs(est.model_.gauge().J - ml.gauge().J).max() < 0.06


def test_bm_stops_at_target_pearson(planted):
    _, s = planted
    est = BoltzmannMachinePotts(lr=0.3, n_chains=500, sweeps=5, seed=0, target_pearson=0.8,
                                max_epochs=500).fit(s, 3)
    assert est.pearson_ >= 0.8 and est.n_iter_ < 500
