"""Gaussian L2 figures (a), (b), (c) of Fanthomme, Rizzato, Cocco & Monasson (2022), from the ``gaussian_l2`` study.

- ``gaussian_l2_likelihoods`` (a): train / test / gen / gen_true per site vs gamma at several alpha,
  vertical lines at gamma_opt, gamma_cross, gamma_half and the prediction 1/sum_j J_ij^2;
- ``gaussian_l2_gammas`` (b): gamma_opt and gamma_cross vs alpha for every graph, prediction dashed;
- ``gaussian_l2_gap`` (c): L_test(gamma_opt) - max_gamma L_train vs alpha, and L_gen - L_test at gamma_opt.

Render only: every number comes from the study result.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import ScalarFormatter

from statgen.figures import register_figure

STUDY = "gaussian_l2"
_CURVES = (
    ("train", "C0", "-", r"$\mathcal{L}_{train}$"),
    ("test", "C1", "-", r"$\mathcal{L}_{test}$"),
    ("gen", "C2", "--", r"$\mathcal{L}_{gen}$"),
    ("gen_true", "C3", ":", r"$\mathcal{L}_{gen}^{true}$"),
)
_MARKS = (
    ("gamma_opt", "k", "-", r"$\gamma_{opt}$"),
    ("gamma_cross", "C2", "--", r"$\gamma_{cross}$"),
    ("gamma_half", "0.5", ":", r"$\gamma_{half}$"),
)


def _label(graph: str) -> str:
    kind, _, value = graph.partition(":")
    if "=" in value:
        return f"{kind} {value}"
    return {"sk": rf"SK $\sigma={value}$", "ring": rf"ring $j={value}$"}.get(kind, graph)


def _nearest(values: np.ndarray, targets) -> list[int]:
    """Indices of ``values`` nearest (in log) to each target, without repeats."""
    idx = [int(np.argmin(np.abs(np.log(values) - np.log(t)))) for t in targets]
    return list(dict.fromkeys(idx))


def _plt():
    import matplotlib.pyplot as plt

    return plt


def render_likelihoods(results, quick: bool):
    r = results[STUDY]
    graphs = [str(g) for g in r["graphs"]]
    gi = graphs.index(str(r["curve_graph"]))
    g, alphas = r["gammas"], r["alphas"]
    cols = _nearest(alphas, r["curve_alphas"])
    plt = _plt()
    fig, axes = plt.subplots(1, len(cols), figsize=(3.6 * len(cols), 3.4), squeeze=False)
    for ax, a in zip(axes[0], cols, strict=True):
        for key, color, ls, lab in _CURVES:
            m, sd = r[key][gi, a], r[f"{key}_sd"][gi, a]
            ax.plot(g, m, color=color, ls=ls, label=lab)
            ax.fill_between(g, m - sd, m + sd, color=color, alpha=0.15, lw=0)
        for key, color, ls, lab in _MARKS:
            ax.axvline(r[key][gi, a], color=color, ls=ls, lw=1, label=lab)
        ax.axvline(r["gamma_pred"][gi], color="C4", ls="-.", lw=1, label=r"$1/\Sigma_j J_{ij}^2$")
        # Frame the region around the optimum: train diverges as gamma -> 0 when alpha < 1.
        top, low = r["train_opt"][gi, a], min(r["test_opt"][gi, a], r["gen_opt"][gi, a])
        pad = max(top - low, 0.01)
        ax.set_ylim(low - 3 * pad, top + 2 * pad)
        ax.set_xscale("log")
        ax.set_xlabel(r"L2 strength $\gamma$")
        ax.set_title(rf"$\alpha = B/N = {alphas[a]:.3g}$", fontsize=10)
    axes[0, 0].set_ylabel("log-likelihood per site (nats)")
    fig.suptitle(
        f"{_label(graphs[gi])}, N = {int(r['n'])}: likelihood curves of the L2 MAP"
        + (" (quick)" if quick else ""),
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    return fig


def _log_errorbar(ax, x, y, logsd, **kw):
    ax.errorbar(x, y, yerr=[y * (1 - np.exp(-logsd)), y * (np.exp(logsd) - 1)], capsize=2, **kw)


_POINT_STYLES = (
    ("gamma_opt", {"marker": "o", "ms": 4, "ls": "-", "lw": 1}, r"\gamma_{opt}"),
    ("gamma_cross", {"marker": "s", "ms": 5, "mfc": "none", "ls": "none"}, r"\gamma_{cross}"),
)


def render_gammas(results, quick: bool):
    r = results[STUDY]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.6, 4.2))
    a = r["alphas"]
    for i, graph in enumerate(str(g) for g in r["graphs"]):
        c = f"C{i}"
        for key, style, tex in _POINT_STYLES:
            _log_errorbar(ax, a, r[key][i], r[f"{key}_logsd"][i], color=c, label=rf"{_label(graph)}: ${tex}$",
                          **style)
        ax.axhline(r["gamma_pred"][i], color=c, ls="--", lw=1)
    ax.plot([], [], "k--", lw=1, label=r"prediction $1/\Sigma_j J_{ij}^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"sample ratio $\alpha = B/N$")
    ax.set_ylabel(r"L2 strength $\gamma$")
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(ScalarFormatter())
    ax.tick_params(axis="y", which="minor", labelsize=7)
    ax.set_title(
        f"Optimal and crossing strengths, N = {int(r['n'])}" + (" (quick)" if quick else ""),
        fontsize=10,
    )
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def render_gap(results, quick: bool):
    r = results[STUDY]
    plt = _plt()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.9))
    a, n = r["alphas"], int(r["n"])
    for i, graph in enumerate(str(g) for g in r["graphs"]):
        c = f"C{i}"
        ax.errorbar(
            a,
            -r["gap"][i],
            yerr=r["gap_sd"][i],
            color=c,
            marker="o",
            ms=4,
            lw=1,
            capsize=2,
            label=_label(graph),
        )
        bx.plot(
            a,
            r["gen_opt"][i] - r["test_opt"][i],
            color=c,
            marker="o",
            ms=4,
            lw=1,
            label=_label(graph),
        )
    # Unregularized large-alpha limit: train - test -> (number of parameters)/(B N) = (N + 1)/(2 B).
    aa = np.geomspace(max(a.min(), 1.0), a.max(), 50)
    ax.plot(aa, (n + 1) / (2 * aa * n), "k--", lw=1, label=r"$(N+1)/(2B)$ (ML, large $\alpha$)")
    # The gap is negative over 3 decades of magnitude: plot its opposite on log axes.
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"sample ratio $\alpha = B/N$")
    ax.set_ylabel(
        r"$-$gap $= \max_\gamma \mathcal{L}_{train} - \mathcal{L}_{test}(\gamma_{opt})$ (nats/site)"
    )
    ax.set_title(r"Generalization gap ($\max$ over the $\gamma$ grid)", fontsize=10)
    ax.legend(fontsize=7)
    bx.axhline(0.0, color="k", lw=0.8)
    bx.set_xscale("log")
    bx.set_xlabel(r"sample ratio $\alpha = B/N$")
    bx.set_ylabel(r"$\mathcal{L}_{gen} - \mathcal{L}_{test}$ at $\gamma_{opt}$ (nats/site)")
    bx.set_title("Generated vs test likelihood at the optimum", fontsize=10)
    bx.legend(fontsize=7)
    fig.suptitle(f"N = {n}" + (" (quick)" if quick else ""), fontsize=10)
    fig.tight_layout()
    return fig


def _ratio_summary(r) -> str:
    """Median of gamma_opt / prediction over alpha >= 1, per graph."""
    big = r["alphas"] >= 1.0
    parts = [
        f"{_label(str(g)).replace('$', '').replace(chr(92), '')}: "
        f"{np.nanmedian(r['gamma_opt'][i, big] / r['gamma_pred'][i]):.2f}"
        for i, g in enumerate(r["graphs"])
    ]
    return "; ".join(parts)


def _caption_likelihoods(results) -> str:
    r = results[STUDY]
    return (
        "(a) Per-site log-likelihoods of the L2 MAP vs gamma (mean +- sd over seeds x samples) "
        f"for {r['curve_graph']} at N = {int(r['n'])}; vertical lines: gamma_opt (argmax L_test), "
        "gamma_cross (L_gen = L_test near gamma_opt), gamma_half (L_gen = (L_train + L_test)/2) "
        "and 1/sum_j J_ij^2."
    )


def _caption_gammas(results) -> str:
    r = results[STUDY]
    return (
        "(b) gamma_opt (circles, geometric mean +- log-sd) and gamma_cross (squares) vs alpha; "
        "dashed: 1/sum_j J_ij^2. Median gamma_opt / prediction over alpha >= 1: "
        + _ratio_summary(r)
        + "."
    )


def _caption_gap(results) -> str:
    r = results[STUDY]
    d = np.abs(r["gen_opt"] - r["test_opt"])
    return (
        "(c) Left: minus the gap L_test(gamma_opt) - max over the gamma grid of L_train vs alpha "
        "(for alpha < 1 the training likelihood grows without bound as gamma -> 0, so the gap "
        f"there depends on the grid's lower end {r['gammas'][0]:.3g}); dashed: the unregularized "
        "large-alpha limit (N+1)/(2B). "
        f"Right: L_gen - L_test at gamma_opt; max |L_gen - L_test| over all graphs and alpha >= 1: "
        f"{np.nanmax(d[:, r['alphas'] >= 1.0]):.2g} nats/site."
    )


register_figure(
    "gaussian_l2_likelihoods",
    studies=STUDY,
    render=render_likelihoods,
    caption=_caption_likelihoods,
)
register_figure("gaussian_l2_gammas", studies=STUDY, render=render_gammas, caption=_caption_gammas)
register_figure("gaussian_l2_gap", studies=STUDY, render=render_gap, caption=_caption_gap)
