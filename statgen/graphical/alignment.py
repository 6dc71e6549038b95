"""Multiple sequence alignments: FASTA input/output, alphabets, sequence reweighting.

Alphabets map symbols to Potts states 0..q−1 (gap '-' is state 0, as in plmc and adabmDCA):
``"protein"`` = ``-ACDEFGHIKLMNPQRSTVWY`` (q = 21), ``"rna"`` = ``-ACGU``, ``"dna"`` = ``-ACGT``
(q = 5); any other string is taken as a custom alphabet. Symbols are matched case-insensitively
('.' is read as a gap, as in A2M/A3M); any other unknown symbol raises ``ValueError``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch

from statgen._checks import check_in_range, check_int_states

__all__ = ["ALPHABETS", "get_alphabet", "read_fasta", "write_fasta", "encode_sequences", "decode_sequences",
           "load_alignment", "sequence_weights"]

ALPHABETS = {"protein": "-ACDEFGHIKLMNPQRSTVWY", "rna": "-ACGU", "dna": "-ACGT"}


def get_alphabet(alphabet: str) -> str:
    """The symbol string of a preset (``protein``, ``rna``, ``dna``) or a custom alphabet (checked for duplicates)."""
    if not isinstance(alphabet, str) or not alphabet:
        raise TypeError(f"alphabet must be a non-empty string, got {alphabet!r}")
    tokens = ALPHABETS.get(alphabet.lower(), alphabet).upper()
    if len(set(tokens)) != len(tokens) or len(tokens) < 2:
        raise ValueError(f"alphabet must list >= 2 distinct symbols, got {alphabet!r}")
    return tokens


def read_fasta(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """Read a FASTA file; returns (headers without '>', sequences with line breaks and spaces removed)."""
    names: list[str] = []
    seqs: list[list[str]] = []
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                names.append(line[1:].strip())
                seqs.append([])
            elif not seqs:
                raise ValueError(f"path {str(path)!r} is not FASTA: line {lineno} precedes the first '>' header")
            else:
                seqs[-1].append(line.replace(" ", ""))
    if not names:
        raise ValueError(f"path {str(path)!r} holds no FASTA records")
    return names, ["".join(s) for s in seqs]


def write_fasta(path: str | os.PathLike, names: Sequence[str], sequences: Sequence[str]) -> None:
    """Write records ``>name\\nsequence`` (one line per sequence)."""
    if len(names) != len(sequences):
        raise ValueError(f"names and sequences must have equal lengths, got {len(names)} and {len(sequences)}")
    with open(path, "w") as fh:
        fh.writelines(f">{n}\n{s}\n" for n, s in zip(names, sequences, strict=True))


def encode_sequences(sequences: Sequence[str], alphabet: str = "protein") -> np.ndarray:
    """Aligned sequences → (M, L) int64 states; ValueError on ragged lengths or unknown symbols."""
    tokens = get_alphabet(alphabet)
    if len(sequences) == 0:
        raise ValueError("sequences is empty")
    lengths = {len(s) for s in sequences}
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
        raw = np.frombuffer("".join(sequences).encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as exc:
        raise ValueError(f"sequences contain a non-ASCII symbol: {exc}") from exc
    s = table[raw].reshape(len(sequences), -1)
    if np.any(s < 0):
        m, i = np.argwhere(s < 0)[0]
        raise ValueError(f"sequences: unknown symbol {sequences[m][i]!r} in sequence {m} at position {i} "
                         f"for alphabet {tokens!r}")
    return s


def decode_sequences(s, alphabet: str = "protein") -> list[str]:
    """(M, L) states → list of strings in ``alphabet``."""
    tokens = get_alphabet(alphabet)
    s = check_int_states(s, "s", len(tokens))
    arr = np.frombuffer(tokens.encode("ascii"), dtype=np.uint8)[s]
    return [row.tobytes().decode("ascii") for row in arr]


def load_alignment(path: str | os.PathLike, alphabet: str = "protein", *, theta: float | None = None,
                   ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read a FASTA alignment; returns (states (M, L), weights (M,), names).

    ``theta`` (e.g. 0.2) turns on reweighting by :func:`sequence_weights`; otherwise all weights are 1.
    """
    names, seqs = read_fasta(path)
    s = encode_sequences(seqs, alphabet)
    w = np.ones(len(s)) if theta is None else sequence_weights(s, len(get_alphabet(alphabet)), theta=theta)
    return s, w, names


def sequence_weights(s, q: int, *, theta: float = 0.2, device=None, chunk: int = 4096) -> np.ndarray:
    """Reweighting w_m = 1 / #{m' : d_H(s_m, s_m') < θ L} (the sequence itself included).

    d_H is the Hamming distance; identities are counted by chunked one-hot products on ``device``.
    """
    s = check_int_states(s, "s", q)
    theta = check_in_range(theta, "theta", 0.0, 1.0)
    M, L = s.shape
    dev = torch.device(device or "cpu")
    X = torch.zeros(M, L * q, device=dev, dtype=torch.float32)
    X.scatter_(1, torch.as_tensor(s + q * np.arange(L), device=dev), 1.0)
    counts = torch.empty(M, device=dev)
    for a in range(0, M, chunk):
        ident = X[a:a + chunk] @ X.T  # matching positions, exact in float32 up to 2**24
        counts[a:a + chunk] = (L - ident < theta * L).sum(1)
    return 1.0 / counts.double().cpu().numpy()
