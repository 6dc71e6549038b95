"""Approximations of the conditional intensity in their regimes of validity."""

import numpy as np

from statgen.pointprocess import LogLinear, NeymanScott, ThomasKernel

BOX = {2: ((0.0, 1.0), (0.0, 1.0))}

def test_approximations_are_exact_in_their_regimes():
    y1 = np.array([[0.5, 0.5]])
    x = np.array([[0.5, 0.5], [0.53, 0.49], [0.2, 0.8]])
    # stationary, one event: reweighted (κ_ref = κ) and slowly varying are exact
    stat = NeymanScott(30.0, 6.0, ThomasKernel(0.04), BOX[2])
    exact = stat.conditional_intensity(x, y1)
    for m in ("reweighted", "slowly_varying", "independent", "grouped"):
        np.testing.assert_allclose(stat.conditional_intensity(x, y1, method=m), exact, rtol=1e-12)
    # log-linear parents, one event: slowly varying misses exactly exp(b·(x−y)/2 − σ²|b|²/4) on the excess
    b, s = np.array([1.5, -1.0]), 0.04
    nonstat = NeymanScott(LogLinear(3.0, b), 6.0, ThomasKernel(s), BOX[2])
    x = x[:2]  # near the event: far away the excess is below the rounding of λ(x)
    lam = nonstat.intensity(x)
    ratio = (nonstat.conditional_intensity(x, y1) - lam) / (nonstat.conditional_intensity(x, y1, method="slowly_varying") - lam)
    np.testing.assert_allclose(ratio, np.exp((x - y1) @ b / 2 - s * s * (b @ b) / 4), rtol=1e-10)
    # far-apart events: independent clusters agree with the exact recursion (Thomas, 15σ apart)
    y2 = np.array([[0.2, 0.5], [0.2 + 15 * s, 0.5]])
    np.testing.assert_allclose(nonstat.conditional_intensity(x, y2, method="independent"),
                               nonstat.conditional_intensity(x, y2), rtol=1e-12)
    # close events: independent overestimates (the shared cluster is counted twice)
    y3 = np.array([[0.5, 0.5], [0.51, 0.5]])
    assert nonstat.conditional_intensity(y3[:1], y3, method="independent")[0] > nonstat.conditional_intensity(y3[:1], y3)[0]


def test_independent_is_grouped_with_one_event_per_group():
    """One implementation: independent clusters = grouped with no links (cutoff −inf), to the bit."""
    from statgen.pointprocess import approximations

    model = NeymanScott(LogLinear(3.0, [1.0, -0.5]), 6.0, ThomasKernel(0.04), BOX[2])
    y = np.array([[0.5, 0.5], [0.51, 0.5], [0.7, 0.3]])
    x = np.array([[0.5, 0.52], [0.2, 0.2]])
    ind, _ = approximations.independent(model, x, y)
    grp, _ = approximations.grouped(model, x, y, cutoff=-np.inf)
    np.testing.assert_array_equal(ind, grp)
    # and each group's excess is the single-event excess: λ + Σ_i (λ(x|y_i) − λ)
    lam = model.intensity(x)
    manual = lam + sum(model.conditional_intensity(x, y[i : i + 1]) - lam for i in range(3))
    np.testing.assert_allclose(ind, manual, rtol=1e-13)
