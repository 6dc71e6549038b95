"""A real clustered pattern (redwoodfull, shipped in statgen.pointprocess.data): fit, conditional
intensity given observed seedlings, and the error of the independent-clusters approximation.

Model (statgen's, not fittable in spatstat): Thomas process with log-linear parents
κ(c) = exp(a + b·c), fitted by the Palm likelihood (:class:`~statgen.pointprocess.ClusterFit`);
for comparison the spatstat model (homogeneous parents) by :class:`~statgen.pointprocess.KppmFit`
(palm, kppm's defaults). The observed events are the ``n_events`` seedlings nearest to the
seedling with the most neighbours within 0.05 (the densest cluster). Maps on an n_grid² grid:
the fitted intensity λ(x), the exact λ(x | events) (closed form + subset recursion), and the
relative error of the independent-clusters approximation |λ_ind − λ_exact| / λ_exact.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from statgen.pointprocess import ClusterFit, KppmFit, load_pattern
from statgen.studies import register_study


def tasks(cfg: dict) -> list[dict]:
    return [{"cfg": cfg}]


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    cfg = task["cfg"]
    x, window, _ = load_pattern(cfg["pattern"])
    fit = ClusterFit("thomas", parents="loglinear", method="palm").fit(x, window)
    kp = KppmFit("thomas", method="palm").fit(x, window)
    model = fit.model_
    tree = cKDTree(x)
    counts = np.array([len(v) for v in tree.query_ball_point(x, 0.05)])
    centre = int(np.argmax(counts))
    _, idx = tree.query(x[centre], k=cfg["n_events"])
    y = x[np.sort(idx)]
    ax = [window[k, 0] + (np.arange(cfg["n_grid"]) + 0.5) / cfg["n_grid"] * (window[k, 1] - window[k, 0])
          for k in range(2)]
    lam = model.conditional_intensity_grid(ax, np.zeros((0, 2)))
    exact = model.conditional_intensity_grid(ax, y)
    indep = model.conditional_intensity_grid(ax, y, method="independent")
    p = fit.params_
    return {"points": x, "window": window, "events": y, "axes_x": ax[0], "axes_y": ax[1], "intensity": lam,
            "exact": exact, "independent": indep, "rel_error": np.abs(indep - exact) / exact,
            "fit": np.array([p["a"], *p["b"], p["alpha"], p["scale"], p["kappa"]]),
            "kppm": np.array([kp.params_["kappa"], kp.params_["scale"], kp.params_["mu"]])}


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    return dict(results[0])


register_study(
    "pointprocess_real",
    tasks=tasks,
    compute=compute,
    combine=combine,
    config="pointprocess_real.toml",
    description="Redwood seedlings: log-linear-parent Thomas fit, conditional intensity given a cluster of "
    "observed seedlings, error map of the independent-clusters approximation",
)
