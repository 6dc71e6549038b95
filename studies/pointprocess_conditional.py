"""Conditional (Palm) intensity of a non-stationary Thomas / Matérn process: exact vs approximations.

Model: κ(c) = exp(a + b·c) parents on the unit square, α offspring per parent, kernel scale σ
(Thomas) or R (Matérn). Tasks (one per unit of work, results combined by key prefix):

- ``map``: λ(x | Y) on an n_grid² grid, exact and the four approximations, for event sets of
  1, 2 and several events (keys ``map{k}_<method>``, ``map{k}_events``, ``map_axes``);
- ``distance``: relative L¹ error of each approximation vs the distance between two events
  (``dist_<kernel>_<method>``, ``dist_r``), for Thomas and Matérn;
- ``size``: the same vs the kernel scale at a fixed separation (``size_<method>``, ``size_scale``);
- ``mc``: Monte Carlo λ(x | Y) with standard errors along a transect through the events, for 1
  and 2 events (``mc{k}_est``, ``mc{k}_se``, ``mc{k}_exact``, ``mc{k}_<method>``, ``mc_t``).
"""

from __future__ import annotations

import numpy as np

from statgen.pointprocess import (
    METHODS,
    LogLinear,
    MaternKernel,
    NeymanScott,
    ThomasKernel,
    approximation_error,
    monte_carlo_conditional_intensity,
)
from statgen.studies import register_study

APPROX = tuple(m for m in METHODS if m != "exact")
EVENTS = {
    1: [[0.5, 0.5]],
    2: [[0.47, 0.5], [0.53, 0.52]],
    6: [[0.3, 0.3], [0.33, 0.32], [0.31, 0.35], [0.6, 0.62], [0.64, 0.6], [0.78, 0.3]],
}


def build_model(cfg: dict, kernel: str = "thomas", scale: float | None = None) -> NeymanScott:
    s = cfg["scale"] if scale is None else scale
    kern = ThomasKernel(s) if kernel == "thomas" else MaternKernel(2 * s)  # R = 2σ: similar spread
    return NeymanScott(LogLinear(cfg["a"], cfg["b"]), cfg["alpha"], kern, ((0, 1), (0, 1)))


def _pair_error(model: NeymanScott, distance: float, method: str, scale: float, n: int) -> float:
    """Relative L¹ error of ``method`` for two events ``distance`` apart around the centre, over ± 4·scale."""
    events = [[0.5 - distance / 2, 0.5], [0.5 + distance / 2, 0.5]]
    return approximation_error(model, events, method=method, half_width=4 * scale, n=n)


def tasks(cfg: dict) -> list[dict]:
    out = [{"kind": "map", "n_events": k, "cfg": cfg} for k in cfg["map_events"]]
    out += [{"kind": "distance", "kernel": k, "cfg": cfg} for k in ("thomas", "matern")]
    out += [{"kind": "size", "cfg": cfg}]
    out += [{"kind": "mc", "n_events": k, "cfg": cfg} for k in (1, 2)]
    return out


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    cfg = task["cfg"]
    model = build_model(cfg)
    kind = task["kind"]
    if kind == "map":
        k = task["n_events"]
        y = np.array(EVENTS[k])
        ax = (np.arange(cfg["n_grid"]) + 0.5) / cfg["n_grid"]
        out = {f"map{k}_events": y, "map_axes": ax}
        for m in METHODS:
            out[f"map{k}_{m}"] = model.conditional_intensity_grid([ax, ax], y, method=m)
        out[f"map{k}_intensity"] = model.conditional_intensity_grid([ax, ax], np.zeros((0, 2)))
        return out
    if kind == "distance":
        kern = task["kernel"]
        model = build_model(cfg, kern)
        r = np.linspace(0.0, cfg["max_distance"], cfg["n_distance"]) * cfg["scale"]
        out = {"dist_r": r / cfg["scale"]}
        for m in APPROX:
            out[f"dist_{kern}_{m}"] = np.array([_pair_error(model, d, m, cfg["scale"], cfg["n_err"]) for d in r])
        return out
    if kind == "size":
        scales = np.geomspace(cfg["scale_min"], cfg["scale_max"], cfg["n_scale"])
        d = cfg["size_distance"]
        out = {"size_scale": scales}
        for m in APPROX:
            out[f"size_{m}"] = np.array([_pair_error(build_model(cfg, scale=s), d, m, s, cfg["n_err"]) for s in scales])
        return out
    k = task["n_events"]
    y = np.array(EVENTS[k])
    t = np.linspace(0.3, 0.7, cfg["n_transect"])
    x = np.column_stack([t, np.full_like(t, 0.51)])
    est, se = monte_carlo_conditional_intensity(model, x, y, reps=cfg["mc_reps"],
                                                rng=np.random.default_rng(cfg["seed"] + k), progress=ctx.progress)
    out = {"mc_t": t, f"mc{k}_est": est, f"mc{k}_se": se, f"mc{k}_exact": model.conditional_intensity(x, y),
           f"mc{k}_intensity": model.intensity(x), f"mc{k}_events": y}
    for m in APPROX:
        out[f"mc{k}_{m}"] = model.conditional_intensity(x, y, method=m)
    return out


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    out = {"scale": np.array(cfg["scale"]), "alpha": np.array(cfg["alpha"]), "b": np.array(cfg["b"]),
           "a": np.array(cfg["a"]), "mc_reps": np.array(cfg["mc_reps"])}
    for r in results:
        out.update(r)
    return out


register_study(
    "pointprocess_conditional",
    tasks=tasks,
    compute=compute,
    combine=combine,
    config="pointprocess_conditional.toml",
    description="Conditional intensity of a log-linear-parent cluster process: exact vs four approximations, "
    "errors vs distance and cluster size, Monte Carlo validation",
)
