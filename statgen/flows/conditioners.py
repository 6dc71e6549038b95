"""Conditioner networks: dense nets on a periodic embedding of the conditioning coordinates."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn as nn

from statgen._checks import check_choice, check_int
from statgen.flows.transformers import DOMAINS

__all__ = ["embed", "Conditioner", "check_hidden", "check_domains"]


def check_domains(domains, name: str = "domains", *, allow_empty: bool = False) -> tuple[str, ...]:
    """``domains`` as a tuple after checking it is a sequence (not a string) of "circle" | "interval"."""
    if isinstance(domains, str) or not isinstance(domains, Sequence):
        raise ValueError(f"{name} must be a sequence of {DOMAINS} (one per coordinate), got {domains!r}")
    if not allow_empty and not len(domains):
        raise ValueError(f"{name} must be a non-empty sequence of {DOMAINS}, got {domains!r}")
    return tuple(check_choice(d, f"{name}[{i}]", DOMAINS) for i, d in enumerate(domains))


def check_hidden(hidden, name: str = "hidden") -> tuple[int, ...]:
    """Hidden layer sizes as a tuple of integers >= 1 (an empty tuple: no hidden layer)."""
    if isinstance(hidden, str) or not isinstance(hidden, Sequence):
        raise TypeError(f"{name} must be a sequence of layer sizes (e.g. (64, 64)), got {hidden!r}")
    return tuple(check_int(h, f"{name}[{i}]", minimum=1) for i, h in enumerate(hidden))


def embed(x: torch.Tensor, periodic: torch.Tensor) -> torch.Tensor:
    """Feature map of coordinates in [0, 1]: (cos 2πx, sin 2πx) for circles, 2x − 1 for intervals.

    x: (n, m) finite; periodic: bool (m,). Returns (n, 2·#circles + #intervals); smooth and periodic
    in every circular input, so the flow is smooth across the wrap.
    """
    if not isinstance(x, torch.Tensor) or not torch.is_floating_point(x) or x.ndim != 2:
        raise ValueError(f"x must be a floating-point tensor of shape (n, m), got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    if not isinstance(periodic, torch.Tensor) or periodic.dtype != torch.bool or periodic.shape != (x.shape[1],):
        raise ValueError(f"periodic must be a bool tensor of shape ({x.shape[1]},) (one flag per column of x), got "
                         f"{tuple(periodic.shape) if isinstance(periodic, torch.Tensor) else type(periodic).__name__}"
                         + (f" of dtype {periodic.dtype}" if isinstance(periodic, torch.Tensor) else ""))
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x contains NaN or infinite values")
    return _embed(x, periodic)


def _embed(x: torch.Tensor, periodic: torch.Tensor) -> torch.Tensor:
    """:func:`embed` without checks."""
    idx = torch.arange(x.shape[1], device=x.device)
    return _embed_indexed(x, idx[periodic], idx[~periodic])


def _embed_indexed(x: torch.Tensor, circles: torch.Tensor, intervals: torch.Tensor) -> torch.Tensor:
    """:func:`embed` with the circle and interval columns given as index tensors (the conditioners'
    hot path: no boolean masking, so no data-dependent shapes, ``nonzero`` or host synchronisation)."""
    xc = x.index_select(1, circles) * (2 * math.pi)
    return torch.cat([torch.cos(xc), torch.sin(xc), 2.0 * x.index_select(1, intervals) - 1.0], dim=-1)


class Conditioner(nn.Module):
    """Dense net (SiLU) from the embedded conditioning coordinates to transformer parameters.

    The last layer starts at zero, so every element starts from the same (default) transformer.
    With no conditioning coordinates the output is a learned constant. ``forward`` checks its
    input; the coupling layers call the unchecked ``_forward``.
    """

    def __init__(self, domains_in: Sequence[str], out_features: int, hidden: Sequence[int] = (64, 64),
                 *, device=None, dtype=None):
        super().__init__()
        domains_in = check_domains(domains_in, "domains_in", allow_empty=True)
        periodic = torch.tensor([d == "circle" for d in domains_in], dtype=torch.bool)
        self.register_buffer("periodic", periodic, persistent=False)
        self.register_buffer("circle_idx", torch.nonzero(periodic).flatten(), persistent=False)
        self.register_buffer("interval_idx", torch.nonzero(~periodic).flatten(), persistent=False)
        self.n_in = len(domains_in)
        n_in = int(2 * periodic.sum() + (~periodic).sum())
        self.out_features = check_int(out_features, "out_features", minimum=1)
        hidden = check_hidden(hidden)
        if n_in == 0:
            self.net = None
            self.bias = nn.Parameter(torch.zeros(self.out_features, device=device, dtype=dtype))
            return
        sizes = [n_in, *hidden]
        mods: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            mods += [nn.Linear(a, b, device=device, dtype=dtype), nn.SiLU()]
        last = nn.Linear(sizes[-1], self.out_features, device=device, dtype=dtype)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.net = nn.Sequential(*mods, last)

    def forward(self, x_cond: torch.Tensor) -> torch.Tensor:
        """Transformer parameters (n, out_features) for conditioning coordinates x_cond (n, len(domains_in))."""
        if not isinstance(x_cond, torch.Tensor) or x_cond.ndim != 2 or x_cond.shape[1] != self.n_in:
            raise ValueError(f"x_cond must have shape (n, {self.n_in}), got "
                             f"{tuple(x_cond.shape) if isinstance(x_cond, torch.Tensor) else type(x_cond).__name__}")
        if not bool(torch.isfinite(x_cond).all()):
            raise ValueError("x_cond contains NaN or infinite values")
        return self._forward(x_cond)

    def _forward(self, x_cond: torch.Tensor) -> torch.Tensor:
        if self.net is None:
            return self.bias.expand(x_cond.shape[0], self.out_features)
        return self.net(_embed_indexed(x_cond, self.circle_idx, self.interval_idx))
