"""What the Gaussian and Potts regularization paths share: one result container, grid argmax and
crossing on a stated scale, and the characteristic strengths γ_opt, γ_cross, γ_half.

A path evaluates train / test / gen log-likelihoods on a grid of penalty strengths γ. The
characteristic strengths are (Fanthomme, Rizzato, Cocco & Monasson 2022, J. Stat. Mech.,
arXiv:2112.01292, doi:10.1088/1742-5468/ac650c):

    γ_opt   = argmax_γ L_test(γ)
    γ_cross : L_gen(γ) = L_test(γ), the root nearest γ_opt (gen and test also meet as γ → ∞,
              so a global argmin of |L_gen − L_test| would be wrong)
    γ_half  : L_gen(γ) = (L_train(γ) + L_test(γ)) / 2, the root nearest γ_opt.

Grids are read on an explicit scale: ``scale="log"`` works in t = log x (x > 0), ``scale="linear"``
in t = x. Refinement is either none, a parabola through the best grid point and its neighbours,
linear interpolation of a sign change, or Brent's method on a callable that evaluates the curve
exactly at any x (the closed-form Gaussian paths).

Torch-free: imported by the Gaussian code.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from statgen._checks import as_array, check_choice, check_int, check_positive

__all__ = [
    "PathResult",
    "RegularizationPath",
    "SCALES",
    "grid_axis",
    "argmax_on_grid",
    "crossing_on_grid",
    "characteristic_strengths",
    "grid_argmax",
    "grid_crossing",
    "log_grid",
    "log_mean_sd",
]

SCALES = ("log", "linear")


# ------------------------------------------------------------------------------ the result container


@dataclass(frozen=True)
class PathResult:
    """Base of every path result (frozen dataclass); :meth:`as_dict` flattens it for ``np.savez``.

    Array and scalar fields are stored under their names. A field holding a ``dict`` of curves is
    stored as ``{key}_{suffix}`` per entry, with ``suffix`` from the field's metadata (default: the
    field name), e.g. ``at_opt = {"test": ...}`` → ``test_at_opt``. Fields whose metadata has
    ``save=False`` (large per-γ matrices) and fields that are ``None`` are left out.
    """

    def as_dict(self) -> dict[str, np.ndarray]:
        """Flat dict of numpy arrays (for ``np.savez`` / :func:`statgen._io.save_npz_atomic`)."""
        out: dict[str, np.ndarray] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or not f.metadata.get("save", True):
                continue
            if isinstance(value, dict):
                suffix = f.metadata.get("suffix", f.name)
                out.update({f"{k}_{suffix}": np.asarray(v) for k, v in value.items()})
            else:
                out[f.name] = np.asarray(value)
        return out


@dataclass(frozen=True, kw_only=True)
class RegularizationPath(PathResult):
    """What every regularization path reports (per site, nats): the strengths ``gammas`` (G,), the
    ``train``, ``test`` and ``gen`` curves (G,), γ_opt, γ_cross and the predicted γ* (``gamma_pred``).
    Family paths (:class:`statgen.graphical.L2Path`, ``L1Path``, ``PottsPath``) add their own fields."""

    gammas: np.ndarray
    train: np.ndarray
    test: np.ndarray
    gen: np.ndarray
    gamma_opt: float
    gamma_cross: float
    gamma_pred: float


# ------------------------------------------------------------------------------ grids on a stated scale


def grid_axis(x, name: str = "x", *, scale: str = "log", min_size: int = 1) -> np.ndarray:
    """The coordinate t of a grid x on ``scale``: t = log x (``"log"``, x > 0) or t = x (``"linear"``).

    Checks that x is 1-D, finite, strictly increasing and has at least ``min_size`` points.
    """
    check_choice(scale, "scale", SCALES)
    x = as_array(x, name, ndim=1)
    if x.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} value(s), got {x.size}")
    if np.any(np.diff(x) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    if scale == "log":
        if np.any(x <= 0):
            raise ValueError(f"{name} must be > 0 on a log scale, got min {x.min()!r}")
        return np.log(x)
    return x


def _from_axis(t: float, scale: str) -> float:
    return float(np.exp(t)) if scale == "log" else float(t)


def _values(y, name: str, n: int) -> np.ndarray:
    y = as_array(y, name, ndim=1, finite=False)
    if y.shape[0] != n:
        raise ValueError(f"{name} must have the grid's length {n}, got {y.shape[0]}")
    return y


def _parabola_vertex(t: np.ndarray, y: np.ndarray, k: int) -> float | None:
    """Vertex of the parabola through (t, y) at k − 1, k, k + 1; None unless it is a maximum."""
    (t0, t1, t2), (y0, y1, y2) = t[k - 1:k + 2], y[k - 1:k + 2]
    d0, d1 = (y1 - y0) / (t1 - t0), (y2 - y1) / (t2 - t1)
    curv = (d1 - d0) / (t2 - t0)  # half the second derivative
    if not np.isfinite(curv) or curv >= 0:
        return None
    return float(0.5 * (t0 + t1) - d0 / (2 * curv))


def _brent_max(f: Callable[[float], float], t: np.ndarray, k: int, expand: float) -> float:
    """Bounded Brent maximization of f(t) between the grid neighbours of k; at a grid edge the bracket
    is pushed outwards by ``expand`` at a time (at most 8 times). NaN when no interior maximum is found."""
    from scipy.optimize import minimize_scalar

    lo = t[k - 1] if k > 0 else None
    hi = t[k + 1] if k < t.size - 1 else None
    first, last = t[0], t[-1]
    for _ in range(8):
        if lo is None:
            x = first - expand
            if f(x) < f(first):
                lo = x
            else:
                first = x
        if hi is None:
            x = last + expand
            if f(x) < f(last):
                hi = x
            else:
                last = x
        if lo is not None and hi is not None:
            break
    if lo is None or hi is None:
        return float("nan")
    res = minimize_scalar(lambda x: -f(x), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    return float(res.x)


def argmax_on_grid(x, y, *, scale: str = "log", refine: str | Callable[[float], float] | None = None) -> float:
    """The x maximizing y, from samples y on the grid x (NaN entries are ignored).

    Parameters
    ----------
    x : (G,) strictly increasing grid.
    y : (G,) values; NaN where undefined.
    scale : ``"log"`` or ``"linear"``: the coordinate t in which the refinement works.
    refine : None (the best grid point), ``"parabola"`` (vertex of the parabola in t through the best
        point and its two neighbours; the grid point at an edge or without curvature), or a callable
        ``f(x) -> y`` evaluating the curve exactly, maximized by bounded Brent in t between the
        neighbours of the best grid point (pushed outwards by a decade, or by the grid's span on a
        linear scale, when the best point is an edge).

    Returns
    -------
    x_max : float; NaN when y has no finite value (or the callable finds no interior maximum).
    """
    t = grid_axis(x, "x", scale=scale)
    y = _values(y, "y", t.size)
    if not np.any(np.isfinite(y)):
        return float("nan")
    k = int(np.nanargmax(y))
    if refine is None:
        return _from_axis(t[k], scale)
    if isinstance(refine, str):
        check_choice(refine, "refine", ("parabola",))
        v = _parabola_vertex(t, y, k) if 0 < k < t.size - 1 else None
        return _from_axis(t[k] if v is None else v, scale)
    if not callable(refine):
        raise TypeError(f"refine must be None, 'parabola' or a callable f(x) -> y, got {refine!r}")
    expand = np.log(10.0) if scale == "log" else max(float(t[-1] - t[0]), 1.0)
    tb = _brent_max(lambda s: float(refine(_from_axis(s, scale))), t, k, expand)
    return _from_axis(tb, scale) if np.isfinite(tb) else float("nan")


def crossing_on_grid(x, d, x0: float, *, scale: str = "log",
                     refine: Callable[[float], float] | None = None) -> float:
    """The root of d nearest x0, from samples d on the grid x.

    The brackets are consecutive grid points where d changes sign or vanishes; the one nearest x0
    in t (distance 0 when it contains x0) is refined by linear interpolation in t, or, when
    ``refine`` is a callable ``f(x) -> d`` evaluating d exactly, by Brent's method in t.

    Returns
    -------
    x_root : float; NaN when d never changes sign, or x0 is NaN (no reference point).
    """
    t = grid_axis(x, "x", scale=scale)
    d = _values(d, "d", t.size)
    x0 = float(as_array(x0, "x0", ndim=0, finite=False))
    if np.isnan(x0):
        return float("nan")
    if scale == "log" and not x0 > 0:
        raise ValueError(f"x0 must be > 0 on a log scale, got {x0!r}")
    t0 = np.log(x0) if scale == "log" else x0
    ok = np.isfinite(d[:-1]) & np.isfinite(d[1:]) & (np.sign(d[:-1]) * np.sign(d[1:]) <= 0)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return float("nan")
    dist = np.maximum(0.0, np.maximum(t[idx] - t0, t0 - t[idx + 1]))
    i = int(idx[np.argmin(dist)])
    if d[i] == 0:
        return _from_axis(t[i], scale)
    if d[i + 1] == 0:
        return _from_axis(t[i + 1], scale)
    if refine is None:
        return _from_axis(t[i] + (t[i + 1] - t[i]) * d[i] / (d[i] - d[i + 1]), scale)
    from scipy.optimize import brentq

    root = brentq(lambda s: float(refine(_from_axis(s, scale))), t[i], t[i + 1], xtol=1e-12)
    return _from_axis(root, scale)


def characteristic_strengths(gammas, curves: dict, *, test_key: str = "test",
                             at: Callable[[float], dict] | None = None,
                             argmax_refine: str | None = None) -> tuple[float, float, float]:
    """(γ_opt, γ_cross, γ_half) of a path on a log scale in γ (definitions in the module docstring).

    Parameters
    ----------
    gammas : (G,) increasing strengths.
    curves : ``train``, ``gen`` and ``test_key`` curves (G,) on the grid.
    at : optional ``at(γ) -> {curve: float}`` evaluating the curves exactly at any γ; then every
        strength is refined on it by Brent's method (argmax and roots).
    argmax_refine : without ``at``, how γ_opt is refined: None (grid point) or ``"parabola"``;
        the roots are then linearly interpolated in log γ.
    """

    def cross(c):
        return c["gen"] - c[test_key]

    def half(c):
        return c["gen"] - 0.5 * (c["train"] + c[test_key])

    if at is None:
        g_opt = argmax_on_grid(gammas, curves[test_key], scale="log", refine=argmax_refine)
        g_cross = crossing_on_grid(gammas, cross(curves), g_opt, scale="log")
        g_half = crossing_on_grid(gammas, half(curves), g_opt, scale="log")
    else:
        g_opt = argmax_on_grid(gammas, curves[test_key], scale="log", refine=lambda g: at(g)[test_key])
        g_cross = crossing_on_grid(gammas, cross(curves), g_opt, scale="log", refine=lambda g: cross(at(g)))
        g_half = crossing_on_grid(gammas, half(curves), g_opt, scale="log", refine=lambda g: half(at(g)))
    return g_opt, g_cross, g_half


# ------------------------------------------------------------------------------ log-x shorthands


def grid_argmax(log_x, y) -> float:
    """x maximizing y on a grid given in log x, refined by the parabola through the best point and its
    neighbours (in log x): ``argmax_on_grid(exp(log_x), y, scale="log", refine="parabola")``.
    NaN entries of y are ignored; ValueError when y has none finite."""
    lx = _log_axis(log_x)
    y = _values(y, "y", lx.size)
    if not np.any(np.isfinite(y)):
        raise ValueError("y has no finite value: no maximum")
    return argmax_on_grid(np.exp(lx), y, scale="log", refine="parabola")


def _log_axis(log_x) -> np.ndarray:
    lx = as_array(log_x, "log_x", ndim=1)
    if lx.size == 0:
        raise ValueError("log_x must hold at least one value")
    if np.any(np.diff(lx) <= 0):
        raise ValueError("log_x must be strictly increasing")
    return lx


def grid_crossing(log_x, d, x0: float) -> float:
    """The sign change of d nearest x0 (> 0), linearly interpolated in log x, for a grid given in log x:
    ``crossing_on_grid(exp(log_x), d, x0, scale="log")``; NaN if d never changes sign."""
    lx = _log_axis(log_x)
    if np.isnan(float(as_array(x0, "x0", ndim=0, finite=False))):
        raise ValueError("x0 must be a number > 0, got nan")
    return crossing_on_grid(np.exp(lx), d, x0, scale="log")


# ------------------------------------------------------------------------------ sweep helpers


def log_grid(lo, hi, n, name: str = "gamma") -> np.ndarray:
    """``n`` log-spaced values from ``lo`` to ``hi`` (both > 0, lo < hi unless n = 1)."""
    lo, hi = check_positive(lo, f"{name}_min"), check_positive(hi, f"{name}_max")
    n = check_int(n, f"n_{name}", minimum=1)
    if n > 1 and not lo < hi:
        raise ValueError(f"{name}_min must be < {name}_max, got {lo!r} and {hi!r}")
    return np.logspace(np.log10(lo), np.log10(hi), n)


def log_mean_sd(values, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Geometric mean and standard deviation of log(values) along ``axis``, ignoring NaN (a strength
    that is undefined for some samples); all-NaN slices give NaN without a warning."""
    lv = np.log(np.asarray(values, dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.exp(np.nanmean(lv, axis=axis)), np.nanstd(lv, axis=axis)
