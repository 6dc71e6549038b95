"""The penalty convention shared by every Potts estimator (PLM, exact ML, Boltzmann learning).

With M_eff = Σ_m w_m samples (weights normalised to mean 1 when none are given), α = M_eff / L and
the per-site, per-sample log-likelihood ℓ = (1/(M_eff L)) Σ_m w_m log P(s_m), every estimator maximizes

    α ℓ(h, J) − (γ / L) r(J) − (α γ_h / (2L)) Σ_i ||h_i||²,

i.e., dividing by α, it minimizes the per-sample objective

    F = −(1/M_eff) Σ_m w_m log P(s_m) + (γ / α) r(J) + (γ_h / 2) Σ_i ||h_i||²,

    L2:  r(J) = ((q − 1)² / 2) Σ_{i<j} ||J_ij||²_F,
    L1:  r(J) = Σ_{i<j} Σ_{a,b} |J_ij(a, b)|.

For q = 2 the L2 term is (γ/(2L)) Σ_{i<j} ||J_ij||²_F, the Gaussian (γ/4) Tr(J²)/N =
(γ/(2N)) Σ_{i<j} J_ij² with the block norm in place of |J_ij|. (In Ising variables σ = ±1 a
zero-sum q = 2 block has ||J_ij||_F = 2|K_ij|, so γ_Potts = γ_Gauss/4 in both the penalty and the
prediction.) The factor (q − 1)² (the number of gauge-free directions of a coupling matrix) makes the
Bayes-optimal L2 strength for couplings that are isotropic Gaussian in the zero-sum subspace equal
to γ* = 1 / mean_i Σ_j ||J_ij||²_F (:func:`statgen.graphical.potts_predicted_gamma`), the analogue
of 1/Σ_j J_ij²: the prior exp(−γL (q−1)²/2 ||J_ij||²) has E||J_ij||² = 1/(γL) over the (q−1)² free
directions, and Σ_j over the L − 1 ≈ L partners of a dense graph gives 1/γ. Without the factor,
γ_opt would sit near (q−1)²·γ*. An L2 penalty with free fields selects the zero-sum gauge of J by
itself. γ for L1 has the units of 1/J, so 1/Σ J² is not a dimensional prediction there.
(Fanthomme, Rizzato, Cocco & Monasson 2022, J. Stat. Mech., arXiv:2112.01292, Potts part.)

For PLM, log P(s_m) is replaced by the symmetric pseudo-log-likelihood Σ_i log P(s_i | s_−i).

L1 is exact by default (``l1_eps=0``): J = u − v with u, v ≥ 0 turns γ Σ|J| into the linear
γ Σ (u + v), minimized by bound-constrained L-BFGS-B (scipy), which yields exact zeros. With
``l1_eps > 0`` the smooth surrogate |x| ≈ √(x² + ε²) − ε is minimized by torch L-BFGS instead
(stays on the device, but converges slowly for small ε).
"""

from __future__ import annotations

import torch

__all__ = ["PENALTIES", "penalty_scale", "penalty_value_grad"]

PENALTIES = ("l1", "l2")


def penalty_scale(penalty: str, q: int) -> float:
    """c in γ_eff = (γ/α) c, the coefficient of Σ ||J_ij||²/2 (L2: c = (q − 1)²) or Σ |J_ij(a, b)| (L1: c = 1)."""
    return float((q - 1) ** 2) if penalty == "l2" else 1.0


def penalty_value_grad(penalty: str, gamma_eff: float, gamma_h: float, l1_eps: float, h: torch.Tensor,
                       Jp: torch.Tensor, *, smooth_only: bool = False):
    """Value and gradients (w.r.t. h and the pair blocks Jp (P, q, q)) of the per-sample penalty
    (γ_eff/2) Σ ||J||² (L2) or γ_eff Σ |J| (L1; smoothed with ``l1_eps`` > 0), plus (γ_h/2) ||h||².

    ``smooth_only`` drops the exact L1 term (L-BFGS-B handles it through the split J = u − v).
    """
    g = gamma_eff
    if penalty == "l2":
        val, gJ = 0.5 * g * (Jp * Jp).sum(), g * Jp
    elif smooth_only:
        val, gJ = torch.zeros((), device=Jp.device, dtype=Jp.dtype), torch.zeros_like(Jp)
    elif l1_eps == 0:
        val, gJ = g * Jp.abs().sum(), g * torch.sign(Jp)
    else:
        r = torch.sqrt(Jp * Jp + l1_eps**2)
        val, gJ = g * (r - l1_eps).sum(), g * Jp / r
    return val + 0.5 * gamma_h * (h * h).sum(), gamma_h * h, gJ
