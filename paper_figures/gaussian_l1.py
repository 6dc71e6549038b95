"""Figure (d): the L1 (graphical lasso) counterparts of figures (a) and (b).

``gaussian_l1_likelihoods``: per-site likelihoods vs the L1 strength gamma_1 = alpha * lambda for
several alpha (SK couplings), with vertical lines at gamma_opt, gamma_cross and gamma_half.
``gaussian_l1_gammas``: gamma_opt and gamma_cross vs alpha for every graph, with the L2 prediction
1/sum_j J_ij^2 dashed for comparison of scales. Study: ``gaussian_l1``.
"""

from __future__ import annotations

import numpy as np

from statgen.figures import register_figure

STUDY = ("gaussian_l1",)
_CURVES = (("train", "C0", "-", "train"), ("test", "C3", "-", "test"), ("gen", "C2", "--", "gen"),
           ("gen_true", "C1", ":", "gen (true model)"))
_LINES = (("gamma_opt", "k", "-", r"$\gamma_{opt}$"), ("gamma_cross", "0.4", "--", r"$\gamma_{cross}$"),
          ("gamma_half", "0.6", ":", r"$\gamma_{half}$"))


def render_likelihoods(results, quick):
    import matplotlib.pyplot as plt

    r = results["gaussian_l1"]
    graphs = [str(g) for g in r["graphs"]]
    gi = graphs.index(str(r["curve_graph"]))
    alphas, gammas = r["alphas"], r["gammas"]
    picks = [int(np.argmin(np.abs(np.log(alphas / a)))) for a in r["curve_alphas"]]
    fig, axes = plt.subplots(1, len(picks), figsize=(4.3 * len(picks), 4.0), squeeze=False)
    for ax, ai in zip(axes[0], picks, strict=True):
        for key, color, ls, label in _CURVES:
            ax.plot(gammas, r[key][gi, ai], color=color, ls=ls, label=label)
        for key, color, ls, label in _LINES:
            if np.isfinite(r[key][gi, ai]):
                ax.axvline(r[key][gi, ai], color=color, ls=ls, lw=1)
            if ai == picks[0]:  # legend entry even where the strength is undefined (NaN) in this panel
                ax.plot([], [], color=color, ls=ls, lw=1, label=label)
        ax.set_xscale("log")
        ax.set_xlabel(r"L1 strength $\gamma_1 = \alpha\lambda$")
        ax.set_ylabel("log-likelihood per site (nats)")
        ax.set_title(rf"{graphs[gi]}, $\alpha$ = {alphas[ai]:.3g}, N = {int(r['n'])}")
        lo = np.nanmin(r["test"][gi, ai])
        hi = np.nanmax([r["train"][gi, ai].max(), r["gen"][gi, ai].max()])
        ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def render_gammas(results, quick):
    import matplotlib.pyplot as plt

    r = results["gaussian_l1"]
    graphs = [str(g) for g in r["graphs"]]
    alphas = r["alphas"]
    fig, ax = plt.subplots(figsize=(6.8, 4.2))
    for g, name in enumerate(graphs):
        color = f"C{g}"
        ax.plot(alphas, r["gamma_opt"][g], "o-", color=color, ms=4, label=rf"{name} $\gamma_{{opt}}$")
        ax.plot(alphas, r["gamma_cross"][g], "s--", color=color, ms=4, mfc="none",
                label=rf"{name} $\gamma_{{cross}}$")
        ax.axhline(r["gamma_pred"][g], color=color, ls=(0, (6, 3)), lw=0.8)
    ax.plot([], [], color="k", ls=(0, (6, 3)), lw=0.8, label=r"L2 prediction $1/\sum_j J_{ij}^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"sample ratio $\alpha = B/N$")
    ax.set_ylabel(r"L1 strength $\gamma_1 = \alpha\lambda$")
    ax.set_title(f"graphical lasso, N = {int(r['n'])}")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def _caption_likelihoods(results):
    r = results["gaussian_l1"]
    return (f"Figure (d, left), graphical lasso at N = {int(r['n'])}, {r['curve_graph']}: per-site train, "
            "test (exact), gen and gen (scored by the true model) log-likelihoods vs gamma_1 = alpha*lambda, "
            "averaged over seeds x samples; vertical lines at the mean gamma_opt, gamma_cross, gamma_half.")


def _caption_gammas(results):
    r = results["gaussian_l1"]
    graphs = [str(g) for g in r["graphs"]]
    big = r["alphas"] >= 1
    parts = []
    for g, name in enumerate(graphs):
        opt = r["gamma_opt"][g][big]
        parts.append(f"{name}: gamma_opt in [{np.nanmin(opt):.3g}, {np.nanmax(opt):.3g}] (L2 prediction "
                     f"{r['gamma_pred'][g]:.3g})")
    return (f"Figure (d, right), graphical lasso at N = {int(r['n'])}, strengths gamma_1 = alpha*lambda. "
            "For alpha >= 1, " + "; ".join(parts) + ". gamma_cross is missing where gen and test do not cross.")


register_figure("gaussian_l1_likelihoods", studies=STUDY, render=render_likelihoods, caption=_caption_likelihoods)
register_figure("gaussian_l1_gammas", studies=STUDY, render=render_gammas, caption=_caption_gammas)
