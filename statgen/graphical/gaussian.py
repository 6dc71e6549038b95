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

from dataclasses import dataclass, field

import numpy as np

from statgen._checks import as_array, check_positive, check_symmetric
from statgen._progress import progress_bar

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
    "SphericalGaussian",
    "wishart_covariance",
    "map_l2",
    "l2_path",
    "L2Path",
    "predicted_gamma",
    "small_alpha_gamma",
    "gaussian_couplings",
    "l2_sweep",
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
        raise ValueError(
            f"width must be < n/2 (got width={width}, n={n}); use sk_couplings for a full matrix"
        )
    sigma = check_positive(sigma, "sigma")
    idx = np.arange(n)
    dist = np.abs(idx[:, None] - idx[None, :])
    dist = np.minimum(dist, n - dist)
    J = _symmetrize_upper(rng.normal(size=(n, n)) * (dist <= width))
    return _rescale_rows(J, sigma)


def erdos_renyi_couplings(
    n: int, degree: float, sigma: float, *, rng: np.random.Generator
) -> np.ndarray:
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
        raise ValueError(
            f"eigenvalues must have at least one entry along the last axis, got shape {lam.shape}"
        )
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
    """Symmetric, finite square matrix (of size n if given); positive semi-definite when ``psd``.

    The PSD test is a Cholesky factorization with a jitter of 1e-10 of the matrix scale
    (a third of the cost of an eigendecomposition).
    """
    C = check_symmetric(C, name)
    if n is not None and C.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n}, {n}), got {C.shape}")
    if psd:
        jitter = 1e-10 * max(1.0, float(np.max(np.abs(C))))
        if _cholesky(C + jitter * np.eye(C.shape[0]))[0] is None:
            lam_min = float(np.linalg.eigvalsh(C)[0])
            raise ValueError(
                f"{name} must be positive semi-definite (smallest eigenvalue {lam_min:.3g})"
            )
    return C


