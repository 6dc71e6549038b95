"""The spherical constraint and the per-site log-likelihoods of Gaussian models.

A model on N sites is a zero-mean Gaussian with precision P = μ I − J; J is symmetric and μ is fixed
by the spherical constraint (1/N) Σ_k 1/(μ − λ_k(J)) = 1 (mean variance 1), μ > max_k λ_k.
Empirical covariances are rescaled to Tr C = N. Log-likelihoods are per site, in nats, without the
½ log 2π constant:

    ℓ(J; C) = ½ Tr(J C)/N − log Z(J),   log Z(J) = ½ [μ − (1/N) Σ_k log(μ − j_k)].

Reference: A. Fanthomme, F. Rizzato, S. Cocco, R. Monasson, "Optimal regularizations for data
generation with probabilistic graphical models", J. Stat. Mech. (2022), arXiv:2112.01292.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_int, check_positive, check_symmetric
from statgen.graphical.gaussian._linalg import check_covariance, check_precision, logdet_cholesky

__all__ = [
    "spherical_mu",
    "spherical_model",
    "spherical_log_partition",
    "spherical_log_likelihood",
    "gaussian_log_likelihood",
]


def _check_eigenvalues(eigenvalues) -> np.ndarray:
    lam = as_array(eigenvalues, "eigenvalues", ndim=None)
    if lam.ndim == 0 or lam.shape[-1] == 0:
        raise ValueError(f"eigenvalues must have at least one entry along the last axis, got shape {lam.shape}")
    # μ − λ is formed below; beyond ~1e150 its square overflows in the Newton step
    big = float(np.max(np.abs(lam)))
    if big > 1e150:
        raise ValueError(f"eigenvalues must be finite and below 1e150 in magnitude (got max |λ| = {big:.3g}): "
                         "the constraint would overflow")
    return lam


def spherical_mu(eigenvalues, *, tol: float = 1e-14, max_iter: int = 200) -> float | np.ndarray:
    """Solve the spherical constraint (1/N) Σ_k 1/(μ − λ_k) = 1 for μ > max_k λ_k.

    Parameters
    ----------
    eigenvalues : array (..., N)
        Eigenvalues λ_k of the couplings J; leading axes are independent problems.
    tol : relative tolerance on the Newton step, > 0.
    max_iter : maximum Newton iterations, ≥ 1; ValueError if they do not reach ``tol``.

    Returns
    -------
    mu : float, or array (...) for batched input.

    Notes
    -----
    f(μ) = mean 1/(μ − λ) − 1 is decreasing and convex on (max λ, ∞), so Newton's method started
    left of the root converges monotonically. Both max λ + 1/N and (by Jensen) mean λ + 1 are
    left of the root; we start from the larger.
    """
    lam = _check_eigenvalues(eigenvalues)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    return _solve_mu(lam, tol, max_iter)


def _solve_mu(lam: np.ndarray, tol: float = 1e-14, max_iter: int = 200) -> float | np.ndarray:
    """Newton iteration of :func:`spherical_mu` on checked input (hot path: no validation here)."""
    n = lam.shape[-1]
    lam_max = lam.max(axis=-1)
    mu = np.maximum(lam_max + 1.0 / n, lam.mean(axis=-1) + 1.0)
    for _ in range(max_iter):
        inv = 1.0 / (mu[..., None] - lam)
        f = inv.mean(axis=-1) - 1.0
        fp = -(inv * inv).mean(axis=-1)
        step = -f / fp
        mu = mu + step
        if np.all(np.abs(step) <= tol * np.maximum(1.0, np.abs(mu))):
            break
    else:
        raise ValueError(f"spherical_mu did not converge in max_iter={max_iter} Newton steps "
                         f"(last relative step {np.max(np.abs(step) / np.maximum(1.0, np.abs(mu))):.3g}); "
                         "raise max_iter")
    return float(mu) if np.ndim(mu) == 0 else mu


def spherical_model(J) -> tuple[np.ndarray, np.ndarray, float]:
    """Eigendecomposition of the couplings with the spherical μ: returns (λ, V, μ), J = V diag(λ) Vᵀ."""
    J = check_symmetric(J, "J")
    if J.shape[0] == 0:
        raise ValueError("J must be a non-empty square matrix, got shape (0, 0)")
    lam, V = np.linalg.eigh(J)
    return lam, V, spherical_mu(lam)


def spherical_log_partition(eigenvalues, mu: float | None = None) -> float | np.ndarray:
    """Per-site log Z(J) = ½ [μ − (1/N) Σ_k log(μ − j_k)], μ spherical unless given (μ > max_k j_k)."""
    lam = _check_eigenvalues(eigenvalues)
    if mu is None:
        mu = _solve_mu(lam)
    else:
        mu = as_array(mu, "mu", ndim=None)
        if mu.shape != lam.shape[:-1]:
            raise ValueError(f"mu must have shape {lam.shape[:-1]} (one per problem), got {mu.shape}")
        if np.any(mu <= lam.max(axis=-1)):
            raise ValueError(f"mu must exceed the largest eigenvalue, got mu={mu} and max eigenvalue "
                             f"{lam.max(axis=-1)}")
    return 0.5 * (mu - np.log(np.asarray(mu)[..., None] - lam).mean(axis=-1))


def spherical_log_likelihood(J, C) -> float:
    """Per-site log-likelihood ℓ(J; C) = ½ Tr(J C)/N − log Z(J) of data with covariance C (Tr C = N)."""
    lam, _, mu = spherical_model(J)
    J = np.asarray(J, dtype=float)
    C = check_covariance(C, "C", n=J.shape[0], psd=False)
    return float(0.5 * np.sum(J * C) / J.shape[0] - spherical_log_partition(lam, mu))


def gaussian_log_likelihood(P, C) -> float:
    """Per-site log-likelihood of data with covariance C under N(0, P⁻¹), without the ½ log 2π term:

        ℓ(P; C) = [log det P − Tr(C P)] / (2N).

    With P = μ I − J, μ spherical and Tr C = N this equals ½ Tr(J C)/N − log Z(J).
    """
    P, L = check_precision(P, "P")
    C = check_covariance(C, "C", n=P.shape[0], psd=False)
    return float((-np.sum(C * P) + logdet_cholesky(L)) / (2 * P.shape[0]))
