"""Gaussian L1 study: graphical-lasso likelihood curves and gamma_opt / gamma_cross / gamma_half vs alpha.

The L1 counterpart of ``gaussian_l2``: one task = one (graph, seed); for every alpha, ``samples``
Wishart training sets are scored along the whole warm-started L1 path
(:func:`statgen.graphical.l1_sweep`), in units of the L1 strength gamma_1 = alpha * lambda.
Checkpointing and the combined output layout: :mod:`statgen.graphical.gaussian.sweeps`, plus ``n_edges``
(mean number of couplings).
"""

from __future__ import annotations

from functools import partial

from statgen.graphical import combine_sweeps, l1_sweep, run_sweep_task, sweep_tasks
from statgen.studies import register_study

CURVES = ("train", "test", "gen", "gen_true", "n_edges")


def tasks(cfg: dict) -> list[dict]:
    return sweep_tasks(cfg, tol=cfg["tol"])


def compute(task: dict, ctx):
    return run_sweep_task(task, ctx, partial(l1_sweep, tol=task["tol"]))


def combine(cfg: dict, results: list[dict]):
    return combine_sweeps(cfg, tasks(cfg), results, curve_keys=CURVES)


register_study(
    "gaussian_l1",
    tasks=tasks,
    compute=compute,
    combine=combine,
    config="gaussian_l1.toml",
    description="Gaussian L1 MAP (graphical lasso path): likelihood curves, gamma_opt/cross/half "
    "vs alpha in units gamma_1 = alpha*lambda (Fanthomme et al. 2022)",
)
