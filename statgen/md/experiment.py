"""The alanine-dipeptide experiment of Köhler, Krämer & Noé (2021, arXiv:2110.00351, Sec. 5.3, Table 2, Fig. 6).

One call = one model: reference MD data (generated once per data directory and shared, see
:func:`generate_md_data`: its writers hold a lock, a second one waits and reuses), a Boltzmann
generator trained on the first ``1 − val_fraction`` of the frames (smooth by NLL, smooth by
NLL + force matching, or RQ spline by NLL), its validation metrics on the held-out frames, and MD
with it as the only force (or with Amber, for reference) from held-out frames. The study
``studies/alanine.py`` runs one call per model; the torus counterpart is
:func:`statgen.flows.run_torus_experiment`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from statgen._checks import (
    check_choice,
    check_in_range,
    check_int,
    check_nonnegative,
    check_positive,
)
from statgen.md.analysis import evaluate_boltzmann_generator, ramachandran
from statgen.md.data import generate_md_data, load_md_data
from statgen.md.dynamics import run_md
from statgen.md.internal import data_ranges
from statgen.md.model import BoltzmannGenerator, load_boltzmann_generator
from statgen.md.system import kbt
from statgen.md.training import tail_configurations, train_boltzmann_generator

__all__ = ["run_alanine_experiment", "reference_split", "MODELS"]

MODELS = ("smooth", "smooth_fm", "spline", "amber")
FLOW_METRICS = ("nll", "force_mse", "reverse_kl", "ess", "fes_mae")


def reference_split(data_dir: str | os.PathLike, *, ns: float, platform: str = "Reference", seed: int = 0,
                    temperature: float = 300.0, val_fraction: float = 0.2, burn_in_ps: float = 0.0,
                    progress: bool = False) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(train, validation) frames of the reference run in ``data_dir`` (generated or extended there to
    ``ns``): the frames saved before ``burn_in_ps`` are discarded (from the packaged starting
    structure the first ≈ 2 ns sit in the φ > 0 basin), then the last ``val_fraction`` of the rest
    in time are held out. Each part holds ``positions`` (nm), ``forces`` (kJ/mol/nm) and ``energies`` (kJ/mol)."""
    val_fraction = check_in_range(val_fraction, "val_fraction", 0.0, 1.0, closed=False)
    burn_in_ps = check_nonnegative(burn_in_ps, "burn_in_ps")
    generate_md_data(data_dir, ns=ns, platform=platform, seed=seed, temperature=temperature,
                     equilibration_ps=10.0 if ns >= 1 else 1.0, progress=progress)
    d = load_md_data(data_dir, max_frames=int(round(ns * 1000)))  # frames every 1 ps: the first ns of the run
    keep = np.flatnonzero(d.time >= burn_in_ps)
    n_train = int(round(len(keep) * (1 - val_fraction)))
    if not 1 <= n_train < len(keep):
        raise ValueError(f"val_fraction={val_fraction} and burn_in_ps={burn_in_ps} leave {n_train} of {len(keep)} "
                         f"frames (of {len(d)}) for training; need at least one frame on each side")
    keys = ("positions", "forces", "energies")
    return tuple({k: getattr(d, k)[keep[s]] for k in keys} for s in (slice(0, n_train), slice(n_train, None)))


