"""Figure of the ``pointprocess_fit`` study (render only): ``pointprocess_fit``.

Relative estimation error (estimate / truth − 1; for the gradient b, estimate − truth) of each
parameter over replicate patterns, per (kernel, method), with the parametric-bootstrap standard
error of the first replicate as an error bar next to the empirical spread.
"""

from __future__ import annotations

import numpy as np

from statgen.figures import register_figure

STUDY = "pointprocess_fit"


def _errors(r, key, kernel):
    est, truth = r[f"{key}_est"], r[f"truth_{kernel}"]
    rel = est / truth - 1
    rel[:, 1:3] = est[:, 1:3] - truth[1:3]  # gradients: absolute error (1/length)
    rel[:, 0] = est[:, 0] - truth[0]  # a is a log: absolute error is a relative error of κ
    se = r[f"{key}_boot_se"] / np.where(np.arange(5) >= 3, truth, 1.0)
    return rel, se


def render(results, quick: bool):
    import matplotlib.pyplot as plt

    r = results[STUDY]
    names = [str(p) for p in r["param_names"]]
    fits = [str(f) for f in r["fits"]]
    fig, ax = plt.subplots(figsize=(9, 4.2), constrained_layout=True)
    width = 0.8 / len(fits)
    for i, f in enumerate(fits):
        kernel, method = f.split(":")
        rel, se = _errors(r, f"{kernel}_{method}", kernel)
        pos = np.arange(len(names)) + (i - (len(fits) - 1) / 2) * width
        ax.scatter(np.repeat(pos, rel.shape[0]), rel.T.ravel(), s=9, color=f"C{i}", alpha=0.5)
        ax.errorbar(pos, rel.mean(axis=0), yerr=rel.std(axis=0, ddof=1) if rel.shape[0] > 1 else None,
                    fmt="o", color=f"C{i}", capsize=3, label=f"{kernel}, {method}: mean ± sd over {rel.shape[0]}")
        ax.errorbar(pos + width / 3, np.zeros(len(names)), yerr=se, fmt="none", ecolor=f"C{i}", ls=":",
                    capsize=2, alpha=0.8)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(np.arange(len(names)))
    ax.set_xticklabels(["a (log κ₀)", "b₁", "b₂", "α (rel.)", "scale (rel.)"])
    ax.set_xlabel("parameter")
    ax.set_ylabel("estimate − truth (relative for α, scale)")
    ax.set_title("log-linear parents: recovery; dotted bars: ±1 bootstrap s.e. (replicate 0)")
    ax.legend(fontsize=8)
    return fig


def _caption(results):
    r = results[STUDY]
    parts = []
    for f in (str(f) for f in r["fits"]):
        kernel, method = f.split(":")
        rel, se = _errors(r, f"{kernel}_{method}", kernel)
        sd = (lambda v: f" ± {v.std(ddof=1):.2f}") if rel.shape[0] > 1 else (lambda v: " (one replicate)")
        parts.append(f"{kernel}/{method}: scale error {rel[:, 4].mean():+.2f}{sd(rel[:, 4])} "
                     f"(bootstrap s.e. {se[4]:.2f}), α error {rel[:, 3].mean():+.2f}{sd(rel[:, 3])}")
    return ("Parameter recovery for cluster processes with log-linear parents (not fittable in spatstat). "
            + "; ".join(parts) + ".")


register_figure("pointprocess_fit", studies=STUDY, render=render, caption=_caption)
