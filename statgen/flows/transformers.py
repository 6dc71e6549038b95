"""Elementwise transformers on [0, 1]: smooth mixtures (C∞) and rational-quadratic splines (C¹).

A transformer maps each coordinate x ∈ [0, 1] of a batch through a strictly increasing
bijection F(x; θ) of [0, 1] with per-element parameters θ produced by a conditioner. For a
circle coordinate F(0) = 0, F(1) = 1 and the lift satisfies F(x + 1) = F(x) + 1 (the map is a
diffeomorphism of the circle fixing 0). Every transformer offers

    forward(x, raw) -> (y, log F'(x))        inverse(y, raw) -> (x, −log F'(x))

with ``raw`` of shape x.shape + (params_per_dim,) (the conditioner output).

References
----------
J. Köhler, A. Krämer, F. Noé, "Smooth Normalizing Flows", NeurIPS 2021, arXiv:2110.00351.
C. Durkan, A. Bekasov, I. Murray, G. Papamakarios, "Neural Spline Flows", NeurIPS 2019, arXiv:1906.04032.
D. J. Rezende et al., "Normalizing Flows on Tori and Spheres", ICML 2020, arXiv:2002.02428 (circular splines).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from statgen._checks import check_choice, check_int, check_positive
from statgen.flows._validate import as_float_tensor, check_pair
from statgen.flows.inverse import implicit_inverse, solve_monotone
from statgen.flows.ramps import _smooth_sigmoid_and_derivative, smooth_sigmoid_and_slope

__all__ = ["DOMAINS", "Transformer", "SmoothMixtureTransformer", "RQSplineTransformer",
           "evaluate_smooth_circle", "evaluate_smooth_interval", "evaluate_rq_spline"]

DOMAINS = ("circle", "interval")


def _check_domain(domain: str, name: str = "domain") -> str:
    return check_choice(domain, name, DOMAINS)


def _check_finite(t: torch.Tensor, name: str) -> None:
    as_float_tensor(t, name, convert=False)


def _check_unit(t: torch.Tensor, name: str) -> None:
    if t.numel() and (bool((t < 0).any()) or bool((t > 1).any())):
        raise ValueError(f"{name} must lie in [0, 1], found values in [{float(t.min()):.6g}, {float(t.max()):.6g}]")


def _check_params(x: torch.Tensor, params, names) -> None:
    """Every parameter finite with shape x.shape + (K,), one K for all (the public evaluate functions)."""
    _check_finite(x, "x")
    k = None
    for name, p in zip(names, params, strict=True):
        _check_finite(p, name)
        if p.ndim != x.ndim + 1 or p.shape[:-1] != x.shape:
            raise ValueError(f"{name} must have shape x.shape + (K,) = {tuple(x.shape)} + (K,), got {tuple(p.shape)}")
        if k is None:
            k = p.shape[-1]
        elif p.shape[-1] != k:
            raise ValueError(f"{name} has {p.shape[-1]} components, {names[0]} has {k}: every parameter needs the same K")


def _check_beta(beta) -> None:
    b = beta if isinstance(beta, torch.Tensor) else torch.as_tensor(float(beta))
    if not bool((torch.isfinite(b) & (b > 0)).all()):
        raise ValueError(f"beta must be finite and > 0, got {beta!r}")


def _mix(xe, log_w, c, f, df):
    """Identity-mixed mixture: F = Σ_k w_k((1 − c_k) f_k + c_k x), log F' = log Σ_k w_k((1 − c_k) f_k' + c_k).
    In linear space: F' ≥ Σ_k w_k c_k ≥ c_min > 0, so the log is always finite."""
    w = log_w.exp()
    y = (w * ((1.0 - c) * f + c * xe)).sum(-1)
    return y, torch.log((w * ((1.0 - c) * df + c)).sum(-1))


