"""Estimators (fit / score) for the Gaussian L2 and L1 MAP, on the contract of :class:`statgen._estimator.Estimator`.

Both take samples X (B, N) (zero mean), form C = Xᵀ X / B (rescaled to Tr C = N when ``normalize``,
the convention of Fanthomme, Rizzato, Cocco & Monasson 2022, arXiv:2112.01292), fit a precision
P and score data by the per-site log-likelihood without the ½ log 2π term,

    score(X′) = ℓ(P; C′) = [log det P − Tr(C′ P)] / (2N),   C′ = X′ᵀ X′ / B′ (normalized the same way).
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_bool, check_positive
from statgen._estimator import Estimator
from statgen.graphical.gaussian._linalg import check_covariance, cholesky, cholesky_inverse
from statgen.graphical.gaussian.l1 import check_l1_settings, solve_l1
from statgen.graphical.gaussian.l2 import map_l2
from statgen.graphical.gaussian.model import SphericalGaussian
from statgen.graphical.gaussian.sampling import empirical_covariance
from statgen.graphical.gaussian.spherical import gaussian_log_likelihood

__all__ = ["GaussianL2MAP", "GaussianL1MAP"]


class _GaussianMAP(Estimator):
    """Shared data handling: X → C, and the score."""

    def _covariance(self, X, n: int | None = None) -> np.ndarray:
        X = as_array(X, "X", ndim=2)
        if n is not None and X.shape[1] != n:
            raise ValueError(f"X must have {n} columns (the fitted sites), got shape {X.shape}")
        return empirical_covariance(X, normalize=check_bool(self.normalize, "normalize"))

    def score(self, X) -> float:
        """Per-site log-likelihood ℓ(P; C′) of samples X (B′, N) under the fitted precision."""
        self._check_fitted("precision_")
        return gaussian_log_likelihood(self.precision_, self._covariance(X, self.precision_.shape[0]))


class GaussianL2MAP(_GaussianMAP):
    """Closed-form L2 MAP of the spherical Gaussian model (:func:`statgen.graphical.map_l2`).

    Maximizes α ℓ(J; C) − (γ/4) Tr(J²)/N with α = B/N, over symmetric J (free diagonal).

    Parameters
    ----------
    gamma : L2 strength γ > 0.
    normalize : rescale each covariance to Tr C = N (the paper's convention).

    Attributes
    ----------
    couplings_ : (N, N) J.  mu_ : spherical μ.  precision_ : μ I − J.  alpha_ : B/N.
    model_ : the fitted :class:`SphericalGaussian`.
    """

    def __init__(self, gamma: float = 1.0, *, normalize: bool = True):
        self.gamma = gamma
        self.normalize = normalize

    def fit(self, X) -> GaussianL2MAP:
        gamma = check_positive(self.gamma, "gamma")
        C = self._covariance(X)
        B, n = np.shape(X)
        self.alpha_ = B / n
        self.couplings_, self.mu_ = map_l2(C, gamma, self.alpha_)
        self.precision_ = self.mu_ * np.eye(n) - self.couplings_
        self.model_ = SphericalGaussian(self.couplings_)
        return self


class GaussianL1MAP(_GaussianMAP):
    """Graphical-lasso precision (:func:`statgen.graphical.map_l1`): argmin tr(C P) − log det P + λ Σ_{i≠j} |P_ij|.

    In the units of the L2 strength, the L1 strength is γ₁ = α λ with α = B/N.

    Parameters
    ----------
    lam : penalty λ > 0 on the off-diagonal |P_ij|.
    normalize : rescale each covariance to Tr C = N.
    tol, max_iter, solver : see :func:`statgen.graphical.map_l1`.

    Attributes
    ----------
    precision_ : (N, N) P.  covariance_ : P⁻¹.  couplings_ : −P off the diagonal (zero diagonal).
    alpha_ : B/N.  n_iter_ : solver iterations (summed over the screened blocks).  gap_ : final duality gap.
    """

    def __init__(self, lam: float = 0.1, *, normalize: bool = True, tol: float = 1e-9, max_iter: int = 10_000,
                 solver: str = "auto"):
        self.lam = lam
        self.normalize = normalize
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver

    def fit(self, X) -> GaussianL1MAP:
        lam = check_positive(self.lam, "lam")
        tol, max_iter, solver = check_l1_settings(self.tol, self.max_iter, self.solver)
        C = check_covariance(self._covariance(X), "C", positive_diagonal=True)
        B, n = np.shape(X)
        P, info = solve_l1(C, lam, None, tol, max_iter, solver)
        self.alpha_ = B / n
        self.precision_ = P
        self.covariance_ = cholesky_inverse(cholesky(P))
        self.couplings_ = -(P - np.diag(np.diag(P)))
        self.n_iter_, self.gap_ = info.iterations, info.gap
        return self
