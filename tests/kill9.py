"""Run a command in a subprocess and SIGKILL it at a random point after it has written something.

Used by the kill -9 resume tests: the killed run is restarted and must reproduce the uninterrupted
one, leaving no partial or corrupt file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def python(code: str, *args) -> list[str]:
    """The command line running ``code`` (a python -c script) with ``args`` in ``sys.argv[1:]``."""
    return [sys.executable, "-c", code, *map(str, args)]


def environment() -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def run(cmd: list[str], timeout: float = 300) -> None:
    """Run to completion; raise with its stderr when it fails."""
    out = subprocess.run(cmd, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        raise AssertionError(f"{cmd[:3]} failed ({out.returncode}):\n{out.stderr[-3000:]}")


def kill_at_random_point(cmd: list[str], ready: Callable[[], bool], rng: np.random.Generator, *,
                         max_delay: float, timeout: float = 300) -> float:
    """Start ``cmd``; once ``ready()`` (it has written a first checkpoint) wait a random time in
    [0, max_delay) s and SIGKILL it. Returns the delay; raises if the run ended before the kill."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start = time.monotonic()
    try:
        while not ready():
            if proc.poll() is not None:
                raise AssertionError(f"the run ended before writing anything to kill it after: "
                                     f"{proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() - start > timeout:
                raise AssertionError("the run wrote nothing within the timeout")
            time.sleep(0.005)
        delay = float(rng.uniform(0.0, max_delay))
        time.sleep(delay)
        if proc.poll() is not None:
            raise AssertionError(f"the run finished {delay:.2f} s after its first checkpoint, before the kill; "
                                 "make it longer")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        return delay
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def leftovers(directory: Path) -> list[str]:
    """Temporary files of atomic writes still present under ``directory``."""
    return sorted(str(p) for p in Path(directory).rglob("*.tmp"))
