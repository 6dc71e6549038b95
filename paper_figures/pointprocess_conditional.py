"""Figures of the ``pointprocess_conditional`` study (render only).

- ``pointprocess_maps``: λ(x | Y) given 1, 2 and 6 events on a log-linear-parent Thomas process,
  exact and the four approximations (rows: event sets; columns: methods);
- ``pointprocess_errors``: relative L¹ error of each approximation vs the distance between two
  events (Thomas and Matérn) and vs the cluster size;
- ``pointprocess_mc``: Monte Carlo validation of the exact λ(x | y) and λ(x | y₁, y₂) along a transect.
"""

from __future__ import annotations

import numpy as np

from statgen.figures import register_figure

STUDY = "pointprocess_conditional"
APPROX = ("independent", "grouped", "reweighted", "slowly_varying")
STYLE = {"independent": ("C0", "-"), "grouped": ("C1", "--"), "reweighted": ("C2", "-."),
         "slowly_varying": ("C3", ":")}


def _plt():  # make_figure has already chosen the Agg backend
    import matplotlib.pyplot as plt

    return plt


def render_maps(results, quick: bool):
    r = results[STUDY]
    plt = _plt()
    ks = sorted(int(k[3:-6]) for k in r if k.startswith("map") and k.endswith("_exact"))
    methods = ("exact", *APPROX)
    fig, axes = plt.subplots(len(ks), len(methods), figsize=(3.1 * len(methods), 2.9 * len(ks)),
                             squeeze=False, constrained_layout=True)
    ext = (0, 1, 0, 1)
    for i, k in enumerate(ks):
        lam = r[f"map{k}_intensity"]
        vmax = float(np.max(r[f"map{k}_exact"]))
        for j, m in enumerate(methods):
            ax = axes[i, j]
            im = ax.imshow(r[f"map{k}_{m}"].T, origin="lower", extent=ext, vmin=0, vmax=vmax, cmap="viridis")
            y = r[f"map{k}_events"]
            ax.plot(y[:, 0], y[:, 1], "r+", ms=7, label="events")
            if m != "exact":
                err = np.abs(r[f"map{k}_{m}"] - r[f"map{k}_exact"]).sum() / (r[f"map{k}_exact"] - lam).sum()
                ax.set_title(f"{m}\nrel. L¹ error {err:.2g}", fontsize=9)
            else:
                ax.set_title(f"exact, n = {k}", fontsize=9)
            ax.set_xlabel("x₁")
            ax.set_ylabel("x₂")
            if i == 0 and j == 0:
                ax.legend(loc="upper left", fontsize=7)
        fig.colorbar(im, ax=axes[i, :], shrink=0.85, label="λ(x | Y)")
    return fig


def render_errors(results, quick: bool):
    r = results[STUDY]
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), constrained_layout=True)
    panels = [(axes[0], "dist_r", "dist_thomas_{}", "distance between the two events / σ", "Thomas (σ)", False),
              (axes[1], "dist_r", "dist_matern_{}", "distance between the two events / σ", "Matérn (R = 2σ)", False),
              (axes[2], "size_scale", "size_{}", "Thomas σ (events 0.06 apart)", "vs cluster size", True)]
    for ax, xkey, ykey, xlabel, title, logx in panels:
        for m in APPROX:
            c, ls = STYLE[m]
            ax.plot(r[xkey], np.maximum(r[ykey.format(m)], 1e-16), color=c, ls=ls, label=m)
        ax.set_yscale("log")
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("relative L¹ error")
        ax.set_title(title)
        ax.legend(fontsize=8)
    return fig


def render_mc(results, quick: bool):
    r = results[STUDY]
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    t = r["mc_t"]
    for ax, k in zip(axes, (1, 2), strict=True):
        ax.plot(t, r[f"mc{k}_exact"], "k-", lw=2, label="exact (subset recursion)")
        ax.errorbar(t, r[f"mc{k}_est"], yerr=3 * r[f"mc{k}_se"], fmt="o", ms=3, color="C4",
                    label=f"Monte Carlo ± 3 s.e. ({int(r['mc_reps'])} reps)")
        for m in APPROX:
            c, ls = STYLE[m]
            ax.plot(t, r[f"mc{k}_{m}"], color=c, ls=ls, label=m)
        ax.plot(t, r[f"mc{k}_intensity"], color="0.6", lw=1, label="λ(x)")
        for e in r[f"mc{k}_events"]:
            ax.axvline(e[0], color="r", lw=0.6, ls=":")
        ax.set_xlabel("x₁ (transect at x₂ = 0.51)")
        ax.set_ylabel(f"λ(x | {'y' if k == 1 else 'y₁, y₂'})")
        ax.set_title(f"{k} event{'s' if k > 1 else ''}")
        ax.legend(fontsize=7)
    return fig


def _z(r, k):
    return float(np.max(np.abs(r[f"mc{k}_est"] - r[f"mc{k}_exact"]) / r[f"mc{k}_se"]))


def _caption_mc(results):
    r = results[STUDY]
    return (f"Monte Carlo (Cox driving intensity, {int(r['mc_reps'])} parent configurations) against the exact "
            f"conditional intensity: largest |MC − exact| / s.e. = {_z(r, 1):.2f} (one event), "
            f"{_z(r, 2):.2f} (two events) over {r['mc_t'].size} transect points.")


def _caption_errors(results):
    r = results[STUDY]
    i0 = 0
    ind = r["dist_thomas_independent"][i0]
    return ("Relative L¹ error of the approximations. Independent clusters overestimate when the events are "
            f"close (error {ind:.2g} for coincident events, Thomas) and become exact when they are far apart; "
            "grouped is exact for Matérn at every distance; reweighted and slowly-varying keep an error set by "
            "the parent gradient |b|σ.")


register_figure("pointprocess_maps", studies=STUDY, render=render_maps,
                caption="Conditional intensity maps λ(x | Y) for 1, 2 and 6 events, κ(c) = exp(a + b·c): "
                        "exact (subset recursion) and the four approximations.")
register_figure("pointprocess_errors", studies=STUDY, render=render_errors, caption=_caption_errors)
register_figure("pointprocess_mc", studies=STUDY, render=render_mc, caption=_caption_mc)
