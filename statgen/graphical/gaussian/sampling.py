"""Exact sampling of Gaussian models and empirical covariances (directly from their Wishart law).

Randomness: an explicit ``rng: numpy.random.Generator``; same generator state → same numbers.
Sizes are refused before allocating when the samples cannot fit in memory.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_bool, check_int, check_memory, check_rng
from statgen.graphical.gaussian._linalg import check_covariance, eigh_psd
from statgen.graphical.gaussian.spherical import spherical_model

__all__ = ["sample_gaussian", "empirical_covariance", "wishart_covariance"]


def check_n_samples(n_samples, n_sites: int, what: str) -> int:
    """``n_samples`` ≥ 1, and the (n_samples, N) float64 draws (twice: normals and result) must fit."""
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_memory(16.0 * n_samples * n_sites, f"{what}: n_samples={n_samples} draws of {n_sites} sites")
    return n_samples


def draw(V: np.ndarray, gaps: np.ndarray, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """x = V diag(gaps^(−1/2)) z, z ~ N(0, I): (n_samples, N) samples of N(0, V diag(1/gaps) Vᵀ).

    Hot path: the public callers check their input."""
    z = rng.standard_normal((n_samples, V.shape[0]))
    return (z / np.sqrt(gaps)) @ V.T


def sample_gaussian(J, n_samples: int, *, rng: np.random.Generator, mu: float | None = None) -> np.ndarray:
    """Exact samples x ~ N(0, (μ I − J)⁻¹), shape (n_samples, N).

    μ defaults to the spherical value (so the mean variance is 1) and must exceed max λ(J).
    One eigendecomposition J = V diag(λ) Vᵀ: x = V diag((μ − λ)^(−1/2)) z, z ~ N(0, I).
    """
    lam, V, mu_s = spherical_model(J)
    if mu is None:
        mu = mu_s
    else:
        mu = float(as_array(mu, "mu", ndim=0))
        if mu <= lam[-1]:
            raise ValueError(f"mu must exceed the largest eigenvalue of J ({lam[-1]:.6g}), got {mu}")
    n_samples = check_n_samples(n_samples, lam.size, "sample_gaussian")
    rng = check_rng(rng)
    return draw(V, mu - lam, n_samples, rng)


def empirical_covariance(X, *, normalize: bool = True) -> np.ndarray:
    """C = Xᵀ X / B of zero-mean samples X (B, N), rescaled so that Tr C = N when ``normalize``."""
    X = as_array(X, "X", ndim=2)
    normalize = check_bool(normalize, "normalize")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have at least one sample and one site, got shape {X.shape}")
    C = X.T @ X / X.shape[0]
    if normalize:
        tr = np.trace(C)
        if tr <= 0:
            raise ValueError("X is all zeros: cannot normalize Tr C = N")
        C *= X.shape[1] / tr
    return C


def wishart(factor: np.ndarray, n_samples: int, rng: np.random.Generator, normalize: bool) -> np.ndarray:
    """W/B with W ~ Wishart(B, factor factorᵀ): Bartlett decomposition when B ≥ N, else Xᵀ X.

    Hot path of the sweeps: the public callers check B, rng and normalize.
    """
    B = n_samples
    n = factor.shape[0]
    if B < n:  # rank-deficient Wishart: the samples themselves are the cheapest factor
        M = rng.standard_normal((B, n)) @ factor.T
        W = M.T @ M
    else:
        # Bartlett: A lower triangular, A_ii² ~ χ²(B − i), A_ij ~ N(0, 1) below the diagonal.
        A = np.tril(rng.standard_normal((n, n)), -1)
        A[np.diag_indices(n)] = np.sqrt(rng.chisquare(B - np.arange(n)))
        M = factor @ A
        W = M @ M.T
    C = 0.5 * (W + W.T) / B
    if normalize:
        tr = np.trace(C)
        if not tr > 0:
            raise ValueError("the covariance is all zeros: cannot normalize Tr C = N")
        C *= n / tr
    return C


def check_wishart_args(n_samples, n: int, rng, normalize) -> tuple[int, np.random.Generator, bool]:
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_memory(8.0 * 3 * n * min(n_samples, n), f"wishart draw: n_samples={n_samples} of {n} sites")
    return n_samples, check_rng(rng), check_bool(normalize, "normalize")


def wishart_covariance(cov, n_samples: int, *, rng: np.random.Generator, normalize: bool = True) -> np.ndarray:
    """Empirical covariance Xᵀ X / B of B = ``n_samples`` draws of N(0, cov), sampled directly.

    B C ~ Wishart(B, cov); for B ≥ N it is drawn by the Bartlett decomposition (cost O(N³),
    independent of B), otherwise from B explicit samples. With ``normalize`` the result is
    rescaled to Tr C = N (``cov`` must then not be all zeros).
    """
    cov = check_covariance(cov, "cov", psd=False)
    lam, V = eigh_psd(cov, "cov")
    if normalize and not np.any(lam > 0):
        raise ValueError("cov is all zeros: the normalized covariance (Tr C = N) is undefined")
    n_samples, rng, normalize = check_wishart_args(n_samples, cov.shape[0], rng, normalize)
    return wishart(V * np.sqrt(lam), n_samples, rng, normalize)
