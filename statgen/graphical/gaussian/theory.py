"""Predictions of the optimal L2 strength: γ* = 1/Σ_j J_ij², and the single-sample (α = 1/N) theory.

Fanthomme, Rizzato, Cocco & Monasson (2022), J. Stat. Mech., arXiv:2112.01292.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_symmetric
from statgen.graphical.gaussian._linalg import check_covariance
from statgen.graphical.gaussian.l2 import L2Curves

__all__ = ["predicted_gamma", "small_alpha_gamma"]


def predicted_gamma(J_true) -> float:
    """Predicted optimal L2 strength γ* = 1 / mean_i Σ_{j≠i} J_ij² = 1/(N ⟨J_ij²⟩).

    The diagonal is ignored (a uniform diagonal is absorbed in μ). ValueError when J_true has no
    off-diagonal coupling (γ* would be infinite).
    """
    J = check_symmetric(J_true, "J_true")
    if J.shape[0] == 0:
        raise ValueError("J_true must be a non-empty square matrix")
    off = J - np.diag(np.diag(J))
    s2 = float(np.mean(np.sum(off * off, axis=1)))
    if s2 == 0:
        raise ValueError("J_true has no off-diagonal couplings: the predicted gamma is infinite")
    return 1.0 / s2


def small_alpha_gamma(C_true, u) -> float:
    """Large-N prediction of γ_opt from a single sample (B = 1, α = 1/N).

    With one sample the training spectrum is c = (N, 0, ..., 0) along û = u/|u| and the exact test
    likelihood depends on the truth only through θ = ûᵀ C_true û / N. Expanding the closed form at
    large N gives two branches:

    - γ > 1 (μ → 1, no condensation): N L_test = −N/2 + [N θ/γ + log(1 − 1/γ)]/2 + O(1/N),
      maximal at γ = N θ / (N θ − 1) (needs N θ > 1; SK with σ < 1, where N θ = O(1));
    - γ < 1 (the inferred model condenses on û, μ = γ^(−1/2)):
      L_test = θ μ/2 − (μ − log μ)/2 + O(log N / N), maximal at γ = (1 − θ)² (needs θ < 1; SK
      with σ > 1, where θ = O(1)).

    The branch with the larger exact test likelihood (closed form at B = 1) is returned.

    Parameters
    ----------
    C_true : array (N, N), N ≥ 2, covariance of the true model (positive semi-definite, Tr C_true = N).
    u : array (N,), the single training sample (any normalization, not zero).
    """
    C_true = check_covariance(C_true, "C_true")
    n = C_true.shape[0]
    if n < 2:
        raise ValueError(f"C_true must be at least 2 x 2 (the theory needs N >= 2 sites), got {C_true.shape}")
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
    if not candidates:  # pragma: no cover - θ ≥ 1 and N θ ≤ 1 need N ≤ 1
        raise ValueError(f"no branch applies for theta = {theta:.3g} and N = {n}")
    c = np.zeros(n)
    c[-1] = n
    c_true_k = np.full(n, (np.trace(C_true) - x) / (n - 1))
    c_true_k[-1] = x
    test = L2Curves(c, 1.0 / n, c_true_k=c_true_k).curves(np.array(candidates))["test"]
    return float(candidates[int(np.argmax(test))])
