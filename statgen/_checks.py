"""Input validation shared by every module.

Each helper raises ``ValueError``/``TypeError`` naming the argument and what was expected,
so that bad input never turns into a silent NaN further down.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_array",
    "check_positive",
    "check_nonnegative",
    "check_in_range",
    "check_symmetric",
    "check_positive_definite",
    "check_int_states",
]


def as_array(
    x,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    dtype=np.float64,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``x`` to an array of ``dtype`` and check its rank, shape and finiteness.

    ``shape`` entries that are ``None`` match any length.
    """
    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be convertible to a {np.dtype(dtype).name} array: {exc}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)):
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and np.issubdtype(arr.dtype, np.inexact) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _scalar(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real number, got {value!r}") from exc
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def check_positive(value, name: str) -> float:
    """Return ``float(value)`` after checking it is finite and > 0."""
    v = _scalar(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def check_nonnegative(value, name: str) -> float:
    """Return ``float(value)`` after checking it is finite and >= 0."""
    v = _scalar(value, name)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def check_in_range(value, name: str, lo: float, hi: float, *, closed: bool = True) -> float:
    """Return ``float(value)`` after checking lo <= value <= hi (or strict when ``closed=False``)."""
    v = _scalar(value, name)
    ok = lo <= v <= hi if closed else lo < v < hi
    if not ok:
        br = "[]" if closed else "()"
        raise ValueError(f"{name} must lie in {br[0]}{lo}, {hi}{br[1]}, got {value!r}")
    return v


def check_symmetric(a, name: str, *, atol: float = 1e-10) -> np.ndarray:
    """Return ``a`` as a float64 square matrix after checking symmetry to ``atol`` (relative to its scale)."""
    arr = as_array(a, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    scale = max(1.0, float(np.max(np.abs(arr)))) if arr.size else 1.0
    if not np.allclose(arr, arr.T, rtol=0.0, atol=atol * scale):
        raise ValueError(f"{name} must be symmetric (max |A - A^T| = {np.max(np.abs(arr - arr.T)):.3g})")
    return arr


def check_positive_definite(a, name: str, *, semi: bool = False) -> np.ndarray:
    """Return ``a`` after checking it is symmetric positive (semi-)definite."""
    arr = check_symmetric(a, name)
    lam_min = float(np.linalg.eigvalsh(arr)[0]) if arr.size else 0.0
    tol = -1e-10 * max(1.0, float(np.max(np.abs(arr)))) if semi else 0.0
    if (semi and lam_min < tol) or (not semi and lam_min <= tol):
        kind = "positive semi-definite" if semi else "positive definite"
        raise ValueError(f"{name} must be {kind} (smallest eigenvalue {lam_min:.3g})")
    return arr


def check_int_states(s, name: str, q: int) -> np.ndarray:
    """Return ``s`` as a 2-D int64 array after checking every entry is an integer in [0, q)."""
    try:
        raw = np.asarray(s)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular 2-D array (ragged rows?): {exc}") from exc
    if raw.dtype == object:
        raise ValueError(f"{name} must be a rectangular 2-D integer array (ragged rows?)")
    if raw.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples, sites), got shape {raw.shape}")
    if raw.size == 0:
        raise ValueError(f"{name} is empty: need at least one sample and one site")
    if np.issubdtype(raw.dtype, np.floating):
        if not np.all(np.isfinite(raw)) or not np.all(raw == np.round(raw)):
            raise ValueError(f"{name} must hold integer states")
    elif not np.issubdtype(raw.dtype, np.integer):
        raise TypeError(f"{name} must hold integer states, got dtype {raw.dtype}")
    arr = raw.astype(np.int64)
    if arr.min() < 0 or arr.max() >= q:
        raise ValueError(f"{name} must hold states in [0, {q}), found values in [{arr.min()}, {arr.max()}]")
    return arr
