"""Fields κ(c), α(c): interpolation, bounds, overflow and the validation of user callables."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.pointprocess import (
    CallableField,
    Constant,
    Gridded,
    LogLinear,
    NeymanScott,
    ThomasKernel,
)

UNIT2 = ((0.0, 1.0), (0.0, 1.0))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(c=st.tuples(st.floats(0, 5), st.floats(-2, 2), st.floats(-2, 2)), seed=st.integers(0, 2**32 - 1))
def test_gridded_interpolation_is_exact_for_affine_fields(c, seed):
    """Multilinear interpolation reproduces an affine function inside the grid, and holds the edge value outside."""
    axes = [np.sort(np.r_[0.0, np.random.default_rng(seed).random(4), 1.0]), np.linspace(0.0, 1.0, 5)]
    f = lambda p: 10 + c[0] + c[1] * p[..., 0] + c[2] * p[..., 1]  # noqa: E731  (≥ 10 − 4 > 0)
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1)
    field = Gridded(axes, f(grid))
    pts = np.random.default_rng(seed + 1).random((20, 2))
    np.testing.assert_allclose(field(pts), f(pts), rtol=1e-12)
    np.testing.assert_allclose(field([[2.0, 0.5]]), f(np.array([[1.0, 0.5]])), rtol=1e-12)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(a=st.floats(-5, 5), b=st.tuples(st.floats(-5, 5), st.floats(-5, 5)))
def test_loglinear_max_on_a_box_is_the_largest_corner(a, b):
    field = LogLinear(a, b)
    box = np.array([[0.2, 0.7], [-0.3, 0.4]])
    corners = np.array([[x, y] for x in box[0] for y in box[1]])
    assert field.max_on(box) == pytest.approx(field(corners).max(), rel=1e-12)
    inside = box[:, 0] + (box[:, 1] - box[:, 0]) * np.random.default_rng(0).random((50, 2))
    assert np.all(field(inside) <= field.max_on(box) * (1 + 1e-12))


def test_overflowing_fields_are_refused():
    with pytest.raises(ValueError, match=r"points: LogLinear overflows \(inf\) at 1 point"):
        LogLinear(1000.0, [0.0, 0.0])([[0.0, 0.0]])
    with pytest.raises(ValueError, match=r"parent_intensity reaches e\^1000 on the window"):
        NeymanScott(LogLinear(1000.0, [0.0, 0.0]), 5.0, ThomasKernel(0.1), UNIT2)
    with pytest.raises(ValueError, match=r"offspring_mean reaches e\^705 on the window"):
        NeymanScott(5.0, LogLinear(700.0, [5.0, 0.0]), ThomasKernel(0.1), UNIT2)


def test_callable_fields_validate_what_the_user_function_returns():
    with pytest.raises(ValueError, match=r"kappa callable must map points of shape \(m, d\) to \(m,\), got \(3, 2\)"):
        CallableField(lambda c: np.ones((len(c), 2)), "kappa")(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="kappa must return finite values >= 0, got nan"):
        CallableField(lambda c: np.full(len(c), np.nan), "kappa")(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="kappa callable failed on points of shape"):
        CallableField(lambda c: c + "x", "kappa")(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="kappa must be callable"):
        CallableField(5, "kappa")
    assert Constant(2.5)(np.zeros((4, 3))).tolist() == [2.5] * 4
    assert CallableField(lambda c: 1 + c[:, 0], "kappa", maximum=7.0).max_on(UNIT2) == 7.0
