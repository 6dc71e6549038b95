"""FASTA files: read (multi-line records, blank lines) and write (one line per sequence, atomically).

A FASTA record is a header line ``>name`` followed by sequence lines. Names written must survive a
read back unchanged: no line breaks or control characters, no leading or trailing whitespace, not
empty; sequences hold no whitespace and do not start with '>'.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from statgen._io import atomic_write
from statgen.graphical.potts.alignment.encoding import check_sequences

__all__ = ["read_fasta", "write_fasta"]


def check_path(path, name: str = "path") -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{name} must be a file path (str or os.PathLike), got {path!r}")
    return Path(path)


def read_fasta(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """Read a FASTA file; returns (headers without '>', sequences with line breaks and spaces removed).

    FileNotFoundError when ``path`` does not exist; ValueError naming the path when it is not a text
    FASTA file (binary or compressed content, control characters, a sequence before the first header,
    no record).
    """
    path = check_path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (expected a FASTA file)")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a FASTA file")
    with open(path, "rb") as fh:
        head = fh.read(2)
    if head == b"\x1f\x8b":
        raise ValueError(f"{path} is gzip-compressed, not a FASTA text file: decompress it first (gunzip)")
    names: list[str] = []
    seqs: list[list[str]] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                if not line.isprintable():
                    raise ValueError(f"{path} is not a FASTA text file: line {lineno} holds a control or "
                                     "binary character")
                if line.startswith(">"):
                    names.append(line[1:].strip())
                    seqs.append([])
                elif not seqs:
                    raise ValueError(f"{path} is not FASTA: line {lineno} precedes the first '>' header")
                else:
                    seqs[-1].append(line.replace(" ", ""))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a FASTA text file (not UTF-8 text: {exc.reason} at byte {exc.start})") \
            from None
    if not names:
        raise ValueError(f"{path} holds no FASTA records")
    return names, ["".join(s) for s in seqs]


def _check_names(names) -> list[str]:
    names = check_sequences(names, "names")
    for k, n in enumerate(names):
        if not n:
            raise ValueError(f"names[{k}] is empty: a FASTA header needs a name")
        if not n.isprintable():
            raise ValueError(f"names[{k}] = {n!r} holds a line break or control character (it would corrupt the file)")
        if n != n.strip():
            raise ValueError(f"names[{k}] = {n!r} has leading or trailing whitespace (lost when read back)")
    return names


def write_fasta(path: str | os.PathLike, names: Sequence[str], sequences: Sequence[str]) -> None:
    """Write records ``>name`` / ``sequence`` (one line per sequence), atomically: a refused input or
    an interrupted write leaves no partial file.

    Parameters
    ----------
    path : the file to (over)write.
    names : one header per record (see the module docstring for what a name may hold).
    sequences : one sequence per record, without whitespace, not starting with '>'.
    """
    path = check_path(path)
    names = _check_names(names)
    seqs = check_sequences(sequences)
    if len(names) != len(seqs):
        raise ValueError(f"names and sequences must have equal lengths, got {len(names)} and {len(seqs)}")
    if not names:
        raise ValueError("names is empty: a FASTA file needs at least one record")
    for k, s in enumerate(seqs):
        if any(c.isspace() for c in s) or not s.isprintable():
            raise ValueError(f"sequences[{k}] holds whitespace or control characters (line breaks corrupt the file)")
        if s.startswith(">"):
            raise ValueError(f"sequences[{k}] starts with '>' (it would read back as a header)")
    if path.is_dir():
        raise ValueError(f"path {path} is a directory")
    with atomic_write(path, "w") as fh:
        fh.writelines(f">{n}\n{s}\n" for n, s in zip(names, seqs, strict=True))