def run_alanine_experiment(model: str, *, data_dir: str | os.PathLike, ns: float, platform: str = "Reference",
                           val_fraction: float = 0.2, w_fm: float = 1e-3, steps: int | None = None,
                           epochs: int | None = None, burn_in_ps: float = 0.0, batch_size: int = 128,
                           lr: float = 5e-4, lr_decay: float = 1.0, components: int = 8, hidden=(64, 64), torsion_blocks: int = 2,
                           n_samples: int = 1000, replicas: int = 10, nvt_steps: int = 1000, nve_steps: int = 5000,
                           report_every: int = 10, bins: int = 36, seed: int = 0, temperature: float = 300.0,
                           w_tail: float = 0.0, tail_sigma: float = 0.003, tail_frames: int = 20000, workdir: str | os.PathLike | None = None, progress: bool = False) -> dict[str, np.ndarray]:
    """Train (``workdir/model.pt``, resumable), evaluate and run MD with one model of :data:`MODELS`.

    ``w_fm`` weighs the force MSE ((k_BT/nm)², mean over atoms and components) of "smooth_fm" only, and
    so does ``w_tail``, the force MSE on ``tail_frames`` configurations beyond the data
    (:func:`statgen.md.tail_configurations` of the training frames, displacements N(0, ``tail_sigma``²)
    nm; 0, the paper's loss, by default).
    The training length is ``steps`` optimizer steps or ``epochs`` passes over the training frames
    (give one), at learning rate ``lr`` times ``lr_decay`` per epoch; ``burn_in_ps`` of the reference run are discarded (:func:`reference_split`).

    Returns
    -------
    dict: ``nll``, ``force_mse``, ``reverse_kl``, ``ess``, ``fes_mae`` (validation metrics, NaN for "amber"),
    ``basin_df`` (3,) F_b = −log P_b of the flow samples (k_BT), ``phi_flow``, ``psi_flow`` (n_samples,)
    rad; ``phi_md``, ``psi_md`` of all reference frames; the MD traces ``time``, ``nve``, ``total``,
    ``potential``, ``blew_up``, ``drift``, ``fluctuation`` of :func:`run_md`.
    """
    check_choice(model, "model", MODELS)
    w_fm = check_nonnegative(w_fm, "w_fm")
    w_tail = check_nonnegative(w_tail, "w_tail")
    tail_sigma = check_positive(tail_sigma, "tail_sigma")
    tail_frames = check_int(tail_frames, "tail_frames", minimum=1)
    replicas = check_int(replicas, "replicas", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if (steps is None) == (epochs is None):
        raise ValueError(f"give steps or epochs (one of them), got steps={steps!r}, epochs={epochs!r}")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    train, val = reference_split(data_dir, ns=ns, platform=platform, seed=seed, temperature=temperature,
                                 val_fraction=val_fraction, burn_in_ps=burn_in_ps, progress=progress)
    if epochs is not None:
        steps = check_int(epochs, "epochs", minimum=0) * -(-len(train["positions"]) // batch_size)
    if replicas > len(val["positions"]):
        raise ValueError(f"replicas={replicas} exceeds the {len(val['positions'])} held-out frames to start from")
    rng = np.random.default_rng(seed)
    starts = val["positions"][rng.choice(len(val["positions"]), replicas, replace=False)]
    md_kw = dict(temperature=temperature, nvt_steps=nvt_steps, nve_steps=nve_steps, report_every=report_every,
                 seed=seed, progress=progress)
    out: dict[str, np.ndarray] = {}
    if model == "amber":
        res = run_md("amber", starts, **md_kw)
        out.update({k: np.nan for k in FLOW_METRICS}, basin_df=np.full(3, np.nan),
                   phi_flow=np.full(n_samples, np.nan), psi_flow=np.full(n_samples, np.nan))
    else:
        ckpt = Path(workdir) / "model.pt" if workdir is not None else None
        if ckpt is not None and ckpt.exists():
            bg = load_boltzmann_generator(ckpt)
        else:
            br, ar = data_ranges(train["positions"])
            torch.manual_seed(seed)
            bg = BoltzmannGenerator(bond_range=br, angle_range=ar, transformer="spline" if model == "spline" else "smooth",
                                    components=components, hidden=hidden, torsion_blocks=torsion_blocks)
        k = kbt(temperature)
        tail_kw = {}
        if model == "smooth_fm" and w_tail > 0:
            xt, ft = tail_configurations(train["positions"], sigma=tail_sigma, n=tail_frames, seed=seed, model=bg)
            tail_kw = dict(w_tail=w_tail, tail=(xt, ft / k))
        train_boltzmann_generator(bg, train["positions"], train["forces"] / k, steps=steps, batch_size=batch_size,
                                  lr=lr, lr_decay=lr_decay, w_fm=w_fm if model == "smooth_fm" else 0.0, checkpoint=ckpt, seed=seed,
                                  progress=progress, **tail_kw)
        bg = bg.double()  # metrics and MD in float64
        ev = evaluate_boltzmann_generator(bg, val["positions"], val["forces"] / k, temperature=temperature,
                                          n_samples=n_samples, seed=seed, bins=bins)
        out.update({key: ev[key] for key in FLOW_METRICS}, basin_df=ev["basin_df_flow"], phi_flow=ev["phi_flow"],
                   psi_flow=ev["psi_flow"])
        res = run_md(bg, starts, **md_kw)
    for key in ("time", "nve", "total", "potential", "blew_up", "drift", "fluctuation"):
        out[key] = res[key]
    out["phi_md"], out["psi_md"] = ramachandran(np.concatenate([train["positions"], val["positions"]]))
    return {k: np.asarray(v) for k, v in out.items()}
