"""Load a multiple sequence alignment as Potts states with sequence weights."""

from __future__ import annotations

import os

import numpy as np

from statgen._checks import check_in_range
from statgen.graphical.potts.alignment.formats import read_alignment
from statgen.graphical.potts.alignment.msa import prepare_alignment

__all__ = ["load_alignment"]


def load_alignment(path: str | os.PathLike, alphabet: str = "protein", *, theta: float | None = None,
                   focus: str | None = None, format: str | None = None, focus_columns: str = "uppercase",
                   max_column_gaps: float | None = None, max_sequence_gaps: float | None = None,
                   ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read a FASTA / A2M / A3M / Stockholm alignment; returns (states (M, L), weights (M,), names).

    Prepared as plmc does (:func:`~statgen.graphical.potts.alignment.msa.prepare_alignment`):
    sequences with symbols outside the alphabet are discarded; with ``focus`` (a sequence id) only
    the focus columns are kept (``focus_columns``; A2M lowercase inserts and '.' dropped by default);
    optional maximum gap fractions of columns and sequences. ``theta`` (e.g. 0.2, in [0, 1]) turns on
    plmc's reweighting; otherwise all weights are 1. Every failure names the path:
    FileNotFoundError when it is missing, ValueError when it is not an alignment (ragged, empty
    records, no valid sequence, unknown focus, an all-gap column). ``format``: see
    :func:`~statgen.graphical.potts.alignment.formats.read_alignment`.
    """
    if theta is not None:
        theta = check_in_range(theta, "theta", 0.0, 1.0)
    names, seqs = read_alignment(path, format)
    a = prepare_alignment(names, seqs, alphabet, focus=focus, focus_columns=focus_columns, theta=theta,
                          max_column_gaps=max_column_gaps, max_sequence_gaps=max_sequence_gaps, what=str(path))
    return a.states, a.weights, a.names
