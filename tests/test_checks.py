"""Property tests of the shared validators (statgen._checks): what they accept comes back unchanged
(as the documented type), what they refuse raises ValueError/TypeError naming the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from statgen import _checks as C

FAST = settings(max_examples=60, deadline=None)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
names = st.sampled_from(["gamma", "n_chains", "x0", "C"])


@FAST
@given(finite, names)
def test_check_positive_and_nonnegative(v, name):
    if v > 0:
        assert C.check_positive(v, name) == v
    else:
        with pytest.raises(ValueError, match=f"{name} must be > 0"):
            C.check_positive(v, name)
    if v >= 0:
        assert C.check_nonnegative(v, name) == v
    else:
        with pytest.raises(ValueError, match=f"{name} must be >= 0"):
            C.check_nonnegative(v, name)


@FAST
@given(st.sampled_from([math.nan, math.inf, -math.inf, np.float32("nan")]), names)
def test_non_finite_scalars_are_refused(v, name):
    for check in (C.check_positive, C.check_nonnegative, lambda v, n: C.check_in_range(v, n, -1e300, 1e300)):
        with pytest.raises(ValueError, match=f"{name} must be finite"):
            check(v, name)


@FAST
@given(st.one_of(st.text(max_size=5).filter(lambda t: not _is_number(t)), st.none(), st.lists(st.integers(), min_size=2)),
       names)
def test_non_numbers_are_type_errors(v, name):
    with pytest.raises(TypeError, match=name):
        C.check_positive(v, name)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@FAST
@given(finite, finite, finite, st.booleans())
def test_check_in_range(v, a, b, closed):
    lo, hi = min(a, b), max(a, b)
    inside = lo <= v <= hi if closed else lo < v < hi
    if inside:
        assert C.check_in_range(v, "p", lo, hi, closed=closed) == v
    else:
        with pytest.raises(ValueError, match="p must lie in"):
            C.check_in_range(v, "p", lo, hi, closed=closed)


@FAST
@given(st.integers(-10**12, 10**12), st.one_of(st.none(), st.integers(-100, 100)),
       st.one_of(st.none(), st.integers(-100, 100)))
def test_check_int_bounds(v, lo, hi):
    ok = (lo is None or v >= lo) and (hi is None or v <= hi)
    for given_value in (v, np.int64(v), float(v) if abs(v) < 2**53 else v):
        if ok:
            out = C.check_int(given_value, "n", minimum=lo, maximum=hi)
            assert out == v and type(out) is int
        else:
            with pytest.raises(ValueError, match=r"n must be [<>]= "):
                C.check_int(given_value, "n", minimum=lo, maximum=hi)


@FAST
@given(st.one_of(finite.filter(lambda x: not float(x).is_integer()), st.just(math.nan), st.just(math.inf),
                 st.booleans(), st.text(max_size=4), st.none(), st.just(np.bool_(True))))
def test_check_int_refuses_non_integers(v):
    with pytest.raises(TypeError, match="n must be an integer"):
        C.check_int(v, "n")


@FAST
@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=8), min_size=1, max_size=6, unique=True),
       st.text(alphabet="abcdefghxyz", max_size=8))
def test_check_choice(choices, value):
    if value in choices:
        assert C.check_choice(value, "method", choices) == value
    else:
        with pytest.raises(ValueError, match=r"method must be one of") as info:
            C.check_choice(value, "method", choices)
        assert repr(value) in str(info.value)


@FAST
@given(st.sampled_from(["exact", "independent", "grouped", "reweighted"]), st.integers(0, 20))
def test_check_choice_suggests_the_choice_a_typo_came_from(choice, where):
    typo = choice[: where % len(choice)] + choice[where % len(choice) + 1:]  # one letter dropped
    with pytest.raises(ValueError, match=rf"did you mean '{choice}'\?"):
        C.check_choice(typo, "method", ["exact", "independent", "grouped", "reweighted"])


@FAST
@given(st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats()))
def test_check_bool_refuses_everything_but_bools(v):
    with pytest.raises(TypeError, match="flag must be True or False"):
        C.check_bool(v, "flag")
    assert C.check_bool(True, "flag") is True and C.check_bool(np.bool_(False), "flag") is False


@FAST
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=finite))
def test_as_array_keeps_finite_arrays_and_checks_shape(a):
    out = C.as_array(a, "x", ndim=a.ndim, shape=a.shape)
    np.testing.assert_array_equal(out, a)
    with pytest.raises(ValueError, match="x must have"):
        C.as_array(a, "x", ndim=a.ndim + 1)
    with pytest.raises(ValueError, match=r"x must have shape"):
        C.as_array(a, "x", shape=(*a.shape[:-1], a.shape[-1] + 1))
    if a.size:
        bad = a.copy()
        bad.flat[bad.size // 2] = np.nan
        with pytest.raises(ValueError, match="x contains NaN"):
            C.as_array(bad, "x")
        assert np.isnan(C.as_array(bad, "x", finite=False)).sum() == 1


@FAST
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
                  elements=st.floats(-10, 10, allow_nan=False)))
def test_symmetric_and_positive_definite(B):
    n = B.shape[0]
    S = B[:, :n] if B.shape[1] >= n else np.pad(B, ((0, 0), (0, n - B.shape[1])))
    sym = S + S.T
    np.testing.assert_array_equal(C.check_symmetric(sym, "C"), sym)
    P = S @ S.T + 0.5 * np.eye(n)  # smallest eigenvalue >= 0.5
    np.testing.assert_array_equal(C.check_positive_definite(P, "C"), P)
    lam = np.linalg.eigvalsh(sym)
    shifted = sym - (lam[0] + 1.0) * np.eye(n)  # smallest eigenvalue exactly -1
    with pytest.raises(ValueError, match="C must be positive definite"):
        C.check_positive_definite(shifted, "C")
    with pytest.raises(ValueError, match="C must be positive semi-definite"):
        C.check_positive_definite(shifted, "C", semi=True)
    if n > 1:
        asym = sym.copy()
        asym[0, 1] += 1.0 + abs(asym[0, 1])
        with pytest.raises(ValueError, match="C must be symmetric"):
            C.check_symmetric(asym, "C")


@FAST
@given(hnp.arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.integers(-3, 7)),
       st.integers(1, 6))
def test_check_int_states(s, q):
    if s.min() >= 0 and s.max() < q:
        np.testing.assert_array_equal(C.check_int_states(s, "s", q), s)
        np.testing.assert_array_equal(C.check_int_states(s.astype(float), "s", q), s)
    else:
        with pytest.raises(ValueError, match=rf"s must hold states in \[0, {q}\)"):
            C.check_int_states(s, "s", q)
    frac = s.astype(float)
    frac[0, 0] += 0.5
    with pytest.raises(ValueError, match="s must hold integer states"):
        C.check_int_states(frac, "s", q)


@FAST
@given(st.floats(0, 1e30))
def test_check_memory_refuses_what_cannot_fit(nbytes):
    avail = C.available_memory()
    assume(abs(nbytes - 0.8 * avail) > 0.01 * avail)  # the free memory moves while the test runs
    if nbytes < 0.8 * avail:
        C.check_memory(nbytes, "n=5")
    else:
        with pytest.raises(MemoryError, match="n=5 needs about"):
            C.check_memory(nbytes, "n=5")


def test_available_memory_is_a_positive_byte_count():
    avail = C.available_memory()
    assert isinstance(avail, int) and 2**20 < avail < 2**63
