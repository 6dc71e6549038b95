"""Closed-form L2 MAP of the spherical Gaussian model, and its likelihood curves at any γ.

The MAP maximizes α ℓ(J; C) − (γ/4) Tr(J²)/N over symmetric J (free diagonal). In the eigenbasis
C = U diag(c_k) Uᵀ it is J = U diag(j_k) Uᵀ with

    j_k = [α c_k + γ μ − √((α c_k − γ μ)² + 4 α γ)] / (2γ),

and μ fixed by the spherical constraint (1/N) Σ_k 1/(μ − j_k) = 1 (stationarity:
γ j_k − α c_k + α/(μ − j_k) = 0). One eigendecomposition serves every γ: each then costs
O(N × Newton steps). Fanthomme, Rizzato, Cocco & Monasson (2022), J. Stat. Mech.,
arXiv:2112.01292.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_positive
from statgen.graphical.gaussian._linalg import check_covariance, eigh_psd

__all__ = ["map_l2"]


def check_gammas(gammas, name: str = "gammas", *, grid: bool = True) -> np.ndarray:
    """A non-empty 1-D (or scalar) array of finite, positive values; with ``grid`` (a path's strengths)
    also distinct, and returned sorted increasingly; otherwise in the given order."""
    g = as_array(gammas, name, ndim=(0, 1)).reshape(-1)
    if g.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if np.any(g <= 0):
        raise ValueError(f"{name} must be > 0, got min {g.min()!r}")
    if not grid:
        return g
    g = np.sort(g)
    if np.any(np.diff(g) == 0):
        raise ValueError(f"{name} must hold distinct values")
    return g


def _l2_spectrum(c: np.ndarray, mu: np.ndarray, gammas: np.ndarray, alpha: float):
    """Closed-form MAP eigenvalues for given μ: returns j, r = μ − j and dj/dμ, each (G, N).

    j_k = [a + b − s]/(2γ) with a = α c_k, b = γ μ, s = √((a − b)² + 4 α γ); each quantity uses the
    form free of cancellation ((a + b)² − s² = 4 α γ (c μ − 1), s² − (b − a)² = 4 α γ).
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


def l2_solve(c: np.ndarray, gammas: np.ndarray, alpha: float, *, tol: float = 1e-15, max_iter: int = 200):
    """Solve the spherical constraint of the L2 MAP for every γ at once: returns μ (G,), j, r (G, N).

    With stationarity 1/(μ − j_k) = c_k − (γ/α) j_k the constraint (1/N) Σ_k 1/(μ − j_k) = 1 reads
    mean_k j_k(μ) = t = (α/γ)(mean c − 1). j_k(μ) is increasing and concave, and j_k(μ) < μ, so
    Newton's method started at μ = t (left of the root) converges monotonically. Cost O(G N) per
    iteration. Hot path: the public callers check c, γ and α.
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


class L2Curves:
    """Everything the L2 path needs after the one eigendecomposition of C: O(N) per γ.

    ``c`` (N,) training eigenvalues; optional ``c_true_k`` = diag(Uᵀ C_true U), ``p_true_k`` =
    diag(Uᵀ P_true U), ``logdet_p_true``, ``c_test_k`` = diag(Uᵀ C_test U). Curves per site, nats:
    train = ½⟨c_k j_k⟩ − log Z, test = ½⟨ĉ_k j_k⟩ − log Z, gen = ½⟨j_k/(μ − j_k)⟩ − log Z,
    gen_true = [log det P_true − Σ_k p_true_k/(μ − j_k)]/(2N), penalty = (γ/2α)⟨j_k²⟩.
    """

    def __init__(self, c, alpha, c_true_k=None, p_true_k=None, logdet_p_true=None, c_test_k=None):
        self.c, self.alpha = c, alpha
        self.c_true_k, self.p_true_k, self.logdet_p_true, self.c_test_k = c_true_k, p_true_k, logdet_p_true, c_test_k

    def curves(self, gammas: np.ndarray) -> dict[str, np.ndarray]:
        mu, j, r = l2_solve(self.c, gammas, self.alpha)
        log_z = 0.5 * (mu - np.log(r).mean(axis=1))
        n = self.c.size
        nan = np.full(gammas.shape, np.nan)
        return {
            "mu": mu,
            "train": 0.5 * (j @ self.c) / n - log_z,
            "gen": 0.5 * np.mean(j / r, axis=1) - log_z,
            "test": nan if self.c_true_k is None else 0.5 * (j @ self.c_true_k) / n - log_z,
            "test_set": nan if self.c_test_k is None else 0.5 * (j @ self.c_test_k) / n - log_z,
            "gen_true": nan if self.p_true_k is None
            else 0.5 * (self.logdet_p_true - (1.0 / r) @ self.p_true_k) / n,
            "penalty": 0.5 * gammas / self.alpha * np.mean(j * j, axis=1),
        }

    def at(self, gamma: float) -> dict[str, float]:
        """The curves at one γ, as floats."""
        return {k: float(v[0]) for k, v in self.curves(np.array([gamma])).items()}


def map_l2(C, gamma: float, alpha: float) -> tuple[np.ndarray, float]:
    """Closed-form L2 MAP couplings: maximize α ℓ(J; C) − (γ/4) Tr(J²)/N over symmetric J.

    J = U diag(j_k) Uᵀ in the eigenbasis C = U diag(c_k) Uᵀ with

        j_k = [α c_k + γ μ − √((α c_k − γ μ)² + 4 α γ)] / (2γ),

    and μ fixed by (1/N) Σ_k 1/(μ − j_k) = 1. The diagonal of J is free.

    Parameters
    ----------
    C : array (N, N), symmetric positive semi-definite (normally Tr C = N).
    gamma : float > 0, L2 strength.
    alpha : float > 0, sample ratio B/N.

    Returns
    -------
    J : array (N, N), mu : float.
    """
    C = check_covariance(C, "C", psd=False)
    gamma = check_positive(gamma, "gamma")
    alpha = check_positive(alpha, "alpha")
    c, U = eigh_psd(C, "C")
    mu, j, _ = l2_solve(c, np.array([gamma]), alpha)
    J = (U * j[0]) @ U.T
    return 0.5 * (J + J.T), float(mu[0])
