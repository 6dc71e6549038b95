"""Internal coordinates of a molecule mapped into a flow's box [0, 1]^{3N−6}, with log-dets.

Density chain (x Cartesian in nm, ic internal coordinates, u ∈ [0, 1]^{3N−6} the flow's box):

    log p_x(x) = log p_flow(u) + log|du/dic| + log|dic/dx|,

with log|dic/dx| = −Σ 2 log b − Σ log sin θ − log 8π² (the convention of
:mod:`statgen.md.zmatrix`: density per nm^{3N−6} with the 6 global degrees of freedom integrated
out), u = (τ + π)/2π for torsions (circles) and u = (q − lo)/(hi − lo) for bonds and angles
(intervals), so log|du/dic| = −n_τ log 2π − Σ log(hi − lo).

Confining edges (``edges="smooth"``, the default). A flow's density is flat wherever none of
its mixture components has support (only the identity term c·x remains), so a linearly
normalized interval gives *zero* force between the data and the interval ends and MD under
the flow potential walks straight into the end of the box. We therefore compose the linear
normalization y = (q − lo)/(hi − lo) with the fixed C∞ smooth sigmoid of Köhler, Krämer & Noé
(2021, arXiv:2110.00351), u = σ(y) with α = β = 1, whose derivative vanishes with all its
derivatives at y = 0, 1:

    log|du/dq| = log σ'(y) − log(hi − lo),   −log σ'(y) ≈ 1/y for y → 0 (likewise 1 − y),

a smooth wall (4 k_BT at y = 0.1, 13 k_BT at 0.05, 41 k_BT at 0.02) that costs < 0.3 k_BT of
variation over the middle third, where :func:`data_ranges` puts the data. Its inverse is
closed-form: a = logit(u), y = 2 / (2 − a + sqrt(a² + 4)). ``edges="linear"`` is the paper's
plain normalization.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn as nn

from statgen._checks import as_array, check_choice, check_nonnegative
from statgen.flows._validate import as_float_tensor
from statgen.flows.ramps import _smooth_sigmoid_and_log_derivative
from statgen.md.system import ALANINE_ZMATRIX
from statgen.md.zmatrix import ZMatrix

__all__ = ["InternalCoordinates", "data_ranges", "as_positions", "FIXED_BOND_RANGE", "FIXED_ANGLE_RANGE", "EDGES"]

#: physical default ranges: bonds in nm, angles in rad (Köhler et al.: bonds ~0.05–0.3 nm).
FIXED_BOND_RANGE = (0.05, 0.3)
FIXED_ANGLE_RANGE = (0.15 * math.pi, math.pi)
EDGES = ("smooth", "linear")


def as_positions(x, n_atoms: int, *, dtype=torch.float64, device=None, name: str = "x") -> torch.Tensor:
    """Positions as a tensor (n, n_atoms, 3) in nm (flat (n, 3·n_atoms) is reshaped), finite."""
    x = as_float_tensor(x, name, dtype=dtype, device=device, finite=False)
    if x.ndim == 2 and x.shape[-1] == 3 * n_atoms:
        x = x.reshape(-1, n_atoms, 3)
    if x.ndim != 3 or x.shape[1:] != (n_atoms, 3):
        raise ValueError(f"{name} must have shape (n, {n_atoms}, 3) in nm, got {tuple(x.shape)}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def data_ranges(positions, *, margin: float = 1.0, zmatrix: Sequence[Sequence[int]] = ALANINE_ZMATRIX
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per-coordinate intervals [min − m·(max−min), max + m·(max−min)] for bonds and angles.

    Returns (bond_range (n_bonds, 2) nm, angle_range (n_angles, 2) rad), clipped to bonds > 0
    and angles in (0, π). With ``margin=1`` the data occupy the middle third of each interval:
    a flow then needs only moderately sharp components, and MD under the flow potential stays
    many standard deviations away from the interval ends.
    """
    margin = check_nonnegative(margin, "margin")
    zm = ZMatrix(zmatrix)
    x = as_positions(positions, zm.n_atoms, name="positions")
    if not len(x):
        raise ValueError("positions is empty: data_ranges needs at least one frame")
    try:
        with torch.no_grad():
            b, a, _, _ = zm.forward(x)
    except ValueError as exc:
        raise ValueError(f"positions: {exc}") from exc

    def rng(q, lo_clip, hi_clip):
        lo, hi = q.min(0).values, q.max(0).values
        w = (hi - lo).clamp_min(1e-6)
        return torch.stack([(lo - margin * w).clamp_min(lo_clip), (hi + margin * w).clamp_max(hi_clip)], -1).numpy()

    return rng(b, 1e-3, np.inf), rng(a, 1e-3, math.pi)


