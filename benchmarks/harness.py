"""Shared timing/peak-memory helpers for the benchmark scripts.

Peak memory is the high-water mark of resident memory above the level before the call,
sampled every 2 ms from /proc (so it covers numpy, torch and C extensions alike); for a peer
run as a subprocess it is the peak RSS of that process tree.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence

import psutil


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


class _PeakSampler:
    def __init__(self, proc: psutil.Process):
        self.proc, self.peak, self._stop = proc, 0, threading.Event()
        self.base = _tree_rss(proc)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.proc))
            time.sleep(0.002)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss(self.proc))

    @property
    def peak_mib(self) -> float:
        return max(0, self.peak - self.base) / 2**20


def measure(fn: Callable[[], object], *, repeat: int = 1, min_time: float = 0.0) -> tuple[float, float, object]:
    """Run ``fn`` ``repeat`` times; return (best seconds, peak extra MiB, last return value).

    With ``min_time > 0`` (for calls of milliseconds) the peak memory comes from one warm-up run
    under the sampler, and the timed runs, at least ``repeat`` and until ``min_time`` seconds have
    passed, run without it: the sampler thread's wake-ups would otherwise be part of the timing.
    """
    best, out = float("inf"), None
    with _PeakSampler(psutil.Process()) as s:
        for _ in range(repeat if min_time <= 0 else 1):
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
    if min_time > 0:
        best, runs, spent = float("inf"), 0, 0.0
        while runs < repeat or spent < min_time:
            t0 = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t0
            best, runs, spent = min(best, dt), runs + 1, spent + dt
    return best, s.peak_mib, out


def measure_command(argv: Sequence[str], *, input: str | None = None) -> tuple[float, float, str]:
    """Run a peer tool as a subprocess; return (seconds, peak RSS MiB of its tree, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if input else None, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ps, peak = psutil.Process(proc.pid), 0
    if input:
        proc.stdin.write(input)
        proc.stdin.close()
    while proc.poll() is None:
        try:
            peak = max(peak, _tree_rss(ps))
        except psutil.Error:
            pass
        time.sleep(0.002)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {err[-2000:]}")
    return elapsed, peak / 2**20, out


def print_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> None:
    """Print rows (dicts) as an aligned text table."""
    columns = list(columns or rows[0].keys())
    cells = [[_fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def print_ratio(statgen_seconds: float, peer_seconds: float) -> None:
    """The last line every benchmark prints."""
    print(f"ratio statgen/peer: {statgen_seconds / peer_seconds:.3g}")
