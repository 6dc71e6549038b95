"""Coupling layers over mixed circle/interval coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from statgen._checks import check_choice, check_int
from statgen.flows.conditioners import Conditioner, check_domains
from statgen.flows.transformers import DOMAINS, RQSplineTransformer, SmoothMixtureTransformer

__all__ = ["CouplingLayer", "make_transformer", "TRANSFORMERS"]

TRANSFORMERS = ("smooth", "spline")


def make_transformer(kind: str, domain: str, dims: int, components: int, **kwargs) -> nn.Module:
    """``kind="smooth"`` → :class:`SmoothMixtureTransformer`, ``"spline"`` → :class:`RQSplineTransformer`."""
    check_choice(kind, "transformer", TRANSFORMERS)
    if kind == "smooth":
        return SmoothMixtureTransformer(domain, dims, components, **kwargs)
    return RQSplineTransformer(domain, dims, components)


def _indices(values, name: str, d: int) -> list[int]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of coordinate indices, got {values!r}")
    out = [check_int(i, f"{name}[{k}]", minimum=0, maximum=d - 1) for k, i in enumerate(values)]
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat an index, got {out}")
    return out


class CouplingLayer(nn.Module):
    """z_T = F(x_T; θ(x_C)), z_C = x_C, log|det| = Σ_{i∈T} log F'(x_i).

    Transformed coordinates T are grouped by domain (circles and intervals get their own
    transformer); the conditioner sees the coordinates C through a periodic embedding.
    ``forward``/``inverse`` check their input; :class:`~statgen.flows.SmoothFlow` calls the
    unchecked ``_transform``.
    """

    def __init__(self, domains: Sequence[str], transformed: Sequence[int], conditioning: Sequence[int], *,
                 transformer: str = "smooth", components: int = 8, hidden: Sequence[int] = (64, 64),
                 device=None, dtype=None, **transformer_kwargs):
        super().__init__()
        domains = check_domains(domains)
        check_choice(transformer, "transformer", TRANSFORMERS)
        components = check_int(components, "components", minimum=1)
        d = len(domains)
        self.dim = d
        t = _indices(transformed, "transformed", d)
        c = _indices(conditioning, "conditioning", d)
        if not t:
            raise ValueError("transformed must name at least one coordinate (every coupling layer transforms something)")
        if set(t) & set(c):
            raise ValueError(f"conditioning must be disjoint from transformed, both contain {sorted(set(t) & set(c))}")
        self.register_buffer("cond_idx", torch.tensor(c, dtype=torch.long, device=device), persistent=False)
        self.transformers = nn.ModuleList()
        idx, sizes = [], []
        for dom in DOMAINS:
            members = [i for i in t if domains[i] == dom]
            if members:
                tr = make_transformer(transformer, dom, len(members), components, **transformer_kwargs)
                self.transformers.append(tr.to(device=device))
                idx.append(torch.tensor(members, dtype=torch.long, device=device))
                sizes.append(len(members) * tr.params_per_dim)
        for k, i in enumerate(idx):
            self.register_buffer(f"idx{k}", i, persistent=False)
        self.sizes = sizes
        self.conditioner = Conditioner([domains[i] for i in c], sum(sizes), hidden, device=device, dtype=dtype)

    def _groups(self, x):
        raw = self.conditioner._forward(x[:, self.cond_idx]).split(self.sizes, dim=-1)
        for k, (tr, r) in enumerate(zip(self.transformers, raw, strict=True)):
            idx = getattr(self, f"idx{k}")
            yield tr, idx, r.reshape(x.shape[0], idx.numel(), tr.params_per_dim)

    def _transform(self, x, inverse: bool):
        out, logdet = x, x.new_zeros(x.shape[0])
        for tr, idx, raw in self._groups(x):
            y, ld = (tr._inverse if inverse else tr._forward)(x[:, idx], raw)
            out = out.index_copy(1, idx, y)
            logdet = logdet + ld.sum(-1)
        return out, logdet

    def _check(self, x, name: str, unit: bool) -> None:
        if not isinstance(x, torch.Tensor) or not torch.is_floating_point(x) or x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"{name} must be a floating-point tensor of shape (n, {self.dim}), got "
                             f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"{name} contains NaN or infinite values")
        if unit and x.numel() and (bool((x < 0).any()) or bool((x > 1).any())):
            raise ValueError(f"{name} must lie in [0, 1]^{self.dim}, found values in "
                             f"[{float(x.min()):.6g}, {float(x.max()):.6g}]")

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (n, d) → (z, log|det ∂z/∂x|), analytic."""
        self._check(x, "x", unit=False)
        return self._transform(x, inverse=False)

    def inverse(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z (n, d) in [0, 1]^d → (x, log|det ∂x/∂z|) by root finding (smooth) or analytically (spline)."""
        self._check(z, "z", unit=True)
        return self._transform(z, inverse=True)
