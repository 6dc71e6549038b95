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
    "check_int",
    "check_choice",
    "check_bool",
    "available_memory",
    "check_memory",
    "check_rng",
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


def check_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``int(value)`` after checking it is an integer (not a bool, not 2.7) within the bounds.

    Integral floats such as ``10.0`` or ``1e4`` are accepted; ``2.7``, ``nan`` and strings are not.
    """
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be an integer, got the bool {value!r}")
    if isinstance(value, int | np.integer):
        v = int(value)
    elif isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        v = int(value)
    else:
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {v}")
    return v


def check_choice(value, name: str, choices: Sequence[str]):
    """Return ``value`` after checking it is one of ``choices``; suggests the closest one on a typo."""
    if value in choices:
        return value
    import difflib

    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}{hint}")


def check_bool(value, name: str) -> bool:
    """Return ``value`` after checking it is a bool (``1``/``"yes"`` are refused: they hide typos)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def available_memory() -> int:
    """Bytes of memory this process may still allocate: MemAvailable, capped by a cgroup limit."""
    avail = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            import os

            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = 2**63 - 1  # unknown platform: do not refuse
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            with open(limit_file) as fh:
                raw = fh.read().strip()
            if raw == "max":
                continue
            with open(usage_file) as fh:
                used = int(fh.read().strip())
            avail = min(avail, max(int(raw) - used, 0))
        except (OSError, ValueError):
            continue
    return avail


def _human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(nbytes) < 1024 or unit == "PiB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1024
    return f"{nbytes:.3g} PiB"


def check_memory(nbytes: float, what: str, *, fraction: float = 0.8) -> None:
    """Refuse, before allocating, a computation that needs ``nbytes``: raise ``MemoryError`` naming
    ``what`` (the arguments that set the size), the estimate and what is available, when the
    estimate exceeds ``fraction`` of the available memory."""
    avail = available_memory()
    if nbytes > fraction * avail:
        raise MemoryError(f"{what} needs about {_human(nbytes)}, more than the {_human(fraction * avail)} "
                          f"this machine can spare ({_human(avail)} available); reduce the size")


def check_rng(rng, name: str = "rng"):
    """Return ``rng`` after checking it is a ``numpy.random.Generator`` (``None`` or a seed is refused:
    randomness is always explicit, and the caller builds it with ``numpy.random.default_rng(seed)``)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
                        f"got {rng!r} ({type(rng).__name__})")
    return rng
