"""Contact map of DHFR: the top-L pairs of statgen (upper triangle) and plmc (lower triangle) on plmc's
example command line, rendered from the ``potts_contacts`` study."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from statgen.figures import register_figure

STUDY = "potts_contacts"


def _top(S: np.ndarray, pos: np.ndarray, sep: int) -> set:
    i, j = np.triu_indices(len(pos), 1)
    far = pos[j] - pos[i] >= sep
    i, j = i[far], j[far]
    o = np.argsort(-S[i, j], kind="stable")[: len(pos)]
    return set(zip(pos[i[o]].tolist(), pos[j[o]].tolist(), strict=True))


def render(results: dict, quick: bool):
    r = results[STUDY]
    pos, sep = r["positions"], int(r["min_separation"])
    ours, theirs = _top(r["statgen"], pos, sep), _top(r["plmc"], pos, sep)
    both = ours & theirs
    fig, ax = plt.subplots(figsize=(5.2, 5.0), constrained_layout=True)
    for pairs, color, label in ((ours - both, "tab:blue", "statgen only"), (theirs - both, "tab:red", "plmc only"),
                                (both, "k", "both")):
        if pairs:
            a = np.array(sorted(pairs))
            if color != "tab:red":
                ax.scatter(a[:, 1], a[:, 0], s=9, color=color, label=label)  # upper triangle: statgen
            if color != "tab:blue":
                ax.scatter(a[:, 0], a[:, 1], s=9, color=color, label=None if color == "k" else label)
    lo, hi = pos.min() - 1, pos.max() + 1
    ax.plot([lo, hi], [lo, hi], color="0.7", lw=0.8)
    ax.set_xlim(lo, hi)
    ax.set_ylim(hi, lo)
    ax.set_aspect("equal")
    ax.set_xlabel("residue (DYR_ECOLI)")
    ax.set_ylabel("residue (DYR_ECOLI)")
    ax.set_title(f"DHFR top-{len(pos)} pairs (|i−j| ≥ {sep}): statgen ↗, plmc ↙", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    return fig


def caption(results: dict) -> str:
    r = results[STUDY]
    return (f"Top-L contacts (L = {len(r['positions'])}, |i−j| ≥ {int(r['min_separation'])}) of DHFR "
            f"({int(r['n_seqs'])} sequences, focus DYR_ECOLI) from statgen potts plm (upper triangle) and plmc "
            f"(lower triangle), same command line (-le 16 -lh 0.01 -g): overlap {100 * float(r['overlap']):.0f} %, "
            f"Spearman correlation of all pair scores {float(r['spearman']):.4f}.")


register_figure("potts_contacts", studies=(STUDY,), render=render, caption=caption)