def evaluate_smooth_circle(x, log_w, mu_shift, s, alpha, c, lift0, beta=1.0):
    """Circle mixture F(x) = Σ_k w_k((1 − c_k) f_k(x) + c_k x) and log F'(x); component k:
    f_k(x) = H_k(x) − H_k(0) with the lifted CDF H(x) = σ(s ((x − μ') mod 1)) + ⌊x − μ'⌋ and
    μ' = (μ − 1/(2s)) mod 1 (the start of the bump).

    Since the bump σ'(s t) is supported on t ∈ [0, 1/s] ⊂ [0, 1] (s ≥ 1), H is C∞ on the real
    line, H(x + 1) = H(x) + 1, so f(0) = 0, f(1) = 1 and the map is smooth across the wrap.
    ``lift0`` = H(0). Shapes: x (*S), parameters (*S, K); beta a float or (*S, 1).
    Requires s ≥ 1, α > 0, c ∈ (0, 1), β > 0, everything finite (checked; the transformers call
    the unchecked form).
    """
    _check_params(x, (log_w, mu_shift, s, alpha, c, lift0), ("log_w", "mu_shift", "s", "alpha", "c", "lift0"))
    _check_mixture(s, alpha, c, beta, s_min=1.0)
    return _evaluate_smooth_circle(x, log_w, mu_shift, s, alpha, c, lift0, beta)


def _check_mixture(s, alpha, c, beta, *, s_min: float) -> None:
    if not bool((s >= s_min).all()):
        raise ValueError(f"s must be >= {s_min}, got a minimum of {float(s.min()):.6g}")
    if not bool((alpha > 0).all()):
        raise ValueError(f"alpha must be > 0, got a minimum of {float(alpha.min()):.6g}")
    if not bool(((c > 0) & (c < 1)).all()):
        raise ValueError(f"c must lie in (0, 1), got values in [{float(c.min()):.6g}, {float(c.max()):.6g}]")
    _check_beta(beta)


def _evaluate_smooth_circle(x, log_w, mu_shift, s, alpha, c, lift0, beta=1.0):
    """:func:`evaluate_smooth_circle` without checks (transformer hot path)."""
    xe = x.unsqueeze(-1)
    d = xe - mu_shift
    sig, dsig = _smooth_sigmoid_and_derivative(s * torch.remainder(d, 1.0), alpha, beta)
    f = sig + torch.floor(d) - lift0
    return _mix(xe, log_w, c, f, s * dsig)


def evaluate_smooth_interval(x, log_w, mu, s, alpha, c, g0, log_norm, beta=1.0):
    """Interval mixture F(x) = Σ_k w_k((1 − c_k) f_k(x) + c_k x) and log F'(x); component k:
    f_k(x) = (g(x) − g(0)) / (g(1) − g(0)), g(x) = σ(s (x − μ) + ½).

    g is C∞ on the real line, so the transformation extends smoothly beyond both interval ends.
    ``log_norm`` = log(g(1) − g(0)). Shapes: x (*S), parameters (*S, K); beta a float or (*S, 1).
    Requires s > 0, α > 0, c ∈ (0, 1), β > 0, everything finite (checked; the transformers call
    the unchecked form).
    """
    _check_params(x, (log_w, mu, s, alpha, c, g0, log_norm), ("log_w", "mu", "s", "alpha", "c", "g0", "log_norm"))
    if not bool((s > 0).all()):
        raise ValueError(f"s must be > 0, got a minimum of {float(s.min()):.6g}")
    _check_mixture(s, alpha, c, beta, s_min=0.0)
    return _evaluate_smooth_interval(x, log_w, mu, s, alpha, c, g0, log_norm, beta)


def _evaluate_smooth_interval(x, log_w, mu, s, alpha, c, g0, log_norm, beta=1.0):
    """:func:`evaluate_smooth_interval` without checks (transformer hot path)."""
    xe = x.unsqueeze(-1)
    sig, dsig = _smooth_sigmoid_and_derivative(s * (xe - mu) + 0.5, alpha, beta)
    inv_norm = torch.exp(-log_norm)
    return _mix(xe, log_w, c, (sig - g0) * inv_norm, s * dsig * inv_norm)


def _root_mix(f, slope, x, a, b, c, d):
    """F = Σ_k a_k f_k + c x − d and log F' = log(Σ_k b_k slope_k + c): the mixture with its
    per-element constants folded in once per solve (see :meth:`SmoothMixtureTransformer.root_problem`)."""
    c = c.squeeze(-1)
    return (a * f).sum(-1) + c * x - d.squeeze(-1), torch.log((b * slope).sum(-1) + c)


def _root_circle(x, mu_shift, s, alpha, a, b, c, d, beta=1.0):
    dx = x.unsqueeze(-1) - mu_shift
    sig, slope = smooth_sigmoid_and_slope(s * torch.remainder(dx, 1.0), alpha, beta)
    return _root_mix(sig + torch.floor(dx), slope, x, a, b, c, d)


