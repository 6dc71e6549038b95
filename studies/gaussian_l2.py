"""Gaussian L2 study: likelihood curves and gamma_opt / gamma_cross / gamma_half vs alpha.

One task = one (graph, seed): a true model, then ``samples`` Wishart training sets per alpha, each
scored along the whole gamma path (:func:`statgen.graphical.l2_sweep`). Every alpha is
checkpointed in the task's workdir, so an interrupted task resumes at the next alpha.
Combined output (per graph, per alpha, over seeds x samples):

- ``train, test, gen, gen_true`` (graph, alpha, gamma): mean curves, ``*_sd`` their spread;
- ``gamma_opt, gamma_cross, gamma_half`` (graph, alpha): geometric means (the sweep is
  log-spaced), ``*_logsd`` the standard deviation of log gamma;
- ``gap`` (graph, alpha): mean of ``L_test(gamma_opt) - max_grid L_train``, ``gap_sd``;
- ``test_opt, gen_opt, train_opt``: curves at gamma_opt; ``gamma_pred`` (graph,): mean 1/sum_j J_ij^2.
"""

from __future__ import annotations

import zlib

import numpy as np
from threadpoolctl import threadpool_limits

from statgen.graphical import SphericalGaussian, gaussian_couplings, l2_sweep
from statgen.studies import load_npz, register_study, save_npz_atomic

_PARAM = {"sk": "sigma", "ring": "j", "band": "sigma", "erdos_renyi": "sigma", "lattice": "j"}


def graph_params(spec: str) -> tuple[str, dict[str, float]]:
    """``"sk:0.5"`` -> ``("sk", {"sigma": 0.5})``; ``"band:width=5,sigma=0.5"`` -> all parameters named."""
    kind, _, rest = spec.partition(":")
    if kind not in _PARAM or not rest:
        raise ValueError(
            f"graphs entries must look like 'sk:0.5' or 'band:width=5,sigma=0.5' with a kind in "
            f"{sorted(_PARAM)}, got {spec!r}"
        )
    if "=" not in rest:
        return kind, {_PARAM[kind]: float(rest)}
    return kind, {k.strip(): float(v) for k, v in (item.split("=") for item in rest.split(","))}


def alphas(cfg: dict) -> np.ndarray:
    grid = np.logspace(np.log10(cfg["alpha_min"]), np.log10(cfg["alpha_max"]), cfg["n_alpha"])
    return np.concatenate([np.asarray(cfg["alphas_small"], float), grid])


def gammas(cfg: dict) -> np.ndarray:
    return np.logspace(np.log10(cfg["gamma_min"]), np.log10(cfg["gamma_max"]), cfg["n_gamma"])


def tasks(cfg: dict) -> list[dict]:
    for g in cfg["graphs"]:
        graph_params(g)  # fail before any work on a malformed graph
    return [
        {
            "graph": g,
            "seed": s,
            "n": cfg["n"],
            "samples": cfg["samples"],
            "alphas": alphas(cfg).tolist(),
            "gammas": gammas(cfg).tolist(),
        }
        for g in cfg["graphs"]
        for s in range(cfg["seeds"])
    ]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    # Tasks run side by side in a process pool: one BLAS thread each avoids oversubscription
    # (two OpenBLAS threads per task on a loaded 2-core machine made eigh ~50x slower).
    with threadpool_limits(limits=1, user_api="blas"):
        return _compute(task, ctx)


def _compute(task: dict, ctx) -> dict[str, np.ndarray]:
    kind, params = graph_params(task["graph"])
    tag = zlib.crc32(task["graph"].encode())
    J = gaussian_couplings(
        kind, task["n"], rng=np.random.default_rng([task["seed"], tag]), **params
    )
    model = SphericalGaussian(J)
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, alpha in enumerate(task["alphas"]):
        ckpt = ctx.workdir / f"alpha-{i:03d}.npz"
        if ckpt.exists():
            parts.append(load_npz(ckpt))
            continue
        rng = np.random.default_rng([task["seed"], tag, i])  # per-alpha stream: resuming is exact
        part = l2_sweep(model, [alpha], task["gammas"], task["samples"], rng=rng)
        save_npz_atomic(ckpt, part)
        parts.append(part)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if parts[0][k].ndim >= 1}
    out["gammas"] = parts[0]["gammas"]
    out["gamma_pred"] = parts[0]["gamma_pred"]
    return out


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    graphs = list(cfg["graphs"])
    per = {
        g: [r for t, r in zip(tasks(cfg), results, strict=True) if t["graph"] == g] for g in graphs
    }
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

    for key in ("train", "test", "gen", "gen_true"):
        v = pool(key)
        out[key], out[f"{key}_sd"] = v.mean(axis=2), v.std(axis=2)
    for key in ("gamma_opt", "gamma_cross", "gamma_half"):
        lv = np.log(pool(key))
        out[key] = np.exp(np.nanmean(lv, axis=2))
        out[f"{key}_logsd"] = np.nanstd(lv, axis=2)
    for key in ("train_opt", "test_opt", "gen_opt", "gen_true_opt"):
        out[key] = np.nanmean(pool(key), axis=2)
    gap = pool("test_opt") - pool("train_max")
    out["gap"], out["gap_sd"] = np.nanmean(gap, axis=2), np.nanstd(gap, axis=2)
    out["gamma_pred"] = np.array([np.mean([r["gamma_pred"] for r in per[g]]) for g in graphs])
    return out


register_study(
    "gaussian_l2",
    tasks=tasks,
    compute=compute,
    combine=combine,
    config="gaussian_l2.toml",
    description="Gaussian L2 MAP: likelihood curves, gamma_opt/cross/half vs alpha "
    "(Fanthomme et al. 2022)",
)
