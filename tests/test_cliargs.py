"""Property tests of the argparse type validators (statgen._cliargs)."""

from __future__ import annotations

import argparse
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen import _cliargs as A

FAST = settings(max_examples=80, deadline=None)


@FAST
@given(st.integers(-10**15, 10**15))
def test_integer_validators_parse_decimal_and_integral_float_text(n):
    texts = [str(n), f" {n} "]
    if float(n) == n:
        texts.append(repr(float(n)))  # "10000001.0", "1e+15"
    if float(f"{n:.0e}") == n:
        texts.append(f"{n:.0e}")  # "3e+07"
    for text in texts:
        if n >= 1:
            assert A.positive_int(text) == n
        else:
            with pytest.raises(argparse.ArgumentTypeError, match="expected an integer >= 1"):
                A.positive_int(text)
        if n >= 0:
            assert A.nonnegative_int(text) == n
        else:
            with pytest.raises(argparse.ArgumentTypeError, match="expected an integer >= 0"):
                A.nonnegative_int(text)


@FAST
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not (math.isfinite(x) and x.is_integer())).map(repr),
                 st.text(alphabet="abcxyz.-+_ ", max_size=6).filter(lambda t: not _parses_as_int(t))))
def test_integer_validators_refuse_everything_else(text):
    for check in (A.positive_int, A.nonnegative_int):
        with pytest.raises(argparse.ArgumentTypeError, match=r"expected an integer.*" + _quoted(text)):
            check(text)


def _parses_as_int(text: str) -> bool:
    try:
        int(text)
        return True
    except ValueError:
        pass
    try:
        v = float(text)
    except ValueError:
        return False
    return math.isfinite(v) and v.is_integer()


def _quoted(text: str) -> str:
    import re

    return re.escape(repr(text))


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_validators(v):
    text = repr(v)
    assert (A.positive_float(text) == v) if v > 0 else _refused(A.positive_float, text, "a number > 0")
    assert (A.nonnegative_float(text) == v) if v >= 0 else _refused(A.nonnegative_float, text, "a number >= 0")
    inside = 0.0 <= v <= 1.0
    assert (A.probability(text) == v) if inside else _refused(A.probability, text, r"a number in \[0, 1\]")


def _refused(check, text, expected) -> bool:
    with pytest.raises(argparse.ArgumentTypeError, match=f"expected {expected}"):
        check(text)
    return True


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e400", "", "one", "0x10"])
def test_float_validators_refuse_non_finite_and_garbage(text):
    for check in (A.positive_float, A.nonnegative_float, A.probability):
        with pytest.raises(argparse.ArgumentTypeError, match="expected a"):
            check(text)


def test_validators_name_what_they_expect_for_argparse():
    parser = argparse.ArgumentParser(prog="p", exit_on_error=False)
    parser.add_argument("--workers", type=A.positive_int)
    with pytest.raises(argparse.ArgumentError, match="--workers: expected an integer >= 1, got '0'"):
        parser.parse_args(["--workers", "0"])


def test_path_validators(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    assert A.existing_file(str(f)) == f
    assert A.existing_dir(str(tmp_path)) == tmp_path
    for check, bad in ((A.existing_file, tmp_path), (A.existing_file, tmp_path / "none"),
                       (A.existing_dir, f), (A.existing_dir, tmp_path / "none")):
        with pytest.raises(argparse.ArgumentTypeError, match="no such"):
            check(str(bad))
    assert A.new_file(str(tmp_path / "new.npz")) == tmp_path / "new.npz"
    with pytest.raises(argparse.ArgumentTypeError, match="is a directory"):
        A.new_file(str(tmp_path))
    # output_dir: existing or creatable below a writable directory
    assert A.output_dir(str(tmp_path)) == tmp_path
    assert A.output_dir(str(tmp_path / "a" / "b")) == tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()  # validating creates nothing
    for bad, why in ((f, "not a directory"), (f / "below", "not a directory"), ("", "expected a directory path")):
        with pytest.raises(argparse.ArgumentTypeError, match=why):
            A.output_dir(str(bad))
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(argparse.ArgumentTypeError, match="not writable"):
            A.output_dir(str(locked / "out"))


@FAST
@given(st.text(alphabet="abc/._-", min_size=1, max_size=12))
def test_output_dir_never_raises_anything_but_argument_errors(text):
    try:
        A.output_dir(text)
    except argparse.ArgumentTypeError:
        pass
