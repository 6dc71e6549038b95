"""Alphabets and the encoding of aligned sequences as Potts states.

Alphabets map symbols to Potts states 0..q−1 (gap '-' is state 0, as in plmc and adabmDCA):
``"protein"`` = ``-ACDEFGHIKLMNPQRSTVWY`` (q = 21), ``"rna"`` = ``-ACGU``, ``"dna"`` = ``-ACGT``
(q = 5); any other string is a custom alphabet of symbols (e.g. ``"-ACGT"``). A word close to a
preset name (``"protien"``) is refused as a typo; a custom alphabet that happens to look like one
must include the gap '-'. Symbols are matched case-insensitively ('.' is read as a gap, as in
A2M/A3M); any other unknown symbol raises ``ValueError``. numpy only.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np

from statgen._checks import check_int_states

__all__ = ["ALPHABETS", "get_alphabet", "encode_sequences", "decode_sequences"]

ALPHABETS = {"protein": "-ACDEFGHIKLMNPQRSTVWY", "rna": "-ACGU", "dna": "-ACGT"}


def get_alphabet(alphabet: str) -> str:
    """The symbol string of a preset (``protein``, ``rna``, ``dna``; any case) or of a custom alphabet
    (≥ 2 distinct printable symbols, case-insensitive, returned upper-case)."""
    if not isinstance(alphabet, str) or not alphabet:
        raise TypeError(f"alphabet must be a non-empty string (a preset {sorted(ALPHABETS)} or the symbols), "
                        f"got {alphabet!r}")
    preset = ALPHABETS.get(alphabet.lower())
    if preset is not None:
        return preset
    if alphabet.isalpha():
        close = difflib.get_close_matches(alphabet.lower(), list(ALPHABETS), n=1, cutoff=0.6)
        if close:
            raise ValueError(f"alphabet {alphabet!r} is not a preset (did you mean {close[0]!r}?); presets: "
                             f"{sorted(ALPHABETS)}. A custom alphabet that looks like a preset name must include "
                             "the gap '-'")
    if not alphabet.isprintable() or any(c.isspace() for c in alphabet):
        raise ValueError(f"alphabet must hold printable symbols without whitespace, got {alphabet!r}")
    tokens = alphabet.upper()
    if len(set(tokens)) != len(tokens) or len(tokens) < 2:
        raise ValueError(f"alphabet must list >= 2 distinct symbols (case-insensitive), got {alphabet!r}")
    if not tokens.isascii():
        raise ValueError(f"alphabet must hold ASCII symbols, got {alphabet!r}")
    return tokens


def check_sequences(sequences, name: str = "sequences") -> list[str]:
    """A non-empty list (or tuple / array) of strings: a plain string is refused (it would read as one
    sequence per character)."""
    if isinstance(sequences, str | bytes):
        raise TypeError(f"{name} must be a list of strings, got a single {type(sequences).__name__} "
                        f"{sequences[:20]!r}; wrap it as [{sequences[:20]!r}]")
    try:
        seqs = list(sequences)
    except TypeError:
        raise TypeError(f"{name} must be a list of strings, got {type(sequences).__name__}") from None
    bad = [type(s).__name__ for s in seqs if not isinstance(s, str)]
    if bad:
        raise TypeError(f"{name} must hold strings, got a {bad[0]}")
    return seqs


def encode_sequences(sequences: Sequence[str], alphabet: str = "protein") -> np.ndarray:
    """Aligned sequences → (M, L) int64 states; ValueError on ragged lengths or unknown symbols."""
    tokens = get_alphabet(alphabet)
    seqs = check_sequences(sequences)
    if len(seqs) == 0:
        raise ValueError("sequences is empty")
    lengths = {len(s) for s in seqs}
    if len(lengths) != 1:
        raise ValueError(f"sequences must all have the same aligned length, got lengths {sorted(lengths)[:5]}")
    if 0 in lengths:
        raise ValueError("sequences are empty strings")
    table = np.full(256, -1, dtype=np.int64)
    for k, c in enumerate(tokens):
        table[ord(c)] = table[ord(c.lower())] = k
    if "-" in tokens:
        table[ord(".")] = tokens.index("-")
    try:
        raw = np.frombuffer("".join(seqs).encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as exc:
        raise ValueError(f"sequences contain a non-ASCII symbol: {exc}") from exc
    s = table[raw].reshape(len(seqs), -1)
    if np.any(s < 0):
        m, i = np.argwhere(s < 0)[0]
        raise ValueError(f"sequences: unknown symbol {seqs[m][i]!r} in sequence {m} at position {i} "
                         f"for alphabet {tokens!r}")
    return s


def decode_sequences(s, alphabet: str = "protein") -> list[str]:
    """(M, L) states → list of strings in ``alphabet``."""
    tokens = get_alphabet(alphabet)
    s = check_int_states(s, "s", len(tokens))
    arr = np.frombuffer(tokens.encode("ascii"), dtype=np.uint8)[s]
    return [row.tobytes().decode("ascii") for row in arr]