def _eigh_psd(C: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``eigh`` of a symmetric matrix that must be PSD: the check reuses the eigenvalues."""
    c, U = np.linalg.eigh(C)
    if c[0] < -1e-10 * max(1.0, float(np.max(np.abs(c)))):
        raise ValueError(f"{name} must be positive semi-definite (smallest eigenvalue {c[0]:.3g})")
    return np.clip(c, 0.0, None), U


def sample_gaussian(
    J, n_samples: int, *, rng: np.random.Generator, mu: float | None = None
) -> np.ndarray:
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


# ----------------------------------------------------------------------------- true models


def predicted_gamma(J_true) -> float:
    """Predicted optimal L2 strength ``gamma* = 1 / mean_i sum_{j != i} J_ij^2 = 1/(N <J_ij^2>)``.

    The diagonal is ignored (a uniform diagonal is absorbed in ``mu``).
    """
    J = check_symmetric(J_true, "J_true")
    off = J - np.diag(np.diag(J))
    s2 = float(np.mean(np.sum(off * off, axis=1)))
    if s2 == 0:
        raise ValueError("J_true has no off-diagonal couplings: the predicted gamma is infinite")
    return 1.0 / s2


class SphericalGaussian:
    """A spherical Gaussian model ``N(0, (mu I - J)^{-1})`` built from one eigendecomposition of ``J``.

    Parameters
    ----------
    J : array (N, N)
        Symmetric couplings (zero diagonal for the paper's true models).

    Attributes
    ----------
    J, eigenvalues (N,), eigenvectors (N, N), mu (float, spherical), n.
    covariance, precision, logdet_precision, log_partition: derived quantities (per model, not per site,
    except ``log_partition`` which is per site).
    """

    def __init__(self, J):
        lam, V, mu = spherical_model(J)
        self.J = np.asarray(J, dtype=float)
        self.eigenvalues, self.eigenvectors, self.mu = lam, V, mu
        self.n = lam.size

    @property
    def _gaps(self) -> np.ndarray:
        return self.mu - self.eigenvalues

    @property
    def covariance(self) -> np.ndarray:
        """``C = (mu I - J)^{-1}``, with ``Tr C = N``."""
        C = (self.eigenvectors / self._gaps) @ self.eigenvectors.T
        return 0.5 * (C + C.T)

    @property
    def precision(self) -> np.ndarray:
        """``P = mu I - J``."""
        return self.mu * np.eye(self.n) - self.J

    @property
    def logdet_precision(self) -> float:
        """``log det (mu I - J)`` (whole model, nats)."""
        return float(np.sum(np.log(self._gaps)))

    @property
    def log_partition(self) -> float:
        """Per-site ``log Z = 1/2 [mu - (1/N) sum_k log(mu - j_k)]``."""
        return float(spherical_log_partition(self.eigenvalues, self.mu))

    @property
    def predicted_gamma(self) -> float:
        """``1 / mean_i sum_j J_ij^2`` (see :func:`predicted_gamma`)."""
        return predicted_gamma(self.J)

    def log_likelihood(self, C) -> float:
        """Per-site ``1/2 Tr(J C)/N - log Z(J)`` of data with covariance ``C``."""
        C = _check_cov(C, "C", n=self.n, psd=False)
        return float(0.5 * np.sum(self.J * C) / self.n - self.log_partition)

    def sample(self, n_samples: int, *, rng: np.random.Generator) -> np.ndarray:
        """Exact samples, shape ``(n_samples, N)``."""
        n_samples = _check_n(n_samples, "n_samples", minimum=1)
        z = rng.standard_normal((n_samples, self.n))
        return (z / np.sqrt(self._gaps)) @ self.eigenvectors.T

    def sample_covariance(
        self, n_samples: int, *, rng: np.random.Generator, normalize: bool = True
    ) -> np.ndarray:
        """Empirical covariance of ``n_samples`` exact samples, drawn directly from its Wishart law.

        Same distribution as ``empirical_covariance(self.sample(n_samples, rng=rng))`` at cost
        ``O(N^2 min(B, N))`` instead of ``O(N^2 B)`` (see :func:`wishart_covariance`).
        """
        return _wishart(self.eigenvectors / np.sqrt(self._gaps), n_samples, rng, normalize)


def _wishart(
    L: np.ndarray, n_samples: int, rng: np.random.Generator, normalize: bool
) -> np.ndarray:
    """``W/B`` with ``W ~ Wishart(B, L L^T)``: Bartlett decomposition when ``B >= N``, else ``X^T X``."""
    B = _check_n(n_samples, "n_samples", minimum=1)
    n = L.shape[0]
    if B < n:  # rank-deficient Wishart: the samples themselves are the cheapest factor
        M = rng.standard_normal((B, n)) @ L.T
        W = M.T @ M
    else:
        # Bartlett: A lower triangular, A_ii^2 ~ chi2(B - i), A_ij ~ N(0, 1) below the diagonal.
        A = np.tril(rng.standard_normal((n, n)), -1)
        A[np.diag_indices(n)] = np.sqrt(rng.chisquare(B - np.arange(n)))
        M = L @ A
        W = M @ M.T
    C = 0.5 * (W + W.T) / B
    if normalize:
        C *= n / np.trace(C)
    return C


def wishart_covariance(
    cov, n_samples: int, *, rng: np.random.Generator, normalize: bool = True
) -> np.ndarray:
    """Empirical covariance ``X^T X / B`` of ``B = n_samples`` draws of ``N(0, cov)``, sampled directly.

    ``B C ~ Wishart(B, cov)``; for ``B >= N`` it is drawn by the Bartlett decomposition
    (cost O(N^3), independent of B), otherwise from B explicit samples. With ``normalize`` the
    result is rescaled to ``Tr C = N``.
    """
    lam, V = _eigh_psd(_check_cov(cov, "cov", psd=False), "cov")
    return _wishart(V * np.sqrt(lam), n_samples, rng, normalize)


# ----------------------------------------------------------------------------- L2 MAP


def _l2_spectrum(c: np.ndarray, mu: np.ndarray, gammas: np.ndarray, alpha: float):
    """Closed-form MAP eigenvalues for given ``mu``: returns ``j``, ``r = mu - j`` and ``dj/dmu``, each (G, N).

    ``j_k = [a + b - s]/(2 gamma)`` with ``a = alpha c_k``, ``b = gamma mu``,
    ``s = sqrt((a - b)^2 + 4 alpha gamma)``; each quantity uses the form free of cancellation
    (``(a+b)^2 - s^2 = 4 alpha gamma (c mu - 1)``, ``s^2 - (b-a)^2 = 4 alpha gamma``).
    """
    g = gammas[:, None]
    m = mu[:, None]
    a = alpha * c[None, :]
    b = g * m
    s = np.sqrt((a - b) ** 2 + 4.0 * alpha * g)
    apb, bma = a + b, b - a
    j = np.where(apb >= 0, 2.0 * alpha * (c * m - 1.0) / (np.abs(apb) + s), (apb - s) / (2.0 * g))
    r = np.where(bma >= 0, (bma + s) / (2.0 * g), 2.0 * alpha / (s + np.abs(bma)))
    dj = np.where(bma <= 0, (s - bma) / (2.0 * s), 2.0 * alpha * g / (s * (s + np.abs(bma))))
    return j, r, dj


def _l2_solve(
    c: np.ndarray, gammas: np.ndarray, alpha: float, *, tol: float = 1e-15, max_iter: int = 200
):
    """Solve the spherical constraint of the L2 MAP for every gamma at once: returns ``mu (G,), j, r (G, N)``.

    With stationarity ``1/(mu - j_k) = c_k - (gamma/alpha) j_k`` the constraint
    ``(1/N) sum_k 1/(mu - j_k) = 1`` reads ``mean_k j_k(mu) = t = (alpha/gamma)(mean c - 1)``.
    ``j_k(mu)`` is increasing and concave, and ``j_k(mu) < mu``, so Newton's method started at
    ``mu = t`` (left of the root) converges monotonically. Cost O(G N) per iteration.
    """
    t = alpha / gammas * (np.mean(c) - 1.0)
    mu = t.copy()
    for _ in range(max_iter):
        j, r, dj = _l2_spectrum(c, mu, gammas, alpha)
        step = -(j.mean(axis=1) - t) / dj.mean(axis=1)
        mu = mu + step
        if np.all(np.abs(step) <= tol * np.maximum(1.0, np.abs(mu))):
            break
    else:  # pragma: no cover - Newton on a concave monotone function always converges
        raise RuntimeError("the L2 MAP constraint did not converge")
    j, r, _ = _l2_spectrum(c, mu, gammas, alpha)
    return mu, j, r


def _check_gammas(gammas, name: str = "gammas") -> np.ndarray:
    g = as_array(gammas, name, ndim=(0, 1)).reshape(-1)
    if g.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if np.any(g <= 0):
        raise ValueError(f"{name} must be > 0, got min {g.min()!r}")
    return g


def map_l2(C, gamma: float, alpha: float) -> tuple[np.ndarray, float]:
    """Closed-form L2 MAP couplings: maximize ``alpha l(J; C) - (gamma/4) Tr(J^2)/N`` over symmetric J.

    ``J = U diag(j_k) U^T`` in the eigenbasis ``C = U diag(c_k) U^T`` with

        ``j_k = [alpha c_k + gamma mu - sqrt((alpha c_k - gamma mu)^2 + 4 alpha gamma)] / (2 gamma)``,

    and ``mu`` fixed by ``(1/N) sum_k 1/(mu - j_k) = 1``. The diagonal of J is free.

    Parameters
    ----------
    C : array (N, N), symmetric positive semi-definite (normally ``Tr C = N``).
    gamma : float > 0, L2 strength.
    alpha : float > 0, sample ratio B/N.

    Returns
    -------
    J : array (N, N), mu : float.
    """
    C = _check_cov(C, "C", psd=False)
    gamma = check_positive(gamma, "gamma")
    alpha = check_positive(alpha, "alpha")
    c, U = _eigh_psd(C, "C")
    mu, j, _ = _l2_solve(c, np.array([gamma]), alpha)
    J = (U * j[0]) @ U.T
    return 0.5 * (J + J.T), float(mu[0])


class _L2Problem:
    """Everything the L2 path needs after the one eigendecomposition of C: O(N) per gamma."""

    def __init__(self, c, alpha, c_true_k=None, p_true_k=None, logdet_p_true=None, c_test_k=None):
        self.c, self.alpha = c, alpha
        self.c_true_k, self.p_true_k, self.logdet_p_true, self.c_test_k = (
            c_true_k,
            p_true_k,
            logdet_p_true,
            c_test_k,
        )

    def curves(self, gammas: np.ndarray) -> dict[str, np.ndarray]:
        mu, j, r = _l2_solve(self.c, gammas, self.alpha)
        log_z = 0.5 * (mu - np.log(r).mean(axis=1))
        nan = np.full(gammas.shape, np.nan)
        out = {
            "mu": mu,
            "train": 0.5 * (j @ self.c) / self.c.size - log_z,
            "gen": 0.5 * np.mean(j / r, axis=1) - log_z,
            "test": nan
            if self.c_true_k is None
            else 0.5 * (j @ self.c_true_k) / self.c.size - log_z,
            "test_set": nan
            if self.c_test_k is None
            else 0.5 * (j @ self.c_test_k) / self.c.size - log_z,
            "gen_true": nan
            if self.p_true_k is None
            else 0.5 * (self.logdet_p_true - (1.0 / r) @ self.p_true_k) / self.c.size,
            "penalty": 0.5 * gammas / self.alpha * np.mean(j * j, axis=1),
        }
        return out

    def at(self, key: str, log_gamma: float) -> float:
        return float(self.curves(np.array([np.exp(log_gamma)]))[key][0])

    def at_combo(self, fn, log_gamma: float) -> float:
        return float(fn(self.curves(np.array([np.exp(log_gamma)])))[0])


@dataclass(frozen=True)
class L2Path:
    """Likelihood curves (per site, nats) of the L2 MAP along a gamma path; see :func:`l2_path`.

    ``test`` is the exact expectation under the true model (NaN without ``C_true``/``J_true``),
    ``test_set`` the finite test set ``C_test`` (NaN without it); ``gen`` scores data generated by
    the inferred model with the inferred model, ``gen_true`` with the true model.
    """

    gammas: np.ndarray
    alpha: float
    mu: np.ndarray
    train: np.ndarray
    test: np.ndarray
    test_set: np.ndarray
    gen: np.ndarray
    gen_true: np.ndarray
    gamma_opt: float
    gamma_cross: float
    gamma_half: float
    gamma_pred: float
    at_opt: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, np.ndarray]:
        """Flat dict of arrays (for ``np.savez``)."""
        d = {
            k: np.asarray(getattr(self, k))
            for k in (
                "gammas",
                "alpha",
                "mu",
                "train",
                "test",
                "test_set",
                "gen",
                "gen_true",
                "gamma_opt",
                "gamma_cross",
                "gamma_half",
                "gamma_pred",
            )
        }
        d.update({f"{k}_at_opt": np.asarray(v) for k, v in self.at_opt.items()})
        return d


def _diag_overlap(M: np.ndarray, U: np.ndarray) -> np.ndarray:
    """``diag(U^T M U)`` in O(N^3) with one matrix product and no N x N x N temporaries."""
    return np.einsum("ik,ik->k", M @ U, U)


def _argmax_refined(problem: _L2Problem, key: str, lg: np.ndarray, values: np.ndarray) -> float:
    """log gamma of the maximum of ``key``: grid argmax, then bounded Brent on the closed form.

    The bracket is the two grid neighbours of the grid argmax; if the argmax sits on the grid's
    edge the bracket is pushed outwards one decade at a time (up to 8 decades) until it closes.
    Returns NaN when no interior maximum is found.
    """
    from scipy.optimize import minimize_scalar

    if not np.any(np.isfinite(values)):
        return np.nan
    i = int(np.nanargmax(values))
    lo, hi = (lg[i - 1] if i > 0 else None), (lg[i + 1] if i < lg.size - 1 else None)
    step = np.log(10.0)
    for _ in range(8):
        if lo is None:
            x = lg[0] - step
            if problem.at(key, x) < problem.at(key, lg[0]):
                lo = x
            else:
                lg = np.concatenate([[x], lg])
        if hi is None:
            x = lg[-1] + step
            if problem.at(key, x) < problem.at(key, lg[-1]):
                hi = x
            else:
                lg = np.concatenate([lg, [x]])
        if lo is not None and hi is not None:
            break
    if lo is None or hi is None:
        return np.nan
    res = minimize_scalar(
        lambda x: -problem.at(key, x), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x)


def _root_near(problem: _L2Problem, fn, lg: np.ndarray, values: np.ndarray, x0: float) -> float:
    """log gamma of the root of ``fn(curves)`` whose grid bracket is closest to ``x0`` (Brent's method).

    Grid brackets are consecutive points where ``values`` changes sign; the closest one to ``x0``
    (distance 0 if it contains x0) is refined with ``brentq`` on the closed form. NaN if none.
    """
    from scipy.optimize import brentq

    v = np.asarray(values)
    ok = np.isfinite(v[:-1]) & np.isfinite(v[1:]) & (np.sign(v[:-1]) * np.sign(v[1:]) <= 0)
    idx = np.flatnonzero(ok)
    if idx.size == 0 or not np.isfinite(x0):
        return np.nan
    dist = np.maximum(0.0, np.maximum(lg[idx] - x0, x0 - lg[idx + 1]))
    i = int(idx[np.argmin(dist)])
    if v[i] == 0:
        return float(lg[i])
    if v[i + 1] == 0:
        return float(lg[i + 1])
    return float(brentq(lambda x: problem.at_combo(fn, x), lg[i], lg[i + 1], xtol=1e-12))


def _gen_minus_test(cv):
    return cv["gen"] - cv["test"]


def _gen_minus_half(cv):
    return cv["gen"] - 0.5 * (cv["train"] + cv["test"])


def _gen_minus_test_set(cv):
    return cv["gen"] - cv["test_set"]


def _gen_minus_half_set(cv):
    return cv["gen"] - 0.5 * (cv["train"] + cv["test_set"])


def l2_path(C, gammas, alpha: float, *, C_true=None, J_true=None, C_test=None) -> L2Path:
    """The whole L2 MAP path from ONE eigendecomposition of ``C``.

    For every ``gamma`` the MAP is :func:`map_l2`; along the path we return (per site, nats,
    ``l(J; C') = 1/2 Tr(J C')/N - log Z(J)``)

    - ``train = l(J; C) = 1/2 <c_k j_k> - log Z``
    - ``test = l(J; C_true) = 1/2 <chat_k j_k> - log Z``, ``chat_k = (U^T C_true U)_kk`` (exact expectation)
    - ``test_set = l(J; C_test)`` (finite test set, its covariance normalized like C)
    - ``gen = 1/2 <j_k/(mu - j_k)> - log Z = train - (gamma/alpha) Tr(J^2)/(2N)``
    - ``gen_true = 1/2 Tr(C_model J_true)/N - log Z(J_true)
      = [log det P_true - Tr(C_model P_true)] / (2N)``, ``C_model = (mu I - J)^{-1}``.

    Characteristic strengths (NaN when undefined):

    - ``gamma_opt = argmax test``: grid argmax, refined by bounded Brent in log gamma on the closed
      form (no interpolation: each evaluation solves the MAP exactly at that gamma);
    - ``gamma_cross``: root of ``gen - test``; among the grid intervals where it changes sign the one
      closest to ``gamma_opt`` in log gamma is refined with Brent (gen and test also meet as
      gamma -> infinity, so a global argmin of |gen - test| would be wrong);
    - ``gamma_half``: root of ``gen - (train + test)/2``, chosen the same way.

    ``test`` is used when a truth is given, otherwise ``test_set``.

    Parameters
    ----------
    C : array (N, N), training covariance (``Tr C = N``).
    gammas : array (G,), L2 strengths > 0 (any order; returned sorted).
    alpha : float > 0, sample ratio B/N.
    C_true : array (N, N), optional, covariance of the true model.
    J_true : array (N, N) or SphericalGaussian, optional, true couplings (used instead of ``C_true``;
        reuses the model's eigendecomposition when a :class:`SphericalGaussian` is passed).
    C_test : array (N, N), optional, covariance of a finite test set.

    Cost: one ``eigh(C)``, plus one or two N^3 matrix products when a truth / test set is given,
    then O(G N x Newton steps).
    """
    C = _check_cov(C, "C", psd=False)
    n = C.shape[0]
    g = np.sort(_check_gammas(gammas))
    alpha = check_positive(alpha, "alpha")
    if C_true is not None and J_true is not None:
        raise ValueError("give C_true or J_true, not both")
    c, U = _eigh_psd(C, "C")
    c_true_k = p_true_k = logdet = c_test_k = None
    gamma_pred = np.nan
    if J_true is not None:
        model = J_true if isinstance(J_true, SphericalGaussian) else SphericalGaussian(J_true)
        if model.n != n:
            raise ValueError(f"J_true must have shape ({n}, {n}), got {model.J.shape}")
        # Both overlaps in the model's eigenbasis: W = V^T U, (U^T C U)_kk = sum_m W_mk^2 / gap_m.
        W = model.eigenvectors.T @ U
        W2 = W * W
        c_true_k = (1.0 / model._gaps) @ W2
        p_true_k = model._gaps @ W2
        logdet = model.logdet_precision
        gamma_pred = model.predicted_gamma
    elif C_true is not None:
        from scipy.linalg import lapack

        C_true = _check_cov(C_true, "C_true", n=n, psd=False)
        Lc, info = lapack.dpotrf(C_true, lower=1)
        if info != 0:
            raise ValueError("C_true must be positive definite")
        logdet = -2.0 * float(np.sum(np.log(np.diag(Lc))))
        P_low, info = lapack.dpotri(
            Lc, lower=1
        )  # inverse from the Cholesky factor (lower triangle)
        P_true = np.tril(P_low) + np.tril(P_low, -1).T
        # both overlaps from one stacked product: diag(U^T M U) for M = C_true, P_true
        CU = np.vstack([C_true, P_true]) @ U
        c_true_k = np.einsum("ik,ik->k", CU[:n], U)
        p_true_k = np.einsum("ik,ik->k", CU[n:], U)
        gamma_pred = predicted_gamma(-P_true)
    if C_test is not None:
        c_test_k = _diag_overlap(_check_cov(C_test, "C_test", n=n), U)
    problem = _L2Problem(c, alpha, c_true_k, p_true_k, logdet, c_test_k)
    cv = problem.curves(g)
    lg = np.log(g)
    if c_true_k is not None:
        key, cross, half = "test", _gen_minus_test, _gen_minus_half
    else:
        key, cross, half = "test_set", _gen_minus_test_set, _gen_minus_half_set
    x_opt = _argmax_refined(problem, key, lg, cv[key])
    x_cross = _root_near(problem, cross, lg, cross(cv), x_opt)
    x_half = _root_near(problem, half, lg, half(cv), x_opt)
    at_opt = {}
    if np.isfinite(x_opt):
        at = problem.curves(np.array([np.exp(x_opt)]))
        at_opt = {k: float(at[k][0]) for k in ("train", "test", "test_set", "gen", "gen_true")}
    return L2Path(
        gammas=g,
        alpha=alpha,
        mu=cv["mu"],
        train=cv["train"],
        test=cv["test"],
        test_set=cv["test_set"],
        gen=cv["gen"],
        gen_true=cv["gen_true"],
        gamma_opt=float(np.exp(x_opt)),
        gamma_cross=float(np.exp(x_cross)),
        gamma_half=float(np.exp(x_half)),
        gamma_pred=float(gamma_pred),
        at_opt=at_opt,
    )


def small_alpha_gamma(C_true, u) -> float:
    """Large-N prediction of ``gamma_opt`` from a single sample (B = 1, alpha = 1/N).

    With one sample the training spectrum is ``c = (N, 0, ..., 0)`` along ``uhat = u/|u|`` and the
    exact test likelihood depends on the truth only through ``theta = uhat^T C_true uhat / N``.
    Expanding the closed form at large N gives two branches:

    - ``gamma > 1`` (mu -> 1, no condensation): ``N L_test = -N/2 + [N theta/gamma + log(1 - 1/gamma)]/2 + O(1/N)``,
      maximal at ``gamma = N theta / (N theta - 1)`` (needs ``N theta > 1``; SK with sigma < 1, where
      ``N theta = O(1)``);
    - ``gamma < 1`` (the inferred model condenses on ``uhat``, ``mu = gamma^{-1/2}``):
      ``L_test = theta mu/2 - (mu - log mu)/2 + O(log N / N)``, maximal at ``gamma = (1 - theta)^2``
      (needs ``theta < 1``; SK with sigma > 1, where ``theta = O(1)``).

    The branch with the larger exact test likelihood (closed form at B = 1) is returned.

    Parameters
    ----------
    C_true : array (N, N), covariance of the true model (``Tr C_true = N``).
    u : array (N,), the single training sample (any normalization).
    """
    C_true = _check_cov(C_true, "C_true", psd=False)
    n = C_true.shape[0]
    u = as_array(u, "u", shape=(n,))
    norm = float(np.linalg.norm(u))
    if norm == 0:
        raise ValueError("u must not be the zero vector")
    uh = u / norm
    theta = float(uh @ C_true @ uh) / n
    x = n * theta
    candidates = []
    if x > 1:
        candidates.append(x / (x - 1))
    if theta < 1:
        candidates.append((1 - theta) ** 2)
    if not candidates:
        return np.nan
    c = np.zeros(n)
    c[-1] = n
    c_true_k = np.full(n, (np.trace(C_true) - x) / (n - 1))
    c_true_k[-1] = x
    test = _L2Problem(c, 1.0 / n, c_true_k=c_true_k).curves(np.array(candidates))["test"]
    return float(candidates[int(np.argmax(test))])


# ------------------------------------------------------------------------ sweeps (used by studies)

_GRAPHS = {
    "sk": lambda n, rng, p: sk_couplings(n, p["sigma"], rng=rng),
    "ring": lambda n, rng, p: ring_couplings(n, p["j"]),
    "band": lambda n, rng, p: band_couplings(n, int(p["width"]), p["sigma"], rng=rng),
    "erdos_renyi": lambda n, rng, p: erdos_renyi_couplings(n, p["degree"], p["sigma"], rng=rng),
    "lattice": lambda n, rng, p: lattice_couplings(int(round(np.sqrt(n))), p["j"]),
}


def gaussian_couplings(graph: str, n: int, *, rng: np.random.Generator, **params) -> np.ndarray:
    """Couplings of a named graph: ``"sk"`` (sigma), ``"ring"`` (j), ``"band"`` (width, sigma),
    ``"erdos_renyi"`` (degree, sigma) or ``"lattice"`` (j; n must be a perfect square)."""
    if graph not in _GRAPHS:
        raise ValueError(f"graph must be one of {sorted(_GRAPHS)}, got {graph!r}")
    if graph == "lattice" and round(np.sqrt(n)) ** 2 != n:
        raise ValueError(f"n must be a perfect square for graph='lattice', got {n}")
    try:
        return _GRAPHS[graph](n, rng, params)
    except KeyError as exc:
        raise ValueError(f"graph {graph!r} needs parameter {exc.args[0]!r}") from None


def l2_sweep(
    model: SphericalGaussian,
    alphas,
    gammas,
    n_samples: int,
    *,
    rng: np.random.Generator,
    progress: bool = False,
) -> dict[str, np.ndarray]:
    """L2 paths for ``n_samples`` independent training sets at each sample ratio in ``alphas``.

    Each training covariance (``B = round(alpha N)``, at least 1, samples) is drawn from its Wishart
    law (:meth:`SphericalGaussian.sample_covariance`) and scored against the exact truth.

    Returns
    -------
    dict with ``train, test, gen, gen_true`` of shape (A, S, G); ``gamma_opt, gamma_cross,
    gamma_half`` and the curves at ``gamma_opt`` (``train_opt, test_opt, gen_opt, gen_true_opt``)
    and ``train_max`` (the maximum of ``train`` over the grid) of shape (A, S); ``gammas`` (G,),
    ``alphas`` (A,) (the realized ``B/N``), ``gamma_pred`` (scalar).
    """
    return sweep_paths(
        lambda C, g, alpha: l2_path(C, g, alpha, J_true=model),
        model, alphas, gammas, n_samples, rng=rng, desc="L2 paths", progress=progress,
    )


_SWEEP_POINTS = ("gamma_opt", "gamma_cross", "gamma_half")


def sweep_paths(
    path_fn,
    model: SphericalGaussian,
    alphas,
    gammas,
    n_samples: int,
    *,
    rng: np.random.Generator,
    curve_keys: tuple[str, ...] = ("train", "test", "gen", "gen_true"),
    desc: str = "paths",
    progress: bool = False,
) -> dict[str, np.ndarray]:
    """Run ``path_fn(C, gammas, alpha)`` on ``n_samples`` Wishart training sets per sample ratio.

    The shared driver of :func:`l2_sweep` and :func:`statgen.graphical.l1_sweep`: ``path_fn``
    returns a path object with the curves ``curve_keys``, ``gamma_opt/cross/half`` and ``at_opt``.
    The output layout is documented in :func:`l2_sweep`.
    """
    alphas = _check_gammas(alphas, "alphas")
    gammas = np.sort(_check_gammas(gammas))
    n_samples = _check_n(n_samples, "n_samples", minimum=1)
    n = model.n
    Bs = np.maximum(1, np.round(alphas * n).astype(int))
    A, S, G = alphas.size, n_samples, gammas.size
    curves = {k: np.empty((A, S, G)) for k in curve_keys}
    at_opt = ("train", "test", "gen", "gen_true")
    points = {k: np.empty((A, S)) for k in (*_SWEEP_POINTS, *(f"{k}_opt" for k in at_opt), "train_max")}
    with progress_bar(total=A * S, desc=desc, progress=progress) as bar:
        for a, B in enumerate(Bs):
            for s in range(S):
                path = path_fn(model.sample_covariance(int(B), rng=rng), gammas, B / n)
                for k in curves:
                    curves[k][a, s] = getattr(path, k)
                for k in _SWEEP_POINTS:
                    points[k][a, s] = getattr(path, k)
                for k in at_opt:
                    points[f"{k}_opt"][a, s] = path.at_opt.get(k, np.nan)
                points["train_max"][a, s] = np.max(path.train)
                bar.update(1)
    return {
        **curves,
        **points,
        "gammas": gammas,
        "alphas": Bs / n,
        "gamma_pred": np.asarray(model.predicted_gamma),
    }
