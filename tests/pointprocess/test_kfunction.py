"""The K-function: exact expectation against closed forms, the estimator's unbiasedness."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.pointprocess import MaternKernel, NeymanScott, ThomasKernel, expected_k_inhom, k_inhom

UNIT2 = ((0.0, 1.0), (0.0, 1.0))

def test_expected_k_of_stationary_thomas_and_matern_is_the_closed_form():
    r = np.array([0.02, 0.05, 0.1, 0.2])
    s, kappa = 0.05, 40.0
    thomas = NeymanScott(kappa, 5.0, ThomasKernel(s), UNIT2)
    np.testing.assert_allclose(expected_k_inhom(thomas, r),
                               math.pi * r**2 + (1 - np.exp(-r**2 / (4 * s * s))) / kappa, rtol=1e-7)
    # Matérn: K(r) = πr² + (1/κ) P(|U₁ − U₂| ≤ r), checked by Monte Carlo on 10⁶ pairs (3 s.e.)
    R = 0.04
    mat = NeymanScott(kappa, 5.0, MaternKernel(R), UNIT2)
    rng = np.random.default_rng(0)
    dist = np.linalg.norm(MaternKernel(R).sample(10**6, 2, rng=rng) - MaternKernel(R).sample(10**6, 2, rng=rng), axis=1)
    p = (dist[:, None] <= r).mean(axis=0)
    se = np.sqrt(p * (1 - p) / 10**6) / kappa
    got = expected_k_inhom(mat, r, order=8) - math.pi * r**2
    assert np.all(np.abs(got - p / kappa) < 3 * se + 1e-4 * p / kappa)


def test_k_inhom_estimator_is_unbiased_for_poisson_on_average():
    # for a Poisson process with known λ, E K̂(r) = πr² (translation correction is unbiased)
    rng = np.random.default_rng(1)
    r = np.array([0.05, 0.1])
    est = []
    for _ in range(300):
        x = rng.random((rng.poisson(200), 2))
        est.append(k_inhom(x, UNIT2, r, 200.0))
    est = np.array(est)
    se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - math.pi * r**2) < 3 * se)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(n=st.integers(0, 40), seed=st.integers(0, 2**32 - 1), side=st.floats(0.5, 3.0))
def test_k_inhom_equals_the_brute_force_double_sum(n, seed, side):
    """The k-d-tree estimator against Σ_{i≠j} 1{r_ij ≤ r} / (λ_i λ_j |W ∩ W_{x_j−x_i}|) over all n² pairs."""
    rng = np.random.default_rng(seed)
    window = ((0.0, side), (0.0, 1.0))
    x = rng.random((n, 2)) * [side, 1.0]
    lam = 10 + 50 * rng.random(n)
    r = np.array([0.0, 0.05, 0.2, 0.6])
    expect = np.zeros(r.size)
    for i in range(n):
        for j in range(n):
            if i != j:
                h = np.abs(x[j] - x[i])
                w = 1.0 / (lam[i] * lam[j] * (side - h[0]) * (1.0 - h[1]))
                expect += (np.linalg.norm(h) <= r) * w
    np.testing.assert_allclose(k_inhom(x, window, r, lam), expect, rtol=1e-12, atol=1e-15)


def test_k_inhom_refuses_intensities_that_are_not_positive_and_points_outside():
    x = np.random.default_rng(0).random((20, 2))
    with pytest.raises(ValueError, match=r"lam must be > 0 \(intensities at the points\), got min 0.0"):
        k_inhom(x, UNIT2, [0.1], 0.0)
    with pytest.raises(ValueError, match="lam must be > 0"):
        k_inhom(x, UNIT2, [0.1], -np.ones(20))
    with pytest.raises(ValueError, match="points must lie inside the window"):
        k_inhom(x + 1, UNIT2, [0.1], 20.0)
    with pytest.raises(ValueError, match="r must be a non-empty 1-D array of radii >= 0"):
        k_inhom(x, UNIT2, [], 20.0)
