"""Potts regularization study: train / test / gen likelihood vs γ for L1 and L2 penalties.

One task = one (system, penalty, seed): a random zero-sum Potts model on the system's graph, M
training samples, then :func:`statgen.graphical.potts_likelihood_path` along the γ grid. Systems
with q**L <= 10**6 are fitted by exact MAP and scored exactly (enumeration); larger ones (e.g. an
8×8 lattice, L = 64) by pseudo-likelihood, with log Z from AIS and error bars. Combined output,
per system s and penalty p (arrays indexed [s, p, ...]):

- ``train, test, gen`` (s, p, γ): mean over seeds; ``*_sd`` spread over seeds; ``*_se`` mean estimator
  standard error (AIS + sample means; 0 when exact); ``test_gen_se`` error of L_test − L_gen;
- ``gamma_opt, gamma_cross`` (s, p, seed) and ``gamma_pred`` (s, seed) = 1/mean_i Σ_j ||J_ij||²_F;
- ``test_opt, gen_opt, train_opt, test_gen_se_opt`` (s, p, seed): the curves at γ_opt (interpolated in log γ).
"""

from __future__ import annotations

import zlib

import numpy as np

from statgen._threads import limited_threads
from statgen.graphical import POTTS_GRAPHS, potts_likelihood_path, potts_model
from statgen.graphical._graphs import check_graph_params
from statgen.graphical._paths import log_grid
from statgen.studies import register_study

#: keys of a system table that are not parameters of its graph
_SYSTEM_KEYS = ("name", "graph", "seeds", "sigma")


def make_model(system: dict, q: int, sigma: float, sigma_h: float, rng: np.random.Generator):
    """The true model of a system table {"name", "graph", graph parameters..., optional "seeds", "sigma"}:
    :func:`statgen.graphical.potts_model` (unknown or misspelt graph parameters are refused)."""
    return potts_model(system["graph"], q, sigma, rng=rng, sigma_h=sigma_h, **_graph_params(system))


def _graph_params(system: dict) -> dict:
    return {k: v for k, v in system.items() if k not in _SYSTEM_KEYS}


def tasks(cfg: dict) -> list[dict]:
    out = []
    for system in cfg["systems"]:
        check_graph_params(system["graph"], _graph_params(system), POTTS_GRAPHS)  # refuse a malformed system now
        for pen in cfg["penalties"]:
            for seed in range(system.get("seeds", cfg["seeds"])):
                out.append({"system": system, "penalty": pen, "seed": seed, "q": cfg["q"],
                            "sigma": system.get("sigma", cfg["sigma"]), "sigma_h": cfg["sigma_h"],
                            "samples": cfg["samples"], "gammas": _gammas(cfg, pen), "large": cfg["large"]})
    return out


def _gammas(cfg: dict, penalty: str) -> list[float]:
    lo, hi, n = cfg[f"gamma_{penalty}"]
    return log_grid(lo, hi, n).tolist()


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    # Tasks run side by side in a process pool: one BLAS / torch thread each avoids oversubscription.
    with limited_threads(1):
        return _compute(task, ctx)


def _compute(task: dict, ctx) -> dict[str, np.ndarray]:
    system = task["system"]
    rng = np.random.default_rng([task["seed"], zlib.crc32(system["name"].encode())])
    model = make_model(system, task["q"], task["sigma"], task["sigma_h"], rng)
    seed = int(rng.integers(2**31))
    M = task["samples"]
    if model.is_enumerable():
        s_train, s_test, kw = model.sample_exact(M, seed=seed), None, {}
    else:  # independent MCMC chains (sparse true graph: 2-colour sweeps)
        big = task["large"]
        s_train = model.sample(M, sweeps=big["sweeps"], seed=seed)
        s_test = model.sample(big["n_test"], sweeps=big["sweeps"], seed=seed + 1)
        kw = {"n_gen": big["n_gen"], "gen_sweeps": big["sweeps"], "ais_chains": big["ais_chains"],
              "ais_temps": big["ais_temps"]}
    path = potts_likelihood_path(model, s_train, task["gammas"], penalty=task["penalty"], s_test=s_test, seed=seed,
                                 progress=ctx.progress, **kw)
    return path.as_dict()


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    names = [s["name"] for s in cfg["systems"]]
    pens = list(cfg["penalties"])
    S, P = len(names), len(pens)
    R = max(s.get("seeds", cfg["seeds"]) for s in cfg["systems"])
    # systems may run fewer seeds (large ones): their missing seeds are NaN, statistics use nan-means
    it = iter(results)
    table = [[[next(it) if c < s.get("seeds", R) else None for c in range(R)] for _ in pens] for s in cfg["systems"]]

    def stack(key):
        ref = np.asarray(results[0][key], float)

        def get(a, b, c):
            e = table[a][b][c]
            return np.asarray(e[key], float) if e is not None else np.full(np.shape(ref), np.nan)
        return np.array([[[get(a, b, c) for c in range(R)] for b in range(P)] for a in range(S)])

    out: dict[str, np.ndarray] = {"systems": np.array(names), "penalties": np.array(pens),
                                  "exact": stack("exact").astype(bool)[:, 0, 0],
                                  "L": np.array([_sites(s) for s in cfg["systems"]])}
    for b, pen in enumerate(pens):
        out[f"gammas_{pen}"] = np.asarray(table[0][b][0]["gammas"])
    n = np.array([s.get("seeds", R) for s in cfg["systems"]], float)[:, None, None]
    out["n_seeds"] = n[:, 0, 0].astype(int)
    for key in ("train", "test", "gen"):
        v = stack(key)
        out[key], out[f"{key}_sd"] = np.nanmean(v, 2), np.nanstd(v, 2)
        out[f"{key}_se"] = np.sqrt(np.nanmean(stack(f"{key}_se") ** 2, 2) / n)
    out["test_gen_se"] = np.sqrt(np.nanmean(stack("test_gen_se") ** 2, 2) / n)
    out["gamma_opt"], out["gamma_cross"] = stack("gamma_opt"), stack("gamma_cross")
    out["gamma_pred"] = stack("gamma_pred")[:, 0]
    for key in ("train", "test", "gen", "test_gen_se"):  # curves at γ_opt (linear in log γ), (s, p, seed)
        out[f"{key}_opt"] = _at(np.log(stack("gammas")), stack(key), np.log(out["gamma_opt"]))
    return out


def _at(lg: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y(x) by linear interpolation along the last axis of (lg, y), elementwise over leading axes (NaN stays NaN)."""
    out = np.full(x.shape, np.nan)
    for idx in np.ndindex(x.shape):
        if np.isfinite(x[idx]) and np.all(np.isfinite(y[idx])):
            out[idx] = np.interp(x[idx], lg[idx], y[idx])
    return out


def _sites(system: dict) -> int:
    return system["rows"] * system["cols"] if system["graph"] == "lattice" else system["L"]


register_study("potts_regularization", tasks=tasks, compute=compute, combine=combine,
               config="potts_regularization.toml",
               description="Potts L1/L2 MAP: train/test/gen likelihood vs gamma, gamma_opt vs 1/sum_j ||J_ij||^2 "
                           "(Fanthomme et al. 2022)")
