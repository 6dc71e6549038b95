"""Gaussian L2 study: likelihood curves and gamma_opt / gamma_cross / gamma_half vs alpha.

One task = one (graph, seed); for every alpha, ``samples`` Wishart training sets are scored along
the whole closed-form gamma path (:func:`statgen.graphical.l2_sweep`). Checkpointing and the
combined output layout: :mod:`statgen.graphical.gaussian.sweeps`.
"""

from __future__ import annotations

from statgen.graphical import combine_sweeps, l2_sweep, run_sweep_task, sweep_tasks
from statgen.studies import register_study


def tasks(cfg: dict) -> list[dict]:
    return sweep_tasks(cfg)


def compute(task: dict, ctx):
    return run_sweep_task(task, ctx, l2_sweep)


def combine(cfg: dict, results: list[dict]):
    return combine_sweeps(cfg, tasks(cfg), results)


register_study(
    "gaussian_l2",
    tasks=tasks,
    compute=compute,
    combine=combine,
    config="gaussian_l2.toml",
    description="Gaussian L2 MAP: likelihood curves, gamma_opt/cross/half vs alpha "
    "(Fanthomme et al. 2022)",
)
