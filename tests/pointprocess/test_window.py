"""Windows and point arrays: the validators accept exactly the valid inputs (property tests)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.pointprocess.window import check_points, check_window, inside_window, window_volume

_BOX = st.integers(1, 3).flatmap(lambda d: st.lists(
    st.tuples(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)), min_size=d, max_size=d))


@settings(max_examples=50, deadline=None, derandomize=True)
@given(sides=_BOX)
def test_check_window_accepts_boxes_and_refuses_empty_sides(sides):
    box = [(lo, lo + width) for lo, width in sides]
    w = check_window(box)
    assert w.shape == (len(box), 2)
    assert window_volume(w) == pytest.approx(float(np.prod([width for _, width in sides])), rel=1e-9)
    flipped = [(hi, lo) for lo, hi in box]
    with pytest.raises(ValueError, match="window must have finite bounds with lo < hi"):
        check_window(flipped)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(sides=_BOX, seed=st.integers(0, 2**32 - 1))
def test_check_points_accepts_inside_and_names_the_points_outside(sides, seed):
    w = check_window([(lo, lo + width) for lo, width in sides])
    rng = np.random.default_rng(seed)
    x = w[:, 0] + (w[:, 1] - w[:, 0]) * rng.random((7, w.shape[0]))
    assert inside_window(x, w).all()
    np.testing.assert_array_equal(check_points(x, "events", w.shape[0], window=w), x)
    x[3, 0] = w[0, 1] + 1.0
    with pytest.raises(ValueError, match=r"events must lie inside the window .* 1 point\(s\) outside"):
        check_points(x, "events", w.shape[0], window=w)


@pytest.mark.parametrize("bad,match", [
    (None, "window must be"), ("unit", "window must be"), (((0, 1),) * 4, "d in 1..3"),
    (((0, np.nan), (0, 1)), "finite bounds"), ([[0, 1], [0]], "window must be"),
])
def test_check_window_refusals_name_the_argument(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        check_window(bad)


def test_check_points_reads_one_point_and_one_dimensional_patterns():
    assert check_points([0.5, 0.5], "x", 2).shape == (1, 2)
    assert check_points([0.1, 0.2, 0.3], "x", 1).shape == (3, 1)
    with pytest.raises(ValueError, match=r"x must hold at least 2 point\(s\), got 1"):
        check_points([[0.5, 0.5]], "x", 2, min_rows=2)
