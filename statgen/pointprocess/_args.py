"""Arguments shared across the point-process family: the dimension d and the random generator."""

from __future__ import annotations

import numpy as np

from statgen._checks import check_int

__all__ = ["check_d", "check_rng"]


def check_d(d, name: str = "d") -> int:
    """``d`` as an int after checking it is 1, 2 or 3 (the dimensions the package supports)."""
    return check_int(d, name, minimum=1, maximum=3)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """``rng`` after checking it is a numpy Generator (the family's only source of randomness)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
                        f"got {type(rng).__name__}")
    return rng
