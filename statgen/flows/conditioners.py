"""Conditioner networks: dense nets on a periodic embedding of the conditioning coordinates."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn as nn

__all__ = ["embed", "Conditioner"]


def embed(x: torch.Tensor, periodic: torch.Tensor) -> torch.Tensor:
    """Feature map of coordinates in [0, 1]: (cos 2πx, sin 2πx) for circles, 2x − 1 for intervals.

    x: (n, m); periodic: bool (m,). Returns (n, 2·#circles + #intervals); smooth and periodic in
    every circular input, so the flow is smooth across the wrap.
    """
    xc = x[:, periodic] * (2 * math.pi)
    return torch.cat([torch.cos(xc), torch.sin(xc), 2.0 * x[:, ~periodic] - 1.0], dim=-1)


class Conditioner(nn.Module):
    """Dense net (SiLU) from the embedded conditioning coordinates to transformer parameters.

    The last layer starts at zero, so every element starts from the same (default) transformer.
    With no conditioning coordinates the output is a learned constant.
    """

    def __init__(self, domains_in: Sequence[str], out_features: int, hidden: Sequence[int] = (64, 64),
                 *, device=None, dtype=None):
        super().__init__()
        periodic = torch.tensor([d == "circle" for d in domains_in], dtype=torch.bool)
        self.register_buffer("periodic", periodic, persistent=False)
        n_in = int(2 * periodic.sum() + (~periodic).sum())
        self.out_features = int(out_features)
        if n_in == 0:
            self.net = None
            self.bias = nn.Parameter(torch.zeros(self.out_features, device=device, dtype=dtype))
            return
        sizes = [n_in, *map(int, hidden)]
        mods: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            mods += [nn.Linear(a, b, device=device, dtype=dtype), nn.SiLU()]
        last = nn.Linear(sizes[-1], self.out_features, device=device, dtype=dtype)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.net = nn.Sequential(*mods, last)

    def forward(self, x_cond: torch.Tensor) -> torch.Tensor:
        if self.net is None:
            return self.bias.expand(x_cond.shape[0], self.out_features)
        return self.net(embed(x_cond, self.periodic))
