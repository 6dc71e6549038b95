"""Data and parameter layout shared by the Potts objectives (torch tensors on one device/dtype).

The parameters θ are one flat vector: the fields h (L·q) then the coupling blocks J_ij (q × q) of the
P fitted pairs i < j (all pairs, or a given edge list). :func:`make_problem` is where the data and the
penalty settings of every estimator are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from statgen._checks import (
    check_bool,
    check_choice,
    check_int,
    check_int_states,
    check_memory,
    check_nonnegative,
)
from statgen.graphical.potts._torch import resolve_device, resolve_dtype, torch_bytes
from statgen.graphical.potts.graphs import check_edges
from statgen.graphical.potts.inference.penalty import PENALTIES, penalty_scale, penalty_value_grad
from statgen.graphical.potts.model import PottsModel, check_model, check_weights

#: ε of the group term √(ε + ‖J_ij‖²) (plmc's value)
GROUP_EPS = 1e-3


@dataclass
class Problem:
    """Data and parameter layout shared by all objectives (torch tensors on one device/dtype)."""

    L: int
    q: int
    idx: torch.Tensor  # (M, L) flat one-hot indices i·q + s_i (L·q for an ignored gap, a zero row)
    w: torch.Tensor  # (M,) weights normalised to sum 1
    m_eff: float
    pi: torch.Tensor  # (P,) pair rows i < j
    pj: torch.Tensor
    penalty: str
    gamma_eff: float  # γ/α · c: coefficient of the penalty in the per-sample objective
    gamma_h: float
    l1_eps: float
    device: torch.device
    dtype: torch.dtype
    split_l1: bool = False  # set while L-BFGS-B handles the exact L1 term itself
    valid: torch.Tensor | None = None  # (M, L) bool: modelled entries (gap-ignore: non-gaps); None = all
    group_l1: float = 0.0  # coefficient of plmc's group term Σ_{i<j} √(ε + ‖J_ij‖²) in the per-sample objective
    _bags: tuple | None = field(default=None, repr=False)

    @property
    def n_params(self) -> int:
        return self.L * self.q + len(self.pi) * self.q * self.q

    def unpack(self, x: torch.Tensor, *, pad: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """θ → (h (L·q,), J pairs (P, q, q), flat W (L·q, L·q)); ``pad`` appends a zero row L·q
        (the row an ignored gap points to). W is written in place through its (L, q, L, q) view."""
        L, q = self.L, self.q
        h = x[: L * q]
        Jp = x[L * q:].view(-1, q, q)
        Wp = torch.zeros(L * q + int(pad), L * q, device=x.device, dtype=x.dtype)
        W4 = Wp[: L * q].view(L, q, L, q)
        W4[self.pi, :, self.pj, :] = Jp
        W4[self.pj, :, self.pi, :] = Jp.transpose(1, 2)
        return h, Jp, Wp

    def pair_grad(self, G: torch.Tensor) -> torch.Tensor:
        """Gradient w.r.t. the pair parameters from the gradient G w.r.t. a free flat W."""
        L, q = self.L, self.q
        G4 = G.view(L, q, L, q)
        return G4[self.pi, :, self.pj, :] + G4[self.pj, :, self.pi, :].transpose(1, 2)

    def penalty_value_grad(self, h: torch.Tensor, Jp: torch.Tensor):
        """(value, ∂/∂h, ∂/∂Jp) of the penalty (convention of :mod:`~statgen.graphical.potts.inference.penalty`)."""
        val, gh, gJ = penalty_value_grad(self.penalty, self.gamma_eff, self.gamma_h, self.l1_eps, h, Jp,
                                         smooth_only=self.split_l1)
        if self.group_l1 > 0:  # plmc's -lg: ε = 10⁻³ (REGULARIZATION_GROUP_EPS of its inference.c)
            r = torch.sqrt(GROUP_EPS + (Jp * Jp).sum((1, 2)))
            val = val + self.group_l1 * r.sum()
            gJ = gJ + self.group_l1 * Jp / r[:, None, None]
        return val, gh, gJ

    def transposed_bags(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(members, offsets): for each flat index r = i·q + a, the samples m with s_mi = a, so that
        onehotᵀ @ R is one embedding_bag over the rows of R."""
        if self._bags is None:
            flat = self.idx.reshape(-1)
            order = torch.argsort(flat, stable=True)
            counts = torch.bincount(flat, minlength=self.L * self.q + 1)[: self.L * self.q]  # ignored gaps last
            members = order[: int(counts.sum())] // self.L
            offsets = torch.cumsum(counts, 0) - counts
            self._bags = (members, offsets)
        return self._bags

    def init_params(self) -> torch.Tensor:
        """θ₀: independent-site fields log f_i(a) (pseudocount 1/M_eff, zero-mean), couplings 0."""
        L, q = self.L, self.q
        f = torch.zeros(L * q + 1, device=self.device, dtype=self.dtype)
        f.index_add_(0, self.idx.reshape(-1), self.w.repeat_interleave(L))
        f = f[: L * q].view(L, q) + 1.0 / self.m_eff
        h = torch.log(f / f.sum(1, keepdim=True))
        h = h - h.mean(1, keepdim=True)
        x = torch.zeros(self.n_params, device=self.device, dtype=self.dtype)
        x[: L * q] = h.reshape(-1)
        return x

    def pack(self, model: PottsModel) -> torch.Tensor:
        """θ of a model (its fields and the fitted pairs' blocks)."""
        Jp = torch.as_tensor(model.J, device=self.device, dtype=self.dtype)[self.pi, self.pj]
        return torch.cat([torch.as_tensor(model.h.ravel(), device=self.device, dtype=self.dtype), Jp.reshape(-1)])

    def to_model(self, x: torch.Tensor) -> PottsModel:
        """The PottsModel of θ (float64), its (L, L, q, q) couplings filled from the pair blocks directly."""
        L, q = self.L, self.q
        x = x.detach().cpu()
        Jp = x[L * q:].view(-1, q, q).double().numpy()
        J = np.zeros((L, L, q, q))
        pi, pj = self.pi.cpu().numpy(), self.pj.cpu().numpy()
        J[pi, pj] = Jp
        J[pj, pi] = Jp.transpose(0, 2, 1)
        return PottsModel(x[: L * q].view(L, q).double().numpy(), J)

    def check_init(self, init) -> torch.Tensor:
        """θ of a warm-start model of the same (L, q), or the independent-site start when None."""
        if init is None:
            return self.init_params()
        check_model(init, "init")
        if (init.L, init.q) != (self.L, self.q):
            raise ValueError(f"init must be a PottsModel with (L, q) = {(self.L, self.q)}, got {(init.L, init.q)}")
        return self.pack(init)


