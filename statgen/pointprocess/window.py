"""Observation windows: boxes W = [lo₁, hi₁] × … × [lo_d, hi_d] in R^d, d = 1, 2, 3.

A window is given as ``((lo_1, hi_1), ..., (lo_d, hi_d))`` and held as a float array of shape
(d, 2). This module validates windows and the point arrays that live in them; every public
function of the package that takes points or a window goes through it.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array

__all__ = ["check_window", "check_points", "window_volume", "inside_window"]


def check_window(window, name: str = "window") -> np.ndarray:
    """``window`` as a (d, 2) float array, after checking d ∈ {1, 2, 3} and finite lo < hi on every axis."""
    try:
        w = np.asarray(window, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be ((lo_1, hi_1), ..., (lo_d, hi_d)) with numbers, got {window!r}: {exc}") \
            from exc
    if w.ndim != 2 or w.shape[1] != 2 or not 1 <= w.shape[0] <= 3:
        raise ValueError(f"{name} must be ((lo_1, hi_1), ..., (lo_d, hi_d)) with d in 1..3, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w[:, 1] <= w[:, 0]):
        raise ValueError(f"{name} must have finite bounds with lo < hi on every axis, got {w.tolist()}")
    return w


def window_volume(window: np.ndarray) -> float:
    """|W| = Π_k (hi_k − lo_k) (units length^d); ``window`` already checked."""
    return float(np.prod(window[:, 1] - window[:, 0]))


def inside_window(points: np.ndarray, window: np.ndarray) -> np.ndarray:
    """(m,) bool: which rows of ``points`` (m, d) lie in the closed box (unchecked inner helper)."""
    keep = np.ones(points.shape[0], dtype=bool)
    for k in range(window.shape[0]):  # per axis: cheaper than an (m, d) boolean array and a reduction
        col = points[:, k]
        keep &= (col >= window[k, 0]) & (col <= window[k, 1])
    return keep


def check_points(x, name: str, d: int, *, window: np.ndarray | None = None, min_rows: int = 0) -> np.ndarray:
    """``x`` as an (m, d) float array of finite coordinates.

    A 1-D input is read as one point when it has d entries, or as m points when d = 1.
    With ``window`` every point must lie inside it; ``min_rows`` is the least number of points.
    """
    arr = as_array(x, name, ndim=(1, 2))
    if arr.ndim == 1:
        if arr.size == d:
            arr = arr[None, :]
        elif d == 1:
            arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"{name} must have shape (m, {d}) for a {d}-D window, got shape {np.shape(x)}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} must hold at least {min_rows} point(s), got {arr.shape[0]}")
    if window is not None:
        bad = ~inside_window(arr, window)
        if np.any(bad):
            raise ValueError(f"{name} must lie inside the window {window.tolist()}; "
                             f"{int(bad.sum())} point(s) outside, e.g. {arr[bad][0].tolist()}")
    return arr
