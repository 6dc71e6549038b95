"""The first-order trend fit."""

import math

import numpy as np

from statgen.pointprocess import LogLinear, NeymanScott, ThomasKernel, fit_loglinear_intensity

UNIT2 = ((0.0, 1.0), (0.0, 1.0))

def test_first_order_trend_recovers_log_linear_parents_gradient():
    # λ(x) of a log-linear-parent Thomas process is exactly exp(θ₀ + b·x): the Poisson-likelihood
    # gradient is consistent; its mean over 100 patterns must be within 3 standard errors of b
    b = np.array([1.0, -0.7])
    model = NeymanScott(LogLinear(5.5, b), 3.0, ThomasKernel(0.02), UNIT2)
    rng = np.random.default_rng(2)
    fits = [fit_loglinear_intensity(model.simulate(rng=rng), UNIT2) for _ in range(100)]
    theta = np.array([f[1] for f in fits])
    se = theta.std(axis=0, ddof=1) / 10
    assert np.all(np.abs(theta.mean(axis=0) - b) < 3 * se), (theta.mean(axis=0), se)
    lam0 = 3.0 * math.exp(5.5 + 0.02**2 * (b @ b) / 2)
    t0 = np.exp([f[0] for f in fits])
    assert abs(t0.mean() - lam0) < 3 * t0.std(ddof=1) / 10
