"""Smooth ramp and smooth sigmoid (Köhler, Krämer & Noé 2021, Sec. 3).

ρ(u) = exp(α (1 − u^{−β})) for u > 0 and 0 otherwise: ρ(1) = 1 and every derivative of ρ
vanishes at u = 0, so ρ is C∞ on the real line. The smooth sigmoid

    σ(u) = ρ(u) / (ρ(u) + ρ(1 − u)),     u ∈ [0, 1],   σ = 0 below 0 and 1 above 1,

is C∞ and its derivative σ' is a C∞ bump supported on [0, 1]. σ is evaluated through its logit:
σ(u) = sigmoid(a(u)) with a(u) = log ρ(u) − log ρ(1 − u) = α((1 − u)^{−β} − u^{−β}); σ' either as
log σ' (the public functions, the internal-coordinate wall) or in linear space (the mixtures' hot path,
one ``exp`` per element: their identity term keeps F' ≥ c_min > 0, so no log-space sum is needed).

The public functions check their arguments (u finite, α > 0, β > 0); the transformers call the
unchecked forms (leading underscore), whose callers have validated the parameters.

References
----------
J. Köhler, A. Krämer, F. Noé, "Smooth Normalizing Flows", NeurIPS 2021, arXiv:2110.00351.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from statgen.flows._validate import as_float_tensor

__all__ = ["smooth_ramp", "smooth_sigmoid", "smooth_sigmoid_and_log_derivative", "smooth_sigmoid_and_slope",
           "ramp_cutoff"]


def _check_ramp_arguments(u, alpha, beta):
    """(u as a floating tensor, α, β) after checking u finite, α > 0 and β > 0 finite (numbers or tensors)."""
    u = as_float_tensor(u, "u")
    out = []
    for name, v in (("alpha", alpha), ("beta", beta)):
        if isinstance(v, torch.Tensor):
            if not torch.is_floating_point(v):
                raise TypeError(f"{name} must be a floating-point tensor or a number, got dtype {v.dtype}")
            if not bool((torch.isfinite(v) & (v > 0)).all()):
                raise ValueError(f"{name} must be finite and > 0 everywhere, got values in "
                                 f"[{float(v.min()):.4g}, {float(v.max()):.4g}]")
        else:
            if isinstance(v, bool | str) or not isinstance(v, int | float):
                raise TypeError(f"{name} must be a number > 0 or a tensor, got {v!r}")
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be finite and > 0, got {v!r}")
        out.append(v)
    return u, out[0], out[1]


def ramp_cutoff(dtype: torch.dtype) -> float:
    """L such that the ramp is treated as exactly 0 where α u^{−β} > L (e^{−L} is below rounding)."""
    return 60.0 if dtype == torch.float64 else 35.0


def smooth_ramp(u: torch.Tensor, alpha: torch.Tensor | float = 1.0, beta: torch.Tensor | float = 1.0) -> torch.Tensor:
    """ρ(u) = exp(α (1 − u^{−β})) for u > 0, else 0 (dimensionless); α > 0, β > 0."""
    u, alpha, beta = _check_ramp_arguments(u, alpha, beta)
    alpha, beta = _as_tensor(alpha, u), _as_exponent(beta)
    # ρ < e^{−L} (below rounding) where α u^{−β} > L + α
    inside = u * ((ramp_cutoff(u.dtype) + alpha) / alpha) ** (1.0 / beta) > 1.0
    us = torch.where(inside, u, torch.ones_like(u))
    return torch.where(inside, torch.exp(alpha * (1.0 - us ** (-beta))), torch.zeros_like(us))


def _inside(u: torch.Tensor, alpha, beta) -> tuple[torch.Tensor, torch.Tensor]:
    """(mask |a(u)| < L where σ(u) is not yet 0 or 1 to rounding, u with ½ outside the mask): the
    substitution keeps every value and gradient of any order finite."""
    with torch.no_grad():
        delta = 1e-6  # 1 − δ is still < 1 in float32; a(δ) ≪ −L for every α ≥ 1e-3, β ≥ 0.5
        uc = u.clamp(delta, 1.0 - delta)
        a0 = alpha * ((1.0 - uc) ** (-beta) - uc ** (-beta))
        inside = (u > 0.0) & (u < 1.0) & (a0.abs() < ramp_cutoff(u.dtype))
    return inside, torch.where(inside, u, torch.full_like(u, 0.5))


def _logit_and_slope(u: torch.Tensor, alpha, beta) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """a(u) = α((1−u)^{−β} − u^{−β}), log a'(u) = log(αβ (u^{−β−1} + (1−u)^{−β−1})) and the mask
    |a(u)| < L where σ(u) = sigmoid(a) is not yet 0 or 1 to rounding; outside the mask u is replaced
    by ½ so no value or gradient of any order can overflow."""
    inside, us = _inside(u, alpha, beta)
    v = 1.0 - us
    a = alpha * (v ** (-beta) - us ** (-beta))
    log_slope = torch.log(alpha * beta) + torch.log(us ** (-beta - 1.0) + v ** (-beta - 1.0))
    return a, log_slope, inside


def _smooth_sigmoid_and_derivative(u: torch.Tensor, alpha: torch.Tensor | float = 1.0,
                                   beta: torch.Tensor | float = 1.0, *, with_derivative: bool = True
                                   ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """σ(u) and σ'(u) = σ(a)σ(−a) a'(u) in linear space, safe for autograd to every order (the hot path
    of the smooth mixtures: one ``exp`` per element against six for the log-space form).

    With e = exp(−a) and r = 1/(1 + e): σ = r and σ(a)σ(−a) = e r². Inside the mask |a| < L, so e is
    at most e^L (no overflow in float32 or float64); outside it σ is exactly 0 or 1 and σ' = 0.
    ``with_derivative=False`` returns (σ, None): the same σ, bit for bit, without computing σ'."""
    alpha, beta = _as_tensor(alpha, u), _as_exponent(beta)
    inside, us = _inside(u, alpha, beta)
    v = 1.0 - us
    p, q = us ** (-beta), v ** (-beta)
    e = torch.exp(alpha * (p - q))
    r = 1.0 / (1.0 + e)
    sig = torch.where(inside, r, (u >= 0.5).to(u.dtype))
    if not with_derivative:
        return sig, None
    d = torch.where(inside, e * r * r * (alpha * beta) * (p / us + q / v), torch.zeros_like(u))
    return sig, d


