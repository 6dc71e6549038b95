"""Coupling layers over mixed circle/interval coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from statgen.flows.conditioners import Conditioner
from statgen.flows.transformers import DOMAINS, RQSplineTransformer, SmoothMixtureTransformer

__all__ = ["CouplingLayer", "make_transformer"]


def make_transformer(kind: str, domain: str, dims: int, components: int, **kwargs) -> nn.Module:
    """``kind="smooth"`` → :class:`SmoothMixtureTransformer`, ``"spline"`` → :class:`RQSplineTransformer`."""
    if kind == "smooth":
        return SmoothMixtureTransformer(domain, dims, components, **kwargs)
    if kind == "spline":
        return RQSplineTransformer(domain, dims, components)
    raise ValueError(f"transformer must be 'smooth' or 'spline', got {kind!r}")


class CouplingLayer(nn.Module):
    """z_T = F(x_T; θ(x_C)), z_C = x_C, log|det| = Σ_{i∈T} log F'(x_i).

    Transformed coordinates T are grouped by domain (circles and intervals get their own
    transformer); the conditioner sees the coordinates C through a periodic embedding.
    """

    def __init__(self, domains: Sequence[str], transformed: Sequence[int], conditioning: Sequence[int], *,
                 transformer: str = "smooth", components: int = 8, hidden: Sequence[int] = (64, 64),
                 device=None, dtype=None, **transformer_kwargs):
        super().__init__()
        d = len(domains)
        t, c = [int(i) for i in transformed], [int(i) for i in conditioning]
        if not t:
            raise ValueError("couplings: every layer needs at least one transformed index")
        if any(not 0 <= i < d for i in t + c) or len(set(t)) != len(t) or len(set(c)) != len(c) or set(t) & set(c):
            raise ValueError(f"couplings: indices must be distinct, disjoint and in [0, {d}); got {t} | {c}")
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
        raw = self.conditioner(x[:, self.cond_idx]).split(self.sizes, dim=-1)
        for k, (tr, r) in enumerate(zip(self.transformers, raw)):
            idx = getattr(self, f"idx{k}")
            yield tr, idx, r.reshape(x.shape[0], idx.numel(), tr.params_per_dim)

    def _transform(self, x, inverse: bool):
        out, logdet = x, x.new_zeros(x.shape[0])
        for tr, idx, raw in self._groups(x):
            y, ld = (tr.inverse if inverse else tr.forward)(x[:, idx], raw)
            out = out.index_copy(1, idx, y)
            logdet = logdet + ld.sum(-1)
        return out, logdet

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x → (z, log|det ∂z/∂x|), analytic."""
        return self._transform(x, inverse=False)

    def inverse(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z → (x, log|det ∂x/∂z|) by root finding (smooth) or analytically (spline)."""
        return self._transform(z, inverse=True)
