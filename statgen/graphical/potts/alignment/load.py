"""Load a multiple sequence alignment as Potts states with sequence weights."""

from __future__ import annotations

import os

import numpy as np

from statgen._checks import check_in_range
from statgen.graphical.potts.alignment.encoding import encode_sequences, get_alphabet
from statgen.graphical.potts.alignment.fasta import read_fasta
from statgen.graphical.potts.alignment.weights import sequence_weights

__all__ = ["load_alignment"]


def load_alignment(path: str | os.PathLike, alphabet: str = "protein", *, theta: float | None = None,
                   ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read a FASTA alignment; returns (states (M, L), weights (M,), names).

    ``theta`` (e.g. 0.2) turns on reweighting by :func:`statgen.graphical.sequence_weights`; otherwise
    all weights are 1. Every failure names the path: FileNotFoundError when it is missing,
    ValueError when it is not a FASTA alignment (ragged, empty records, unknown symbols).
    """
    tokens = get_alphabet(alphabet)
    if theta is not None:
        theta = check_in_range(theta, "theta", 0.0, 1.0)
    names, seqs = read_fasta(path)
    empty = [n for n, s in zip(names, seqs, strict=True) if not s]
    if empty:
        raise ValueError(f"{path} is not a FASTA alignment: record {empty[0]!r} has an empty sequence")
    try:
        s = encode_sequences(seqs, tokens)
    except ValueError as exc:
        raise ValueError(f"{path} is not a {alphabet!r} alignment: {exc}") from None
    w = np.ones(len(s)) if theta is None else sequence_weights(s, len(tokens), theta=theta)
    return s, w, names
