"""Figure (d): the L1 (graphical lasso) counterpart of figures (a) and (b).

Left panels: per-site likelihoods vs the L1 strength gamma_1 = alpha * lambda for several alpha
(SK couplings), with vertical lines at gamma_opt, gamma_cross and gamma_half. Right panel:
gamma_opt and gamma_cross vs alpha for every graph, with the L2 prediction 1/sum_j J_ij^2 dashed
for comparison of scales. Study: ``gaussian_l1``.
"""

from __future__ import annotations

import numpy as np

from statgen.figures import register_figure

_CURVES = (("train", "C0", "-", "train"), ("test", "C3", "-", "test"), ("gen", "C2", "--", "gen"),
           ("gen_true", "C1", ":", "gen (true model)"))
_LINES = (("gamma_opt", "k", "-", r"$\gamma_{opt}$"), ("gamma_cross", "0.4", "--", r"$\gamma_{cross}$"),
          ("gamma_half", "0.6", ":", r"$\gamma_{half}$"))


def render(results, quick):
    import matplotlib.pyplot as plt

    r = results["gaussian_l1"]
    graphs = [str(g) for g in r["graphs"]]
    gi = graphs.index(str(r["curve_graph"]))
    alphas, gammas = r["alphas"], r["gammas"]
    picks = [int(np.argmin(np.abs(np.log(alphas / a)))) for a in r["curve_alphas"]]
    fig, axes = plt.subplots(1, len(picks) + 1, figsize=(4.2 * (len(picks) + 1), 3.8),
                             gridspec_kw={"width_ratios": [1] * len(picks) + [1.25]})
    for ax, ai in zip(axes[:-1], picks, strict=True):
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
    axes[0].legend(fontsize=7, loc="lower left")
    ax = axes[-1]
    for g, name in enumerate(graphs):
        color = f"C{g}"
        ax.plot(alphas, r["gamma_opt"][g], "o-", color=color, ms=4, label=rf"{name} $\gamma_{{opt}}$")
        ax.plot(alphas, r["gamma_cross"][g], "s--", color=color, ms=4, mfc="none", label=rf"{name} $\gamma_{{cross}}$")
        ax.axhline(r["gamma_pred"][g], color=color, ls=(0, (6, 3)), lw=0.8)
    ax.plot([], [], color="k", ls=(0, (6, 3)), lw=0.8, label=r"L2 prediction $1/\sum_j J_{ij}^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"sample ratio $\alpha = B/N$")
    ax.set_ylabel(r"$\gamma_1$")
    ax.set_title("L1: optimal and crossing strengths")
    ax.legend(fontsize=6, ncol=2, loc="upper left")
    fig.tight_layout()
    return fig


def caption(results):
    r = results["gaussian_l1"]
    graphs = [str(g) for g in r["graphs"]]
    big = r["alphas"] >= 1
    parts = []
    for g, name in enumerate(graphs):
        opt = r["gamma_opt"][g][big]
        parts.append(f"{name}: gamma_opt in [{np.nanmin(opt):.3g}, {np.nanmax(opt):.3g}] (L2 prediction "
                     f"{r['gamma_pred'][g]:.3g})")
    return ("Figure (d), graphical lasso (L1) at N = %d, strengths gamma_1 = alpha*lambda. For alpha >= 1, "
            % int(r["n"]) + "; ".join(parts) + ". gamma_cross is NaN where gen and test do not cross.")


register_figure("gaussian_l1", studies=("gaussian_l1",), render=render, caption=caption)
