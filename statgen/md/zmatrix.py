"""Internal coordinates (z-matrix) in torch, with the log-det of the Jacobian.

A z-matrix row ``(i, j, k, l)`` places atom ``i`` by its bond ``b = |x_i - x_j|``, its angle
``θ = ∠(x_i, x_j, x_k)`` and its torsion ``τ = dihedral(x_i, x_j, x_k, x_l)``. The first three
rows are the *root* atoms, which fix the global frame (6 removed degrees of freedom):
row 0 ``(r0, -1, -1, -1)``, row 1 ``(r1, r0, -1, -1)`` (one bond), row 2 ``(r2, j, k, -1)``
(a bond and an angle, ``{j, k} = {r0, r1}``). A molecule of N atoms gets N-1 bonds, N-2 angles
and N-3 torsions.

Density convention in Cartesian space. Writing the Cartesian positions as internal coordinates
plus a translation ``t`` (the position of atom r0) and a rotation ``R`` ∈ SO(3),

    d^{3N}x = d^3t · dR · Π_bonds b² · Π_angles sin θ · d(ic),

with ``dR`` the Haar measure of total mass 8π². A density ``p_ic`` over internal coordinates
therefore corresponds to the Cartesian density, normalized per unit volume of translation and
uniform over orientations,

    p_x(x) = p_ic(ic(x)) / (8π² Π b² Π sin θ),

so that ``∫ p_x d^{3N-3}x = 1`` with atom r0 held fixed. :meth:`ZMatrix.forward` returns
``log|det ∂ic/∂x| = −Σ 2 log b − Σ log sin θ − log 8π²`` in that convention (units: ic in nm
and rad, x in nm).

The public methods check their inputs (finite, shapes, bonds > 0, angles in (0, π), no
coincident or collinear atoms); :class:`statgen.md.InternalCoordinates` calls the unchecked
``_forward`` / ``_inverse`` on inputs it has checked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

__all__ = [
    "ZMatrix",
    "dihedral",
    "bond_angle",
    "place_atom",
    "LOG_ROTATION_VOLUME",
]

#: log of the Haar volume of SO(3), 8π² (the orientations integrated out of p_x).
LOG_ROTATION_VOLUME = math.log(8 * math.pi**2)


def _unit(v: torch.Tensor) -> torch.Tensor:
    return v / torch.linalg.vector_norm(v, dim=-1, keepdim=True)


def bond_angle(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Angle ∠(a, b, c) at ``b`` in radians, ``θ = atan2(|u × v|, u · v)`` with u = a − b, v = c − b.

    The atan2 form keeps full precision near 0 and π (unlike arccos).
    """
    u, v = a - b, c - b
    return torch.atan2(torch.linalg.vector_norm(torch.linalg.cross(u, v), dim=-1), (u * v).sum(-1))


def dihedral(p0: torch.Tensor, p1: torch.Tensor, p2: torch.Tensor, p3: torch.Tensor) -> torch.Tensor:
    """IUPAC dihedral angle of p0-p1-p2-p3 around the p1-p2 axis, in (−π, π].

    τ = atan2((n̂ × v) · w, v · w) with n̂ = unit(p2 − p1) and v, w the components of
    p0 − p1 and p3 − p2 perpendicular to n̂.
    """
    b0 = p0 - p1
    b2 = p3 - p2
    n = _unit(p2 - p1)
    v = b0 - (b0 * n).sum(-1, keepdim=True) * n
    w = b2 - (b2 * n).sum(-1, keepdim=True) * n
    x = (v * w).sum(-1)
    y = (torch.linalg.cross(n, v) * w).sum(-1)
    return torch.atan2(y, x)


