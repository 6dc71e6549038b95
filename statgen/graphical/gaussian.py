"""Gaussian pairwise models with a spherical constraint (conventions of ``science/graphical.md``).

A model on N sites is a zero-mean Gaussian with precision ``P = mu I - J``; ``J`` is symmetric
(zero diagonal for the true models) and ``mu`` is fixed by the spherical constraint
``(1/N) sum_k 1/(mu - lambda_k(J)) = 1`` (mean variance 1). Empirical covariances are
rescaled to ``Tr C = N``. Log-likelihoods are per site and in nats, without the ``2 pi`` constant:

    l(J; C) = 1/2 Tr(J C)/N - log Z(J),   log Z(J) = 1/2 [mu - (1/N) sum_k log(mu - j_k)].

Reference: A. Fanthomme, F. Rizzato, S. Cocco, R. Monasson, "Optimal regularizations for data
generation with probabilistic graphical models", J. Stat. Mech. (2022), arXiv:2112.01292.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_positive, check_symmetric

__all__ = [
    "sk_couplings",
    "ring_couplings",
    "band_couplings",
    "erdos_renyi_couplings",
    "lattice_couplings",
    "spherical_mu",
    "spherical_model",
    "sample_gaussian",
    "empirical_covariance",
    "gaussian_log_likelihood",
    "spherical_log_partition",
    "spherical_log_likelihood",
]


# ----------------------------------------------------------------------------- generators


def _check_n(n, name: str = "n", minimum: int = 2) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def _symmetrize_upper(upper: np.ndarray) -> np.ndarray:
    """Symmetric matrix with zero diagonal from the strict upper triangle of ``upper``."""
    u = np.triu(upper, 1)
    return u + u.T


def _rescale_rows(J: np.ndarray, sigma: float) -> np.ndarray:
    """Rescale J globally so that mean_i sum_j J_ij^2 = sigma^2 exactly (keeps symmetry)."""
    s2 = float(np.mean(np.sum(J * J, axis=1)))
    return J * (sigma / np.sqrt(s2)) if s2 > 0 else J


def sk_couplings(n: int, sigma: float, *, rng: np.random.Generator) -> np.ndarray:
    """Sherrington–Kirkpatrick couplings: ``J_ij = J_ji ~ N(0, sigma^2/n)`` for i < j, ``J_ii = 0``.

    So that ``E sum_j J_ij^2 = sigma^2 (n-1)/n`` (the spherical SK model is condensed for sigma > 1).
    """
    n = _check_n(n)
    sigma = check_positive(sigma, "sigma")
    return _symmetrize_upper(rng.normal(0.0, sigma / np.sqrt(n), size=(n, n)))


def ring_couplings(n: int, j: float) -> np.ndarray:
    """Periodic ring: ``J_{i,i+1} = J_{i+1,i} = j`` (indices mod n), zero elsewhere; sum_j J_ij^2 = 2 j^2."""
    n = _check_n(n, minimum=3)
    j = float(as_array(j, "j", ndim=0))
    J = np.zeros((n, n))
    idx = np.arange(n)
    J[idx, (idx + 1) % n] = j
    J[(idx + 1) % n, idx] = j
    return J


def band_couplings(n: int, width: int, sigma: float, *, rng: np.random.Generator) -> np.ndarray:
    """Banded random couplings on a periodic chain: ``J_ij ~ N(0, 1)`` for ``0 < |i-j|_mod n <= width``.

    The matrix is then rescaled (one global factor, so it stays symmetric) so that
    ``mean_i sum_j J_ij^2 = sigma^2`` exactly: the prediction ``1/sum_j J_ij^2 = 1/sigma^2``
    is the same for every width.
    """
    n = _check_n(n, minimum=3)
    width = _check_n(width, "width", minimum=1)
    if 2 * width >= n:
        raise ValueError(f"width must be < n/2 (got width={width}, n={n}); use sk_couplings for a full matrix")
    sigma = check_positive(sigma, "sigma")
    idx = np.arange(n)
    dist = np.abs(idx[:, None] - idx[None, :])
    dist = np.minimum(dist, n - dist)
    J = _symmetrize_upper(rng.normal(size=(n, n)) * (dist <= width))
    return _rescale_rows(J, sigma)


def erdos_renyi_couplings(n: int, degree: float, sigma: float, *, rng: np.random.Generator) -> np.ndarray:
    """Diluted Erdős–Rényi couplings: each pair linked with probability ``degree/(n-1)``, weight ``N(0, 1)``.

    Rescaled globally so that ``mean_i sum_j J_ij^2 = sigma^2`` exactly (mean connectivity ``degree``).
    """
    n = _check_n(n)
    degree = check_positive(degree, "degree")
    if degree > n - 1:
        raise ValueError(f"degree must be <= n - 1 = {n - 1}, got {degree}")
    sigma = check_positive(sigma, "sigma")
    mask = rng.random((n, n)) < degree / (n - 1)
    J = _symmetrize_upper(rng.normal(size=(n, n)) * mask)
    return _rescale_rows(J, sigma)


def lattice_couplings(side: int, j: float, *, periodic: bool = True) -> np.ndarray:
    """2-D square lattice of ``side x side`` sites (N = side^2), ``J = j`` between nearest neighbours.

    Site (r, c) has index ``r * side + c``. With ``periodic=True`` sum_j J_ij^2 = 4 j^2 on every site.
    """
    side = _check_n(side, "side", minimum=3)
    j = float(as_array(j, "j", ndim=0))
    n = side * side
    r, c = np.divmod(np.arange(n), side)
    J = np.zeros((n, n))
    for dr, dc in ((0, 1), (1, 0)):
        rr, cc = r + dr, c + dc
        keep = np.ones(n, bool) if periodic else (rr < side) & (cc < side)
        nb = (rr % side) * side + (cc % side)
        J[np.arange(n)[keep], nb[keep]] = j
        J[nb[keep], np.arange(n)[keep]] = j
    return J


# ----------------------------------------------------------------------------- spherical constraint


def spherical_mu(eigenvalues, *, tol: float = 1e-14, max_iter: int = 200) -> float | np.ndarray:
    """Solve the spherical constraint ``(1/N) sum_k 1/(mu - lambda_k) = 1`` for ``mu > max_k lambda_k``.

    Parameters
    ----------
    eigenvalues : array (..., N)
        Eigenvalues ``lambda_k`` of the couplings J; leading axes are independent problems.

    Returns
    -------
    mu : float, or array (...) for batched input.

    Notes
    -----
    ``f(mu) = mean 1/(mu - lambda) - 1`` is decreasing and convex on ``(max lambda, inf)``, so Newton's
    method started left of the root converges monotonically. Both ``max lambda + 1/N`` and (by Jensen)
    ``mean lambda + 1`` are left of the root; we start from the larger.
    """
    lam = as_array(eigenvalues, "eigenvalues", ndim=None)
    if lam.ndim == 0 or lam.shape[-1] == 0:
        raise ValueError(f"eigenvalues must have at least one entry along the last axis, got shape {lam.shape}")
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
    return float(mu) if np.ndim(mu) == 0 else mu


def spherical_model(J) -> tuple[np.ndarray, np.ndarray, float]:
    """Eigendecomposition of the couplings with the spherical ``mu``: returns ``(lam, V, mu)``, ``J = V diag(lam) V^T``."""
    J = check_symmetric(J, "J")
    lam, V = np.linalg.eigh(J)
    return lam, V, spherical_mu(lam)


def spherical_log_partition(eigenvalues, mu: float | None = None) -> float | np.ndarray:
    """``log Z(J) = 1/2 [mu - (1/N) sum_k log(mu - j_k)]`` per site, ``mu`` spherical unless given."""
    lam = as_array(eigenvalues, "eigenvalues", ndim=None)
    mu = spherical_mu(lam) if mu is None else np.asarray(mu, dtype=float)
    return 0.5 * (mu - np.log(np.asarray(mu)[..., None] - lam).mean(axis=-1))


def spherical_log_likelihood(J, C) -> float:
    """Per-site log-likelihood ``l(J; C) = 1/2 Tr(J C)/N - log Z(J)`` of data with covariance C (Tr C = N)."""
    lam, _, mu = spherical_model(J)
    J = np.asarray(J, dtype=float)
    C = _check_cov(C, "C", n=J.shape[0])
    return float(0.5 * np.sum(J * C) / J.shape[0] - spherical_log_partition(lam, mu))


# ----------------------------------------------------------------------------- sampling and data


def _check_cov(C, name: str, n: int | None = None, *, psd: bool = True) -> np.ndarray:
    """Symmetric, finite, positive semi-definite square matrix (of size n if given)."""
    C = check_symmetric(C, name)
    if n is not None and C.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n}, {n}), got {C.shape}")
    if psd:
        lam_min = float(np.linalg.eigvalsh(C)[0])
        if lam_min < -1e-10 * max(1.0, float(np.max(np.abs(C)))):
            raise ValueError(f"{name} must be positive semi-definite (smallest eigenvalue {lam_min:.3g})")
    return C


def sample_gaussian(J, n_samples: int, *, rng: np.random.Generator, mu: float | None = None) -> np.ndarray:
    """Exact samples ``x ~ N(0, (mu I - J)^{-1})``, shape ``(n_samples, N)``.

    ``mu`` defaults to the spherical value (so the mean variance is 1). Uses one
    eigendecomposition ``J = V diag(lam) V^T``: ``x = V diag((mu - lam)^{-1/2}) z``, ``z ~ N(0, I)``.
    """
    lam, V, mu_s = spherical_model(J)
    mu = mu_s if mu is None else float(mu)
    if mu <= lam[-1]:
        raise ValueError(f"mu must exceed the largest eigenvalue of J ({lam[-1]:.6g}), got {mu}")
    n_samples = _check_n(n_samples, "n_samples", minimum=1)
    z = rng.standard_normal((n_samples, lam.size))
    return (z / np.sqrt(mu - lam)) @ V.T


def empirical_covariance(X, *, normalize: bool = True) -> np.ndarray:
    """``C = X^T X / B`` of zero-mean samples ``X`` (B, N), rescaled so that ``Tr C = N`` when ``normalize``."""
    X = as_array(X, "X", ndim=2)
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have at least one sample and one site, got shape {X.shape}")
    C = X.T @ X / X.shape[0]
    if normalize:
        tr = np.trace(C)
        if tr <= 0:
            raise ValueError("X is all zeros: cannot normalize Tr C = N")
        C *= X.shape[1] / tr
    return C


def gaussian_log_likelihood(P, C) -> float:
    """Per-site log-likelihood of data with covariance ``C`` under ``N(0, P^{-1})``, without the 2 pi term:

        ``(-Tr(C P) + log det P) / (2 N)``.

    With ``P = mu I - J``, ``mu`` spherical and ``Tr C = N`` this equals
    ``1/2 Tr(J C)/N - log Z(J)`` of the spherical model.
    """
    P = check_symmetric(P, "P")
    C = _check_cov(C, "C", n=P.shape[0], psd=False)
    L, info = _cholesky(P)
    if L is None:
        raise ValueError("P must be positive definite")
    logdet = 2.0 * np.sum(np.log(np.diag(L)))
    return float((-np.sum(C * P) + logdet) / (2 * P.shape[0]))


def _cholesky(A: np.ndarray):
    try:
        return np.linalg.cholesky(A), 0
    except np.linalg.LinAlgError:
        return None, 1
