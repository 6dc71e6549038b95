"""The spherical Gaussian model object, and the "truth" a path is scored against.

SphericalGaussian(J) is N(0, (μ I − J)⁻¹) with μ spherical, built from one eigendecomposition of J;
it answers questions with methods (``covariance()``, ``log_partition()``, ``sample(n, rng=)``, ...).
"""

from __future__ import annotations

import numpy as np

from statgen.graphical.gaussian._linalg import (
    check_covariance,
    check_precision,
    cholesky_inverse,
    logdet_cholesky,
)
from statgen.graphical.gaussian.sampling import check_n_samples, check_wishart_args, draw, wishart
from statgen.graphical.gaussian.spherical import spherical_log_partition, spherical_model
from statgen.graphical.gaussian.theory import predicted_gamma

__all__ = ["SphericalGaussian"]


class SphericalGaussian:
    """A spherical Gaussian model N(0, (μ I − J)⁻¹) built from one eigendecomposition of J.

    Parameters
    ----------
    J : array (N, N)
        Symmetric couplings (zero diagonal for the paper's true models; any diagonal is allowed).

    Attributes
    ----------
    J : (N, N) couplings.  eigenvalues : (N,) λ_k, increasing.  eigenvectors : (N, N) V, J = V diag(λ) Vᵀ.
    mu : spherical μ, (1/N) Σ_k 1/(μ − λ_k) = 1.  n : N.

    Methods answer questions about the model: :meth:`covariance`, :meth:`precision`,
    :meth:`logdet_precision` (whole model), :meth:`log_partition` (per site),
    :meth:`predicted_gamma`, :meth:`log_likelihood`, :meth:`sample`, :meth:`sample_covariance`.
    """

    def __init__(self, J):
        lam, V, mu = spherical_model(J)
        self.J = np.asarray(J, dtype=float)
        self.eigenvalues, self.eigenvectors, self.mu = lam, V, mu
        self.n = lam.size
        self._gaps = mu - lam  # μ − λ_k > 0

    def __repr__(self) -> str:
        return f"SphericalGaussian(n={self.n}, mu={self.mu:.6g})"

    def covariance(self) -> np.ndarray:
        """C = (μ I − J)⁻¹, with Tr C = N."""
        C = (self.eigenvectors / self._gaps) @ self.eigenvectors.T
        return 0.5 * (C + C.T)

    def precision(self) -> np.ndarray:
        """P = μ I − J."""
        return self.mu * np.eye(self.n) - self.J

    def logdet_precision(self) -> float:
        """log det(μ I − J) = Σ_k log(μ − λ_k) (whole model, nats)."""
        return float(np.sum(np.log(self._gaps)))

    def log_partition(self) -> float:
        """Per-site log Z = ½ [μ − (1/N) Σ_k log(μ − λ_k)]."""
        return float(spherical_log_partition(self.eigenvalues, self.mu))

    def predicted_gamma(self) -> float:
        """γ* = 1 / mean_i Σ_j J_ij² (see :func:`statgen.graphical.predicted_gamma`)."""
        return predicted_gamma(self.J)

    def log_likelihood(self, C) -> float:
        """Per-site ℓ(J; C) = ½ Tr(J C)/N − log Z(J) of data with covariance C."""
        C = check_covariance(C, "C", n=self.n, psd=False)
        return float(0.5 * np.sum(self.J * C) / self.n - self.log_partition())

    def sample(self, n_samples: int, *, rng: np.random.Generator) -> np.ndarray:
        """Exact samples, shape (n_samples, N)."""
        from statgen._checks import check_rng

        n_samples = check_n_samples(n_samples, self.n, "SphericalGaussian.sample")
        return draw(self.eigenvectors, self._gaps, n_samples, check_rng(rng))

    def sample_covariance(self, n_samples: int, *, rng: np.random.Generator, normalize: bool = True) -> np.ndarray:
        """Empirical covariance of ``n_samples`` exact samples, drawn directly from its Wishart law.

        Same distribution as ``empirical_covariance(self.sample(n_samples, rng=rng))`` at cost
        O(N² min(B, N)) instead of O(N² B) (see :func:`statgen.graphical.wishart_covariance`).
        """
        n_samples, rng, normalize = check_wishart_args(n_samples, self.n, rng, normalize)
        return wishart(self.eigenvectors / np.sqrt(self._gaps), n_samples, rng, normalize)


def as_model(J_true, n: int | None = None, name: str = "J_true") -> SphericalGaussian:
    """A :class:`SphericalGaussian` from couplings or a model (of size n if given)."""
    try:
        model = J_true if isinstance(J_true, SphericalGaussian) else SphericalGaussian(J_true)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{name}: {exc}") from None
    if n is not None and model.n != n:
        raise ValueError(f"{name} must have shape ({n}, {n}), got {model.J.shape}")
    return model


class Truth:
    """What a path needs of the true model: covariance ``C``, precision ``P``, ``logdet_P`` = log det P,
    the predicted γ* (``gamma_pred``, inf when the truth has no couplings) and, when the truth was
    given as couplings, the ``model`` itself (its eigenbasis is reused; C and P are then built on
    first use)."""

    def __init__(self, *, model: SphericalGaussian | None = None, C=None, P=None, logdet_P=None):
        self.model = model
        self._C, self._P = C, P
        self.logdet_P = model.logdet_precision() if model is not None else float(logdet_P)
        J = model.J if model is not None else -P
        off = J - np.diag(np.diag(J))
        self.gamma_pred = predicted_gamma(J) if np.any(off) else float("inf")

    @property
    def C(self) -> np.ndarray:
        if self._C is None:
            self._C = self.model.covariance()
        return self._C

    @property
    def P(self) -> np.ndarray:
        if self._P is None:
            self._P = self.model.precision()
        return self._P


def resolve_truth(C_true, J_true, n: int) -> Truth | None:
    """The truth of a path from a covariance ``C_true`` (positive definite) or couplings ``J_true``
    (array or :class:`SphericalGaussian`); None when neither is given."""
    if C_true is not None and J_true is not None:
        raise ValueError("give C_true or J_true, not both")
    if J_true is not None:
        return Truth(model=as_model(J_true, n))
    if C_true is None:
        return None
    C_true, L = check_precision(C_true, "C_true", n)
    return Truth(C=C_true, P=cholesky_inverse(L), logdet_P=-logdet_cholesky(L))
