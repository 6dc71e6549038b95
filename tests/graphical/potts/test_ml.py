"""Exact maximum likelihood: objective = −log-likelihood, gradients by finite differences, moment matching."""

import numpy as np
import pytest
import torch

from statgen.graphical import MaximumLikelihoodPotts, ml_objective, pair_frequencies
from statgen.graphical.potts.inference._problem import make_problem
from statgen.graphical.potts.inference.ml import Enumeration, ml_value_grad
from tests.graphical.potts.helpers import dense_model as _dense
from tests.graphical.potts.helpers import fd_check as _fd_check


def test_ml_objective_is_negative_log_likelihood():
    rng = np.random.default_rng(1)
    m = _dense(4, 3, rng)
    s = rng.integers(0, 3, (30, 4))
    assert ml_objective(m, s) == pytest.approx(-m.log_likelihood(s), abs=1e-12)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_ml_gradient_finite_differences(penalty):
    rng = np.random.default_rng(3)
    m = _dense(4, 3, rng)
    s = rng.integers(0, 3, (50, 4))
    p = make_problem(s, 3, penalty, 0.3, 0.05, None, 1e-2, "cpu", torch.float64)
    enum = Enumeration(4, 3, "cpu")
    mom = pair_frequencies(p.idx, p.w, 12)
    _fd_check(lambda x: ml_value_grad(p, enum, mom, x), p.pack(m), rng)


def test_ml_matches_moments_at_gamma_zero(planted):
    """Stationarity of the unpenalized likelihood: model marginals = data frequencies."""
    _, s = planted
    fit = MaximumLikelihoodPotts(gamma=0.0, gamma_h=0.0).fit(s, 3).model_
    p1, p2 = fit.marginals()
    f1 = np.stack([np.bincount(s[:, i], minlength=3) for i in range(6)]) / len(s)
    np.testing.assert_allclose(p1, f1, atol=1e-6)
    f01 = np.zeros((3, 3))
    np.add.at(f01, (s[:, 0], s[:, 1]), 1 / len(s))
    np.testing.assert_allclose(p2[0, 1], f01, atol=1e-6)
