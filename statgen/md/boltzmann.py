"""Boltzmann generator for alanine dipeptide: z-matrix + interval normalization + SmoothFlow.

Density chain (x Cartesian in nm, ic internal coordinates, u ∈ [0, 1]^60 the flow's box):

    log p_x(x) = log p_flow(u) + log|du/dic| + log|dic/dx|,

with log|dic/dx| = −Σ 2 log b − Σ log sin θ − log 8π² (the convention of
:mod:`statgen.md.zmatrix`: density per nm^60 with the 6 global degrees of freedom integrated
out), u = (τ + π)/2π for torsions (circles) and u = (q − lo)/(hi − lo) for bonds and angles
(intervals), so log|du/dic| = −19 log 2π − Σ log(hi − lo). Energies are −log p_x in k_BT,
forces −∇ₓ energy in k_BT/nm.

Confining edges (``edges="smooth"``, the default). A flow's density is flat wherever none of
its mixture components has support (only the identity term c·x remains), so a linearly
normalized interval gives *zero* force between the data and the interval ends and MD under
the flow potential walks straight into the end of the box. We therefore compose the linear
normalization y = (q − lo)/(hi − lo) with the fixed C∞ smooth sigmoid of the science note,
u = σ(y) with α = β = 1, whose derivative vanishes with all its derivatives at y = 0, 1:

    log|du/dq| = log σ'(y) − log(hi − lo),   −log σ'(y) ≈ 1/y for y → 0 (likewise 1 − y),

a smooth wall (4 k_BT at y = 0.1, 13 k_BT at 0.05, 41 k_BT at 0.02) that costs < 0.3 k_BT of
variation over the middle third, where :func:`data_ranges` puts the data. Its inverse is
closed-form: a = logit(u), y = 2 / (2 − a + sqrt(a² + 4)). ``edges="linear"`` is the paper's
plain normalization.

Coupling layout (Köhler et al. 2021): flow coordinates are [torsions | angles | bonds]; the
torsions are split into two interleaved halves (φ and ψ in different halves) conditioned on
each other (``torsion_blocks`` times both ways), then angles conditioned on all torsions,
then bonds conditioned on angles and torsions.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from statgen._checks import as_array, check_nonnegative, check_positive
from statgen._progress import progress_bar
from statgen.flows import save_checkpoint_atomic, smooth_sigmoid_and_log_derivative
from statgen.md.system import ALANINE_ZMATRIX, PHI_ATOMS, PSI_ATOMS
from statgen.md.zmatrix import ZMatrix, dihedral

__all__ = [
    "InternalCoordinates",
    "BoltzmannGenerator",
    "alanine_couplings",
    "data_ranges",
    "train_boltzmann_generator",
    "load_boltzmann_generator",
    "save_boltzmann_generator",
    "ramachandran",
    "ramachandran_basins",
    "ramachandran_free_energy",
    "basin_free_energies",
    "amber_energies",
    "evaluate_boltzmann_generator",
    "BASINS",
    "pretrained_boltzmann_generator",
    "pretrained_starting_frames",
]

#: physical default ranges: bonds in nm, angles in rad (Köhler et al.: bonds ~0.05–0.3 nm).
FIXED_BOND_RANGE = (0.05, 0.3)
FIXED_ANGLE_RANGE = (0.15 * math.pi, math.pi)


def _as_positions_tensor(x, n_atoms: int, dtype, device, name: str = "x") -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(as_array(x, name), dtype=dtype, device=device)
    x = x.to(dtype=dtype, device=device)
    if x.ndim == 2 and x.shape[-1] == 3 * n_atoms:
        x = x.reshape(-1, n_atoms, 3)
    if x.ndim != 3 or x.shape[1:] != (n_atoms, 3):
        raise ValueError(f"{name} must have shape (n, {n_atoms}, 3) in nm, got {tuple(x.shape)}")
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
    x = torch.as_tensor(as_array(positions, "positions", ndim=3), dtype=torch.float64)
    with torch.no_grad():
        b, a, _, _ = zm.forward(x)

    def rng(q, lo_clip, hi_clip):
        lo, hi = q.min(0).values, q.max(0).values
        w = (hi - lo).clamp_min(1e-6)
        return torch.stack([(lo - margin * w).clamp_min(lo_clip), (hi + margin * w).clamp_max(hi_clip)], -1).numpy()

    return rng(b, 1e-3, np.inf), rng(a, 1e-3, math.pi)


class InternalCoordinates(nn.Module):
    """x (n, N, 3) nm ↔ u ∈ [0, 1]^{3N−6} = [torsions | angles | bonds], with log-dets.

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
        if edges not in ("smooth", "linear"):
            raise ValueError(f"edges must be 'smooth' or 'linear', got {edges!r}")
        self.edges = edges
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
        """u (n, 3N−6) in the flow's box and log|det ∂u/∂x| (n,) (module docstring of
        :mod:`statgen.md.boltzmann`). Positions with a bond or angle outside its range have
        zero density: log-det −inf (linear edges: u outside [0, 1], rejected by the flow)."""
        b, a, t, ld = self.zmatrix.forward(x)
        lo, width = self._lo_width()
        y = (torch.cat([a, b], -1) - lo) / width
        ld = ld + self._const_logdet()
        if self.edges == "smooth":
            y_in = y.clamp(0.0, 1.0)
            u_int, log_d = smooth_sigmoid_and_log_derivative(y_in)
            inside = ((y >= 0) & (y <= 1)).all(-1)
            ld = torch.where(inside, ld + log_d.sum(-1), torch.full_like(ld, -math.inf))
        else:
            u_int = y
        return torch.cat([(t + math.pi) / (2 * math.pi), u_int], -1), ld

    def inverse(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (n, N, 3) in the canonical frame and log|det ∂x/∂u| (n,)."""
        zm = self.zmatrix
        ut, u_int = u.split([zm.n_torsions, zm.n_angles + zm.n_bonds], -1)
        ld_int = u.new_zeros(u.shape[:-1])
        if self.edges == "smooth":
            s = torch.logit(u_int)
            y = 2.0 / (2.0 - s + torch.sqrt(s * s + 4.0))  # closed-form inverse of σ (α = β = 1)
            ld_int = -smooth_sigmoid_and_log_derivative(y)[1].sum(-1)
        else:
            y = u_int
        lo, width = self._lo_width()
        a, b = (lo + y * width).split([zm.n_angles, zm.n_bonds], -1)
        x, ld = zm.inverse(b, a, ut * (2 * math.pi) - math.pi)
        return x, ld - self._const_logdet() + ld_int


def alanine_couplings(n_torsions: int = 19, n_angles: int = 20, n_bonds: int = 21, *,
                      torsion_blocks: int = 2) -> list[tuple[list[int], list[int]]]:
    """Coupling layout over [torsions | angles | bonds]: (T₁|T₂, T₂|T₁) × ``torsion_blocks``,
    then A | T, then B | (A, T). T₁ = even torsions (φ, the first), T₂ = odd ones (ψ, the second)."""
    if int(torsion_blocks) < 1:
        raise ValueError(f"torsion_blocks must be >= 1, got {torsion_blocks}")
    t = list(range(n_torsions))
    a = list(range(n_torsions, n_torsions + n_angles))
    b = list(range(n_torsions + n_angles, n_torsions + n_angles + n_bonds))
    t1, t2 = t[0::2], t[1::2]
    layout = []
    for _ in range(int(torsion_blocks)):
        layout += [(t1, t2), (t2, t1)]
    return layout + [(a, t), (b, a + t)]


class BoltzmannGenerator(nn.Module):
    """p_x(x) of molecular configurations through internal coordinates and a smooth flow.

    Parameters
    ----------
    bond_range, angle_range : intervals of :class:`InternalCoordinates` ((lo, hi) or per-coordinate
        (n, 2)); :func:`data_ranges` derives them from MD frames.
    edges : "smooth" (confining wall, default) or "linear" interval normalization.
    transformer : "smooth" (C∞ mixture) or "spline" (C¹ rational-quadratic baseline).
    components, hidden, torsion_blocks, beta : flow size (see :class:`statgen.flows.SmoothFlow`).
    zmatrix : rows of the z-matrix (default alanine dipeptide).
    device, dtype : torch device and dtype (float32 default for training, float64 for checks).

    Attributes
    ----------
    ic : InternalCoordinates; flow : SmoothFlow; n_atoms : int; config : dict (rebuilds the model).
    """

    def __init__(self, *, bond_range=FIXED_BOND_RANGE, angle_range=FIXED_ANGLE_RANGE, transformer: str = "smooth",
                 components: int = 8, hidden: Sequence[int] = (64, 64), torsion_blocks: int = 2,
                 beta: float | str = 1.0, zmatrix: Sequence[Sequence[int]] = ALANINE_ZMATRIX,
                 edges: str = "smooth", device=None, dtype=torch.float32):
        super().__init__()
        from statgen.flows import SmoothFlow

        self.ic = InternalCoordinates(zmatrix, bond_range=bond_range, angle_range=angle_range, edges=edges,
                                      dtype=dtype, device=device)
        zm = self.ic.zmatrix
        couplings = alanine_couplings(zm.n_torsions, zm.n_angles, zm.n_bonds, torsion_blocks=torsion_blocks)
        self.flow = SmoothFlow(self.ic.domains, components=int(components), hidden=tuple(hidden),
                               transformer=transformer, couplings=couplings, beta=beta, device=device, dtype=dtype)
        self.n_atoms = zm.n_atoms
        self.config = dict(bond_range=self.ic.bond_range.tolist(), angle_range=self.ic.angle_range.tolist(),
                           transformer=transformer, components=int(components), hidden=list(hidden),
                           torsion_blocks=int(torsion_blocks), beta=beta, edges=edges,
                           zmatrix=np.asarray(zmatrix).tolist(), dtype=str(dtype).removeprefix("torch."))

    @property
    def dtype(self) -> torch.dtype:
        return self.flow.dtype

    @property
    def device(self) -> torch.device:
        return self.flow.device

    def _x(self, x) -> torch.Tensor:
        return _as_positions_tensor(x, self.n_atoms, self.dtype, self.device)

    def log_prob(self, x) -> torch.Tensor:
        """log p_x(x), shape (n,), for positions (n, N, 3) nm (density per nm^{3N−6})."""
        u, ld = self.ic(self._x(x))
        return self.flow.log_prob(u) + ld

    def energy(self, x) -> torch.Tensor:
        """U(x)/k_BT = −log p_x(x), shape (n,)."""
        return -self.log_prob(x)

    def force(self, x, *, create_graph: bool = False) -> torch.Tensor:
        """F = −∇ₓ U/k_BT in k_BT/nm, shape (n, N, 3); ``create_graph`` for force matching."""
        x = self._x(x)
        with torch.enable_grad():
            xr = x if (create_graph and x.requires_grad) else x.detach().requires_grad_(True)
            lp = self.log_prob(xr)
            (g,) = torch.autograd.grad(lp.sum(), xr, create_graph=create_graph)
        return g

    def sample_and_log_prob(self, n: int, *, generator: torch.Generator | None = None
                            ) -> tuple[torch.Tensor, torch.Tensor]:
        """(x (n, N, 3) nm in the canonical frame, log p_x(x)), reparameterized."""
        u, log_pu = self.flow.sample_and_log_prob(n, generator=generator)
        x, ld = self.ic.inverse(u)
        return x, log_pu - ld

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n configurations (n, N, 3) in nm, canonical frame (root atom at the origin)."""
        with torch.no_grad():
            return self.sample_and_log_prob(n, generator=generator)[0]

    @classmethod
    def from_config(cls, config: dict, *, device=None) -> BoltzmannGenerator:
        cfg = dict(config)
        dtype = getattr(torch, cfg.pop("dtype", "float32"))
        return cls(**cfg, device=device, dtype=dtype)


def save_boltzmann_generator(model: BoltzmannGenerator, path: str | os.PathLike, **extra) -> Path:
    """Write ``{"config", "state_dict", **extra}`` atomically; :func:`load_boltzmann_generator` reads it."""
    path = Path(path)
    save_checkpoint_atomic(path, {"config": model.config, "state_dict": model.state_dict(), **extra})
    return path


def load_boltzmann_generator(path: str | os.PathLike, *, device=None) -> BoltzmannGenerator:
    """Rebuild a :class:`BoltzmannGenerator` from a checkpoint (of training or of :func:`save_boltzmann_generator`)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model checkpoint not found: {path}")
    ckpt = torch.load(path, map_location=device or "cpu", weights_only=False)
    if not isinstance(ckpt, dict) or "config" not in ckpt or "state_dict" not in ckpt:
        raise ValueError(f"{path} is not a statgen Boltzmann-generator checkpoint (needs 'config' and 'state_dict')")
    model = BoltzmannGenerator.from_config(ckpt["config"], device=device)
    model.load_state_dict(ckpt["state_dict"])
    return model


def train_boltzmann_generator(model: BoltzmannGenerator, positions, forces=None, *, steps: int = 1000,
                              batch_size: int = 128, lr: float = 5e-4, w_nll: float = 1.0, w_fm: float = 0.0,
                              checkpoint: str | os.PathLike | None = None, checkpoint_every: int = 200,
                              seed: int = 0, progress: bool = True) -> dict[str, np.ndarray]:
    """Train by likelihood and/or force matching with Adam; resumable from ``checkpoint``.

    loss = w_nll · mean(−log p_x(x)) + w_fm · mean_{frames, atoms, xyz} (F_model − F_ref)²

    Parameters
    ----------
    positions : (n, N, 3) nm. forces : (n, N, 3) reference forces in k_BT/nm (divide OpenMM's
        kJ/mol/nm by k_BT = RT); needed when ``w_fm > 0``.
    steps : total optimizer steps (a resumed run continues up to ``steps``).
    checkpoint : file written atomically every ``checkpoint_every`` steps and at the end (model,
        optimizer, step, loss history); an existing file resumes training.
    seed : minibatch order (epoch e uses permutation seed·1_000_003 + e).

    Returns
    -------
    history : dict with ``step``, ``loss``, ``nll``, ``force_mse`` arrays (one entry per step).
    """
    w_nll = check_nonnegative(w_nll, "w_nll")
    w_fm = check_nonnegative(w_fm, "w_fm")
    if w_nll == 0 and w_fm == 0:
        raise ValueError("w_nll and w_fm must not both be 0")
    lr = check_positive(lr, "lr")
    x_all = _as_positions_tensor(positions, model.n_atoms, model.dtype, model.device, "positions")
    f_all = None
    if w_fm > 0:
        if forces is None:
            raise ValueError("forces (k_BT/nm) are required when w_fm > 0")
        f_all = _as_positions_tensor(forces, model.n_atoms, model.dtype, model.device, "forces")
        if len(f_all) != len(x_all):
            raise ValueError(f"forces must have as many frames as positions ({len(x_all)}), got {len(f_all)}")
    n = len(x_all)
    bs = min(int(batch_size), n)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist = {"step": [], "loss": [], "nll": [], "force_mse": []}
    start = 0
    ckpt_path = Path(checkpoint) if checkpoint is not None else None
    if ckpt_path is not None and ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=model.device, weights_only=False)
        model.load_state_dict(ck["state_dict"])
        opt.load_state_dict(ck["optimizer"])
        start = int(ck["step"])
        hist = {k: list(v) for k, v in ck["history"].items()}

    def save(step):
        if ckpt_path is not None:
            save_boltzmann_generator(model, ckpt_path, optimizer=opt.state_dict(), step=step,
                                     history={k: np.asarray(v) for k, v in hist.items()})

    per_epoch = max(1, n // bs)
    model.train()
    bar = progress_bar(total=int(steps), initial=min(start, int(steps)), desc="train BG", progress=progress)
    with bar:
        for step in range(start, int(steps)):
            epoch, k = divmod(step, per_epoch)
            perm = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed) * 1_000_003 + epoch))
            idx = perm[k * bs:(k + 1) * bs].to(model.device)
            xb = x_all[idx]
            if w_fm > 0:
                xb = xb.detach().requires_grad_(True)
                lp = model.log_prob(xb)
                (g,) = torch.autograd.grad(lp.sum(), xb, create_graph=True)
                fmse = ((g - f_all[idx]) ** 2).mean()
            else:
                lp = model.log_prob(xb)
                fmse = torch.zeros((), dtype=lp.dtype, device=lp.device)
            nll = -lp.mean()
            loss = w_nll * nll + w_fm * fmse
            if not torch.isfinite(loss):
                raise FloatingPointError(f"training loss is not finite at step {step} (nll={float(nll)}, "
                                         f"force_mse={float(fmse)}); lower lr or check the data ranges")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            hist["step"].append(step + 1)
            hist["loss"].append(float(loss.detach()))
            hist["nll"].append(float(nll.detach()))
            hist["force_mse"].append(float(fmse.detach()))
            bar.update(1)
            bar.set_postfix(nll=f"{hist['nll'][-1]:.2f}")
            if (step + 1) % int(checkpoint_every) == 0:
                save(step + 1)
    model.eval()
    save(int(steps))
    return {k: np.asarray(v) for k, v in hist.items()}


def ramachandran(x) -> tuple[np.ndarray, np.ndarray]:
    """(φ, ψ) in radians of alanine-dipeptide positions (n, 22, 3) (numpy or torch)."""
    x = torch.as_tensor(np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64))
    if x.ndim != 3 or x.shape[1:] != (22, 3):
        raise ValueError(f"x must have shape (n, 22, 3), got {tuple(x.shape)}")
    phi = dihedral(*(x[:, i] for i in PHI_ATOMS))
    psi = dihedral(*(x[:, i] for i in PSI_ATOMS))
    return phi.numpy(), psi.numpy()


#: Ramachandran basins (degrees): αL/C7ax for φ > 0; for φ ≤ 0, αR where −120° < ψ ≤ 50°, else β/PII/C5.
BASINS = ("beta", "alpha_R", "alpha_L")


def ramachandran_basins(phi, psi) -> np.ndarray:
    """Basin index (0 β, 1 αR, 2 αL, see :data:`BASINS`) of (φ, ψ) in radians."""
    phi, psi = np.degrees(np.asarray(phi)), np.degrees(np.asarray(psi))
    return np.where(phi > 0, 2, np.where((psi > -120) & (psi <= 50), 1, 0))


def ramachandran_free_energy(phi, psi, *, bins: int = 36, weights=None) -> np.ndarray:
    """F(φ, ψ) = −log p(φ, ψ) in k_BT on a ``bins``×``bins`` grid over [−π, π)², shifted to min 0;
    +inf in empty bins. ``weights`` (e.g. importance weights of flow samples) are optional."""
    h, _, _ = np.histogram2d(np.asarray(phi), np.asarray(psi), bins=int(bins), range=[[-np.pi, np.pi]] * 2,
                             weights=weights)
    with np.errstate(divide="ignore"):
        f = -np.log(h / h.sum())
    return f - f[np.isfinite(f)].min()


def basin_free_energies(phi, psi, *, weights=None) -> np.ndarray:
    """F_b = −log P_b in k_BT for the basins of :data:`BASINS` (P_b the fraction in basin b; +inf if empty).

    Differences F_b − F_b' are the basin free-energy differences; comparing F_b of flow samples
    with MD needs no choice of reference basin."""
    w = np.ones(len(np.asarray(phi))) if weights is None else np.asarray(weights, dtype=float)
    p = np.bincount(ramachandran_basins(phi, psi), weights=w, minlength=3)
    with np.errstate(divide="ignore"):
        return -np.log(p / p.sum())


def amber_energies(x, *, platform: str = "Reference") -> np.ndarray:
    """Amber99SB-ILDN + OBC potential energies (kJ/mol) of configurations x (n, 22, 3) nm."""
    from statgen.md.data import get_platform
    from statgen.md.system import alanine_dipeptide, import_openmm

    openmm = import_openmm()
    x = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64)
    if x.ndim != 3 or x.shape[1:] != (22, 3):
        raise ValueError(f"x must have shape (n, 22, 3) in nm, got {x.shape}")
    _, system, _ = alanine_dipeptide()
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), get_platform(platform))
    out = np.empty(len(x))
    for i, xi in enumerate(x):  # OpenMM evaluates one configuration per call
        ctx.setPositions(xi)
        out[i] = ctx.getState(getEnergy=True).getPotentialEnergy().value_in_unit(openmm.unit.kilojoule_per_mole)
    return out


def evaluate_boltzmann_generator(model: BoltzmannGenerator, positions, forces=None, *, temperature: float = 300.0,
                                 n_samples: int = 1000, batch_size: int = 512, seed: int = 0,
                                 bins: int = 36) -> dict[str, np.ndarray | float]:
    """Validation metrics of a Boltzmann generator against MD frames.

    Parameters
    ----------
    positions : (n, 22, 3) nm validation frames; forces : (n, 22, 3) reference forces in k_BT/nm.
    temperature : K (k_BT = RT converts the OpenMM energies).
    n_samples : flow samples for the reverse KL and the Ramachandran plot.

    Returns
    -------
    dict with
    ``nll`` : mean −log p_x over the frames (nats; density per nm^60, see :mod:`statgen.md.zmatrix`);
    ``force_mse`` : mean over frames, atoms and xyz of (F_flow − F_MD)² in (k_BT/nm)²;
    ``reverse_kl`` : mean_{x~q}[log q(x) + U_amber(x)/k_BT], the reverse KL up to the constant −log Z;
    ``phi_md, psi_md, phi_flow, psi_flow`` : dihedrals (rad); ``fes_md, fes_flow`` (bins, bins) in k_BT;
    ``basin_df_md, basin_df_flow`` (3,) F_b = −log P_b of :data:`BASINS` (k_BT); ``fes_mae`` : mean |F_flow − F_MD − c|
    over bins populated by both, c the mean difference (free energies are defined up to a constant; k_BT).
    """
    from statgen.md.system import kbt

    x = _as_positions_tensor(positions, model.n_atoms, model.dtype, model.device, "positions")
    nll, fmse = [], []
    for i in range(0, len(x), int(batch_size)):
        xb = x[i:i + int(batch_size)]
        if forces is not None:
            fb = _as_positions_tensor(forces[i:i + int(batch_size)], model.n_atoms, model.dtype, model.device,
                                      "forces")
            fmse.append(float(((model.force(xb) - fb) ** 2).sum()))
        with torch.no_grad():
            nll.append(float(model.energy(xb).sum()))
    out: dict = {"nll": sum(nll) / len(x),
                 "force_mse": sum(fmse) / x[..., 0].numel() / 3 if forces is not None else float("nan")}
    gen = torch.Generator(device=model.device).manual_seed(int(seed))
    with torch.no_grad():
        xs, log_q = model.sample_and_log_prob(int(n_samples), generator=gen)
    u = amber_energies(xs) / kbt(temperature)
    ok = np.isfinite(u)
    out["reverse_kl"] = float(np.mean(log_q.cpu().numpy()[ok] + u[ok]))
    out["phi_md"], out["psi_md"] = ramachandran(x)
    out["phi_flow"], out["psi_flow"] = ramachandran(xs)
    out["fes_md"] = ramachandran_free_energy(out["phi_md"], out["psi_md"], bins=bins)
    out["fes_flow"] = ramachandran_free_energy(out["phi_flow"], out["psi_flow"], bins=bins)
    both = np.isfinite(out["fes_md"]) & np.isfinite(out["fes_flow"])
    diff = out["fes_flow"][both] - out["fes_md"][both]
    out["fes_mae"] = float(np.mean(np.abs(diff - diff.mean()))) if both.any() else np.nan  # free energies align up to a constant
    out["basin_df_md"] = basin_free_energies(out["phi_md"], out["psi_md"])
    out["basin_df_flow"] = basin_free_energies(out["phi_flow"], out["psi_flow"])
    return out


#: packaged smooth + force-matching Boltzmann generator (see :func:`pretrained_boltzmann_generator`).
PRETRAINED = "ala2_smooth_fm.pt"


def _pretrained_file() -> dict:
    from importlib import resources

    ref = resources.files("statgen.md") / "data" / PRETRAINED
    with resources.as_file(ref) as p:
        return torch.load(p, map_location="cpu", weights_only=False)


def pretrained_boltzmann_generator(*, device=None, dtype=torch.float64) -> BoltzmannGenerator:
    """The packaged smooth-flow Boltzmann generator of alanine dipeptide (NLL + force matching).

    Trained for 1200 Adam steps (``train_boltzmann_generator(w_fm=1e-3, lr=1e-3, batch_size=128)``)
    on the first 1000 frames (1 ns) of ``generate_md_data(ns=2, seed=0)`` (Reference platform,
    300 K); components=6, hidden=(48, 48), torsion_blocks=2; training NLL −203.2, force MSE
    8.4e3 (k_BT/nm)² (``torch.load(path)["info"]``). A small model for tests, benchmarks and
    demos — stable as an MD potential from its :func:`pretrained_starting_frames` but not from
    every configuration; train on ≥ 20 ns for science (``statgen study run alanine``).
    """
    ck = _pretrained_file()
    model = BoltzmannGenerator.from_config(ck["config"], device=device)
    model.load_state_dict(ck["state_dict"])
    return model.to(dtype=dtype)


def pretrained_starting_frames() -> np.ndarray:
    """Four training frames (4, 22, 3) nm of the packaged model (indices 5, 500, 250, 750 of its data).

    With the flow as the only force, 1 ps of velocity-Verlet NVE (1 fs, 300 K Maxwell-Boltzmann
    velocities, ``run_md(nvt_steps=0, seed=0)``) from frames 1-3 conserves the total energy to a
    0.2-0.6 kJ/mol fluctuation (Amber: 0.2-0.4); from frame 0 the trajectory leaves the support
    the 1 ns-trained flow has learned and is stopped as a blow-up."""
    return np.asarray(_pretrained_file()["frames"], dtype=np.float64)
