"""Arguments shared across the point-process family: the dimension d, the random generator, and
real scalars (statgen._checks' validators, with bools and strings refused: ``sigma=True`` or
``sigma="0.1"`` is a mistake, not a number)."""

from __future__ import annotations

import numpy as np

from statgen import _checks
from statgen._checks import check_int

__all__ = ["check_d", "check_rng", "check_positive", "check_nonnegative", "check_in_range", "check_memory"]

_SMALL = 1 << 26  # 64 MiB: always available; reading /proc/meminfo costs ~1 ms, a lot for a hot path


def _not_bool(value, name: str) -> None:
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a real number, got the bool {value!r}")
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be a real number, got the string {value!r}")


def check_positive(value, name: str) -> float:
    """``float(value)`` after checking it is a finite real number > 0 (not a bool)."""
    _not_bool(value, name)
    return _checks.check_positive(value, name)


def check_nonnegative(value, name: str) -> float:
    """``float(value)`` after checking it is a finite real number ≥ 0 (not a bool)."""
    _not_bool(value, name)
    return _checks.check_nonnegative(value, name)


def check_in_range(value, name: str, lo: float, hi: float, *, closed: bool = True) -> float:
    """``float(value)`` after checking lo ≤ value ≤ hi (strict when ``closed=False``; not a bool)."""
    _not_bool(value, name)
    return _checks.check_in_range(value, name, lo, hi, closed=closed)


def check_d(d, name: str = "d") -> int:
    """``d`` as an int after checking it is 1, 2 or 3 (the dimensions the package supports)."""
    return check_int(d, name, minimum=1, maximum=3)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """``rng`` after checking it is a numpy Generator (the family's only source of randomness)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
                        f"got {type(rng).__name__}")
    return rng


def check_memory(nbytes: float, what: str) -> None:
    """statgen._checks.check_memory for sizes above 64 MiB (MemoryError with the estimate, before
    allocating); smaller sizes are not looked up."""
    if nbytes > _SMALL:
        _checks.check_memory(nbytes, what)