def place_atom(xj: torch.Tensor, xk: torch.Tensor, xl: torch.Tensor, b: torch.Tensor,
               theta: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
    """Position x_i with |x_i − x_j| = b, ∠(x_i, x_j, x_k) = θ, dihedral(x_i, x_j, x_k, x_l) = τ.

    Natural-extension reference frame (NeRF, Parsons et al. 2005): with ê = unit(x_j − x_k),
    n̂ = unit((x_k − x_l) × ê) and m̂ = n̂ × ê,
    x_i = x_j + b (−cos θ ê + sin θ cos τ m̂ + sin θ sin τ n̂).
    """
    e = _unit(xj - xk)
    n = _unit(torch.linalg.cross(xk - xl, e))
    m = torch.linalg.cross(n, e)
    st = torch.sin(theta)
    d = (-torch.cos(theta))[..., None] * e + (st * torch.cos(tau))[..., None] * m \
        + (st * torch.sin(tau))[..., None] * n
    return xj + b[..., None] * d


class ZMatrix:
    """Cartesian ↔ internal coordinates for one z-matrix, batched and differentiable.

    Parameters
    ----------
    rows : (N, 4) integer array-like; row ``(i, j, k, l)`` defines atom ``i`` from bond
        partner ``j``, angle partner ``k`` and torsion partner ``l`` (−1 where undefined,
        only in the three root rows; see the module docstring). Each atom appears exactly once
        as ``i`` and every reference atom is placed before it.

    Attributes
    ----------
    n_atoms, n_bonds (= N−1), n_angles (= N−2), n_torsions (= N−3).
    """

    def __init__(self, rows: Sequence[Sequence[int]]):
        try:
            raw = np.asarray(rows)
        except ValueError as exc:
            raise ValueError(f"rows must be an (N, 4) integer array: {exc}") from exc
        if raw.dtype.kind not in "iuf" or (raw.dtype.kind == "f" and not (np.isfinite(raw).all()
                                                                          and (raw == np.round(raw)).all())):
            raise ValueError(f"rows must be an (N, 4) array of integer atom indices, got dtype {raw.dtype}")
        z = raw.astype(np.int64)
        if z.ndim != 2 or z.shape[1] != 4 or z.shape[0] < 4:
            raise ValueError(f"rows must have shape (N >= 4, 4), got {z.shape}")
        n = z.shape[0]
        if sorted(z[:, 0].tolist()) != list(range(n)):
            raise ValueError("rows must define every atom 0..N-1 exactly once in column 0")
        want_missing = [(1, 2, 3), (2, 3), (3,)]
        for r, cols in enumerate(want_missing):
            if any(z[r, c] != -1 for c in cols):
                raise ValueError(f"rows: root row {r} must have -1 in columns {cols}, got {z[r].tolist()}")
        if z[1, 1] != z[0, 0] or {z[2, 1], z[2, 2]} != {z[0, 0], z[1, 0]}:
            raise ValueError("rows: the root rows must read (r0,-1,-1,-1), (r1,r0,-1,-1), (r2,j,k,-1) with {j,k} = {r0,r1}")
        placed = set()
        for r, row in enumerate(z):
            refs = [a for a in row[1:] if a >= 0]
            if r >= 3 and len(refs) != 3:
                raise ValueError(f"rows: row {r} ({row.tolist()}) must name three reference atoms")
            if len(set(refs) | {row[0]}) != len(refs) + 1 or not set(refs) <= placed:
                raise ValueError(f"rows: row {r} ({row.tolist()}) must reference distinct atoms placed earlier")
            placed.add(int(row[0]))
        self.rows = z
        self.n_atoms = n
        self.n_bonds, self.n_angles, self.n_torsions = n - 1, n - 2, n - 3
        self.roots = tuple(int(a) for a in z[:3, 0])

    # -- Cartesian -> internal ------------------------------------------------------------
    def _as_positions(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if not torch.is_floating_point(x):
            raise TypeError(f"x must be a floating-point tensor (positions in nm), got dtype {x.dtype}")
        if x.ndim < 1 or x.shape[-2:] != (self.n_atoms, 3):
            if x.shape[-1] == 3 * self.n_atoms:
                return x.reshape(*x.shape[:-1], self.n_atoms, 3)
            raise ValueError(f"x must have shape (..., {self.n_atoms}, 3) or (..., {3 * self.n_atoms}) "
                             f"in nm, got {tuple(x.shape)}")
        return x

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Internal coordinates of Cartesian positions ``x`` (..., N, 3) in nm.

        Returns
        -------
        bonds (..., N−1) nm, angles (..., N−2) rad in [0, π], torsions (..., N−3) rad in (−π, π],
        logdet (...): log|det ∂ic/∂x| = −Σ 2 log b − Σ log sin θ − log 8π² (module docstring).

        Raises ``ValueError`` for non-finite positions and for degenerate geometries (coincident
        atoms or a straight angle), where the internal coordinates or the log-det are undefined.
        """
        x = self._as_positions(x)
        if not bool(torch.isfinite(x).all()):
            raise ValueError("x contains NaN or infinite values")
        out = self._forward(x)
        bad = ~(torch.isfinite(out[3]) & torch.isfinite(out[2]).all(-1))
        if bool(bad.any()):
            raise ValueError(f"x has a degenerate geometry in {int(bad.sum())} of {bad.numel()} configurations "
                             "(coincident atoms or a straight angle: a bond of length 0 or sin θ = 0)")
        return out

    def _forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """:meth:`forward` without checks (hot path)."""
        x = self._as_positions(x)
        bi, ai, ti = self._index(x.device)
        bonds = torch.linalg.vector_norm(x[..., bi[0], :] - x[..., bi[1], :], dim=-1)
        angles = bond_angle(*(x[..., ai[c], :] for c in range(3)))
        torsions = dihedral(*(x[..., ti[c], :] for c in range(4)))
        logdet = -(2 * torch.log(bonds).sum(-1) + torch.log(torch.sin(angles)).sum(-1) + LOG_ROTATION_VOLUME)
        return bonds, angles, torsions, logdet

    __call__ = forward

    def _index(self, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Atom indices (columns, rows) of the bonds (2, N−1), angles (3, N−2) and torsions (4, N−3)
        as long tensors on ``device``, made once per device (no host-to-device copy per call)."""
        key = str(torch.device(device))
        cache = self.__dict__.setdefault("_index_cache", {})
        if key not in cache:
            z = torch.as_tensor(self.rows, dtype=torch.long)
            cache[key] = tuple(z[r:, :c].T.contiguous().to(device) for r, c in ((1, 2), (2, 3), (3, 4)))
        return cache[key]

    def frame(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The 6 global degrees of freedom: origin (..., 3) = x_r0 and rotation (..., 3, 3).

        The rotation's columns are ê₁ = unit(x_r1 − x_r0), ê₂ = the unit part of x_r2 − x_r0
        perpendicular to ê₁, ê₃ = ê₁ × ê₂, so that ``x = origin + R @ x_canonical``.
        """
        x = self._as_positions(x)
        if not bool(torch.isfinite(x).all()):
            raise ValueError("x contains NaN or infinite values")
        r0, r1, r2 = self.roots
        e1 = _unit(x[..., r1, :] - x[..., r0, :])
        v = x[..., r2, :] - x[..., r0, :]
        e2 = _unit(v - (v * e1).sum(-1, keepdim=True) * e1)
        e3 = torch.linalg.cross(e1, e2)
        return x[..., r0, :], torch.stack([e1, e2, e3], dim=-1)

    # -- internal -> Cartesian ------------------------------------------------------------
    def inverse(self, bonds: torch.Tensor, angles: torch.Tensor, torsions: torch.Tensor,
                origin: torch.Tensor | None = None, rotation: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Cartesian positions (..., N, 3) from internal coordinates, and log|det ∂x/∂ic|.

        Without ``origin``/``rotation`` the molecule is put in the canonical frame: x_r0 = 0,
        x_r1 on +x, x_r2 in the xy-plane with y > 0. Given the frame of :meth:`frame`, the round
        trip ``inverse(*forward(x)[:3], *frame(x))`` reproduces ``x``. Requires finite inputs,
        bonds > 0 and angles in (0, π) (checked).
        """
        n = self.n_atoms
        for name, t, want in (("bonds", bonds, n - 1), ("angles", angles, n - 2), ("torsions", torsions, n - 3)):
            if not isinstance(t, torch.Tensor) or not torch.is_floating_point(t):
                raise TypeError(f"{name} must be a floating-point torch tensor, got {type(t).__name__}")
            if t.ndim < 1 or t.shape[-1] != want:
                raise ValueError(f"{name} must have last dimension {want}, got shape {tuple(t.shape)}")
            if not bool(torch.isfinite(t).all()):
                raise ValueError(f"{name} contains NaN or infinite values")
        try:
            torch.broadcast_shapes(bonds.shape[:-1], angles.shape[:-1], torsions.shape[:-1])
        except RuntimeError as exc:
            raise ValueError(f"bonds, angles and torsions must have broadcastable batch shapes, got "
                             f"{tuple(bonds.shape)}, {tuple(angles.shape)}, {tuple(torsions.shape)}") from exc
        if not bool((bonds > 0).all()):
            raise ValueError(f"bonds must be > 0 nm, got a minimum of {float(bonds.min()):.6g}")
        if not bool(((angles > 0) & (angles < math.pi)).all()):
            raise ValueError(f"angles must lie in (0, π) rad, got values in [{float(angles.min()):.6g}, "
                             f"{float(angles.max()):.6g}]")
        for name, t, tail in (("origin", origin, (3,)), ("rotation", rotation, (3, 3))):
            if t is None:
                continue
            if not isinstance(t, torch.Tensor) or t.shape[-len(tail):] != tail:
                raise ValueError(f"{name} must be a tensor of shape (..., {', '.join(map(str, tail))}), got "
                                 f"{tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__}")
            if not bool(torch.isfinite(t).all()):
                raise ValueError(f"{name} contains NaN or infinite values")
        return self._inverse(bonds, angles, torsions, origin, rotation)

    def _inverse(self, bonds: torch.Tensor, angles: torch.Tensor, torsions: torch.Tensor,
                 origin: torch.Tensor | None = None, rotation: torch.Tensor | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`inverse` without checks (hot path)."""
        n = self.n_atoms
        batch = torch.broadcast_shapes(bonds.shape[:-1], angles.shape[:-1], torsions.shape[:-1])
        like = bonds
        zero = torch.zeros(*batch, 3, dtype=like.dtype, device=like.device)
        ex = torch.tensor([1.0, 0.0, 0.0], dtype=like.dtype, device=like.device).expand_as(zero)
        ey = torch.tensor([0.0, 1.0, 0.0], dtype=like.dtype, device=like.device).expand_as(zero)
        z = self.rows
        pos: dict[int, torch.Tensor] = {int(z[0, 0]): zero}
        pos[int(z[1, 0])] = zero + bonds[..., 0, None] * ex
        j, k = int(z[2, 1]), int(z[2, 2])
        u = _unit(pos[k] - pos[j])  # ±ê_x
        th = angles[..., 0, None]
        pos[int(z[2, 0])] = pos[j] + bonds[..., 1, None] * (torch.cos(th) * u + torch.sin(th) * ey)
        for r in range(3, n):
            i, j, k, l = (int(a) for a in z[r])
            pos[i] = place_atom(pos[j], pos[k], pos[l], bonds[..., r - 1], angles[..., r - 2], torsions[..., r - 3])
        x = torch.stack([pos[a] for a in range(n)], dim=-2)
        if rotation is not None:
            x = x @ rotation.transpose(-1, -2)
        if origin is not None:
            x = x + origin[..., None, :]
        logdet = 2 * torch.log(bonds).sum(-1) + torch.log(torch.sin(angles)).sum(-1) + LOG_ROTATION_VOLUME
        return x, logdet
