"""The study runner under failure: kill -9 at random points, two processes on one results
directory, stale temporaries, corrupt cache files. Runs a dedicated checkpointing study in a
throw-away project root (``$STATGEN_ROOT``), through the real command line in subprocesses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from statgen import studies
from statgen._io import load_npz

STUDY = '''
import os
import time

import numpy as np

from statgen._io import load_npz, save_npz_atomic
from statgen.studies import register_study


def tasks(cfg):
    return [{"k": k, "steps": cfg["steps"], "size": cfg["size"], "delay": cfg["delay"]} for k in range(cfg["n"])]


def compute(task, ctx):
    """A resumable iteration: one checkpoint per step in the task's workdir."""
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    ckpt = ctx.workdir / "state.npz"
    if ckpt.exists():
        st = load_npz(ckpt, required=("step", "x"))
        step, x = int(st["step"]), st["x"]
    else:
        step, x = 0, np.linspace(0.0, 1.0, task["size"]) + task["k"]
    with open(ctx.workdir.parent.parent / "starts.log", "a") as fh:
        fh.write(f"{os.getpid()} {task['k']} {step}\\n")
    gate = os.environ.get("CRASH_GATE")
    while gate and not os.path.exists(gate):  # the concurrency test opens it once both processes work
        time.sleep(0.01)
    while step < task["steps"]:
        x = np.sin(x) + 0.5 * x + 0.01 * step
        step += 1
        save_npz_atomic(ckpt, {"step": np.array(step), "x": x})
        time.sleep(task["delay"])
    return {"x": x, "k": np.array(task["k"])}


def combine(cfg, results):
    return {"x": np.stack([r["x"] for r in results]), "k": np.array([int(r["k"]) for r in results])}


register_study("crash", tasks=tasks, compute=compute, combine=combine, config="crash.toml")
'''

CONFIG = """
[full]
n = 4
steps = 12
size = 40000
delay = 0.02
[quick]
n = 3
steps = 12
size = 40000
delay = 0.02
"""


@pytest.fixture
def project(statgen_project):
    return statgen_project({"studies/crash.py": STUDY, "studies/crash.toml": CONFIG})


def _cli(project: Path, results: Path, *extra: str, **env_extra: str) -> subprocess.Popen:
    env = dict(os.environ, STATGEN_ROOT=str(project / "proj"), **env_extra)
    return subprocess.Popen([sys.executable, "-m", "statgen.cli", "study", "run", "crash", "--results", str(results),
                             "--no-progress", *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _starts(results: Path) -> list[tuple[int, int, int]]:
    logs = list(results.glob("crash/*/starts.log"))
    if not logs:
        return []
    return [tuple(int(v) for v in line.split()) for line in logs[0].read_text().split("\n") if line]


def _reference(tmp_path: Path) -> dict:
    return studies.run_study("crash", workers=1, results_dir=tmp_path / "reference", progress=False)


def _every_npz_loads(results: Path) -> int:
    files = [p for p in results.rglob("*.npz")]
    for p in files:
        load_npz(p)  # raises ValueError naming the file if it is partial or corrupt
    return len(files)


def _assert_same(result: dict, reference: dict) -> None:
    assert sorted(result) == sorted(reference)
    for k in reference:
        np.testing.assert_array_equal(result[k], reference[k], err_msg=k)


@pytest.mark.parametrize("workers", [1, 2])
def test_kill_9_at_random_points_then_resume_gives_the_uninterrupted_result(project, workers):
    rng = np.random.default_rng(workers)
    reference = _reference(project)
    results = project / "results"
    kills = 3
    for _ in range(kills):
        n_started = len(_starts(results))
        proc = _cli(project, results, "--workers", str(workers))
        deadline = time.monotonic() + 60
        while len(_starts(results)) == n_started and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # wait until it computes, then kill it somewhere inside the work
        time.sleep(rng.uniform(0.0, 0.35))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close(), proc.stderr.close()
        _every_npz_loads(results)  # what is there is complete, even right after the kill
    proc = _cli(project, results, "--workers", str(workers))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    (run_dir,) = (results / "crash").iterdir()
    _assert_same(load_npz(run_dir / "result.npz"), reference)
    assert not list(results.rglob("*.tmp")), "temporary files left behind"
    assert _every_npz_loads(results) >= 4 + 1
    starts = _starts(results)
    # finished tasks are never recomputed: each kill interrupts at most `workers` running tasks
    assert len(starts) <= 4 + kills * workers, starts
    # an interrupted task resumed from its checkpoint (started at a step > 0) at least once
    assert any(step > 0 for _, _, step in starts), starts


def test_two_processes_on_one_results_directory_share_the_work(project):
    reference = _reference(project)
    results = project / "results"
    gate = project / "go"
    procs = [_cli(project, results, "--workers", "1", CRASH_GATE=str(gate)) for _ in range(2)]
    deadline = time.monotonic() + 120
    while len(_starts(results)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # both processes hold a task: neither can finish the study alone
    gate.touch()
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    assert outs[0][0] == outs[1][0]  # both print the same result summary
    (run_dir,) = (results / "crash").iterdir()
    _assert_same(load_npz(run_dir / "result.npz"), reference)
    starts = _starts(results)
    assert sorted(k for _, k, _ in starts) == [0, 1, 2, 3], f"a task was computed twice or not at all: {starts}"
    assert len({pid for pid, _, _ in starts}) == 2, "the second process waited instead of sharing the work"
    assert not list(results.rglob("*.tmp"))


def test_stale_temporaries_of_a_killed_writer_are_removed(project):
    results = project / "results"
    studies.run_study("crash", quick=True, workers=1, results_dir=results, progress=False)
    (run_dir,) = (results / "crash").iterdir()
    # what kill -9 leaves while writing task 1's result, its checkpoint and the combined result
    task1 = sorted((run_dir / "tasks").glob("*.npz"))[1]
    task1.unlink()
    (run_dir / "result.npz").unlink()
    stale = [task1.parent / f".{task1.name}.x1y2.tmp", run_dir / "work" / task1.stem / ".state.npz.abcd.tmp",
             run_dir / ".result.npz.efgh.tmp"]
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"PK\x03\x04 half a zip")
    r = studies.run_study("crash", quick=True, workers=1, results_dir=results, progress=False)
    assert [p for p in stale if p.exists()] == []
    assert r["x"].shape == (3, 40000)


@pytest.mark.parametrize("which", ["task", "result"])
def test_a_corrupt_cache_file_is_named_not_a_raw_zip_error(project, which, capsys):
    from statgen.cli import main

    results = project / "results"
    studies.run_study("crash", quick=True, workers=1, results_dir=results, progress=False)
    (run_dir,) = (results / "crash").iterdir()
    victim = run_dir / "result.npz" if which == "result" else sorted((run_dir / "tasks").glob("*.npz"))[0]
    if which == "task":
        (run_dir / "result.npz").unlink()
    victim.write_bytes(victim.read_bytes()[:100])  # truncated, as by an interrupted copy
    with pytest.raises(ValueError, match=re.escape(str(victim)) + ".*delete .* to recompute"):
        studies.run_study("crash", quick=True, workers=1, results_dir=results, progress=False)
    capsys.readouterr()
    assert main(["study", "run", "crash", "--quick", "--workers", "1", "--results", str(results), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(victim) in err[0] and "Traceback" not in err[0], err
    victim.unlink()  # as the message says: delete it to recompute
    r = studies.run_study("crash", quick=True, workers=1, results_dir=results, progress=False)
    assert r["k"].tolist() == [0, 1, 2]
