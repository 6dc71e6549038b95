"""Alignment files: FASTA, A2M and A3M (one reader: records ``>name`` + sequence lines) and Stockholm.

A2M/A3M mark insert states in lowercase (and '.' for gaps in inserts); they are returned as written,
so that the focus-column selection of :mod:`~statgen.graphical.potts.alignment.msa` can see them.
A3M rows differ in length by their inserts: :func:`read_alignment` drops the lowercase letters and '.'
of an ``.a3m`` file (the aligned, match-state columns are what remains). Stockholm (``# STOCKHOLM 1.0``):
``name sequence`` lines, possibly in several blocks, concatenated per name; ``#`` markup lines are
skipped; the file ends at ``//``. References: R. Hughey & A. Krogh, SAM (A2M); J. Söding,
Bioinformatics 21, 951 (2005) (A3M, HHsuite); S. R. Eddy, Pfam/Stockholm format (Finn et al., NAR 2016).
"""

from __future__ import annotations

import os
from pathlib import Path

from statgen.graphical.potts.alignment.fasta import check_path, read_fasta

__all__ = ["ALIGNMENT_FORMATS", "read_alignment", "read_stockholm"]

ALIGNMENT_FORMATS = ("fasta", "a2m", "a3m", "stockholm")
_SUFFIX = {".fasta": "fasta", ".fa": "fasta", ".faa": "fasta", ".fas": "fasta", ".afa": "fasta", ".a2m": "a2m",
           ".a3m": "a3m", ".sto": "stockholm", ".stk": "stockholm", ".stockholm": "stockholm"}


def _text_lines(path: Path, what: str):
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (expected a {what} file)")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a {what} file")
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":
        raise ValueError(f"{path} is gzip-compressed, not a {what} text file: decompress it first (gunzip)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a {what} text file (not UTF-8 text: {exc.reason} at byte {exc.start})") \
            from None
    return text.splitlines()


def read_stockholm(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """Read a Stockholm alignment; returns (names, aligned sequences) in order of first appearance."""
    path = check_path(path)
    lines = _text_lines(path, "Stockholm")
    order: list[str] = []
    parts: dict[str, list[str]] = {}
    for lineno, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s == "//":
            break
        if not s.isprintable():
            raise ValueError(f"{path} is not a Stockholm text file: line {lineno} holds a control character")
        fields = s.split()
        if len(fields) != 2:
            raise ValueError(f"{path} is not Stockholm: line {lineno} should be 'name sequence', got {s[:60]!r}")
        name, seq = fields
        if name not in parts:
            order.append(name)
            parts[name] = []
        parts[name].append(seq)
    if not order:
        raise ValueError(f"{path} holds no Stockholm sequence lines")
    return order, ["".join(parts[n]) for n in order]


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in ALIGNMENT_FORMATS:
            raise ValueError(f"format must be one of {ALIGNMENT_FORMATS} or None (from the suffix), got {format!r}")
        return format
    fmt = _SUFFIX.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    if path.exists() and path.is_file():
        with open(path, "rb") as fh:
            if fh.read(15).startswith(b"# STOCKHOLM"):
                return "stockholm"
    return "fasta"


def read_alignment(path: str | os.PathLike, format: str | None = None) -> tuple[list[str], list[str]]:
    """Read an alignment file; returns (names, sequences as written; A3M inserts removed).

    ``format``: one of ``ALIGNMENT_FORMATS``, or None to decide from the suffix (``.a2m``, ``.a3m``,
    ``.sto``/``.stk``; a ``# STOCKHOLM`` first line) and otherwise read FASTA.
    """
    path = check_path(path)
    fmt = _format_of(path, format)
    if fmt == "stockholm":
        return read_stockholm(path)
    names, seqs = read_fasta(path)
    if fmt == "a3m":
        seqs = ["".join(c for c in s if not (c.islower() or c == ".")) for s in seqs]
    return names, seqs
