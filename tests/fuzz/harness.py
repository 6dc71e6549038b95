"""Adversarial-input harness: each case is a call with a bad (or edge) input and what counts as handled.

Outcomes, as in the reliability issue:

- GOOD: raised an accepted exception (ValueError/TypeError/MemoryError/FileNotFoundError by default)
  whose message names one of the case's ``names``; or returned a value that ``ok`` accepts. For a
  command line case (:func:`cli_case`): a non-zero exit with exactly one line on stderr, no
  traceback, naming one of ``names``.
- WEAK: raised, but another exception type (RuntimeError, KeyError, IndexError, ...) or a message that
  does not name the argument; a command line that fails with a traceback, several lines, or a
  message that does not name the option.
- BAD: returned normally without an ``ok`` that accepts the value (silently accepted), returned NaN
  anywhere in the value (even if ``ok`` accepts it), exited 0 on a bad command line, ran past
  ``timeout`` seconds, or ``after`` found a violation (for example a marker file created by code that
  ran on load).

The time limit is a SIGALRM timer (main thread only), which interrupts Python code; a C loop that
ignores it is still caught when it returns, by the elapsed time.

Each model family lists its cases in ``tests/<family>/**/fuzz_cases.py`` as ``CASES: list[Case]``;
``tests/test_bad_input.py`` asserts every case is GOOD and ``python -m tests.fuzz.report`` prints counts.
"""

from __future__ import annotations

import contextlib
import io
import math
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

ACCEPTED = (ValueError, TypeError, MemoryError, FileNotFoundError)
VERDICTS = ("GOOD", "WEAK", "BAD")


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
    nan_ok: bool = False  # NaN is the documented answer (a term that is off, no crossing): ok() judges it

    def __post_init__(self):
        if isinstance(self.names, str):
            self.names = (self.names,)


@dataclass
class Outcome:
    case: Case
    verdict: str  # GOOD | WEAK | BAD
    detail: str


@dataclass(frozen=True)
class CliResult:
    """What a command line run produced: its exit status and its captured output."""

    code: int
    stdout: str
    stderr: str
    escaped: BaseException | None = None  # an exception main() let through (the user sees a traceback)


