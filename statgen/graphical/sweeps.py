"""Regularization sweeps over (graph, seed, alpha) shared by the Gaussian L1 and L2 studies.

A study task is one (graph, seed): a true model, then ``samples`` Wishart training sets per alpha,
each scored along a whole gamma path by a sweep function (:func:`statgen.graphical.l2_sweep` or
:func:`statgen.graphical.l1_sweep`). Every alpha is checkpointed in the task's work directory, so
an interrupted task resumes at the next alpha with the same random stream.

Combined output (per graph, per alpha, over seeds x samples):

- ``curve_keys`` (graph, alpha, gamma): mean curves, ``*_sd`` their spread;
- ``gamma_opt, gamma_cross, gamma_half`` (graph, alpha): geometric means (the grid is log-spaced),
  ``*_logsd`` the standard deviation of log gamma (NaN-aware: gen and test may never cross);
- ``gap`` (graph, alpha): mean of ``L_test(gamma_opt) - max_grid L_train``, ``gap_sd``;
- ``train_opt, test_opt, gen_opt, gen_true_opt``: curves at gamma_opt;
- ``gamma_pred`` (graph,): mean 1/sum_j J_ij^2 over seeds.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable

import numpy as np

from statgen._threads import limited_threads
from statgen.graphical.gaussian import SphericalGaussian, gaussian_couplings
from statgen._io import load_npz, save_npz_atomic

__all__ = ["graph_params", "sweep_tasks", "run_sweep_task", "combine_sweeps"]

_PARAM = {"sk": "sigma", "ring": "j", "band": "sigma", "erdos_renyi": "sigma", "lattice": "j"}
_CURVES = ("train", "test", "gen", "gen_true")


def graph_params(spec: str) -> tuple[str, dict[str, float]]:
    """``"sk:0.5"`` -> ``("sk", {"sigma": 0.5})``; ``"band:width=5,sigma=0.5"`` -> all named."""
    kind, _, rest = spec.partition(":")
    if kind not in _PARAM or not rest:
        raise ValueError(
            f"graphs entries must look like 'sk:0.5' or 'band:width=5,sigma=0.5' with a kind in "
            f"{sorted(_PARAM)}, got {spec!r}"
        )
    if "=" not in rest:
        return kind, {_PARAM[kind]: float(rest)}
    return kind, {k.strip(): float(v) for k, v in (item.split("=") for item in rest.split(","))}


def _logspace(lo: float, hi: float, n: int) -> np.ndarray:
    return np.logspace(np.log10(lo), np.log10(hi), n)


def sweep_tasks(cfg: dict, **extra) -> list[dict]:
    """One task per (graph, seed). ``cfg`` holds ``graphs, seeds, n, samples``, the gamma grid
    ``gamma_min, gamma_max, n_gamma`` and the alpha grid ``alphas_small`` U
    ``logspace(alpha_min, alpha_max, n_alpha)``; ``extra`` entries are copied into every task."""
    for g in cfg["graphs"]:
        graph_params(g)  # fail before any work on a malformed graph
    alphas = np.concatenate(
        [np.asarray(cfg["alphas_small"], float), _logspace(cfg["alpha_min"], cfg["alpha_max"], cfg["n_alpha"])]
    )
    gammas = _logspace(cfg["gamma_min"], cfg["gamma_max"], cfg["n_gamma"])
    common = {"n": cfg["n"], "samples": cfg["samples"], "alphas": alphas.tolist(), "gammas": gammas.tolist()}
    return [
        {"graph": g, "seed": s, **common, **extra} for g in cfg["graphs"] for s in range(cfg["seeds"])
    ]


def run_sweep_task(task: dict, ctx, sweep: Callable[..., dict]) -> dict[str, np.ndarray]:
    """Run ``sweep(model, [alpha], gammas, samples, rng=, progress=)`` for every alpha of ``task``.

    Tasks run side by side in a process pool, so each uses one BLAS (and torch) thread (two OpenBLAS threads
    per task on a loaded 2-core machine made eigh ~50x slower).
    """
    kind, params = graph_params(task["graph"])
    tag = zlib.crc32(task["graph"].encode())
    model = SphericalGaussian(
        gaussian_couplings(kind, task["n"], rng=np.random.default_rng([task["seed"], tag]), **params)
    )
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    with limited_threads(1):
        for i, alpha in enumerate(task["alphas"]):
            ckpt = ctx.workdir / f"alpha-{i:03d}.npz"
            if ckpt.exists():
                parts.append(load_npz(ckpt))
                continue
            rng = np.random.default_rng([task["seed"], tag, i])  # per-alpha stream: resuming is exact
            part = sweep(model, [alpha], task["gammas"], task["samples"], rng=rng, progress=ctx.progress)
            save_npz_atomic(ckpt, part)
            parts.append(part)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if parts[0][k].ndim >= 1}
    out["gammas"] = parts[0]["gammas"]
    out["gamma_pred"] = parts[0]["gamma_pred"]
    return out


def combine_sweeps(
    cfg: dict, tasks: list[dict], results: list[dict], curve_keys: tuple[str, ...] = _CURVES
) -> dict[str, np.ndarray]:
    """Pool the per-(graph, seed) task results over seeds x samples (layout in the module doc)."""
    graphs = list(cfg["graphs"])
    per = {g: [r for t, r in zip(tasks, results, strict=True) if t["graph"] == g] for g in graphs}
    out: dict[str, np.ndarray] = {
        "graphs": np.array(graphs),
        "gammas": results[0]["gammas"],
        "alphas": results[0]["alphas"],
        "n": np.asarray(cfg["n"]),
        "curve_graph": np.asarray(cfg["curve_graph"]),
        "curve_alphas": np.asarray(cfg["curve_alphas"], float),
    }

    def pool(key):  # (graph, alpha, seeds*samples, ...)
        return np.stack([np.concatenate([r[key] for r in per[g]], axis=1) for g in graphs])

    for key in curve_keys:
        v = pool(key)
        out[key], out[f"{key}_sd"] = v.mean(axis=2), v.std(axis=2)
    for key in ("gamma_opt", "gamma_cross", "gamma_half"):
        lv = np.log(pool(key))
        with warnings.catch_warnings():  # an alpha where gen and test never cross is all-NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            out[key] = np.exp(np.nanmean(lv, axis=2))
            out[f"{key}_logsd"] = np.nanstd(lv, axis=2)
    for key in _CURVES:
        out[f"{key}_opt"] = np.nanmean(pool(f"{key}_opt"), axis=2)
    gap = pool("test_opt") - pool("train_max")
    out["gap"], out["gap_sd"] = np.nanmean(gap, axis=2), np.nanstd(gap, axis=2)
    out["gamma_pred"] = np.array([np.mean([r["gamma_pred"] for r in per[g]]) for g in graphs])
    return out
