"""The first-order trend fit."""

import math

import numpy as np
import pytest

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


def test_trend_fit_is_equivariant_under_rescaling_and_refuses_degenerate_patterns():
    """Scaling the window and the points by s maps θ to θ/s and θ₀ to θ₀ − d log s (the fit works in
    log space, so a 10⁴-sized window does not overflow)."""
    x = np.random.default_rng(5).random((40, 2)) ** 2
    t0, t = fit_loglinear_intensity(x, UNIT2)
    s = 1e4
    t0s, ts = fit_loglinear_intensity(x * s, ((0, s), (0, s)))
    np.testing.assert_allclose(ts, t / s, rtol=1e-4)
    assert t0s == pytest.approx(t0 - 2 * math.log(s), abs=1e-4)
    face = np.column_stack([np.zeros(6), np.linspace(0.1, 0.9, 6)])
    with pytest.raises(ValueError, match=r"points: all 6 points lie on the lower face x_1 = 0"):
        fit_loglinear_intensity(face, UNIT2)
    with pytest.raises(ValueError, match="points must lie inside the window"):
        fit_loglinear_intensity(x + 1, UNIT2)
