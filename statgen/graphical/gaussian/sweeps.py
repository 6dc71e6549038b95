"""Regularization sweeps over (graph, seed, α) shared by the Gaussian L1 and L2 studies.

:func:`l2_sweep` / :func:`l1_sweep` score ``n_samples`` Wishart training sets per sample ratio α along
a whole γ path (:func:`sweep_paths` is their common driver). A study task is one (graph, seed): a
true model, then the sweep at every α, each α checkpointed in the task's work directory so that an
interrupted task resumes at the next α with the same random stream (:func:`run_sweep_task`).

Combined output of :func:`combine_sweeps` (per graph, per α, over seeds × samples):

- ``curve_keys`` (graph, α, γ): mean curves, ``*_sd`` their spread;
- ``gamma_opt, gamma_cross, gamma_half`` (graph, α): geometric means (the grid is log-spaced),
  ``*_logsd`` the standard deviation of log γ (NaN-aware: gen and test may never cross);
- ``gap`` (graph, α): mean of L_test(γ_opt) − max_grid L_train, ``gap_sd``;
- ``train_opt, test_opt, gen_opt, gen_true_opt``: curves at γ_opt;
- ``gamma_pred`` (graph,): mean 1/Σ_j J_ij² over seeds.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable

import numpy as np

from statgen._checks import check_bool, check_int, check_positive, check_rng
from statgen._io import load_npz, save_npz_atomic
from statgen._progress import progress_bar
from statgen._threads import limited_threads
from statgen.graphical._graphs import check_graph_params, parse_graph_spec
from statgen.graphical._paths import log_grid, log_mean_sd
from statgen.graphical.gaussian.generators import GAUSSIAN_GRAPHS, gaussian_couplings
from statgen.graphical.gaussian.l1_path import l1_path
from statgen.graphical.gaussian.l2 import check_gammas
from statgen.graphical.gaussian.l2_path import l2_path
from statgen.graphical.gaussian.model import SphericalGaussian

__all__ = ["l2_sweep", "l1_sweep", "sweep_paths", "graph_params", "sweep_tasks", "run_sweep_task",
           "combine_sweeps"]

POINTS = ("gamma_opt", "gamma_cross", "gamma_half")
AT_OPT = ("train", "test", "gen", "gen_true")
CURVES = ("train", "test", "gen", "gen_true")


def sweep_paths(path_fn, model: SphericalGaussian, alphas, gammas, n_samples: int, *, rng: np.random.Generator,
                curve_keys: tuple[str, ...] = CURVES, desc: str = "paths",
                progress: bool = False) -> dict[str, np.ndarray]:
    """Run ``path_fn(C, gammas, alpha)`` on ``n_samples`` Wishart training sets per sample ratio.

    The shared driver of :func:`l2_sweep` and :func:`l1_sweep`: ``path_fn`` returns a path object with
    the curves ``curve_keys``, ``gamma_opt/cross/half`` and ``at_opt``. The output layout is
    documented in :func:`l2_sweep`.
    """
    if not isinstance(model, SphericalGaussian):
        raise TypeError(f"model must be a SphericalGaussian (the truth), got {type(model).__name__}")
    alphas = check_gammas(alphas, "alphas", grid=False)
    gammas = check_gammas(gammas)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    rng = check_rng(rng)
    progress = check_bool(progress, "progress")
    n = model.n
    Bs = np.maximum(1, np.round(alphas * n).astype(int))
    A, S, G = alphas.size, n_samples, gammas.size
    curves = {k: np.empty((A, S, G)) for k in curve_keys}
    points = {k: np.empty((A, S)) for k in (*POINTS, *(f"{k}_opt" for k in AT_OPT), "train_max")}
    with progress_bar(total=A * S, desc=desc, progress=progress) as bar:
        for a, B in enumerate(Bs):
            for s in range(S):
                path = path_fn(model.sample_covariance(int(B), rng=rng), gammas, B / n)
                for k in curves:
                    curves[k][a, s] = getattr(path, k)
                for k in POINTS:
                    points[k][a, s] = getattr(path, k)
                for k in AT_OPT:
                    points[f"{k}_opt"][a, s] = path.at_opt.get(k, np.nan)
                points["train_max"][a, s] = np.max(path.train)
                bar.update(1)
    return {**curves, **points, "gammas": gammas, "alphas": Bs / n, "gamma_pred": np.asarray(model.predicted_gamma())}


def l2_sweep(model: SphericalGaussian, alphas, gammas, n_samples: int, *, rng: np.random.Generator,
             progress: bool = False) -> dict[str, np.ndarray]:
    """L2 paths for ``n_samples`` independent training sets at each sample ratio in ``alphas``.

    Each training covariance (B = round(α N), at least 1, samples) is drawn from its Wishart law
    (:meth:`SphericalGaussian.sample_covariance`) and scored against the exact truth.

    Returns
    -------
    dict with ``train, test, gen, gen_true`` of shape (A, S, G); ``gamma_opt, gamma_cross,
    gamma_half`` and the curves at γ_opt (``train_opt, test_opt, gen_opt, gen_true_opt``) and
    ``train_max`` (the maximum of ``train`` over the grid) of shape (A, S); ``gammas`` (G,),
    ``alphas`` (A,) (the realized B/N), ``gamma_pred`` (scalar).
    """
    return sweep_paths(lambda C, g, alpha: l2_path(C, g, alpha, J_true=model), model, alphas, gammas, n_samples,
                       rng=rng, desc="L2 paths", progress=progress)


def l1_sweep(model: SphericalGaussian, alphas, gammas, n_samples: int, *, rng: np.random.Generator,
             tol: float = 1e-8, refine: bool = True, progress: bool = False) -> dict[str, np.ndarray]:
    """L1 paths for ``n_samples`` Wishart training sets at each sample ratio (as :func:`l2_sweep`).

    Parameters
    ----------
    model : :class:`statgen.graphical.SphericalGaussian`, the truth.
    alphas : (A,) sample ratios (B = round(α N), at least 1).
    gammas : (G,) L1 strengths γ₁ = α λ.
    tol, refine : see :func:`statgen.graphical.l1_path`.

    Returns
    -------
    dict with ``train, test, gen, gen_true, n_edges`` (A, S, G); ``gamma_opt, gamma_cross,
    gamma_half, train_opt, test_opt, gen_opt, gen_true_opt, train_max`` (A, S); ``gammas``,
    ``alphas`` (realized B/N), ``gamma_pred``.
    """
    tol, refine = check_positive(tol, "tol"), check_bool(refine, "refine")
    return sweep_paths(lambda C, g, alpha: l1_path(C, g, alpha, J_true=model, tol=tol, refine=refine),
                       model, alphas, gammas, n_samples, rng=rng, curve_keys=(*CURVES, "n_edges"),
                       desc="L1 paths", progress=progress)


# ------------------------------------------------------------------------------------------ study tasks


def graph_params(spec: str) -> tuple[str, dict]:
    """``"sk:0.5"`` → ``("sk", {"sigma": 0.5})``; ``"band:width=5,sigma=0.5"`` → all named.

    The spec syntax of :func:`statgen.graphical.gaussian_couplings`; a spec must carry its
    parameters (``"sk"`` alone is refused), unknown or misspelt ones are refused.
    """
    kind, params = parse_graph_spec(spec, GAUSSIAN_GRAPHS)
    if not params:
        raise ValueError(f"graph spec {spec!r} has no parameters: write e.g. 'sk:0.5' or 'band:width=5,sigma=0.5'")
    return check_graph_params(kind, params, GAUSSIAN_GRAPHS)


def _cfg(cfg: dict, key: str):
    if key not in cfg:
        raise ValueError(f"the sweep config is missing the key {key!r} (has {sorted(cfg)})")
    return cfg[key]


def sweep_tasks(cfg: dict, **extra) -> list[dict]:
    """One task per (graph, seed). ``cfg`` holds ``graphs, seeds, n, samples``, the γ grid
    ``gamma_min, gamma_max, n_gamma`` and the α grid ``alphas_small`` ∪
    logspace(``alpha_min``, ``alpha_max``, ``n_alpha``); ``extra`` entries are copied into every task."""
    graphs = list(_cfg(cfg, "graphs"))
    for g in graphs:
        graph_params(g)  # fail before any work on a malformed graph
    small = np.asarray(_cfg(cfg, "alphas_small"), dtype=float).reshape(-1)
    if small.size:
        small = check_gammas(small, "alphas_small", grid=False)
    alphas = np.concatenate([small, log_grid(_cfg(cfg, "alpha_min"), _cfg(cfg, "alpha_max"), _cfg(cfg, "n_alpha"),
                                             "alpha")])
    gammas = log_grid(_cfg(cfg, "gamma_min"), _cfg(cfg, "gamma_max"), _cfg(cfg, "n_gamma"), "gamma")
    n = check_int(_cfg(cfg, "n"), "n", minimum=2)
    samples = check_int(_cfg(cfg, "samples"), "samples", minimum=1)
    seeds = check_int(_cfg(cfg, "seeds"), "seeds", minimum=1)
    common = {"n": n, "samples": samples, "alphas": alphas.tolist(), "gammas": gammas.tolist()}
    return [{"graph": g, "seed": s, **common, **extra} for g in graphs for s in range(seeds)]


def run_sweep_task(task: dict, ctx, sweep: Callable[..., dict]) -> dict[str, np.ndarray]:
    """Run ``sweep(model, [alpha], gammas, samples, rng=, progress=)`` for every α of ``task``.

    Tasks run side by side in a process pool, so each uses one BLAS (and torch) thread (two
    OpenBLAS threads per task on a loaded 2-core machine made eigh ~50× slower).
    """
    kind, params = graph_params(task["graph"])
    tag = zlib.crc32(task["graph"].encode())
    model = SphericalGaussian(gaussian_couplings(kind, task["n"], rng=np.random.default_rng([task["seed"], tag]),
                                                 **params))
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    with limited_threads(1):
        for i, alpha in enumerate(task["alphas"]):
            ckpt = ctx.workdir / f"alpha-{i:03d}.npz"
            if ckpt.exists():
                parts.append(load_npz(ckpt, what="sweep checkpoint", required=("gammas", "gamma_pred", "train")))
                continue
            rng = np.random.default_rng([task["seed"], tag, i])  # per-α stream: resuming is exact
            part = sweep(model, [alpha], task["gammas"], task["samples"], rng=rng, progress=ctx.progress)
            save_npz_atomic(ckpt, part)
            parts.append(part)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if parts[0][k].ndim >= 1}
    out["gammas"] = parts[0]["gammas"]
    out["gamma_pred"] = parts[0]["gamma_pred"]
    return out


def combine_sweeps(cfg: dict, tasks: list[dict], results: list[dict],
                   curve_keys: tuple[str, ...] = CURVES) -> dict[str, np.ndarray]:
    """Pool the per-(graph, seed) task results over seeds × samples (layout in the module docstring)."""
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

    def pool(key):  # (graph, α, seeds·samples, ...)
        return np.stack([np.concatenate([r[key] for r in per[g]], axis=1) for g in graphs])

    for key in curve_keys:
        v = pool(key)
        out[key], out[f"{key}_sd"] = v.mean(axis=2), v.std(axis=2)
    for key in POINTS:  # an α where gen and test never cross is all-NaN
        out[key], out[f"{key}_logsd"] = log_mean_sd(pool(key), axis=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for key in AT_OPT:
            out[f"{key}_opt"] = np.nanmean(pool(f"{key}_opt"), axis=2)
        gap = pool("test_opt") - pool("train_max")
        out["gap"], out["gap_sd"] = np.nanmean(gap, axis=2), np.nanstd(gap, axis=2)
    out["gamma_pred"] = np.array([np.mean([r["gamma_pred"] for r in per[g]]) for g in graphs])
    return out
