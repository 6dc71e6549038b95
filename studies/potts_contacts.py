"""statgen vs plmc contact scores on DHFR (plmc's example), from the data shipped in
``statgen/graphical/potts/data`` (source and plmc commands in its README).

One task: read the alignment (focus DYR_ECOLI), fit plmc's problem with plmc's flags
(``-le 16 -lh 0.01 -g``, ``max_iter`` L-BFGS iterations) by :func:`statgen.graphical.fit_plmc`, and
compare the APC scores with plmc's couplings file for the same command. Output: ``statgen``,
``plmc`` (L, L) scores, ``positions`` (L,), ``spearman``, ``overlap`` (top-L pairs, |i − j| ≥ 6).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

import statgen.graphical.potts as potts
from statgen.graphical import (
    contact_scores,
    fit_plmc,
    prepare_alignment,
    read_alignment,
    read_plmc_couplings,
)
from statgen.studies import register_study

DATA = Path(potts.__file__).resolve().parent / "data"


def _plain(name: str, workdir: Path) -> Path:
    src = DATA / name
    if src.suffix != ".gz":
        return src
    dst = Path(workdir) / src.stem
    if not dst.exists():
        part = dst.with_name(dst.name + ".part")
        with gzip.open(src, "rb") as fi, open(part, "wb") as fo:
            shutil.copyfileobj(fi, fo)
        part.replace(dst)
    return dst


def tasks(cfg: dict) -> list[dict]:
    return [{"alignment": cfg["alignment"], "couplings": cfg["couplings"], "max_iter": cfg["max_iter"],
             "min_separation": cfg["min_separation"], "threads": cfg["threads"]}]


def overlap(A: np.ndarray, B: np.ndarray, positions: np.ndarray, min_separation: int) -> float:
    """Fraction of the top-L pairs (|position_i − position_j| ≥ min_separation) of A also top-L of B."""
    i, j = np.triu_indices(len(positions), 1)
    far = positions[j] - positions[i] >= min_separation
    i, j = i[far], j[far]
    L = len(positions)

    def top(S):
        o = np.argsort(-S[i, j], kind="stable")[:L]
        return set(zip(i[o].tolist(), j[o].tolist(), strict=True))

    return len(top(A) & top(B)) / L


def compute(task: dict, ctx) -> dict[str, np.ndarray]:
    import torch

    torch.set_num_threads(int(task["threads"]))
    names, seqs = read_alignment(_plain(task["alignment"], ctx.workdir))
    a = prepare_alignment(names, seqs, focus="DYR_ECOLI", theta=0.2)
    est = fit_plmc(a.states, a.weights, 21, lambda_e=16.0, lambda_h=0.01, max_iter=int(task["max_iter"]),
                   gap_ignore=True, dtype=torch.float32)
    S = contact_scores(est.model_)
    P, pos, seq = read_plmc_couplings(_plain(task["couplings"], ctx.workdir))
    if not (np.array_equal(pos, a.positions) and seq == a.focus_sequence):
        raise ValueError("plmc's couplings file does not number the same focus positions as the alignment")
    i, j = np.triu_indices(len(pos), 1)
    return {"statgen": S, "plmc": P, "positions": pos, "spearman": np.asarray(spearmanr(S[i, j], P[i, j])[0]),
            "overlap": np.asarray(overlap(S, P, pos, int(task["min_separation"]))),
            "min_separation": np.asarray(int(task["min_separation"])), "n_seqs": np.asarray(a.states.shape[0])}


def combine(cfg: dict, results: list[dict]) -> dict[str, np.ndarray]:
    return dict(results[0])


register_study("potts_contacts", tasks=tasks, compute=compute, combine=combine, config="potts_contacts.toml")
