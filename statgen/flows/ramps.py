"""Smooth ramp and smooth sigmoid (Köhler, Krämer & Noé 2021, Sec. 3).

ρ(u) = exp(α (1 − u^{−β})) for u > 0 and 0 otherwise: ρ(1) = 1 and every derivative of ρ
vanishes at u = 0, so ρ is C∞ on the real line. The smooth sigmoid

    σ(u) = ρ(u) / (ρ(u) + ρ(1 − u)),     u ∈ [0, 1],   σ = 0 below 0 and 1 above 1,

is C∞ and its derivative σ' is a C∞ bump supported on [0, 1]. Everything is evaluated in
log space: σ(u) = sigmoid(a(u)) with a(u) = log ρ(u) − log ρ(1 − u) = α((1 − u)^{−β} − u^{−β}).

References
----------
J. Köhler, A. Krämer, F. Noé, "Smooth Normalizing Flows", NeurIPS 2021, arXiv:2110.00351.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["smooth_ramp", "smooth_sigmoid", "smooth_sigmoid_and_log_derivative", "ramp_eps"]


def ramp_eps(dtype: torch.dtype) -> float:
    """Distance from 0 and 1 at which the ramp is clamped: exp(−α ε^{−β}) underflows to 0 there."""
    return 1e-12 if dtype == torch.float64 else 1e-6


def smooth_ramp(u: torch.Tensor, alpha: torch.Tensor | float = 1.0, beta: torch.Tensor | float = 1.0) -> torch.Tensor:
    """ρ(u) = exp(α (1 − u^{−β})) for u > 0, else 0 (dimensionless)."""
    eps = ramp_eps(u.dtype)
    uc = u.clamp_min(eps)
    return torch.where(u > eps, torch.exp(alpha * (1.0 - uc ** (-beta))), torch.zeros_like(uc))


def _logit_and_slope(u: torch.Tensor, alpha, beta) -> tuple[torch.Tensor, torch.Tensor]:
    """a(u) = α((1−u)^{−β} − u^{−β}) and log a'(u) = log(αβ (u^{−β−1} + (1−u)^{−β−1})) on the clamped u."""
    eps = ramp_eps(u.dtype)
    uc = u.clamp(eps, 1.0 - eps)
    v = 1.0 - uc
    a = alpha * (v ** (-beta) - uc ** (-beta))
    log_slope = torch.log(alpha * beta) + torch.log(uc ** (-beta - 1.0) + v ** (-beta - 1.0))
    return a, log_slope


def smooth_sigmoid(u: torch.Tensor, alpha: torch.Tensor | float = 1.0, beta: torch.Tensor | float = 1.0) -> torch.Tensor:
    """σ(u) = ρ(u) / (ρ(u) + ρ(1 − u)); 0 for u ≤ 0 and 1 for u ≥ 1 (to machine precision)."""
    alpha, beta = _as_tensor(alpha, u), _as_tensor(beta, u)
    a, _ = _logit_and_slope(u, alpha, beta)
    return torch.sigmoid(a)


def smooth_sigmoid_and_log_derivative(u: torch.Tensor, alpha: torch.Tensor | float = 1.0,
                                      beta: torch.Tensor | float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """σ(u) and log σ'(u) = log sigmoid(a) + log sigmoid(−a) + log a'(u).

    Outside (0, 1) log σ' is a huge negative finite number (σ' underflows to 0), never NaN.
    """
    alpha, beta = _as_tensor(alpha, u), _as_tensor(beta, u)
    a, log_slope = _logit_and_slope(u, alpha, beta)
    return torch.sigmoid(a), F.logsigmoid(a) + F.logsigmoid(-a) + log_slope


def _as_tensor(v, like: torch.Tensor) -> torch.Tensor:
    return v if isinstance(v, torch.Tensor) else torch.as_tensor(v, dtype=like.dtype, device=like.device)
