"""Gaussian posterior-fluctuation study: likelihood curves averaged over exp(-beta F(J)) vs the MAP curves.

One task = one (N, alpha, seed): an SK truth, one Wishart training set, then NUTS (PyMC) samples of
the couplings at every gamma (:func:`statgen.graphical.posterior_curves`, beta = beta_norm N^2),
checkpointed per gamma in the task's workdir. Combined output, per (N, alpha) row ``k``:
``gammas`` (G,), ``{train,test,gen,gen_true}_{post,post_sd,map}`` (K, G), ``j_sd``, ``j_map_dist`` (K, G),
``{train,test,gen,gen_true}_map_dense`` (K, 80) on ``gammas_dense``, ``ns``, ``alphas``,
``gamma_opt_map`` (K,), ``gamma_pred`` (K,).
"""

from __future__ import annotations

import numpy as np

from statgen.graphical import SphericalGaussian, l2_path, posterior_curves, sk_couplings
from statgen.graphical._paths import log_grid
from statgen.studies import register_study


def _gammas(cfg: dict) -> list[float]:
    return log_grid(cfg["gamma_min"], cfg["gamma_max"], cfg["n_gamma"]).tolist()


def tasks(cfg: dict) -> list[dict]:
    return [{"n": n, "alpha": a, "seed": s, "sigma": cfg["sigma"], "gammas": _gammas(cfg),
             "beta_norm": cfg["beta_norm"], "draws": cfg["draws"], "tune": cfg["tune"], "chains": cfg["chains"]}
            for n in cfg["ns"] for a in cfg["alphas"] for s in range(cfg["seeds"])]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    n, alpha, seed = int(task["n"]), float(task["alpha"]), int(task["seed"])
    rng = np.random.default_rng([seed, n, int(round(1000 * alpha))])
    model = SphericalGaussian(sk_couplings(n, task["sigma"], rng=rng))
    B = max(1, int(round(alpha * n)))
    C = model.sample_covariance(B, rng=rng)
    res = posterior_curves(C, task["gammas"], B / n, J_true=model, beta_norm=task["beta_norm"],
                           draws=task["draws"], tune=task["tune"], chains=task["chains"], seed=seed,
                           checkpoint_dir=ctx.workdir, progress=ctx.progress)
    out = res.as_dict()
    dense = np.logspace(np.log10(task["gammas"][0]), np.log10(task["gammas"][-1]), 80)
    path = l2_path(C, dense, B / n, J_true=model)  # closed form: the MAP curves on a fine grid
    out["gamma_opt_map"] = np.asarray(path.gamma_opt)
    out["gammas_dense"] = dense
    for key in ("train", "test", "gen", "gen_true"):
        out[f"{key}_map_dense"] = np.asarray(getattr(path, key))
    out["gamma_pred"] = np.asarray(model.predicted_gamma())
    return out


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    out = {"gammas": results[0]["gammas"], "gammas_dense": results[0]["gammas_dense"], "ns": np.array([int(r["n"]) for r in results]),
           "alphas": np.array([float(r["alpha"]) for r in results]),
           "beta_norm": np.asarray(cfg["beta_norm"]), "sigma": np.asarray(cfg["sigma"])}
    for key in results[0]:
        if key.endswith(("_post", "_post_sd", "_map", "_map_dense")) or key in ("j_sd", "j_map_dist", "gamma_opt_map",
                                                                     "gamma_pred"):
            out[key] = np.stack([np.asarray(r[key]) for r in results])
    return out


register_study("gaussian_posterior", tasks=tasks, compute=compute, combine=combine, config="gaussian_posterior.toml",
               description="Gaussian L2 couplings sampled from exp(-beta F(J)) with PyMC: posterior-averaged vs "
                           "MAP likelihood curves (N = 2, 20, 50)")
