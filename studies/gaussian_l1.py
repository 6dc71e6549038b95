"""Gaussian L1 study: graphical-lasso likelihood curves and gamma_opt / gamma_cross / gamma_half vs alpha.

The L1 counterpart of ``gaussian_l2``: one task = one (graph, seed); for every alpha, ``samples``
Wishart training sets are scored along the whole warm-started L1 path
(:func:`statgen.graphical.l1_sweep`), in units of the L1 strength gamma_1 = alpha * lambda.
Every alpha is checkpointed in the task's workdir, so an interrupted task resumes at the next alpha.
Combined output (per graph, per alpha, over seeds x samples) has the keys of ``gaussian_l2``
(``train, test, gen, gen_true`` + ``*_sd``; geometric means ``gamma_opt, gamma_cross, gamma_half``
+ ``*_logsd``; ``gap``, ``*_opt``, ``gamma_pred``) plus ``n_edges`` (mean number of couplings).
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np

from statgen.graphical import SphericalGaussian, gaussian_couplings, l1_sweep
from statgen.studies import load_npz, register_study, save_npz_atomic

_PARAM = {"sk": "sigma", "ring": "j", "band": "sigma", "erdos_renyi": "sigma", "lattice": "j"}


def alphas(cfg: dict) -> np.ndarray:
    grid = np.logspace(np.log10(cfg["alpha_min"]), np.log10(cfg["alpha_max"]), cfg["n_alpha"])
    return np.concatenate([np.asarray(cfg["alphas_small"], float), grid])


def gammas(cfg: dict) -> np.ndarray:
    return np.logspace(np.log10(cfg["gamma_min"]), np.log10(cfg["gamma_max"]), cfg["n_gamma"])


def tasks(cfg: dict) -> list[dict]:
    return [{"graph": g, "seed": s, "n": cfg["n"], "samples": cfg["samples"], "tol": cfg["tol"],
             "alphas": alphas(cfg).tolist(), "gammas": gammas(cfg).tolist()}
            for g in cfg["graphs"] for s in range(cfg["seeds"])]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    kind, value = task["graph"].split(":")
    tag = zlib.crc32(task["graph"].encode())
    J = gaussian_couplings(kind, task["n"], rng=np.random.default_rng([task["seed"], tag]),
                           **{_PARAM[kind]: float(value)})
    model = SphericalGaussian(J)
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, alpha in enumerate(task["alphas"]):
        ckpt = ctx.workdir / f"alpha-{i:03d}.npz"
        if ckpt.exists():
            parts.append(load_npz(ckpt))
            continue
        rng = np.random.default_rng([task["seed"], tag, i])  # per-alpha stream: resuming is exact
        part = l1_sweep(model, [alpha], task["gammas"], task["samples"], rng=rng, tol=task["tol"],
                        progress=ctx.progress)
        save_npz_atomic(ckpt, part)
        parts.append(part)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if parts[0][k].ndim >= 1}
    out["gammas"] = parts[0]["gammas"]
    out["gamma_pred"] = parts[0]["gamma_pred"]
    return out


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    graphs = list(cfg["graphs"])
    per = {g: [r for t, r in zip(tasks(cfg), results, strict=True) if t["graph"] == g] for g in graphs}
    out: dict[str, np.ndarray] = {"graphs": np.array(graphs), "gammas": results[0]["gammas"],
                                  "alphas": results[0]["alphas"], "n": np.asarray(cfg["n"]),
                                  "curve_graph": np.asarray(cfg["curve_graph"]),
                                  "curve_alphas": np.asarray(cfg["curve_alphas"], float)}

    def pool(key):  # (graph, alpha, seeds*samples, ...)
        return np.stack([np.concatenate([r[key] for r in per[g]], axis=1) for g in graphs])

    for key in ("train", "test", "gen", "gen_true", "n_edges"):
        v = pool(key)
        out[key], out[f"{key}_sd"] = v.mean(axis=2), v.std(axis=2)
    for key in ("gamma_opt", "gamma_cross", "gamma_half"):
        lv = np.log(pool(key))
        with warnings.catch_warnings():  # an alpha where gen and test never cross is all-NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            out[key] = np.exp(np.nanmean(lv, axis=2))
            out[f"{key}_logsd"] = np.nanstd(lv, axis=2)
    for key in ("train_opt", "test_opt", "gen_opt", "gen_true_opt"):
        out[key] = np.nanmean(pool(key), axis=2)
    gap = pool("test_opt") - pool("train_max")
    out["gap"], out["gap_sd"] = np.nanmean(gap, axis=2), np.nanstd(gap, axis=2)
    out["gamma_pred"] = np.array([np.mean([r["gamma_pred"] for r in per[g]]) for g in graphs])
    return out


register_study("gaussian_l1", tasks=tasks, compute=compute, combine=combine, config="gaussian_l1.toml",
               description="Gaussian L1 MAP (graphical lasso path): likelihood curves, gamma_opt/cross/half "
                           "vs alpha in units gamma_1 = alpha*lambda (Fanthomme et al. 2022)")
