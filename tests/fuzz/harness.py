"""Adversarial-input harness: each case is a call with a bad (or edge) input and what counts as handled.

Outcomes, as in the reliability issue:
- GOOD: raised an accepted exception (ValueError/TypeError/MemoryError/FileNotFoundError by default)
  whose message names one of the case's argument names; or returned a value that ``ok`` accepts.
- WEAK: raised, but another exception type (RuntimeError, KeyError, IndexError, ...) or a message that
  does not name the argument.
- BAD: returned normally (silently accepted, or NaN/inf), ran past the time limit, or ``after`` found a
  violation (for example a marker file created by code that ran on load).

Each model family lists its cases in ``tests/<family>/fuzz_cases.py`` as ``CASES: list[Case]``;
``tests/test_bad_input.py`` asserts every case is GOOD and ``python -m tests.fuzz.report`` prints counts.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

ACCEPTED = (ValueError, TypeError, MemoryError, FileNotFoundError)


class _Timeout(BaseException):
    pass


@dataclass
class Case:
    """One adversarial call.

    id: unique, ``module.function: what is wrong`` (shown in reports).
    call: runs the call (a zero-argument function).
    names: the argument names (or path fragments) an error message must mention; any one suffices.
    raises: exception types that count as a clear refusal.
    ok: for edge inputs with a documented valid answer, a predicate on the returned value.
    after: a check run after the call; returns a reason string when something went wrong (BAD).
    timeout: seconds before the call counts as a runaway computation.
    """

    id: str
    call: Callable[[], object]
    names: tuple[str, ...] | str
    raises: tuple[type[BaseException], ...] = ACCEPTED
    ok: Callable[[object], bool] | None = None
    after: Callable[[], str | None] | None = None
    timeout: float = 20.0
    marks: tuple = field(default_factory=tuple)

    def __post_init__(self):
        if isinstance(self.names, str):
            self.names = (self.names,)


@dataclass
class Outcome:
    case: Case
    verdict: str  # GOOD | WEAK | BAD
    detail: str


def _handler(signum, frame):
    raise _Timeout()


def run_case(case: Case) -> Outcome:
    """Run one case under a wall-clock alarm and classify what happened."""
    old = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, case.timeout)
    try:
        try:
            value = case.call()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        return Outcome(case, "BAD", f"no result within {case.timeout} s (runaway computation)")
    except BaseException as exc:  # noqa: BLE001 - classifying is the point
        if isinstance(exc, KeyboardInterrupt | SystemExit) and not isinstance(exc, SystemExit):
            raise
        verdict, detail = _classify_exception(case, exc)
        bad = case.after() if case.after else None
        if bad:
            return Outcome(case, "BAD", bad)
        return Outcome(case, verdict, detail)
    finally:
        signal.signal(signal.SIGALRM, old)
    bad = case.after() if case.after else None
    if bad:
        return Outcome(case, "BAD", bad)
    if case.ok is not None:
        try:
            good = bool(case.ok(value))
        except Exception as exc:  # noqa: BLE001
            return Outcome(case, "BAD", f"returned {_short(value)}; ok() raised {exc!r}")
        return Outcome(case, "GOOD" if good else "BAD", f"returned {_short(value)}")
    return Outcome(case, "BAD", f"accepted silently, returned {_short(value)}")


def _classify_exception(case: Case, exc: BaseException) -> tuple[str, str]:
    msg = str(exc)
    if isinstance(exc, SystemExit):
        # a CLI refusal: argparse exits 2 after printing one line; the message went to stderr
        code = exc.code
        return ("GOOD", f"exit {code}") if code not in (0, None) else ("BAD", "exit 0")
    head = f"{type(exc).__name__}: {msg[:200]}"
    if not isinstance(exc, case.raises):
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "WEAK", f"{head} (unexpected type, at {where.filename}:{where.lineno})"
    if not any(n.lower() in msg.lower() for n in case.names):
        return "WEAK", f"{head} (message does not name {case.names})"
    return "GOOD", head


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 160 else text[:157] + "..."
