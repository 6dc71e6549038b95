"""The Boltzmann generator: a smooth flow over internal coordinates; saving, loading, the shipped models.

    log p_x(x) = log p_flow(u(x)) + log|det ∂u/∂x|     (density per nm^{3N−6}, :mod:`statgen.md.internal`)

Energies are U/k_BT = −log p_x(x), forces F = −∇ₓU/k_BT in k_BT/nm.

NLL convention vs bgflow (the paper's ``model.energy(xyz).mean()``). bgflow's
``GlobalInternalCoordinateTransformation(normalize_angles=True)`` maps x to 21 bonds (nm), 20
angles/π, 19 (torsions + π)/2π, the origin x₀ (nm) and the orientation (α/2π, cos β, γ/2π), with
log|det| = −Σ 2 log b − Σ log sin θ − 20 log π − 19 log 2π − 2 log 2π. Its flow density over the
normalized internal coordinates is ours times π^20 (2π)^19; a uniform density 1/2 over the orientation
box [0, 1] × [−1, 1] × [0, 1] and a density p₀ over x₀ give

    log p_bgflow(x) = log p_ours(x) + log p₀(x₀)      (the π and 2π factors and 8π² = 2·(2π)² cancel),

so the two NLLs agree when bgflow treats the 6 global degrees of freedom as uniform orientation and
an unmodelled origin (p₀ ≡ 1 per nm³), and differ by −log p₀(x₀) otherwise.

Coupling layout (Köhler, Krämer & Noé 2021, arXiv:2110.00351): flow coordinates are
[torsions | angles | bonds]; the torsions are split into two interleaved halves (φ and ψ in
different halves) conditioned on each other (``torsion_blocks`` times both ways), then angles
conditioned on all torsions, then bonds conditioned on angles and torsions.

Files (``save_boltzmann_generator``, training checkpoints of :class:`statgen.flows.FlowTrainer`)
hold plain data only — ``config`` (the constructor's arguments as lists, numbers and strings) and
``state_dict`` (tensors) — and are read with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from statgen._checks import check_choice, check_int
from statgen.flows._validate import check_dtype
from statgen.flows.checkpoint import (
    TRAINING_FORMAT,
    check_plain_data,
    load_torch_file,
    save_checkpoint_atomic,
)
from statgen.flows.flow import check_device, check_generator, check_sample_size
from statgen.md.internal import (
    FIXED_ANGLE_RANGE,
    FIXED_BOND_RANGE,
    InternalCoordinates,
    as_positions,
)
from statgen.md.system import ALANINE_ZMATRIX

__all__ = ["BoltzmannGenerator", "alanine_couplings", "save_boltzmann_generator", "load_boltzmann_generator",
           "pretrained_boltzmann_generator", "pretrained_starting_frames", "pretrained_study_results", "PRETRAINED",
           "MODEL_FORMAT"]

MODEL_FORMAT = "statgen.md.BoltzmannGenerator"
_CONFIG_KEYS = ("bond_range", "angle_range", "transformer", "components", "hidden", "torsion_blocks", "beta",
                "edges", "zmatrix", "dtype")
_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def alanine_couplings(n_torsions: int = 19, n_angles: int = 20, n_bonds: int = 21, *,
                      torsion_blocks: int = 2) -> list[tuple[list[int], list[int]]]:
    """Coupling layout over [torsions | angles | bonds]: (T₁|T₂, T₂|T₁) × ``torsion_blocks``,
    then A | T, then B | (A, T). T₁ = even torsions (φ, the first), T₂ = odd ones (ψ, the second)."""
    n_torsions = check_int(n_torsions, "n_torsions", minimum=2)
    n_angles = check_int(n_angles, "n_angles", minimum=1)
    n_bonds = check_int(n_bonds, "n_bonds", minimum=1)
    torsion_blocks = check_int(torsion_blocks, "torsion_blocks", minimum=1)
    t = list(range(n_torsions))
    a = list(range(n_torsions, n_torsions + n_angles))
    b = list(range(n_torsions + n_angles, n_torsions + n_angles + n_bonds))
    t1, t2 = t[0::2], t[1::2]
    layout = []
    for _ in range(torsion_blocks):
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
    zmatrix : rows of the z-matrix (default alanine dipeptide); sets ``n_atoms``.
    device, dtype : torch device and dtype (float32 default for training, float64 for checks).

    Attributes
    ----------
    ic : InternalCoordinates; flow : SmoothFlow; n_atoms : int; config : dict (plain data, rebuilds the model).
    """

    def __init__(self, *, bond_range=FIXED_BOND_RANGE, angle_range=FIXED_ANGLE_RANGE, transformer: str = "smooth",
                 components: int = 8, hidden: Sequence[int] = (64, 64), torsion_blocks: int = 2,
                 beta: float | str = 1.0, zmatrix: Sequence[Sequence[int]] = ALANINE_ZMATRIX,
                 edges: str = "smooth", device=None, dtype=torch.float32):
        super().__init__()
        from statgen.flows import SmoothFlow
        from statgen.flows.conditioners import check_hidden

        dtype = check_dtype(dtype) or torch.float32
        device = check_device(device)
        components = check_int(components, "components", minimum=1)
        hidden = check_hidden(hidden)
        self.ic = InternalCoordinates(zmatrix, bond_range=bond_range, angle_range=angle_range, edges=edges,
                                      dtype=dtype, device=device)
        zm = self.ic.zmatrix
        couplings = alanine_couplings(zm.n_torsions, zm.n_angles, zm.n_bonds, torsion_blocks=torsion_blocks)
        self.flow = SmoothFlow(self.ic.domains, components=components, hidden=hidden,
                               transformer=transformer, couplings=couplings, beta=beta, device=device, dtype=dtype)
        self.n_atoms = zm.n_atoms
        self.config = dict(bond_range=self.ic.bond_range.tolist(), angle_range=self.ic.angle_range.tolist(),
                           transformer=transformer, components=components, hidden=list(hidden),
                           torsion_blocks=int(torsion_blocks), beta=beta if isinstance(beta, str) else float(beta),
                           edges=edges, zmatrix=zm.rows.tolist(), dtype=str(dtype).removeprefix("torch."))

    @property
    def dtype(self) -> torch.dtype:
        return self.flow.dtype

    @property
    def device(self) -> torch.device:
        return self.flow.device

    def check_input(self, x, name: str = "x") -> torch.Tensor:
        """Positions as a finite tensor (n, n_atoms, 3) of this model's dtype and device (flat (n, 3N) reshaped)."""
        return as_positions(x, self.n_atoms, dtype=self.dtype, device=self.device, name=name)

    def log_prob(self, x) -> torch.Tensor:
        """log p_x(x), shape (n,), for finite positions (n, N, 3) nm (density per nm^{3N−6})."""
        x = self.check_input(x)
        u, ld = self.ic._forward(x)
        return self.flow.log_prob(u) + ld

    def energy(self, x) -> torch.Tensor:
        """U(x)/k_BT = −log p_x(x), shape (n,)."""
        return -self.log_prob(x)

    def _energy(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`energy` without the input checks, for positions (n, N, 3) of this model's dtype and
        device (the hot path of :class:`statgen.md.EnergyForce`: no host synchronisation)."""
        u, ld = self.ic._forward(x)
        return -(self.flow._forward(u)[1] + ld)

    def force(self, x, *, create_graph: bool = False) -> torch.Tensor:
        """F = −∇ₓ U/k_BT in k_BT/nm, shape (n, N, 3); ``create_graph`` for force matching."""
        x = self.check_input(x)
        with torch.enable_grad():
            xr = x if (create_graph and x.requires_grad) else x.detach().requires_grad_(True)
            lp = self.log_prob(xr)
            (g,) = torch.autograd.grad(lp.sum(), xr, create_graph=create_graph)
        return g

    def sample_and_log_prob(self, n: int, *, generator: torch.Generator | None = None
                            ) -> tuple[torch.Tensor, torch.Tensor]:
        """(x (n, N, 3) nm in the canonical frame, log p_x(x)), reparameterized; n refused up front
        (``MemoryError`` with the estimate) when it cannot fit."""
        item = torch.finfo(self.dtype).bits // 8
        n = check_sample_size(n, self.flow.sample_bytes() + item * self.n_atoms * 3 * 8)
        check_generator(generator)
        u, log_pu = self.flow.sample_and_log_prob(n, generator=generator)
        x, ld = self.ic._inverse(u)
        return x, log_pu - ld

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n configurations (n, N, 3) in nm, canonical frame (root atom at the origin)."""
        with torch.no_grad():
            return self.sample_and_log_prob(n, generator=generator)[0]

    @classmethod
    def from_config(cls, config: dict, *, device=None) -> BoltzmannGenerator:
        """Rebuild a model from its ``config`` (keys of :attr:`config`; unknown keys are refused)."""
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict of the model's arguments, got {type(config).__name__}")
        unknown = sorted(set(config) - set(_CONFIG_KEYS))
        if unknown:
            raise ValueError(f"config has unknown keys {unknown}; known: {list(_CONFIG_KEYS)}")
        cfg = dict(config)
        dtype = _DTYPES[check_choice(cfg.pop("dtype", "float32"), "config dtype", list(_DTYPES))]
        return cls(**cfg, device=device, dtype=dtype)


def save_boltzmann_generator(model: BoltzmannGenerator, path: str | os.PathLike, **extra) -> Path:
    """Write ``{"format", "version", "config", "state_dict", **extra}`` atomically (plain data only:
    ``extra`` may hold tensors, numbers, strings, lists and dicts); :func:`load_boltzmann_generator` reads it."""
    if not isinstance(model, BoltzmannGenerator):
        raise TypeError(f"model must be a statgen.md.BoltzmannGenerator, got {type(model).__name__}")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path {path} is a directory; give a file name")
    clash = sorted({"format", "version", "config", "state_dict"} & set(extra))
    if clash:
        raise ValueError(f"extra must not override the keys {clash} (config and state_dict come from the model)")
    check_plain_data(extra, "extra")
    save_checkpoint_atomic(path, {"format": MODEL_FORMAT, "version": 1, "config": model.config,
                                  "state_dict": model.state_dict(), **extra})
    return path


def _model_from_file(ck, path, device) -> BoltzmannGenerator:
    what = "statgen Boltzmann-generator checkpoint"
    if not isinstance(ck, dict):
        raise ValueError(f"{path} is not a {what}: it holds a {type(ck).__name__}, not a dict")
    missing = [k for k in ("config", "state_dict") if k not in ck]
    if missing or ck.get("format", MODEL_FORMAT) not in (MODEL_FORMAT, TRAINING_FORMAT) or ck["config"] is None:
        raise ValueError(f"{path} is not a {what}: format {ck.get('format')!r}, missing keys {missing} "
                         "(needs 'config' and 'state_dict')")
    sd = ck["state_dict"]
    if not isinstance(sd, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in sd.items()):
        raise ValueError(f"{path} is not a {what}: 'state_dict' must map parameter names to tensors")
    bad = [k for k, v in sd.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise ValueError(f"{path} is not a {what}: state_dict[{bad[0]!r}] contains NaN or infinite values")
    cfg = ck["config"]
    missing_cfg = [k for k in _CONFIG_KEYS if isinstance(cfg, dict) and k not in cfg]
    if missing_cfg:
        raise ValueError(f"{path} is not a {what}: its config lacks {missing_cfg}")
    try:
        model = BoltzmannGenerator.from_config(cfg)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a {what}: its config is invalid: {exc}") from exc
    try:
        model.load_state_dict(sd)
    except (RuntimeError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} is not a {what}: its state_dict does not fit its config: "
                         f"{str(exc).splitlines()[0][:300]}") from exc
    return model if device is None else model.to(device)


def load_boltzmann_generator(path: str | os.PathLike, *, device=None) -> BoltzmannGenerator:
    """Rebuild a :class:`BoltzmannGenerator` from a file of :func:`save_boltzmann_generator` or a training
    checkpoint (``torch.load(weights_only=True)``: no code from the file runs). Every problem with the
    file is a ``ValueError`` naming the path; a missing file a ``FileNotFoundError``."""
    device = check_device(device)
    path = Path(path)
    ck = load_torch_file(path, "statgen Boltzmann-generator checkpoint")
    return _model_from_file(ck, path, device)


#: packaged Boltzmann generators by kind (see :func:`pretrained_boltzmann_generator`).
PRETRAINED = {"smooth_fm": "ala2_smooth_fm.pt", "smooth": "ala2_smooth.pt", "spline": "ala2_spline.pt"}
#: the combined results of the full alanine study that trained the packaged models (:func:`pretrained_study_results`).
STUDY_RESULTS = "ala2_study_full.npz"


def _pretrained_file(kind: str = "smooth_fm") -> tuple[dict, str]:
    from importlib import resources

    check_choice(kind, "kind", list(PRETRAINED))
    ref = resources.files("statgen.md") / "data" / PRETRAINED[kind]
    with resources.as_file(ref) as p:
        return load_torch_file(p, "statgen Boltzmann-generator checkpoint"), str(p)


def pretrained_boltzmann_generator(kind: str = "smooth_fm", *, device=None, dtype=torch.float64) -> BoltzmannGenerator:
    """A packaged Boltzmann generator of alanine dipeptide, trained by the full alanine study.

    ``kind``: "smooth_fm" (smooth flow, NLL + force matching, w_fm = 5e-4), "smooth" (smooth flow,
    NLL only) or "spline" (RQ-spline baseline, NLL only). All three: components=8, hidden=(64, 64),
    torsion_blocks=2, trained with Adam 5e-4, batch 128, 10 epochs on 50 ns of Reference-platform MD
    (300 K; the first 2 ns discarded, the last 20 % held out) by ``statgen study run alanine`` and
    exported by ``studies/_alanine_ship.py``. Their held-out metrics and the study's MD stability are
    under ``torch.load(path, weights_only=True)["info"]`` and in :func:`pretrained_study_results`.
    Weights are stored in float32; the model is returned in ``dtype`` (float64 by default, for MD).
    """
    dtype = check_dtype(dtype)
    device = check_device(device)
    ck, path = _pretrained_file(kind)
    return _model_from_file(ck, path, device).to(dtype=dtype or torch.float64)


def pretrained_starting_frames(kind: str = "smooth_fm") -> np.ndarray:
    """The study's MD starting frames (10, 22, 3) nm shipped with a packaged model: held-out reference
    MD frames (``numpy.random.default_rng(0)`` choice among the validation frames), from which the
    study ran each model's 10 NVT → NVE replicas."""
    ck, path = _pretrained_file(kind)
    frames = ck.get("frames")
    if not isinstance(frames, torch.Tensor) or frames.ndim != 3 or frames.shape[2] != 3:
        raise ValueError(f"{path} is not a statgen Boltzmann-generator checkpoint with starting frames")
    return frames.to(torch.float64).numpy()


def pretrained_study_results() -> dict[str, np.ndarray]:
    """The combined output of the full alanine study (``statgen study run alanine``) that trained the
    packaged models: the keys of ``studies/alanine.py`` (validation metrics per model, Ramachandran
    dihedrals of MD (every 4th frame, float32) and of flow samples, the NVT → NVE energy traces) plus
    ``provenance`` (a string naming the command, data and date). Read with ``numpy.load(allow_pickle=False)``."""
    from statgen._io import load_package_npz

    return load_package_npz("statgen.md", STUDY_RESULTS, what="statgen alanine study results")