def _root_interval(x, s, offset, alpha, a, b, c, d, beta=1.0):
    sig, slope = smooth_sigmoid_and_slope(s * x.unsqueeze(-1) + offset, alpha, beta)
    return _root_mix(sig, slope, x, a, b, c, d)


def _rebind_beta(module, _incompatible_keys) -> None:
    module._bind_beta()  # a module-level function, not a lambda: the module stays picklable


class Transformer(nn.Module):
    """Base class: ``dims`` coordinates of one domain, ``params_per_dim`` conditioner outputs each.

    ``forward(x, raw)`` and ``inverse(y, raw)`` check their arguments (shapes, finiteness, y in
    [0, 1]) and call ``_forward`` / ``_inverse``, the unchecked forms the coupling layers use.
    """

    domain: str
    dims: int
    params_per_dim: int

    def _check_call(self, x: torch.Tensor, raw: torch.Tensor, name: str) -> None:
        _check_finite(x, name)
        _check_finite(raw, "raw")
        if x.ndim < 1 or x.shape[-1] != self.dims:
            raise ValueError(f"{name} must have shape (..., dims={self.dims}), got {tuple(x.shape)}")
        if raw.shape != (*x.shape, self.params_per_dim):
            raise ValueError(f"raw must have shape {name}.shape + (params_per_dim,) = {tuple(x.shape)} + "
                             f"({self.params_per_dim},), got {tuple(raw.shape)}")

    def forward(self, x: torch.Tensor, raw: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(F(x), log F'(x)) elementwise, x (*S, dims) finite, raw (*S, dims, params_per_dim)."""
        self._check_call(x, raw, "x")
        return self._forward(x, raw)

    def inverse(self, y: torch.Tensor, raw: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(F⁻¹(y), −log F'(F⁻¹(y))) elementwise, y (*S, dims) in [0, 1]."""
        self._check_call(y, raw, "y")
        _check_unit(y, "y")
        return self._inverse(y, raw)

    def _forward(self, x, raw):
        raise NotImplementedError

    def _inverse(self, y, raw):
        raise NotImplementedError

    def _check_raw(self, raw: torch.Tensor) -> None:
        if raw.shape[-1] != self.params_per_dim:
            raise ValueError(f"raw must have last dimension params_per_dim={self.params_per_dim}, "
                             f"got shape {tuple(raw.shape)}")


class SmoothMixtureTransformer(Transformer):
    """C∞ mixture of smooth-sigmoid components with identity mixing.

    F(x) = Σ_k w_k [(1 − c_k) f_k(x) + c_k x],  w = softmax,  μ_k = bin centres of cumsum(softmax),
    s_k = s_min + softplus(·) (s_min = 1 keeps circle bumps inside one period), α_k ∈ [α_min, α_max]
    by a sigmoid (α ≥ 2 keeps the bump σ' unimodal for every β ∈ [0.5, 2]), c_k ∈ [c_min, 1).
    Every dimension and every batch element has its own parameters (5K conditioner outputs per
    dimension: weight, centre, log-scale, α, c). The ramp exponent β is one number per dimension,
    fixed or trainable in [0.5, 2]. The scale s is learned for circles too.

    Parameters
    ----------
    domain : "circle" or "interval".
    dims : number of coordinates transformed.
    components : K, mixture components per coordinate.
    beta : fixed ramp exponent (float > 0) or "trainable" (β = 0.5 + 1.5 sigmoid(b), b learned).
    tol, max_iter : root-finding tolerance on x (None: 1e-6 float32 / 1e-10 float64) and cap.
    """

    def __init__(self, domain: str, dims: int, components: int = 8, *, beta: float | str = 1.0,
                 c_min: float = 1e-6, alpha_range: tuple[float, float] = (2.0, 10.0), s_min: float = 1.0,
                 tol: float | None = None, max_iter: int = 100):
        super().__init__()
        self.domain = _check_domain(domain)
        self.dims = check_int(dims, "dims", minimum=1)
        self.components = check_int(components, "components", minimum=1)
        s_min = check_positive(s_min, "s_min")
        if s_min < 1.0 and domain == "circle":
            raise ValueError(f"s_min must be >= 1 for circle components, got {s_min}")
        c_min = check_positive(c_min, "c_min")
        if c_min >= 1.0:
            raise ValueError(f"c_min must lie in (0, 1), got {c_min!r}")
        alpha_range = check_pair(alpha_range, "alpha_range", positive=True, allow_equal=True)
        self.params_per_dim = 5 * self.components
        self.c_min, self.alpha_range, self.s_min = c_min, alpha_range, s_min
        self.tol = None if tol is None else check_positive(tol, "tol")
        self.max_iter = check_int(max_iter, "max_iter", minimum=1)
        if isinstance(beta, str):
            check_choice(beta, "beta", ["trainable"])
            self.beta_raw = nn.Parameter(torch.zeros(self.dims))
            self.trainable_beta = True
        else:
            b = check_positive(beta, "beta")
            self.register_buffer("beta_fixed", torch.full((self.dims,), b))
            self.trainable_beta = False
            self.register_load_state_dict_post_hook(_rebind_beta)
        self._bind_beta()

    def _bind_beta(self) -> None:
        """Bind a fixed β into the evaluate functions as a Python float (u ** −1.0 is a reciprocal,
        u ** tensor an exp(log) per element); rebound when a state dict brings its own β."""
        self.fixed_beta: float | None = None
        fixed = {}
        if not self.trainable_beta:
            b = self.beta_fixed.detach().cpu()
            if not bool((b == b[0]).all()) or not float(b[0]) > 0:
                raise ValueError(f"beta_fixed must be one positive value for every dimension, got {b.tolist()}")
            self.fixed_beta = float(b[0])
            fixed = {"beta": self.fixed_beta}
        circle = self.domain == "circle"
        self._evaluate = functools.partial(_evaluate_smooth_circle if circle else _evaluate_smooth_interval, **fixed)
        self._root_evaluate = functools.partial(_root_circle if circle else _root_interval, **fixed)

    def beta(self) -> torch.Tensor:
        """β per dimension, shape (dims,)."""
        if self.trainable_beta:
            return 0.5 + 1.5 * torch.sigmoid(self.beta_raw)
        return self.beta_fixed

    def prepare(self, raw: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Conditioner output (*S, dims, 5K) -> the parameter tensors of the evaluate function
        (β last, as (*S, 1), only when it is trainable)."""
        self._check_raw(raw)
        w_raw, m_raw, s_raw, a_raw, c_raw = raw.unflatten(-1, (5, self.components)).unbind(-2)
        log_w = torch.log_softmax(w_raw, dim=-1)
        p = torch.softmax(m_raw, dim=-1)
        mu = torch.cumsum(p, dim=-1) - 0.5 * p
        s = self.s_min + F.softplus(s_raw)
        lo, hi = self.alpha_range
        alpha = lo + (hi - lo) * torch.sigmoid(a_raw)
        c = self.c_min + (1.0 - self.c_min) * torch.sigmoid(c_raw)
        c = c.clamp_max(1.0 - torch.finfo(raw.dtype).eps)
        beta, extra = self._beta_argument(raw)
        if self.domain == "circle":
            mu_shift = torch.remainder(mu - 0.5 / s, 1.0)
            sig0, _ = _smooth_sigmoid_and_derivative(s * torch.remainder(-mu_shift, 1.0), alpha, beta,
                                                    with_derivative=False)
            lift0 = sig0 + torch.floor(-mu_shift)
            return log_w, mu_shift, s, alpha, c, lift0, *extra
        g0, _ = _smooth_sigmoid_and_derivative(0.5 - s * mu, alpha, beta, with_derivative=False)
        g1, _ = _smooth_sigmoid_and_derivative(s * (1.0 - mu) + 0.5, alpha, beta, with_derivative=False)
        return log_w, mu, s, alpha, c, g0, torch.log(g1 - g0), *extra

    def _beta_argument(self, raw):
        """(β for the ramp, extra trailing parameters): a trainable β is a parameter tensor (*S, 1)."""
        if self.trainable_beta:
            beta = self.beta().to(raw.dtype).unsqueeze(-1).expand(*raw.shape[:-1], 1)
            return beta, (beta,)
        return self.fixed_beta, ()

    def evaluate(self, x: torch.Tensor, *params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(F(x), log F'(x)) for prepared parameters; x may lie outside [0, 1] (smooth extension)."""
        return self._evaluate(x, *params)

    @torch.no_grad()
    def root_problem(self, params: tuple[torch.Tensor, ...]) -> tuple[Callable, tuple[torch.Tensor, ...]]:
        """(evaluate, parameters) of the graph-free evaluation that :meth:`solve` iterates on.

        Same F and F' as :meth:`evaluate`, but clamped instead of masked (no graph) and with the
        mixture constants folded once per solve: a_k = w_k(1 − c_k)/n_k (n_k the interval normalisation, 1 on
        circles), b_k = a_k s_k α_k β, c = Σ_k w_k c_k, d = Σ_k a_k H_k(0) (H_k(0) the lift or
        g(0)), so F = Σ_k a_k σ(u_k) (+ lift) + c x − d and F' = Σ_k b_k σ'(u_k)/(α_k β) + c:
        about half the operations per iteration.
        """
        if self.trainable_beta:
            *params, beta = params
            extra: tuple[torch.Tensor, ...] = (beta,)
        else:
            beta, extra = self.fixed_beta, ()
        if self.domain == "circle":
            log_w, mu_shift, s, alpha, c, lift0 = params
            w = log_w.exp()
            a, zero_offset, first = w * (1.0 - c), lift0, (mu_shift, s)
        else:
            log_w, mu, s, alpha, c, g0, log_norm = params
            w = log_w.exp()
            a, zero_offset, first = w * (1.0 - c) * torch.exp(-log_norm), g0, (s, 0.5 - s * mu)  # u = s x + ½ − s μ
        return self._root_evaluate, (*first, alpha, a, a * s * alpha * beta, (w * c).sum(-1, keepdim=True),
                                     (a * zero_offset).sum(-1, keepdim=True), *extra)

    def solve(self, y: torch.Tensor, params: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, int]:
        """(x, iterations) with F(x; θ) = y for prepared parameters, no graph: :func:`solve_monotone`
        on :meth:`root_problem`, at this transformer's ``tol`` and ``max_iter``."""
        evaluate, root_params = self.root_problem(params)
        return solve_monotone(evaluate, y, root_params, tol=self.tol, max_iter=self.max_iter)

    def _forward(self, x, raw):
        return self._evaluate(x, *self.prepare(raw))

    def _inverse(self, y, raw):
        params = self.prepare(raw)
        x = implicit_inverse(self._evaluate, y, params, tol=self.tol, max_iter=self.max_iter, solver=self.solve)
        _, log_d = self._evaluate(x, *params)
        return x, -log_d


def evaluate_rq_spline(x, xk, yk, dk, *, inverse: bool = False):
    """Monotone rational-quadratic spline (Durkan et al. 2019, eq. 4) on [0, 1].

    Knots (xk, yk) of shape (*S, K+1), strictly increasing, with xk[0] = yk[0] = 0,
    xk[K] = yk[K] = 1, derivatives dk > 0 at the knots; x (*S) in [0, 1] (all checked). Within
    bin b, ξ = (x − x_b)/w_b, s_b = h_b/w_b:
    y = y_b + h_b (s_b ξ² + d_b ξ(1−ξ)) / (s_b + (d_{b+1} + d_b − 2 s_b) ξ(1−ξ)).
    Returns (y, log dy/dx) or, with ``inverse=True``, (x, −log dy/dx at x) by the quadratic formula
    (then x is the target y ∈ [0, 1]). C¹ at the knots: the second derivative jumps there.
    """
    _check_finite(x, "x")
    for name, t in (("xk", xk), ("yk", yk), ("dk", dk)):
        _check_finite(t, name)
        if t.shape != xk.shape:
            raise ValueError(f"{name} must have the shape of xk {tuple(xk.shape)}, got {tuple(t.shape)}")
    if xk.ndim != x.ndim + 1 or xk.shape[:-1] != x.shape or xk.shape[-1] < 2:
        raise ValueError(f"x must have shape xk.shape[:-1] = {tuple(xk.shape[:-1])} (knots (*S, K+1), K >= 1), "
                         f"got {tuple(x.shape)}")
    for name, t in (("xk", xk), ("yk", yk)):
        if not bool((t[..., 1:] > t[..., :-1]).all()):
            raise ValueError(f"{name} must be strictly increasing along the last dimension (monotone knots)")
        eps = 64 * torch.finfo(t.dtype).eps  # knots rescaled from another interval end within rounding of 0, 1
        if not (bool((t[..., 0].abs() <= eps).all()) and bool(((t[..., -1] - 1).abs() <= eps).all())):
            raise ValueError(f"{name} must run from 0 to 1 (first knot 0, last knot 1)")
    if not bool((dk > 0).all()):
        raise ValueError(f"dk must be > 0 (derivatives at the knots), got a minimum of {float(dk.min()):.6g}")
    _check_unit(x, "x")
    return _evaluate_rq_spline(x, xk, yk, dk, inverse=inverse)


def _evaluate_rq_spline(x, xk, yk, dk, *, inverse: bool = False):
    """:func:`evaluate_rq_spline` without checks (transformer hot path)."""
    knots = yk if inverse else xk
    b = (torch.searchsorted(knots.contiguous(), x.unsqueeze(-1).contiguous()) - 1).clamp(0, knots.shape[-1] - 2)

    def take(t, off=0):
        return torch.gather(t, -1, b + off).squeeze(-1)

    x0, x1, y0, y1 = take(xk), take(xk, 1), take(yk), take(yk, 1)
    d0, d1 = take(dk), take(dk, 1)
    w, h = x1 - x0, y1 - y0
    s = h / w
    if inverse:
        dy = x - y0
        a = h * (s - d0) + dy * (d1 + d0 - 2 * s)
        bq = h * d0 - dy * (d1 + d0 - 2 * s)
        cq = -s * dy
        disc = (bq * bq - 4 * a * cq).clamp_min(0.0)
        xi = (2 * cq / (-bq - torch.sqrt(disc))).clamp(0.0, 1.0)
        out = x0 + xi * w
    else:
        xi = ((x - x0) / w).clamp(0.0, 1.0)
    t = xi * (1 - xi)
    den = s + (d1 + d0 - 2 * s) * t
    log_d = 2 * torch.log(s) + torch.log(d1 * xi * xi + 2 * s * t + d0 * (1 - xi) ** 2) - 2 * torch.log(den)
    if inverse:
        return out, -log_d
    return y0 + h * (s * xi * xi + d0 * t) / den, log_d


class RQSplineTransformer(Transformer):
    """C¹ rational-quadratic spline baseline (circular when ``domain="circle"``).

    K bins with widths/heights from a softmax (floored at ``min_bin``), knot derivatives
    ``min_derivative + softplus``; on the circle the derivative at 0 equals the one at 1, so the
    lifted map is C¹ across the wrap (Rezende et al. 2020) but its second derivative jumps there
    and at every knot. 3K + 1 conditioner outputs per dimension. The inverse is analytic.
    """

    def __init__(self, domain: str, dims: int, bins: int = 8, *, min_bin: float = 1e-3,
                 min_derivative: float = 1e-3):
        super().__init__()
        from statgen._checks import check_nonnegative

        self.domain = _check_domain(domain)
        self.dims = check_int(dims, "dims", minimum=1)
        self.bins = check_int(bins, "bins", minimum=1)
        self.min_bin = check_nonnegative(min_bin, "min_bin")
        if self.min_bin * self.bins >= 1.0:
            raise ValueError(f"min_bin * bins must be < 1 (the bins must fit in [0, 1]), got {min_bin} * {bins}")
        self.min_derivative = check_nonnegative(min_derivative, "min_derivative")
        if self.min_derivative >= 1.0:
            raise ValueError(f"min_derivative must lie in [0, 1) (raw 0 gives derivative 1), got {min_derivative!r}")
        self.params_per_dim = 3 * self.bins + 1

    def prepare(self, raw):
        """Conditioner output (*S, dims, 3K + 1) -> knots xk, yk (*S, dims, K + 1) and derivatives dk."""
        self._check_raw(raw)
        K = self.bins
        w_raw, h_raw, d_raw = raw[..., :K], raw[..., K:2 * K], raw[..., 2 * K:]
        # softplus(d) with raw 0 gives derivative 1 after the shift below (identity at init)
        shift = math.log(math.expm1(1.0 - self.min_derivative))
        d = self.min_derivative + F.softplus(d_raw + shift)
        if self.domain == "circle":
            d = torch.cat([d[..., :K], d[..., :1]], dim=-1)
        return self._knots(w_raw), self._knots(h_raw), d

    def _knots(self, r):
        p = self.min_bin + (1 - self.min_bin * self.bins) * torch.softmax(r, dim=-1)
        k = torch.cumsum(p, dim=-1)
        k = torch.cat([torch.zeros_like(k[..., :1]), k], dim=-1)
        return torch.cat([k[..., :-1], torch.ones_like(k[..., :1])], dim=-1)

    def forward(self, x, raw):
        """(y, log dy/dx), x (*S, dims) in [0, 1]."""
        self._check_call(x, raw, "x")
        _check_unit(x, "x")
        return self._forward(x, raw)

    def _forward(self, x, raw):
        return _evaluate_rq_spline(x, *self.prepare(raw))

    def _inverse(self, y, raw):
        return _evaluate_rq_spline(y, *self.prepare(raw), inverse=True)
