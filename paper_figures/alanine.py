"""Alanine dipeptide figures (Köhler, Krämer & Noé 2021, Table 2 and Fig. 6): Ramachandran plots of MD
vs flow samples, the metrics table, and NVE total-energy traces with each flow as the MD potential."""

from __future__ import annotations

import numpy as np

from statgen.figures import register_figure

LABELS = {"smooth": "smooth (NLL)", "smooth_fm": "smooth + FM", "spline": "RQ spline (NLL)", "amber": "Amber (MD)"}
COLORS = {"smooth": "C0", "smooth_fm": "C2", "spline": "C3", "amber": "k"}


def _fes(phi, psi, bins):
    from statgen.md import ramachandran_free_energy

    f = ramachandran_free_energy(phi, psi, bins=bins)
    return np.where(np.isfinite(f), f, np.nan)


def _shown(results) -> tuple[dict, str | None]:
    """(results to draw, provenance or None). A run smaller than the shipped full study (the quick
    variant: 0.1 ns, 30 training steps, which only smoke-tests the pipeline) is drawn from the shipped
    full-study results of the packaged models instead, so the demo shows what the full study shows."""
    from statgen.md import pretrained_study_results

    r = results["alanine"]
    shipped = pretrained_study_results()
    if float(np.asarray(r.get("ns", 0.0))) >= float(shipped["ns"]):
        return r, None
    return shipped, str(shipped["provenance"])


def _mark_quick(fig, provenance):
    """Say on the figure when it shows the shipped full-study results rather than the quick run."""
    if provenance:
        fig.suptitle("quick variant: panels show the shipped full-study models and results (the quick run only "
                     "smoke-tests the pipeline)", fontsize=8, color="firebrick")
    return fig


def _provenance(results) -> str:
    r, prov = _shown(results)
    if not prov:
        return ""
    q = results["alanine"]
    smoke = ", ".join(f"{LABELS[m]} NLL {q['nll'][i]:.1f}" for i, m in enumerate(q["models"]) if m != "amber")
    return (f" Rendered from the shipped full-study results ({prov}); the quick run that produced this "
            f"figure only smoke-tested the pipeline ({float(np.asarray(q.get('ns', 0.1))):g} ns: {smoke}).")


def render_ramachandran(results, quick):
    import matplotlib.pyplot as plt

    r, prov = _shown(results)
    models = [m for m in r["models"] if m != "amber"]
    bins = 60 if len(r["phi_md"]) > 5000 else 24
    panels = [("MD (reference)", r["phi_md"], r["psi_md"])]
    panels += [(LABELS[m], r["phi_flow"][i], r["psi_flow"][i]) for i, m in enumerate(r["models"]) if m in models]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.3), sharey=True, constrained_layout=True)
    ext = [-180, 180, -180, 180]
    im = None
    for ax, (title, phi, psi) in zip(axes, panels, strict=True):
        f = _fes(phi, psi, bins)
        im = ax.imshow(f.T, origin="lower", extent=ext, cmap="viridis", vmin=0, vmax=8, aspect="equal")
        ax.set_title(f"{title} (n={len(phi)})", fontsize=9)
        ax.set_xlabel("φ (deg)")
        ax.set_xticks([-180, -90, 0, 90, 180])
        ax.set_yticks([-180, -90, 0, 90, 180])
    axes[0].set_ylabel("ψ (deg)")
    fig.colorbar(im, ax=axes, shrink=0.85, label="free energy −log p(φ, ψ) (k_BT)")
    return _mark_quick(fig, prov)


def caption_ramachandran(results):
    r, _ = _shown(results)
    parts = [f"{LABELS[m]}: mean |ΔF| {r['fes_mae'][i]:.2f} k_BT" for i, m in enumerate(r["models"]) if m != "amber"]
    return ("Ramachandran free energy −log p(φ, ψ) of reference MD frames and of samples drawn from each "
            "Boltzmann generator (empty bins white). Over bins populated by both (aligned by their mean): "
            + "; ".join(parts) + "." + _provenance(results))


