"""CCMpred's contact matrix file (``.mat``): L lines of L tab-separated scores (S. Seemayer,
M. Gruber & J. Söding, Bioinformatics 30, 3128 (2014))."""

from __future__ import annotations

import os

import numpy as np

from statgen._io import atomic_write
from statgen.graphical.potts.alignment.fasta import check_path
from statgen.graphical.potts.dca.scores import check_score_matrix

__all__ = ["write_ccmpred_mat", "read_ccmpred_mat"]


def write_ccmpred_mat(path: str | os.PathLike, scores) -> None:
    """Write a square (L, L) finite score matrix as CCMpred's ``.mat`` (atomically), in its own layout:
    every value as ``%.20e`` followed by a tab, one row per line."""
    path = check_path(path)
    S = check_score_matrix(scores)
    with atomic_write(path, "w") as fh:
        fh.writelines("".join(f"{v:.20e}\t" for v in row) + "\n" for row in S)


def read_ccmpred_mat(path: str | os.PathLike) -> np.ndarray:
    """Read a CCMpred ``.mat`` file; ValueError naming the path when it is not a square numeric matrix."""
    path = check_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (expected a CCMpred .mat file)")
    try:
        rows = [[float(v) for v in line.split()] for line in path.read_text(encoding="ascii").splitlines()
                if line.strip()]
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not a CCMpred .mat file (numbers separated by whitespace): {exc}") from None
    L = len(rows)
    if L == 0 or any(len(r) != L for r in rows):
        raise ValueError(f"{path} is not a CCMpred .mat file: expected a square matrix, got {L} rows of lengths "
                         f"{sorted({len(r) for r in rows})[:5]}")
    S = np.array(rows)
    if not np.all(np.isfinite(S)):
        raise ValueError(f"{path} holds NaN or inf scores")
    return S
