"""Torus experiment (Köhler, Krämer & Noé 2021, Sec. 5.1): smooth vs spline flows, periodic vs
non-periodic, trained by NLL and by NLL + force matching on Metropolis samples of the ring density.

One task = one (domain, transformer, w_fm) variant, computed by
:func:`statgen.flows.torus.run_torus_experiment`; training checkpoints live in the task's workdir,
so an interrupted run resumes. Combined output: per-variant scalars (``test_nll``, ``kl``,
``force_mse``, ...) as arrays over ``variants`` and stacked grids (``log_q``, ``force_q``) for figures.
"""

from __future__ import annotations

import numpy as np
import torch

from statgen._threads import limited_threads
from statgen.flows.torus import run_torus_experiment
from statgen.studies import register_study

SCALARS = ("test_nll", "test_nll_true", "kl", "kl_reverse", "force_mse", "force_mse_true_scale", "acceptance")
GRIDS = ("log_q", "force_q")


def tasks(cfg: dict) -> list[dict]:
    keys = ("n_train", "n_test", "layers", "components", "hidden", "epochs", "batch_size", "lr", "seed",
            "metropolis_steps", "density_grid", "force_grid", "kl_grid", "dtype", "threads")
    base = {k: cfg[k] for k in keys}
    return [dict(base, domain=d, transformer=t, w_fm=float(w))
            for d in cfg["domains"] for t in cfg["transformers"] for w in cfg["w_fm"]]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    kw = {k: v for k, v in task.items() if k != "threads"}
    kw["dtype"] = getattr(torch, kw["dtype"])
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    with limited_threads(int(task["threads"]), blas=False):  # small tensors: extra threads only synchronise
        return run_torus_experiment(workdir=ctx.workdir, progress=ctx.progress, **kw)


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    ts = tasks(cfg)
    out: dict[str, np.ndarray] = {
        "variants": np.array([f"{t['domain']}/{t['transformer']}/fm={t['w_fm']:g}" for t in ts]),
        "domain": np.array([t["domain"] for t in ts]), "transformer": np.array([t["transformer"] for t in ts]),
        "w_fm": np.array([t["w_fm"] for t in ts]), "n_train": np.array(int(cfg["n_train"])),
        "log_p": results[0]["log_p"], "force_p": results[0]["force_p"],
    }
    for k in SCALARS:
        out[k] = np.array([float(r[k]) for r in results])
    for k in GRIDS:
        out[k] = np.stack([r[k] for r in results])
    for k in ("history_loss", "history_nll", "history_force_mse"):
        out[k] = np.stack([r[k] for r in results])
    return out


register_study("torus", tasks=tasks, compute=compute, combine=combine, config="torus.toml", version="2",
               description="Torus ring density: smooth vs RQ-spline flows, periodic vs non-periodic, NLL vs NLL+FM")