def render_metrics(results, quick):
    import matplotlib.pyplot as plt

    r, prov = _shown(results)
    idx = [i for i, m in enumerate(r["models"]) if m != "amber"]
    cols = ["NLL\n(val)", "force MSE\n(k_BT/nm)²", "reverse KL\n+ log Z (k_BT)", "ESS\n(fraction)",
            "Ramachandran\n|ΔF| (k_BT)", "MD\nblow-ups"]
    rows, cells = [], []
    for i in idx:
        m = r["models"][i]
        rows.append(LABELS[m])
        ess = r["ess"][i] if "ess" in r else np.nan
        cells.append([f"{r['nll'][i]:.1f}", f"{r['force_mse'][i]:.4g}", f"{r['reverse_kl'][i]:.4g}", f"{ess:.3g}",
                      f"{r['fes_mae'][i]:.2f}", f"{int(r['blew_up'][i].sum())}/{r['blew_up'].shape[1]}"])
    fig, (ax_t, ax_b) = plt.subplots(2, 1, figsize=(8.5, 5.2), gridspec_kw={"height_ratios": [1, 1.6]},
                                     constrained_layout=True)
    ax_t.axis("off")
    table = ax_t.table(cellText=cells, rowLabels=rows, colLabels=cols, loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1.0, 1.8)
    ax_t.set_title("validation metrics (MD frames held out in time)", fontsize=10)
    x = np.arange(len(idx))
    w = 0.38
    ax_b.bar(x - w / 2, [r["nll"][i] for i in idx], w, color="C0", label="NLL (nats)")
    ax_b.set_ylabel("validation NLL (nats)")
    ax_b.set_xticks(x, rows)
    ax2 = ax_b.twinx()
    ax2.bar(x + w / 2, [r["force_mse"][i] for i in idx], w, color="C1", label="force MSE")
    ax2.set_yscale("log")
    ax2.set_ylabel("force MSE ((k_BT/nm)²)")
    h1, l1 = ax_b.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax_b.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=8)
    return _mark_quick(fig, prov)


def caption_metrics(results):
    r, _ = _shown(results)
    parts = [f"{LABELS[m]}: NLL {r['nll'][i]:.1f}, force MSE {r['force_mse'][i]:.4g} (k_BT/nm)²"
             for i, m in enumerate(r["models"]) if m != "amber"]
    return ("Validation negative log-likelihood (density per nm^60 over the 60 internal degrees of freedom) and "
            "force-matching error (mean over atoms and Cartesian components) for the three Boltzmann generators. "
            + "; ".join(parts) + ". Paper (third-party reproduction): smooth −210.9 / 13 083, smooth+FM −210.0 / "
            "9 073, spline −110.3 / 5.7e5." + _provenance(results))


def render_energy(results, quick):
    import matplotlib.pyplot as plt

    r, prov = _shown(results)
    t, nve = r["time"], r["nve"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    for i, m in enumerate(r["models"]):
        for k in range(r["total"].shape[1]):
            e = r["total"][i, k]
            lab = LABELS[m] if k == 0 else None
            axes[0].plot(t, r["potential"][i, k], color=COLORS[m], lw=0.7, alpha=0.8, label=lab)
            tn, en = t[nve], e[nve]
            if np.isfinite(en[0]):
                axes[1].plot(tn - tn[0], en - en[0], color=COLORS[m], lw=0.8, alpha=0.8, label=lab)
            if r["blew_up"][i, k]:
                last = np.flatnonzero(np.isfinite(r["potential"][i, k]))
                if last.size:
                    axes[0].plot(t[last[-1]], r["potential"][i, k, last[-1]], "x", color=COLORS[m], ms=8)
    axes[0].axvline(t[nve][0], color="gray", ls=":", lw=1)
    axes[0].set_xlabel("time (ps)  [NVT | NVE]")
    axes[0].set_ylabel("potential energy U (kJ/mol)")
    if np.nanmax(np.abs(r["potential"])) > 1e4:  # blow-ups: show them on a symmetric log scale
        axes[0].set_yscale("symlog", linthresh=1e3)
    axes[0].set_title("potential energy (x: blow-up, run stopped)", fontsize=9)
    axes[0].legend(fontsize=8)
    axes[1].set_xlabel("NVE time (ps)")
    axes[1].set_ylabel("E_total − E_total(0) (kJ/mol)")
    drifts = [np.nanmax(np.abs(r["total"][i, k, nve] - r["total"][i, k, nve][0]))
              for i in range(len(r["models"])) for k in range(r["total"].shape[1])
              if np.isfinite(r["total"][i, k, nve][0])]
    if drifts and max(drifts) > 100:
        axes[1].set_yscale("symlog", linthresh=10)
    axes[1].set_title("total-energy conservation in NVE", fontsize=9)
    axes[1].legend(fontsize=8)
    return _mark_quick(fig, prov)


def caption_energy(results):
    r, _ = _shown(results)
    parts = []
    for i, m in enumerate(r["models"]):
        ok = ~r["blew_up"][i]
        fl = f", fluctuation {np.mean(r['fluctuation'][i][ok]):.3g} kJ/mol, |drift| " \
             f"{np.mean(np.abs(r['drift'][i][ok])):.3g} kJ/mol/ps" if ok.any() else ""
        parts.append(f"{LABELS[m]}: {int((~ok).sum())}/{len(ok)} replicas blew up{fl}")
    return ("Langevin NVT (10/ps, 1 fs) then velocity-Verlet NVE with each potential, one trace per replica "
            "started from held-out MD frames. " + "; ".join(parts) + "." + _provenance(results))


register_figure("alanine_ramachandran", studies="alanine", render=render_ramachandran, caption=caption_ramachandran)
register_figure("alanine_metrics", studies="alanine", render=render_metrics, caption=caption_metrics)
register_figure("alanine_energy", studies="alanine", render=render_energy, caption=caption_energy)
