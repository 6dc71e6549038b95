"""The fuzz harness classifies synthetic outcomes as the reliability issue defines them."""

import threading
import time

import numpy as np
import pytest

from tests.fuzz.harness import Case, cli_case, run_case, run_cli
from tests.fuzz.report import summarize


def _raise(exc):
    def call():
        raise exc
    return call


def verdict(case):
    return run_case(case).verdict


@pytest.mark.parametrize("case, expected", [
    (Case("silent accept", lambda: 1.5, "x"), "BAD"),
    (Case("NaN float", lambda: float("nan"), "x"), "BAD"),
    (Case("NaN in an array, ok() would accept", lambda: np.array([1.0, np.nan]), "x", ok=lambda v: True), "BAD"),
    (Case("NaN in a tuple", lambda: (np.ones(2), {"a": np.array([np.nan])}), "x", ok=lambda v: True), "BAD"),
    (Case("ok accepts", lambda: np.ones(3), "x", ok=lambda v: v.sum() == 3), "GOOD"),
    (Case("ok refuses", lambda: np.ones(3), "x", ok=lambda v: v.sum() == 4), "BAD"),
    (Case("ok raises", lambda: 1, "x", ok=lambda v: v.shape), "BAD"),
    (Case("good ValueError", _raise(ValueError("gamma must be > 0, got -1")), "gamma"), "GOOD"),
    (Case("good TypeError, any one name", _raise(TypeError("rng must be a Generator")), ("seed", "rng")), "GOOD"),
    (Case("MemoryError", _raise(MemoryError("n=10**10 needs 80 GiB")), "n="), "GOOD"),
    (Case("ValueError not naming", _raise(ValueError("bad input")), "gamma"), "WEAK"),
    (Case("KeyError", _raise(KeyError("gamma")), "gamma"), "WEAK"),
    (Case("RuntimeError", _raise(RuntimeError("gamma exploded")), "gamma"), "WEAK"),
    (Case("custom accepted type", _raise(KeyError("gamma")), "gamma", raises=(KeyError,)), "GOOD"),
    (Case("SystemExit 2", _raise(SystemExit(2)), "x"), "GOOD"),
    (Case("SystemExit 0", _raise(SystemExit(0)), "x"), "BAD"),
    (Case("after finds a violation", _raise(ValueError("x bad")), "x", after=lambda: "marker file created"), "BAD"),
    (Case("after raises", lambda: 1, "x", ok=lambda v: True, after=_raise(OSError("boom"))), "BAD"),
], ids=lambda v: v.id if isinstance(v, Case) else v)
def test_synthetic_outcomes(case, expected):
    assert verdict(case) == expected, run_case(case).detail


def test_a_runaway_call_is_stopped_and_bad():
    t0 = time.monotonic()
    out = run_case(Case("sleeps", lambda: time.sleep(10), "x", timeout=0.3))
    assert out.verdict == "BAD" and "runaway" in out.detail
    assert time.monotonic() - t0 < 3


def test_a_slow_call_off_the_main_thread_is_bad_by_elapsed_time():
    out = []
    t = threading.Thread(target=lambda: out.append(run_case(
        Case("slow", _raise_after(0.4, ValueError("x bad")), "x", timeout=0.1))))
    t.start()
    t.join()
    assert out[0].verdict == "BAD" and "limit" in out[0].detail


def _raise_after(seconds, exc):
    def call():
        time.sleep(seconds)
        raise exc
    return call


def _fake_main(lines, code=None, exc=None, ret=None):
    def main(argv):
        import sys

        for line in lines:
            print(line, file=sys.stderr)
        if exc is not None:
            raise exc
        if code is not None:
            raise SystemExit(code)
        return ret
    return main


@pytest.mark.parametrize("main, expected", [
    (_fake_main(["statgen study run: error: argument --workers: expected an integer >= 1, got '0'"], code=2), "GOOD"),
    (_fake_main([], code="statgen md run: error: --workers must be >= 1"), "GOOD"),
    (_fake_main(["usage: statgen study run NAME", "statgen study run: error: --workers bad"], code=2), "WEAK"),
    (_fake_main(["statgen study run: error: something"], code=2), "WEAK"),
    (_fake_main([], exc=ValueError("--workers must be >= 1")), "WEAK"),
    (_fake_main(["Traceback (most recent call last):", "ValueError: --workers"], code=1), "WEAK"),
    (_fake_main([], ret=0), "BAD"),
    (_fake_main([], code=0), "BAD"),
])
def test_cli_outcomes(main, expected):
    out = run_case(cli_case("cli", ["study", "run"], "--workers", main=main))
    assert out.verdict == expected, out.detail


def test_cli_ok_accepts_a_documented_success():
    case = cli_case("cli ok", [], "x", main=_fake_main([], ret=0), ok=lambda r: r.code == 0)
    assert run_case(case).verdict == "GOOD"


def test_the_real_command_line_refuses_zero_workers_in_one_line():
    r = run_cli(["study", "run", "anything", "--workers", "0"])
    assert r.code == 2 and r.stderr.count("\n") == 1 and "--workers" in r.stderr, r


def test_summary_counts_per_family():
    cases = [("graphical", Case("a", lambda: 1, "x")), ("graphical", Case("b", _raise(ValueError("x")), "x")),
             ("md", Case("c", _raise(KeyError("x")), "x"))]
    text = summarize([(f, run_case(c)) for f, c in cases])
    rows = {line.split()[0]: line.split()[1:5] for line in text.splitlines()[1:]}
    assert rows == {"graphical": ["2", "1", "0", "1"], "md": ["1", "0", "1", "0"], "all": ["3", "1", "1", "1"]}