class InternalCoordinates(nn.Module):
    """x (n, N, 3) nm ↔ u ∈ [0, 1]^{3N−6} = [torsions | angles | bonds], with log-dets (module docstring).

    Parameters
    ----------
    zmatrix : z-matrix rows (default: alanine dipeptide, :data:`statgen.md.ALANINE_ZMATRIX`).
    bond_range, angle_range : (lo, hi) for all, or per-coordinate arrays (n, 2); nm and rad.
    edges : "smooth" (confining C∞ wall at the interval ends, module docstring) or "linear".
    """

    def __init__(self, zmatrix: Sequence[Sequence[int]] = ALANINE_ZMATRIX, *,
                 bond_range=FIXED_BOND_RANGE, angle_range=FIXED_ANGLE_RANGE, edges: str = "smooth",
                 dtype=torch.float64, device=None):
        super().__init__()
        from statgen.flows._validate import check_dtype

        self.edges = check_choice(edges, "edges", EDGES)
        dtype = check_dtype(dtype)
        self.zmatrix = ZMatrix(zmatrix)
        zm = self.zmatrix
        self.n_atoms = zm.n_atoms
        self.dim = zm.n_bonds + zm.n_angles + zm.n_torsions
        br = self._range(bond_range, zm.n_bonds, "bond_range")
        ar = self._range(angle_range, zm.n_angles, "angle_range")
        if np.any(br[:, 0] <= 0):
            raise ValueError("bond_range must be > 0 nm")
        if np.any(ar[:, 0] < 0) or np.any(ar[:, 1] > math.pi):
            raise ValueError("angle_range must lie in [0, π] rad")
        self.register_buffer("bond_range", torch.tensor(br, dtype=dtype, device=device))
        self.register_buffer("angle_range", torch.tensor(ar, dtype=dtype, device=device))
        self.domains = ("circle",) * zm.n_torsions + ("interval",) * (zm.n_angles + zm.n_bonds)

    @staticmethod
    def _range(r, n: int, name: str) -> np.ndarray:
        if isinstance(r, str):
            raise TypeError(f"{name} must be (lo, hi) or an array of shape ({n}, 2), got the string {r!r}")
        arr = as_array(r, name)
        if arr.shape == (2,):
            arr = np.tile(arr, (n, 1))
        if arr.shape != (n, 2) or np.any(arr[:, 1] <= arr[:, 0]):
            raise ValueError(f"{name} must be (lo, hi) with lo < hi, or an array of shape ({n}, 2); got {arr.shape}")
        return arr

    def _const_logdet(self) -> torch.Tensor:
        """log|du/dic| = −n_τ log 2π − Σ log(hi − lo)."""
        w = torch.cat([self.bond_range[:, 1] - self.bond_range[:, 0], self.angle_range[:, 1] - self.angle_range[:, 0]])
        return -self.zmatrix.n_torsions * math.log(2 * math.pi) - torch.log(w).sum()

    def internal(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(bonds nm, angles rad, torsions rad) of positions x (n, N, 3)."""
        b, a, t, _ = self.zmatrix.forward(x)
        return b, a, t

    def _lo_width(self) -> tuple[torch.Tensor, torch.Tensor]:
        r = torch.cat([self.angle_range, self.bond_range])
        return r[:, 0], r[:, 1] - r[:, 0]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """u (n, 3N−6) in the flow's box and log|det ∂u/∂x| (n,) for positions x (n, N, 3) nm (finite).

        Positions with a bond or angle outside its range, or a degenerate geometry (a bond of
        length 0, a straight angle), have zero density: log-det −inf (linear edges: u outside
        [0, 1], which the flow refuses)."""
        x = as_positions(x, self.n_atoms, dtype=self.bond_range.dtype, device=self.bond_range.device)
        return self._forward(x)

    def _forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`forward` without checks (the Boltzmann generator checks its input once)."""
        b, a, t, ld = self.zmatrix._forward(x)
        lo, width = self._lo_width()
        y = (torch.cat([a, b], -1) - lo) / width
        ld = ld + self._const_logdet()
        ld = torch.where(torch.isfinite(ld), ld, torch.full_like(ld, -math.inf))  # degenerate geometry: p = 0
        t = torch.where(torch.isfinite(t), t, torch.zeros_like(t))
        if self.edges == "smooth":
            y_in = y.clamp(0.0, 1.0)
            u_int, log_d = _smooth_sigmoid_and_log_derivative(y_in)
            inside = ((y >= 0) & (y <= 1)).all(-1)
            ld = torch.where(inside, ld + log_d.sum(-1), torch.full_like(ld, -math.inf))
        else:
            u_int = y
        return torch.cat([(t + math.pi) / (2 * math.pi), u_int], -1), ld

    def inverse(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (n, N, 3) in the canonical frame and log|det ∂x/∂u| (n,), for u (n, 3N−6) in [0, 1] (checked)."""
        if not isinstance(u, torch.Tensor) or not torch.is_floating_point(u):
            raise TypeError(f"u must be a floating-point tensor of shape (n, {self.dim}), got {type(u).__name__}")
        if u.ndim != 2 or u.shape[1] != self.dim:
            raise ValueError(f"u must have shape (n, {self.dim}), got {tuple(u.shape)}")
        if not bool(torch.isfinite(u).all()):
            raise ValueError("u contains NaN or infinite values")
        if u.numel() and (bool((u < 0).any()) or bool((u > 1).any())):
            raise ValueError(f"u must lie in [0, 1] (the flow's box), found values in "
                             f"[{float(u.min()):.6g}, {float(u.max()):.6g}]")
        return self._inverse(u)

    def _inverse(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`inverse` without checks (u from the flow lies in its box)."""
        zm = self.zmatrix
        ut, u_int = u.split([zm.n_torsions, zm.n_angles + zm.n_bonds], -1)
        ld_int = u.new_zeros(u.shape[:-1])
        if self.edges == "smooth":
            s = torch.logit(u_int)
            y = 2.0 / (2.0 - s + torch.sqrt(s * s + 4.0))  # closed-form inverse of σ (α = β = 1)
            ld_int = -_smooth_sigmoid_and_log_derivative(y)[1].sum(-1)
        else:
            y = u_int
        lo, width = self._lo_width()
        a, b = (lo + y * width).split([zm.n_angles, zm.n_bonds], -1)
        x, ld = zm._inverse(b, a, ut * (2 * math.pi) - math.pi)
        return x, ld - self._const_logdet() + ld_int
