"""Torus experiment figures (Köhler, Krämer & Noé 2021, Sec. 5.1): densities, force fields, metrics.

Render only: everything comes from the ``torus`` study (``statgen study run torus [--quick]``). A run
smaller than the full study (the quick variant, a one-minute smoke test of the pipeline whose flows learn
little) is drawn from the full-study results shipped with the package, made by the same study command
(``studies/_torus_ship.py``), and the figure and caption say so.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from statgen.figures import register_figure

DOMAIN_LABEL = {"circle": "periodic (torus)", "interval": "non-periodic (square)"}
TRANSFORMER_LABEL = {"smooth": "smooth mixture (C∞)", "spline": "RQ spline (C¹)"}


def _shown(results) -> tuple[dict, str | None]:
    """(results to draw, provenance or None): the shipped full-study results for a smaller run."""
    from statgen.flows import pretrained_torus_results

    r = results["torus"]
    shipped = pretrained_torus_results()
    if int(np.asarray(r.get("n_train", 0))) >= int(shipped["n_train"]):
        return r, None
    return shipped, str(shipped["provenance"])


def _title(text, quick, prov):
    if prov:
        return f"{text}\n(quick variant: drawn from the shipped full-study results; the quick run only smoke-tests)"
    return f"{text}{' (quick config)' if quick else ''}"


def _index(r, domain, transformer, w_fm):
    hit = np.flatnonzero((r["domain"] == domain) & (r["transformer"] == transformer) & np.isclose(r["w_fm"], w_fm))
    return int(hit[0]) if hit.size else None


def _layout(r):
    domains = [d for d in ("circle", "interval") if d in set(r["domain"])]
    transformers = [t for t in ("smooth", "spline") if t in set(r["transformer"])]
    return domains, transformers, float(np.min(r["w_fm"]))


def _panels(rows, cols):
    fig, axes = plt.subplots(rows, cols, figsize=(5.0 * cols, 4.6 * rows), squeeze=False,
                             layout="constrained")
    return fig, axes


def _angles_axes(ax):
    ax.title.set_fontsize(9)
    ax.set_xlabel(r"$x_1$ (box units, $\theta_1 = 2\pi x_1 - \pi$)")
    ax.set_ylabel(r"$x_2$")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")


def render_density(results, quick):
    r, prov = _shown(results)
    domains, transformers, w = _layout(r)
    fig, axes = _panels(len(domains), 1 + len(transformers))
    p = np.exp(r["log_p"])
    vmax = p.max()
    for i, dom in enumerate(domains):
        ax = axes[i, 0]
        im = ax.imshow(p.T, origin="lower", extent=(0, 1, 0, 1), cmap="viridis", vmin=0, vmax=vmax)
        ax.set_title(f"target p(x), {DOMAIN_LABEL[dom]}\nentropy E[−log p] = {r['test_nll_true'][0]:.3f} nats")
        _angles_axes(ax)
        for j, tr in enumerate(transformers):
            k = _index(r, dom, tr, w)
            ax = axes[i, j + 1]
            im = ax.imshow(np.exp(r["log_q"][k]).T, origin="lower", extent=(0, 1, 0, 1), cmap="viridis",
                           vmin=0, vmax=vmax)
            ax.set_title(f"{TRANSFORMER_LABEL[tr]}, {DOMAIN_LABEL[dom]}\n"
                         f"held-out NLL {r['test_nll'][k]:.3f}, KL(p‖q) {r['kl'][k]:.3f}")
            _angles_axes(ax)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="density (per unit box area)")
    fig.suptitle(_title("Torus ring density: flows trained by NLL", quick, prov))
    return fig


def render_forces(results, quick):
    r, prov = _shown(results)
    domains, transformers, _ = _layout(r)
    models = [(t, w) for t in transformers for w in sorted(set(r["w_fm"].tolist()))]
    fig, axes = _panels(len(domains), 1 + len(models))
    m = r["force_p"].shape[0]
    u = (np.arange(m) + 0.5) / m
    X, Y = np.meshgrid(u, u, indexing="ij")
    mags = np.concatenate([np.linalg.norm(r["force_p"], axis=-1).ravel(),
                           np.linalg.norm(r["force_q"], axis=-1).ravel()])
    norm = LogNorm(vmin=max(np.percentile(mags, 5), 1e-3), vmax=mags.max())
    p = np.exp(r["log_p"])

    def quiver(ax, f, title):
        ax.imshow(p.T, origin="lower", extent=(0, 1, 0, 1), cmap="Greys", alpha=0.35)
        mag = np.linalg.norm(f, axis=-1)
        unit = f / np.maximum(mag, 1e-12)[..., None]  # direction; colour carries the magnitude
        q = ax.quiver(X, Y, unit[..., 0], unit[..., 1], mag, cmap="plasma", norm=norm, scale=m * 1.2,
                      width=0.004)
        ax.set_title(title)
        _angles_axes(ax)
        return q

    for i, dom in enumerate(domains):
        q = quiver(axes[i, 0], r["force_p"], f"target force −∇U, {DOMAIN_LABEL[dom]}")
        for j, (tr, w) in enumerate(models):
            k = _index(r, dom, tr, w)
            rel = r["force_mse"][k] / r["force_mse_true_scale"][k]
            q = quiver(axes[i, j + 1], r["force_q"][k],
                       f"{TRANSFORMER_LABEL[tr]}, {'NLL' if w == 0 else f'NLL + {w:g}·FM'}\n{DOMAIN_LABEL[dom]}: "
                       f"force MSE {r['force_mse'][k]:.3g} ({rel:.2f} of mean |F|²)")
    fig.colorbar(q, ax=axes.ravel().tolist(), shrink=0.8, label=r"$|F|$ (k$_B$T per box unit)")
    fig.suptitle(_title("Force fields of the target and of flows trained by NLL and NLL + force matching "
                        "(arrows: direction)", quick, prov))
    return fig


def render_metrics(results, quick):
    r, prov = _shown(results)
    domains, transformers, _ = _layout(r)
    ws = sorted(set(r["w_fm"].tolist()))
    models = [(d, t) for d in domains for t in transformers]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    width = 0.8 / len(ws)
    pos = np.arange(len(models))
    for a, w in enumerate(ws):
        idx = [_index(r, d, t, w) for d, t in models]
        lab = "NLL" if w == 0 else f"NLL + {w:g}·FM"
        axes[0].bar(pos + a * width, [r["kl"][k] for k in idx], width, label=lab)
        axes[1].bar(pos + a * width, [r["force_mse"][k] / r["force_mse_true_scale"][k] for k in idx], width,
                    label=lab)
        for k in idx:
            axes[2].plot(np.arange(1, r["history_nll"].shape[1] + 1), r["history_nll"][k],
                         ls="-" if w == 0 else "--",
                         label=f"{r['domain'][k]}/{r['transformer'][k]}, {lab}")
    names = [f"{'periodic' if d == 'circle' else 'non-periodic'}\n{t}" for d, t in models]
    for ax, yl in zip(axes[:2], ["KL(p‖q) by quadrature (nats)", "force MSE / mean |F_ref|²"], strict=True):
        ax.set_xticks(pos + width * (len(ws) - 1) / 2, names)
        ax.set_ylabel(yl)
        ax.legend()
    axes[0].set_title("density error (held-out)")
    axes[1].set_title("force error (held-out)")
    axes[2].axhline(float(r["test_nll_true"][0]), color="k", lw=0.8, label="target entropy (optimum)")
    axes[2].set_xlabel("epoch")
    axes[2].set_ylabel("training NLL (nats)")
    axes[2].set_title("training curves")
    axes[2].legend(fontsize=6)
    fig.suptitle(_title("Torus experiment: smooth vs spline, periodic vs not, NLL vs NLL+FM", quick, prov))
    fig.tight_layout()
    return fig


def _caption(results):
    r, prov = _shown(results)
    rows = [f"{v}: held-out NLL {n:.3f} (entropy {e:.3f}), KL {k:.3f}, force MSE {f:.3g} ({f / s:.2f} of mean |F|²)"
            for v, n, e, k, f, s in zip(r["variants"], r["test_nll"], r["test_nll_true"], r["kl"], r["force_mse"],
                                        r["force_mse_true_scale"], strict=True)]
    text = "Torus experiment, per variant (domain/transformer/force-matching weight):\n" + "\n".join(rows)
    if prov:
        q = results["torus"]
        smoke = ", ".join(f"{v} {f / s:.2f}" for v, f, s in zip(q["variants"], q["force_mse"],
                                                                q["force_mse_true_scale"], strict=True))
        text += (f"\nRendered from the shipped full-study results ({prov}); the quick run that produced this "
                 f"figure only smoke-tested the pipeline (its force MSE / mean |F|²: {smoke}).")
    return text


register_figure("torus_density", studies="torus", render=render_density, caption=_caption)
register_figure("torus_forces", studies="torus", render=render_forces, caption=_caption)
register_figure("torus_metrics", studies="torus", render=render_metrics, caption=_caption)
