"""Monte Carlo conditional intensities and approximation errors of the assessment module."""

import numpy as np
import pytest

from statgen.pointprocess import (
    LogLinear,
    NeymanScott,
    ThomasKernel,
    approximation_error,
    monte_carlo_conditional_intensity,
)

UNIT2 = ((0.0, 1.0), (0.0, 1.0))


def test_monte_carlo_estimate_agrees_with_the_exact_value_within_its_standard_error():
    """The library's Monte Carlo (Cox driving intensity) against the exact subset recursion: 4 s.e.
    (its delta-method s.e. is itself estimated from 30 000 skewed replicates), and the check has power."""
    model = NeymanScott(LogLinear(2.5, [1.2, -0.8]), 6.0, ThomasKernel(0.05), UNIT2)
    y = np.array([[0.45, 0.5], [0.5, 0.53]])
    x = np.array([[0.47, 0.5], [0.55, 0.55], [0.3, 0.6]])
    est, se = monte_carlo_conditional_intensity(model, x, y, reps=30_000, rng=np.random.default_rng(8))
    exact = model.conditional_intensity(x, y)
    assert np.all(np.abs(est - exact) < 4 * se), (est, se, exact)
    assert np.all(se < 0.05 * exact)
    # same seed, same numbers
    again = monte_carlo_conditional_intensity(model, x, y, reps=30_000, rng=np.random.default_rng(8))
    np.testing.assert_array_equal(again[0], est)


def test_monte_carlo_needs_two_replicates_for_a_standard_error():
    model = NeymanScott(30.0, 6.0, ThomasKernel(0.05), UNIT2)
    with pytest.raises(ValueError, match="reps must be >= 2, got 1"):
        monte_carlo_conditional_intensity(model, [[0.5, 0.5]], [[0.5, 0.5]], reps=1, rng=np.random.default_rng(0))
    est, se = monte_carlo_conditional_intensity(model, [[0.5, 0.5]], [[0.5, 0.5]], reps=2, rng=np.random.default_rng(0))
    assert np.isfinite(est).all() and np.isfinite(se).all()


def test_approximation_error_is_zero_where_the_approximation_is_exact():
    """One event, stationary model: every approximation is exact (closed forms agree), so E = 0 up to
    rounding; two events 15σ apart: independent clusters agree with the recursion to 1e-10."""
    stat = NeymanScott(30.0, 6.0, ThomasKernel(0.04), UNIT2)
    for method in ("independent", "grouped", "reweighted", "slowly_varying"):
        assert approximation_error(stat, [[0.5, 0.5]], method=method, half_width=0.1, n=9) < 1e-12
    nonstat = NeymanScott(LogLinear(3.0, [1.5, -1.0]), 6.0, ThomasKernel(0.04), UNIT2)
    far = [[0.2, 0.5], [0.8, 0.5]]
    assert approximation_error(nonstat, far, method="independent", half_width=0.1, n=9) < 1e-10
    close = [[0.5, 0.5], [0.51, 0.5]]
    assert approximation_error(nonstat, close, method="independent", half_width=0.1, n=9) > 0.1
    with pytest.raises(ValueError, match="half_width must be > 0, got -1"):
        approximation_error(nonstat, close, method="independent", half_width=-1)
    with pytest.raises(ValueError, match="method must be one of .*did you mean 'grouped'"):
        approximation_error(nonstat, close, method="groupd", half_width=0.1)
