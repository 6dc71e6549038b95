"""Alanine dipeptide study: reference MD, smooth / smooth+FM / spline Boltzmann generators, flow MD.

One task per model in ``models`` ("smooth", "smooth_fm", "spline" or "amber"). Every task uses
the same reference MD data, generated once (under a file lock) into ``<study run>/md_data``;
training checkpoints live in the task's workdir, so an interrupted run resumes both the MD data
and the training. Combined output (model axis in the order of ``models``):

- ``models``; ``nll``, ``force_mse``, ``reverse_kl``, ``fes_mae`` (model,) validation metrics
  (NaN for "amber"); ``basin_df`` (model, 3) and ``basin_df_md`` (3,) basin free energies F_b = −log P_b (k_BT, basins β, αR, αL);
- ``phi_md, psi_md`` (all MD frames), ``phi_flow, psi_flow`` (model, n_samples) dihedrals in rad;
- ``time`` (T,) ps, ``nve`` (T,) bool, ``total``, ``potential`` (model, replicas, T) kJ/mol,
  ``blew_up``, ``drift`` (kJ/mol/ps), ``fluctuation`` (kJ/mol) (model, replicas).
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from statgen._threads import limited_threads
from statgen.md import (
    BoltzmannGenerator,
    data_ranges,
    evaluate_boltzmann_generator,
    generate_md_data,
    kbt,
    load_boltzmann_generator,
    load_md_data,
    ramachandran,
    run_md,
    train_boltzmann_generator,
)
from statgen.studies import register_study

TEMPERATURE = 300.0
_FLOW_KEYS = ("nll", "force_mse", "reverse_kl", "fes_mae")


def tasks(cfg: dict) -> list[dict]:
    shared = {k: v for k, v in cfg.items() if k != "models"}
    return [{"model": m, **shared} for m in cfg["models"]]


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # one task generates, the others wait and then reuse
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def reference_data(task: dict, workdir: Path, progress: bool):
    """(train, validation) MDData of the shared reference run (generated once per study run)."""
    out = workdir.parent.parent / "md_data"
    with _locked(workdir.parent.parent / "md_data.lock"):
        generate_md_data(out, ns=task["ns"], platform=task["platform"], seed=task["seed"], temperature=TEMPERATURE,
                         equilibration_ps=10.0 if task["ns"] >= 1 else 1.0, progress=progress)
    d = load_md_data(out)
    n_train = int(round(len(d) * (1 - task["val_fraction"])))
    split = [{k: getattr(d, k)[s] for k in ("positions", "forces", "energies")} for s in
             (slice(0, n_train), slice(n_train, None))]
    return split[0], split[1]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    with limited_threads(1, blas=False):  # one thread per task: tiny tensors, tasks run in parallel processes
        return _compute(task, ctx)


def _compute(task: dict, ctx) -> dict[str, np.ndarray]:
    train, val = reference_data(task, ctx.workdir, ctx.progress)
    rng = np.random.default_rng(task["seed"])
    starts = val["positions"][rng.choice(len(val["positions"]), task["replicas"], replace=False)]
    md_kw = dict(temperature=TEMPERATURE, nvt_steps=task["nvt_steps"], nve_steps=task["nve_steps"],
                 report_every=task["report_every"], seed=task["seed"], progress=ctx.progress)
    out: dict[str, np.ndarray] = {}
    if task["model"] == "amber":
        res = run_md("amber", starts, **md_kw)
        out.update({k: np.nan for k in _FLOW_KEYS}, basin_df=np.full(3, np.nan),
                   phi_flow=np.full(task["n_samples"], np.nan), psi_flow=np.full(task["n_samples"], np.nan))
    else:
        ckpt = ctx.workdir / "model.pt"
        if ckpt.exists():
            model = load_boltzmann_generator(ckpt)
        else:
            br, ar = data_ranges(train["positions"])
            torch.manual_seed(task["seed"])
            model = BoltzmannGenerator(bond_range=br, angle_range=ar,
                                       transformer="spline" if task["model"] == "spline" else "smooth",
                                       components=task["components"], hidden=task["hidden"],
                                       torsion_blocks=task["torsion_blocks"])
        k = kbt(TEMPERATURE)
        train_boltzmann_generator(model, train["positions"], train["forces"] / k, steps=task["steps"],
                                  batch_size=task["batch_size"], lr=task["lr"],
                                  w_fm=task["w_fm"] if task["model"] == "smooth_fm" else 0.0,
                                  checkpoint=ckpt, seed=task["seed"], progress=ctx.progress)
        model = model.double()  # metrics and MD in float64
        ev = evaluate_boltzmann_generator(model, val["positions"], val["forces"] / k, temperature=TEMPERATURE,
                                          n_samples=task["n_samples"], seed=task["seed"], bins=task["bins"])
        out.update({key: ev[key] for key in _FLOW_KEYS}, basin_df=ev["basin_df_flow"], phi_flow=ev["phi_flow"],
                   psi_flow=ev["psi_flow"])
        res = run_md(model, starts, **md_kw)
    for key in ("time", "nve", "total", "potential", "blew_up", "drift", "fluctuation"):
        out[key] = res[key]
    out["phi_md"], out["psi_md"] = ramachandran(np.concatenate([train["positions"], val["positions"]]))
    return {k: np.asarray(v) for k, v in out.items()}


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    from statgen.md import basin_free_energies

    out: dict[str, np.ndarray] = {"models": np.array(cfg["models"])}
    for key in (*_FLOW_KEYS, "basin_df", "phi_flow", "psi_flow", "total", "potential", "blew_up", "drift",
                "fluctuation"):
        out[key] = np.stack([r[key] for r in results])
    out["time"], out["nve"] = results[0]["time"], results[0]["nve"]
    out["phi_md"], out["psi_md"] = results[0]["phi_md"], results[0]["psi_md"]
    out["basin_df_md"] = basin_free_energies(out["phi_md"], out["psi_md"])
    return out


register_study("alanine", tasks=tasks, compute=compute, combine=combine, config="alanine.toml",
               description="Alanine dipeptide BG: smooth / smooth+FM / spline flows vs MD; flows as MD potentials "
                           "(Köhler et al. 2021)")
