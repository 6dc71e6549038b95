"""argparse ``type=`` validators: a bad option is reported by argparse as one line, never a traceback."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

__all__ = ["finite_float", "positive_int", "nonnegative_int", "positive_float", "nonnegative_float", "probability",
           "existing_file", "existing_dir", "new_file", "output_dir"]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not (math.isfinite(v) and v.is_integer()):
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        return int(v)


def finite_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return v


def _bounded(parse, test, expected: str):
    def check(text: str):
        v = parse(text)
        if not test(v):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return v

    check.__name__ = expected  # argparse names the type in its message
    return check


positive_int = _bounded(_int, lambda v: v >= 1, "an integer >= 1")
nonnegative_int = _bounded(_int, lambda v: v >= 0, "an integer >= 0")
positive_float = _bounded(finite_float, lambda v: v > 0, "a number > 0")
nonnegative_float = _bounded(finite_float, lambda v: v >= 0, "a number >= 0")
probability = _bounded(finite_float, lambda v: 0.0 <= v <= 1.0, "a number in [0, 1]")
decay_factor = _bounded(finite_float, lambda v: 0.0 < v <= 1.0, "a number in (0, 1]")


def existing_file(text: str) -> Path:
    p = Path(text)
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return p


def existing_dir(text: str) -> Path:
    p = Path(text)
    if not p.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {text!r}")
    return p


def new_file(text: str) -> Path:
    """A path whose parent directory exists (or can be created) and that is not a directory."""
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a directory, expected a file path")
    return p


def output_dir(text: str) -> Path:
    """A directory to write into: an existing directory, or a path that can be created (its nearest
    existing ancestor is a writable directory)."""
    if not text:
        raise argparse.ArgumentTypeError("expected a directory path, got ''")
    p = Path(text)
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    ancestor = p.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create directory {text!r}: {str(ancestor)!r} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"directory {str(ancestor)!r} is not writable (for {text!r})")
    return p