def check_q(s, q) -> int:
    """q ≥ 2 (the number of states); None means max(s) + 1 (at least 2)."""
    if q is None:
        raw = np.asarray(s)
        if raw.size == 0 or not np.issubdtype(raw.dtype, np.number):
            raise ValueError("s must be a non-empty integer array to infer q; pass q explicitly")
        q = max(2, int(np.nanmax(raw)) + 1)
    return check_int(q, "q", minimum=2)


def make_problem(s, q: int, penalty: str, gamma: float, gamma_h: float, weights, l1_eps: float, device, dtype,
                 edges=None, *, work_per_entry: float = 0.0, gap_ignore: bool = False,
                 group_l1: float = 0.0) -> Problem:
    """Check the data and the penalty settings and lay them out on the device.

    ``work_per_entry``: floats of ``dtype`` the objective holds per sample, site and state (its
    M × L × q temporaries), checked with the data against the available memory. ``gap_ignore``:
    state 0 of s is a gap that is not modelled (plmc's ``-g``): the model has the q − 1 states
    1…q−1 (renumbered 0…q−2), a gap neither is predicted nor enters the other sites' fields.
    ``group_l1``: coefficient c of plmc's group term c Σ_{i<j} √(10⁻³ + ‖J_ij‖²_F) (per sample).
    """
    q = check_q(s, q)
    s = check_int_states(s, "s", q)
    gap_ignore = check_bool(gap_ignore, "gap_ignore")
    group_l1 = check_nonnegative(group_l1, "group_l1")
    valid = None
    if gap_ignore:
        if q < 3:
            raise ValueError(f"gap_ignore needs q >= 3 (the gap state 0 and >= 2 modelled states), got q={q}")
        valid = s > 0
        q = q - 1
    penalty = check_choice(penalty, "penalty", PENALTIES)
    gamma = check_nonnegative(gamma, "gamma")
    gamma_h = check_nonnegative(gamma_h, "gamma_h")
    l1_eps = check_nonnegative(l1_eps, "l1_eps")
    device, dtype = resolve_device(device), resolve_dtype(dtype)
    M, L = s.shape
    w = check_weights(weights, M)
    check_memory(M * L * (8.0 * 3 + work_per_entry * q * torch_bytes(dtype)),
                 f"the objective on s of shape ({M}, {L}) with q={q}")
    m_eff = float(w.sum())
    alpha = m_eff / L
    if edges is None:
        pi, pj = np.triu_indices(L, 1)
    else:
        e = check_edges(edges, L)
        pi, pj = e[:, 0], e[:, 1]
    check_memory(8.0 * 4 * (L * q) ** 2, f"the (L·q)² = {(L * q) ** 2} flat couplings of L={L}, q={q}")

    def t(a):
        return torch.as_tensor(a, device=device)

    idx = s + q * np.arange(L) if valid is None else np.where(valid, s - 1 + q * np.arange(L), L * q)
    return Problem(L, q, t(idx), torch.as_tensor(w / m_eff, device=device, dtype=dtype), m_eff,
                   t(pi), t(pj), penalty, gamma / alpha * penalty_scale(penalty, q), gamma_h, l1_eps, device, dtype,
                   valid=None if valid is None else t(valid), group_l1=group_l1)
