"""Shared test inputs of the Gaussian tests (imported, not collected)."""

import numpy as np

from statgen.graphical import SphericalGaussian, sk_couplings

#: The authors' γ grid: 50 log-spaced values in [5e-4, 1e4].
GAMMAS = np.logspace(np.log10(5e-4), 4, 50)


def sk_model(n, sigma, seed):
    """An SK truth of n sites."""
    return SphericalGaussian(sk_couplings(n, sigma, rng=np.random.default_rng(seed)))


def sk_problem(n=25, alpha=2.0, sigma=0.5, seed=0):
    """(SK truth, a Wishart training covariance of B = alpha n samples) from one stream."""
    rng = np.random.default_rng(seed)
    model = SphericalGaussian(sk_couplings(n, sigma, rng=rng))
    return model, model.sample_covariance(int(alpha * n), rng=rng)
