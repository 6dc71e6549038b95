"""Alanine dipeptide study: reference MD, smooth / smooth+FM / spline Boltzmann generators, flow MD.

One task per model in ``models`` ("smooth", "smooth_fm", "spline" or "amber"), each one call of
:func:`statgen.md.run_alanine_experiment`. Every task uses the same reference MD data in
``<study run>/md_data`` (the first task to get there generates it; the others wait on the data
directory's lock and reuse it); training checkpoints live in the task's workdir, so an
interrupted run resumes both the MD data and the training. Combined output (model axis in the
order of ``models``):

- ``models``; ``nll``, ``force_mse``, ``reverse_kl``, ``ess``, ``fes_mae`` (model,) validation metrics
  (NaN for "amber"); ``basin_df`` (model, 3) and ``basin_df_md`` (3,) basin free energies F_b = −log P_b (k_BT, basins β, αR, αL);
- ``phi_md, psi_md`` (all MD frames), ``phi_flow, psi_flow`` (model, n_samples) dihedrals in rad;
- ``time`` (T,) ps, ``nve`` (T,) bool, ``total``, ``potential`` (model, replicas, T) kJ/mol,
  ``blew_up``, ``drift`` (kJ/mol/ps), ``fluctuation`` (kJ/mol) (model, replicas).
"""

from __future__ import annotations

import numpy as np

from statgen._threads import limited_threads
from statgen.md import basin_free_energies, run_alanine_experiment
from statgen.studies import register_study

TEMPERATURE = 300.0
_FLOW_KEYS = ("nll", "force_mse", "reverse_kl", "ess", "fes_mae")


def tasks(cfg: dict) -> list[dict]:
    shared = {k: v for k, v in cfg.items() if k != "models"}
    return [{"model": m, **shared} for m in cfg["models"]]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    kw = {k: v for k, v in task.items() if k != "model"}
    with limited_threads(1, blas=False):  # one thread per task: tiny tensors, tasks run in parallel processes
        return run_alanine_experiment(task["model"], data_dir=ctx.workdir.parent.parent / "md_data",
                                      temperature=TEMPERATURE, workdir=ctx.workdir, progress=ctx.progress, **kw)


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {"models": np.array(cfg["models"])}
    for key in (*_FLOW_KEYS, "basin_df", "phi_flow", "psi_flow", "total", "potential", "blew_up", "drift",
                "fluctuation"):
        out[key] = np.stack([r[key] for r in results])
    out["time"], out["nve"] = results[0]["time"], results[0]["nve"]
    out["phi_md"], out["psi_md"] = results[0]["phi_md"], results[0]["psi_md"]
    out["basin_df_md"] = basin_free_energies(out["phi_md"], out["psi_md"])
    out["ns"] = np.asarray(float(cfg["ns"]))  # the size of the run (figures fall back to the shipped full study)
    return out


register_study("alanine", tasks=tasks, compute=compute, combine=combine, config="alanine.toml", version="2",
               description="Alanine dipeptide BG: smooth / smooth+FM / spline flows vs MD; flows as MD potentials "
                           "(Köhler et al. 2021)")