def smooth_sigmoid(u: torch.Tensor, alpha: torch.Tensor | float = 1.0, beta: torch.Tensor | float = 1.0) -> torch.Tensor:
    """σ(u) = ρ(u) / (ρ(u) + ρ(1 − u)); 0 for u ≤ 0 and 1 for u ≥ 1 (to machine precision); α > 0, β > 0."""
    u, alpha, beta = _check_ramp_arguments(u, alpha, beta)
    alpha, beta = _as_tensor(alpha, u), _as_exponent(beta)
    a, _, inside = _logit_and_slope(u, alpha, beta)
    return torch.where(inside, torch.sigmoid(a), (u >= 0.5).to(u.dtype))


def smooth_sigmoid_and_log_derivative(u: torch.Tensor, alpha: torch.Tensor | float = 1.0,
                                      beta: torch.Tensor | float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """σ(u) and log σ'(u) = log sigmoid(a) + log sigmoid(−a) + log a'(u), for α > 0, β > 0.

    Where |a(u)| ≥ L (L = :func:`ramp_cutoff`, i.e. near and beyond 0 and 1) σ is set to exactly
    0 or 1 and log σ' to the constant −2L, so values and gradients of every order stay finite.
    The cut changes σ' by less than e^{−L} a', far below the identity term c ≥ 1e-6 of a mixture.
    """
    u, alpha, beta = _check_ramp_arguments(u, alpha, beta)
    return _smooth_sigmoid_and_log_derivative(u, alpha, beta)


def _smooth_sigmoid_and_log_derivative(u: torch.Tensor, alpha: torch.Tensor | float = 1.0,
                                       beta: torch.Tensor | float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`smooth_sigmoid_and_log_derivative` without argument checks (hot path of the transformers
    and of :class:`statgen.md.InternalCoordinates`, whose public callers check)."""
    alpha, beta = _as_tensor(alpha, u), _as_exponent(beta)
    a, log_slope, inside = _logit_and_slope(u, alpha, beta)
    sig = torch.where(inside, torch.sigmoid(a), (u >= 0.5).to(u.dtype))
    log_d = torch.where(inside, F.logsigmoid(a) + F.logsigmoid(-a) + log_slope,
                        torch.full_like(a, -2.0 * ramp_cutoff(u.dtype)))
    return sig, log_d


def smooth_sigmoid_and_slope(u: torch.Tensor, alpha: torch.Tensor | float = 1.0,
                             beta: torch.Tensor | float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """σ(u) and σ'(u) / (αβ) = σ(1 − σ)(u^{−β−1} + (1 − u)^{−β−1}), in linear space and without a graph.

    For root finding, where only values are needed: u is clamped to [δ, 1 − δ] (δ = 1e-6), which
    changes nothing inside the bump and gives σ = 0 or 1 (to rounding) with σ' = 0 outside it, so
    no cut-off mask is needed. Half the operations of :func:`smooth_sigmoid_and_log_derivative`;
    not for autograd (its higher derivatives at the clamp are not safe). Unchecked: the root finder's
    hot loop; its callers (the transformers) have validated α and β.
    """
    beta = _as_exponent(beta)
    uc = u.clamp(1e-6, 1.0 - 1e-6)
    v = 1.0 - uc
    p, q = uc ** (-beta), v ** (-beta)
    a = alpha * (q - p)
    sig = torch.sigmoid(a)
    return sig, sig * torch.sigmoid(-a) * (p / uc + q / v)  # σ(−a), not 1 − σ: exact in the tails


def _as_exponent(v) -> torch.Tensor | float:
    """A number stays a float: powers with a scalar exponent (β = 1, 2) take torch's fast paths."""
    return v if isinstance(v, torch.Tensor) else float(v)


def _as_tensor(v, like: torch.Tensor) -> torch.Tensor:
    return v if isinstance(v, torch.Tensor) else torch.as_tensor(v, dtype=like.dtype, device=like.device)
