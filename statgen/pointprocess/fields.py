"""Spatial fields for the parent intensity κ(c) and the offspring mean α(c).

A field maps points of shape (m, d) to (m,) finite non-negative values. Three structured kinds
unlock closed forms or exact simulation bounds:

- :class:`Constant`: κ(c) = value.
- :class:`LogLinear`: κ(c) = exp(a + b·c), the log-linear model of spatstat's ``kppm(~x+y)``
  but applied to the parents. With the Thomas kernel every cluster integral is Gaussian.
- :class:`Gridded`: values on a rectangular grid, multilinear interpolation inside, held
  constant (nearest edge value) outside; the image analogue of spatstat's ``im``.

Any other callable is wrapped by :class:`CallableField`; its maximum over a box is estimated
on a grid unless the user gives it (needed only to thin the simulated parents).

Calling a field (``field(points)``) and ``max_on`` validate their arguments; the underscored
``_values``, ``_max_on`` and ``_max_within`` are the unchecked hot paths of the model, which
validates first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from statgen._checks import as_array
from statgen.pointprocess._args import check_nonnegative
from statgen.pointprocess.quadrature import tensor_grid

__all__ = ["Field", "Constant", "LogLinear", "Gridded", "CallableField", "as_field"]

_LOG_MAX = math.log(np.finfo(float).max)  # ≈ 709.78: exp overflows beyond


class Field:
    """Base class: ``field(points (m, d)) -> (m,)`` values with an upper bound on boxes."""

    dim: int | None = None  # the dimension the field is defined in (None: any)

    # ------------------------------------------------------------------ unchecked hot paths
    def _values(self, points: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _max_on(self, box: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _max_within(self, center: np.ndarray, rho: np.ndarray) -> np.ndarray:
        """Upper bounds of the field on the balls b(center, ρ) for an array of radii ρ
        (non-decreasing in ρ); by default the bound on the enclosing box."""
        flat = [self._max_on(np.column_stack([center - r, center + r])) for r in np.ravel(rho)]
        return np.asarray(flat, dtype=float).reshape(np.shape(rho))

    def log_max_on(self, box: np.ndarray) -> float | None:
        """log of an upper bound on ``box`` when it is known without evaluating the field, else None."""
        return None

    # ------------------------------------------------------------------ public, validated
    def _check(self, points, name: str = "points") -> np.ndarray:
        p = as_array(points, name, ndim=2)
        if self.dim is not None and p.shape[1] != self.dim:
            raise ValueError(f"{name} must have shape (m, {self.dim}) for this {type(self).__name__} field, "
                             f"got shape {p.shape}")
        if not 1 <= p.shape[1] <= 3:
            raise ValueError(f"{name} must have shape (m, d) with d in 1..3, got shape {p.shape}")
        return p

    def __call__(self, points) -> np.ndarray:
        """The field at ``points`` (m, d) → (m,) finite values ≥ 0."""
        v = self._values(self._check(points))
        if not np.all(np.isfinite(v)):
            raise ValueError(f"points: {type(self).__name__} overflows (inf) at "
                             f"{int(np.sum(~np.isfinite(v)))} point(s); the field exceeds float64 there")
        return v

    def max_on(self, box) -> float:
        """An upper bound (or, for callables without a given maximum, an estimate) of the field on the
        box ``((lo_1, hi_1), ..., (lo_d, hi_d))``."""
        b = as_array(box, "box", ndim=2)
        if b.shape[1] != 2 or not 1 <= b.shape[0] <= 3 or np.any(b[:, 1] < b[:, 0]):
            raise ValueError(f"box must be ((lo_1, hi_1), ..., (lo_d, hi_d)) with lo <= hi and d in 1..3, "
                             f"got {b.tolist()}")
        if self.dim is not None and b.shape[0] != self.dim:
            raise ValueError(f"box must have {self.dim} rows for this {type(self).__name__} field, got {b.shape[0]}")
        return self._max_on(b)

    def log_linear(self, d: int) -> tuple[float, np.ndarray] | None:
        """(a, b) with field = exp(a + b·c) in dimension d if the field has that form, else None."""
        return None


class Constant(Field):
    """κ(c) = value (≥ 0, finite)."""

    def __init__(self, value: float, name: str = "value"):
        self.value = check_nonnegative(value, name)

    def __repr__(self) -> str:
        return f"Constant({self.value!r})"

    def _values(self, points):
        return np.full(np.shape(points)[0], self.value)

    def _max_on(self, box):
        return self.value

    def _max_within(self, center, rho):
        return np.full(np.shape(rho), self.value)

    def log_max_on(self, box):
        return math.log(self.value) if self.value > 0 else -math.inf

    def log_linear(self, d):
        if self.value <= 0:
            return None
        return float(np.log(self.value)), np.zeros(d)


class LogLinear(Field):
    """Log-linear field κ(c) = exp(a + b·c).

    Parameters
    ----------
    a : float, log intensity at the origin (log of 1/length^d units).
    b : (d,) gradient of the log intensity (1/length), d ∈ {1, 2, 3}.
    """

    def __init__(self, a: float, b: Sequence[float]):
        self.a = float(as_array(a, "a", ndim=0))
        self.b = as_array(b, "b", ndim=1)
        if self.b.size not in (1, 2, 3):
            raise ValueError(f"b must have length d in 1..3, got {self.b.size}")
        self.dim = self.b.size

    def __repr__(self) -> str:
        return f"LogLinear(a={self.a!r}, b={self.b.tolist()!r})"

    def _values(self, points):
        with np.errstate(over="ignore"):
            return np.exp(self.a + np.asarray(points) @ self.b)

    def log_max_on(self, box):
        corner = np.where(self.b > 0, box[:, 1], box[:, 0])
        return float(self.a + corner @ self.b)

    def _max_on(self, box):
        with np.errstate(over="ignore"):
            return float(np.exp(self.log_max_on(box)))

    def _max_within(self, center, rho):
        with np.errstate(over="ignore"):
            return np.exp(self.a + np.asarray(center) @ self.b + np.linalg.norm(self.b) * np.asarray(rho, dtype=float))

    def log_linear(self, d):
        if self.b.size != d:
            raise ValueError(f"b: this LogLinear field has a gradient of length {self.b.size} but the window "
                             f"has d = {d}")
        return self.a, self.b


class Gridded(Field):
    """Field given by ``values`` on the grid ``axes`` (multilinear interpolation, edge values outside).

    Parameters
    ----------
    axes : sequence of d ∈ {1, 2, 3} strictly increasing 1-D arrays (grid coordinates along each axis).
    values : array of shape (len(axes[0]), ..., len(axes[d-1])), finite and ≥ 0.
    """

    def __init__(self, axes: Sequence[np.ndarray], values):
        if isinstance(axes, np.ndarray) and axes.ndim == 1 or not hasattr(axes, "__len__"):
            raise TypeError(f"axes must be a sequence of d 1-D coordinate arrays, got {type(axes).__name__}")
        self.axes = tuple(as_array(a, f"axes[{i}]", ndim=1) for i, a in enumerate(axes))
        if not 1 <= len(self.axes) <= 3:
            raise ValueError(f"axes must hold 1 to 3 coordinate arrays, got {len(self.axes)}")
        for i, a in enumerate(self.axes):
            if a.size < 2 or np.any(np.diff(a) <= 0):
                raise ValueError(f"axes[{i}] must be strictly increasing with at least 2 entries, got {a.tolist()}")
        self.values = as_array(values, "values", shape=tuple(a.size for a in self.axes))
        if np.any(self.values < 0):
            raise ValueError(f"values must be >= 0 (an intensity), got min {float(self.values.min())!r}")
        self.dim = len(self.axes)
        self._interp = RegularGridInterpolator(self.axes, self.values, method="linear", bounds_error=False)

    def __repr__(self) -> str:
        return f"Gridded(axes of sizes {[a.size for a in self.axes]}, max {float(self.values.max())!r})"

    def _values(self, points):
        p = np.asarray(points, dtype=float)
        clipped = np.clip(p, [a[0] for a in self.axes], [a[-1] for a in self.axes])
        return self._interp(clipped)

    def _max_on(self, box):
        return float(self.values.max())

    def _max_within(self, center, rho):
        return np.full(np.shape(rho), float(self.values.max()))

    def log_max_on(self, box):
        top = float(self.values.max())
        return math.log(top) if top > 0 else -math.inf


class CallableField(Field):
    """Wrap a user callable ``fn(points (m, d)) -> (m,)`` of finite values ≥ 0.

    ``maximum`` (an upper bound of fn on the simulation box) is used to thin parents; when it
    is not given it is estimated as 1.1 × the maximum on a 65^d grid and the simulation checks
    the bound on every proposed parent (raising ValueError if violated).
    """

    def __init__(self, fn: Callable[[np.ndarray], np.ndarray], name: str = "field", maximum: float | None = None):
        if not callable(fn):
            raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
        self.fn, self.name = fn, name
        self.maximum = None if maximum is None else check_nonnegative(maximum, f"{name} maximum")

    def __repr__(self) -> str:
        return f"CallableField({self.fn!r})"

    def _values(self, points):
        p = np.asarray(points, dtype=float)
        try:
            v = np.asarray(self.fn(p), dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{self.name} callable failed on points of shape {p.shape} (it must map (m, d) "
                             f"arrays to (m,) values): {exc}") from exc
        if v.shape != (p.shape[0],):
            raise ValueError(f"{self.name} callable must map points of shape (m, d) to (m,), got {v.shape} "
                             f"for points of shape {p.shape}")
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            bad = ~np.isfinite(v) | (v < 0)
            raise ValueError(f"{self.name} must return finite values >= 0, got {float(v[bad][0])!r} at "
                             f"{p[bad][0].tolist()} ({int(bad.sum())} of {v.size} points)")
        return v

    def _max_on(self, box):
        if self.maximum is not None:
            return self.maximum
        return 1.1 * float(self._values(tensor_grid([np.linspace(lo, hi, 65) for lo, hi in box])).max())


def as_field(value, name: str, d: int) -> Field:
    """Turn a float, a :class:`Field` or a callable into a Field (validating it for dimension d)."""
    if isinstance(value, Field):
        if value.dim is not None and value.dim != d:
            raise ValueError(f"{name} is a {type(value).__name__} field in {value.dim} dimension(s) but the "
                             f"window has d = {d}")
        return value
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a number, a callable or a Field, got the bool {value!r}")
    if callable(value):
        return CallableField(value, name)
    if isinstance(value, int | float | np.integer | np.floating) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return Constant(value, name)
    raise TypeError(f"{name} must be a number, a callable or a Field, got {type(value).__name__}")