def run_cli(argv: Sequence[str], main: Callable | None = None) -> CliResult:
    """Run ``statgen.cli.main(argv)`` in-process, capturing stdout/stderr and the exit status."""
    if main is None:
        from statgen.cli import main
    out, err = io.StringIO(), io.StringIO()
    escaped = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
            if isinstance(code, str):  # sys.exit("message"): Python prints it and exits 1
                err.write(code + "\n")
                code = 1
        except (_Timeout, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001 - an escaped exception is a traceback for the user
            escaped, code = exc, 1
            err.write("".join(traceback.format_exception(exc)))
    return CliResult(0 if code is None else int(code), out.getvalue(), err.getvalue(), escaped)


def cli_case(id: str, argv: Sequence[str], names: tuple[str, ...] | str, *, ok: Callable[[CliResult], bool] | None = None,
             after: Callable[[], str | None] | None = None, timeout: float = 60.0, main: Callable | None = None) -> Case:
    """A command line case: ``argv`` must be refused with one clear line (or accepted by ``ok``)."""
    return Case(id, lambda: run_cli(argv, main), names, ok=ok, after=after, timeout=timeout)


def _handler(signum, frame):
    raise _Timeout()


@contextlib.contextmanager
def _alarm(seconds: float):
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread: the elapsed-time check still applies
        return
    old = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_case(case: Case) -> Outcome:
    """Run one case under a wall-clock limit and classify what happened."""
    t0 = time.monotonic()
    value, exc = None, None
    try:
        with _alarm(case.timeout):
            try:
                value = case.call()
            except _Timeout:
                raise
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # noqa: BLE001 - classifying is the point
                exc = e
    except _Timeout:
        return Outcome(case, "BAD", f"no result within {case.timeout} s (runaway computation)")
    elapsed = time.monotonic() - t0
    try:
        violation = case.after() if case.after is not None else None
    except Exception as e:  # noqa: BLE001
        violation = f"after() raised {type(e).__name__}: {e}"
    if violation:
        return Outcome(case, "BAD", violation)
    if elapsed > case.timeout:
        return Outcome(case, "BAD", f"took {elapsed:.1f} s, more than the {case.timeout} s limit (runaway computation)")
    if exc is not None:
        return Outcome(case, *_classify_exception(case, exc))
    if isinstance(value, CliResult):
        return Outcome(case, *_classify_cli(case, value))
    if _has_nan(value) and not (case.nan_ok and case.ok is not None):
        return Outcome(case, "BAD", f"NaN returned: {_short(value)}")
    if case.ok is not None:
        try:
            good = bool(case.ok(value))
        except Exception as e:  # noqa: BLE001
            return Outcome(case, "BAD", f"returned {_short(value)}; ok() raised {e!r}")
        return Outcome(case, "GOOD" if good else "BAD", f"returned {_short(value)}")
    return Outcome(case, "BAD", f"accepted silently, returned {_short(value)}")


def _names_in(case: Case, text: str) -> bool:
    return any(n.lower() in text.lower() for n in case.names)


def _classify_exception(case: Case, exc: BaseException) -> tuple[str, str]:
    msg = str(exc)
    if isinstance(exc, SystemExit):
        # a CLI refusal: argparse exits 2 after printing one line; the message went to stderr
        code = exc.code
        return ("GOOD", f"exit {code}") if code not in (0, None) else ("BAD", "exit 0")
    head = f"{type(exc).__name__}: {msg[:200]}"
    if not isinstance(exc, case.raises):
        tb = traceback.extract_tb(exc.__traceback__)
        where = f", at {tb[-1].filename}:{tb[-1].lineno}" if tb else ""
        return "WEAK", f"{head} (unexpected type{where})"
    if not _names_in(case, msg):
        return "WEAK", f"{head} (message does not name {case.names})"
    return "GOOD", head


def _classify_cli(case: Case, r: CliResult) -> tuple[str, str]:
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    shown = " | ".join(lines)[:300]
    if r.code == 0:
        if case.ok is not None:
            try:
                good = bool(case.ok(r))
            except Exception as e:  # noqa: BLE001
                return "BAD", f"exit 0; ok() raised {e!r}"
            return ("GOOD" if good else "BAD"), f"exit 0: {r.stdout.strip()[:200]}"
        return "BAD", f"exit 0, accepted silently: {r.stdout.strip()[:200]}"
    if r.escaped is not None or "Traceback (most recent call last)" in r.stderr:
        kind = type(r.escaped).__name__ if r.escaped is not None else "traceback"
        return "WEAK", f"exit {r.code} with a traceback ({kind}): {lines[-1][:200] if lines else ''}"
    if len(lines) != 1:
        return "WEAK", f"exit {r.code} with {len(lines)} lines on stderr (want one): {shown}"
    if not _names_in(case, lines[0]):
        return "WEAK", f"exit {r.code}: {shown} (message does not name {case.names})"
    return "GOOD", f"exit {r.code}: {shown}"


def _has_nan(value, depth: int = 0) -> bool:
    """Whether ``value`` (a number, array, tensor, or a tuple/list/dict of them) holds a NaN."""
    if depth > 3:
        return False
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v, depth + 1) for v in value.values())
    if isinstance(value, tuple | list):
        return any(_has_nan(v, depth + 1) for v in value[:1000])
    try:
        import numpy as np

        if isinstance(value, np.ndarray | np.generic):
            return bool(np.issubdtype(value.dtype, np.inexact) and np.isnan(value).any())
    except ImportError:  # pragma: no cover
        pass
    if type(value).__module__.startswith("torch") and hasattr(value, "isnan"):
        try:
            return bool(value.isnan().any())
        except (TypeError, RuntimeError):
            return False
    return False


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 160 else text[:157] + "..."
