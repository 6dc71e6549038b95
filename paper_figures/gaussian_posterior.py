"""Figure (e): likelihood curves averaged over the posterior exp(-beta F(J)) vs the MAP curves.

One panel per (N, alpha): MAP curves (lines, closed form of ``l2_path``) and posterior means
(markers, error bars = posterior standard deviation of the per-site likelihood) of train, test,
gen and gen_true, vs gamma; the vertical line is the MAP gamma_opt. Study: ``gaussian_posterior``.
"""

from __future__ import annotations

import numpy as np

from statgen.figures import register_figure

_CURVES = (("train", "C0", "train"), ("test", "C3", "test"), ("gen", "C2", "gen"), ("gen_true", "C1", "gen (true model)"))


def render(results, quick):
    import matplotlib.pyplot as plt

    r = results["gaussian_posterior"]
    g = r["gammas"]
    k = r["ns"].size
    fig, axes = plt.subplots(1, k, figsize=(4.3 * k, 3.9), squeeze=False)
    for i, ax in enumerate(axes[0]):
        for key, color, label in _CURVES:
            ax.plot(r["gammas_dense"], r[f"{key}_map_dense"][i], color=color, lw=1.5, label=f"{label}, MAP")
            ax.errorbar(g, r[f"{key}_post"][i], yerr=r[f"{key}_post_sd"][i], color=color, fmt="o", ms=4,
                        mfc="none", capsize=2, lw=0.8, label=f"{label}, posterior mean ± sd")
        ax.axvline(r["gamma_opt_map"][i], color="k", ls="--", lw=1, label=r"MAP $\gamma_{opt}$")
        ax.set_xscale("log")
        ax.set_xlabel(r"L2 strength $\gamma$")
        ax.set_ylabel("log-likelihood per site (nats)")
        ax.set_title(rf"N = {int(r['ns'][i])}, $\alpha$ = {r['alphas'][i]:.3g}, "
                     rf"$\beta = {float(r['beta_norm']):.3g}\,N^2$")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, ncol=5, loc="lower center", frameon=False)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig


def caption(results):
    r = results["gaussian_posterior"]
    parts = []
    for i in range(r["ns"].size):
        j = int(np.argmin(np.abs(np.log(r["gammas"] / r["gamma_opt_map"][i]))))
        parts.append(f"N={int(r['ns'][i])}, alpha={r['alphas'][i]:.3g}: at gamma={r['gammas'][j]:.3g} "
                     f"test MAP {r['test_map'][i, j]:.4f} vs posterior {r['test_post'][i, j]:.4f}, "
                     f"gen MAP {r['gen_map'][i, j]:.4f} vs posterior {r['gen_post'][i, j]:.4f}")
    return ("Figure (e), posterior fluctuations (PyMC NUTS, beta = beta_norm N^2 with beta_norm = "
            f"{float(r['beta_norm']):.3g}). Nearest grid point to the MAP gamma_opt: " + "; ".join(parts) + ".")


register_figure("gaussian_posterior", studies=("gaussian_posterior",), render=render, caption=caption)
