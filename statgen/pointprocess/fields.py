"""Spatial fields for the parent intensity κ(c) and the offspring mean α(c).

A field is evaluated on points of shape (m, d) and returns (m,) non-negative values. Three
structured kinds unlock closed forms or exact simulation bounds:

- :class:`Constant`: κ(c) = value.
- :class:`LogLinear`: κ(c) = exp(a + b·c), the log-linear model of spatstat's ``kppm(~x+y)``
  but applied to the parents. With the Thomas kernel every cluster integral is Gaussian.
- :class:`Gridded`: values on a rectangular grid, multilinear interpolation inside, held
  constant (nearest edge value) outside; the image analogue of spatstat's ``im``.

Any other callable is wrapped by :class:`CallableField`; its maximum over a box is estimated
on a grid unless the user gives it (needed only to thin the simulated parents).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from statgen._checks import as_array, check_nonnegative

__all__ = ["Field", "Constant", "LogLinear", "Gridded", "CallableField", "as_field"]


class Field:
    """Base class: ``field(points) -> values`` with a bound on a box."""

    def __call__(self, points: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def max_on(self, box: np.ndarray) -> float:  # pragma: no cover - abstract
        """Upper bound of the field on ``box`` (shape (d, 2))."""
        raise NotImplementedError

    def log_linear(self, d: int) -> tuple[float, np.ndarray] | None:
        """(a, b) with field = exp(a + b·c) if the field has that form, else None."""
        return None

    def max_within(self, center: np.ndarray, rho) -> np.ndarray:
        """Upper bound of the field on the balls b(center, ρ) for an array of radii ρ
        (non-decreasing in ρ); by default the bound on the enclosing box."""
        rho = np.asarray(rho, dtype=float)
        flat = [self.max_on(np.column_stack([center - r, center + r])) for r in rho.ravel()]
        return np.asarray(flat, dtype=float).reshape(rho.shape)


class Constant(Field):
    """κ(c) = value (>= 0)."""

    def __init__(self, value: float, name: str = "value"):
        self.value = check_nonnegative(value, name)

    def __repr__(self) -> str:
        return f"Constant({self.value!r})"

    def __call__(self, points):
        return np.full(np.shape(points)[0], self.value)

    def max_on(self, box):
        return self.value

    def max_within(self, center, rho):
        return np.full(np.shape(rho), self.value)

    def log_linear(self, d):
        if self.value <= 0:
            return None
        return float(np.log(self.value)), np.zeros(d)


class LogLinear(Field):
    r"""Log-linear field :math:`\kappa(c) = \exp(a + b\cdot c)`.

    Parameters
    ----------
    a : float, log intensity at the origin (log of 1/length^d units).
    b : (d,) gradient of the log intensity (1/length).
    """

    def __init__(self, a: float, b: Sequence[float]):
        self.a = float(as_array(a, "a", ndim=0))
        self.b = as_array(b, "b", ndim=1)
        if self.b.size not in (1, 2, 3):
            raise ValueError(f"b must have length d in 1..3, got {self.b.size}")

    def __repr__(self) -> str:
        return f"LogLinear(a={self.a!r}, b={self.b.tolist()!r})"

    def __call__(self, points):
        return np.exp(self.a + np.asarray(points) @ self.b)

    def max_on(self, box):
        corner = np.where(self.b > 0, box[:, 1], box[:, 0])
        return float(np.exp(self.a + corner @ self.b))

    def max_within(self, center, rho):
        return np.exp(self.a + np.asarray(center) @ self.b + np.linalg.norm(self.b) * np.asarray(rho, dtype=float))

    def log_linear(self, d):
        if self.b.size != d:
            raise ValueError(f"LogLinear field has gradient b of length {self.b.size} but the window has d = {d}")
        return self.a, self.b


class Gridded(Field):
    """Field given by ``values`` on the grid ``axes`` (multilinear interpolation, edge values outside).

    Parameters
    ----------
    axes : sequence of d increasing 1-D arrays (grid coordinates along each axis).
    values : array of shape (len(axes[0]), ..., len(axes[d-1])), >= 0.
    """

    def __init__(self, axes: Sequence[np.ndarray], values):
        self.axes = tuple(as_array(a, f"axes[{i}]", ndim=1) for i, a in enumerate(axes))
        if not 1 <= len(self.axes) <= 3:
            raise ValueError(f"axes must hold 1 to 3 coordinate arrays, got {len(self.axes)}")
        for i, a in enumerate(self.axes):
            if a.size < 2 or np.any(np.diff(a) <= 0):
                raise ValueError(f"axes[{i}] must be strictly increasing with at least 2 entries")
        self.values = as_array(values, "values", shape=tuple(a.size for a in self.axes))
        if np.any(self.values < 0):
            raise ValueError("values must be >= 0 (an intensity)")
        self._interp = RegularGridInterpolator(self.axes, self.values, method="linear", bounds_error=False)

    def __call__(self, points):
        p = np.asarray(points, dtype=float)
        clipped = np.clip(p, [a[0] for a in self.axes], [a[-1] for a in self.axes])
        return self._interp(clipped)

    def max_on(self, box):
        return float(self.values.max())

    def max_within(self, center, rho):
        return np.full(np.shape(rho), float(self.values.max()))


class CallableField(Field):
    """Wrap a user callable ``f(points (m, d)) -> (m,)``.

    ``maximum`` (an upper bound of f on the simulation box) is used to thin parents; when it
    is not given it is estimated as 1.1 × the maximum on a 65^d grid and the simulation checks
    the bound on every proposed parent (raising ValueError if violated).
    """

    def __init__(self, fn: Callable[[np.ndarray], np.ndarray], name: str, maximum: float | None = None):
        self.fn, self.name = fn, name
        self.maximum = None if maximum is None else check_nonnegative(maximum, f"{name} maximum")

    def __repr__(self) -> str:
        return f"CallableField({self.fn!r})"

    def __call__(self, points):
        p = np.asarray(points, dtype=float)
        v = np.asarray(self.fn(p), dtype=float)
        if v.shape != (p.shape[0],):
            raise ValueError(f"{self.name} callable must map points of shape (m, d) to (m,), got {v.shape}")
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{self.name} must return finite values >= 0")
        return v

    def max_on(self, box):
        if self.maximum is not None:
            return self.maximum
        grids = np.meshgrid(*[np.linspace(lo, hi, 65) for lo, hi in box], indexing="ij")
        pts = np.stack([g.ravel() for g in grids], axis=1)
        return 1.1 * float(self(pts).max())


def as_field(value, name: str, d: int) -> Field:
    """Turn a float, a :class:`Field` or a callable into a Field (validating it)."""
    if isinstance(value, Field):
        if isinstance(value, LogLinear):
            value.log_linear(d)
        if isinstance(value, Gridded) and len(value.axes) != d:
            raise ValueError(f"{name} is gridded in {len(value.axes)} dimensions but the window has d = {d}")
        return value
    if callable(value):
        return CallableField(value, name)
    return Constant(value, name)
