"""The K-function: exact expectation against closed forms, the estimator's unbiasedness."""

import math

import numpy as np

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
