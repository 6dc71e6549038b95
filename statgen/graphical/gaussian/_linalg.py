"""Dense linear algebra shared by the Gaussian code: one covariance validator (one PSD test), one
Cholesky factorization, one inverse from it.

PSD test (the only one): a symmetric matrix A is accepted as positive semi-definite when its
smallest eigenvalue is ≥ −10⁻¹⁰ · max(1, max |A_ij|). It is checked by a Cholesky factorization of
A + 10⁻¹⁰ · max(1, max |A_ij|) · I (a third of the cost of an eigendecomposition), or on the
eigenvalues when an eigendecomposition is computed anyway (:func:`eigh_psd`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack

from statgen._checks import check_symmetric

PSD_RTOL = 1e-10


def _scale(A: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(A)))) if A.size else 1.0


def cholesky(A: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor L (A = L Lᵀ) by LAPACK ``potrf``, or None when A is not positive definite."""
    L, info = lapack.dpotrf(A, lower=1, clean=1, overwrite_a=0)
    return L if info == 0 else None


def cholesky_inverse(L: np.ndarray) -> np.ndarray:
    """A⁻¹ from the lower Cholesky factor L of A (LAPACK ``potri``), symmetrized."""
    Winv, info = lapack.dpotri(L, lower=1)
    if info != 0:  # pragma: no cover - L came from a successful potrf
        raise np.linalg.LinAlgError("potri failed on a Cholesky factor")
    W = np.tril(Winv)
    return W + np.tril(W, -1).T


def logdet_cholesky(L: np.ndarray) -> float:
    """log det A = 2 Σ_i log L_ii from the Cholesky factor."""
    return 2.0 * float(np.sum(np.log(np.diag(L))))


def check_covariance(C, name: str, n: int | None = None, *, psd: bool = True,
                     positive_diagonal: bool = False) -> np.ndarray:
    """``C`` as a finite, symmetric, non-empty float64 square matrix (of size n if given);
    positive semi-definite when ``psd`` (the test of the module docstring); with a strictly
    positive diagonal when ``positive_diagonal``."""
    C = check_symmetric(C, name)
    if C.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {C.shape}")
    if n is not None and C.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n}, {n}), got {C.shape}")
    if positive_diagonal and np.any(np.diag(C) <= 0):
        raise ValueError(f"{name} must have a strictly positive diagonal (variances), "
                         f"got min {np.diag(C).min():.3g}")
    if psd and cholesky(C + PSD_RTOL * _scale(C) * np.eye(C.shape[0])) is None:
        lam_min = float(np.linalg.eigvalsh(C)[0])
        raise ValueError(f"{name} must be positive semi-definite (smallest eigenvalue {lam_min:.3g})")
    return C


def check_precision(P, name: str, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``P`` symmetric positive definite (of size n if given): returns (P, its Cholesky factor)."""
    P = check_covariance(P, name, n, psd=False)
    L = cholesky(P)
    if L is None:
        lam_min = float(np.linalg.eigvalsh(P)[0])
        raise ValueError(f"{name} must be positive definite (smallest eigenvalue {lam_min:.3g})")
    return P, L


def eigh_psd(C: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``eigh`` of a symmetric matrix that must be PSD; the test reuses the eigenvalues, which are
    returned clipped at 0 (round-off of a rank-deficient covariance)."""
    c, U = np.linalg.eigh(C)
    if c[0] < -PSD_RTOL * max(1.0, float(np.max(np.abs(c)))):
        raise ValueError(f"{name} must be positive semi-definite (smallest eigenvalue {c[0]:.3g})")
    return np.clip(c, 0.0, None), U


def diag_overlap(M: np.ndarray, U: np.ndarray) -> np.ndarray:
    """diag(Uᵀ M U) with one matrix product and no N × N × N temporary."""
    return np.einsum("ik,ik->k", M @ U, U)
