"""The study runner, figure registry, CLI and argument checks, on a throw-away project root."""

import concurrent.futures as cf
import os

import numpy as np
import pytest

from statgen import _checks, studies
from statgen.cli import main

STUDY = '''
import os
import numpy as np
from statgen.studies import register_study

def tasks(config):
    return [{"k": k, "fail_at": config.get("fail_at", -1)} for k in range(config["n"])]

def compute(task, ctx):
    if task["k"] == task["fail_at"] and not os.environ.get("TOY_NO_FAIL"):
        raise RuntimeError("interrupted")
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    with open(ctx.workdir.parent.parent / "calls.log", "a") as fh:
        fh.write(f"{task['k']}\\n")
    return {"square": np.array(task["k"] ** 2)}

def combine(config, results):
    return {"squares": np.array([r["square"] for r in results])}

register_study("toy", tasks=tasks, compute=compute, combine=combine, config="toy.toml")
'''

FIGURE = '''
import matplotlib.pyplot as plt
from statgen.figures import register_figure

def render(results, quick):
    fig, ax = plt.subplots()
    ax.plot(results["toy"]["squares"], label="k^2")
    ax.set_xlabel("k"); ax.set_ylabel("k^2"); ax.legend()
    return fig

register_figure("toy_squares", studies="toy", render=render,
                caption=lambda r: f"sum of squares = {int(r['toy']['squares'].sum())}")
'''


@pytest.fixture
def project(statgen_project):
    return statgen_project({"studies/toy.py": STUDY, "studies/toy.toml": "[full]\nn = 6\n[quick]\nn = 3\n",
                            "paper_figures/toy_squares.py": FIGURE})


def _calls(tmp_path, variant_dir):
    log = variant_dir / "calls.log"
    return sorted(int(x) for x in log.read_text().split()) if log.exists() else []


def test_study_runs_once_then_loads_from_cache(project):
    r = studies.run_study("toy", quick=False, workers=1, progress=False)
    np.testing.assert_array_equal(r["squares"], np.arange(6) ** 2)
    (variant_dir,) = (project / "results" / "toy").iterdir()
    assert _calls(project, variant_dir) == list(range(6))
    r2 = studies.run_study("toy", quick=False, workers=1, progress=False)
    np.testing.assert_array_equal(r2["squares"], r["squares"])
    assert _calls(project, variant_dir) == list(range(6))  # no task recomputed


def test_quick_and_full_are_cached_under_different_keys(project):
    q = studies.run_study("toy", quick=True, workers=1, progress=False)
    f = studies.run_study("toy", quick=False, workers=1, progress=False)
    assert q["squares"].shape == (3,) and f["squares"].shape == (6,)
    names = sorted(p.name.split("-")[0] for p in (project / "results" / "toy").iterdir())
    assert names == ["full", "quick"]


def test_interrupted_sweep_resumes_from_completed_tasks(project, monkeypatch):
    cfg = {"n": 5, "fail_at": 3}
    with pytest.raises(RuntimeError, match="interrupted"):
        studies.run_study("toy", workers=1, progress=False, config=cfg)
    (variant_dir,) = (project / "results" / "toy").iterdir()
    assert _calls(project, variant_dir) == [0, 1, 2]
    assert not (variant_dir / "result.npz").exists()
    assert not list(variant_dir.rglob("*.tmp"))  # nothing half-written
    monkeypatch.setenv("TOY_NO_FAIL", "1")
    r = studies.run_study("toy", workers=1, progress=False, config=cfg)
    np.testing.assert_array_equal(r["squares"], np.arange(5) ** 2)
    assert _calls(project, variant_dir) == [0, 1, 2, 3, 4]  # 0..2 were not recomputed


@pytest.mark.parametrize("make_executor", [lambda: cf.ThreadPoolExecutor(2), lambda: cf.ProcessPoolExecutor(2)])
def test_any_executor_gives_the_inline_result(project, make_executor):
    with make_executor() as ex:
        r = studies.run_study("toy", executor=ex, progress=False, config={"n": 7})
    np.testing.assert_array_equal(r["squares"], np.arange(7) ** 2)


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a.npz"
    studies.save_npz_atomic(target, {"x": np.arange(3)})

    class Boom:
        def __array__(self, *a, **k):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        studies.save_npz_atomic(target, {"x": Boom()})
    np.testing.assert_array_equal(studies.load_npz(target)["x"], np.arange(3))  # old data intact
    assert [p.name for p in tmp_path.iterdir()] == ["a.npz"]


def test_atomic_write_gives_the_permissions_open_would(tmp_path):
    """A new file gets 0666 less the umask (what open() gives, e.g. plmc's own outputs), not mkstemp's 0600;
    a replaced file keeps its mode."""
    from statgen._io import atomic_write

    old = os.umask(0o027)
    try:
        with open(tmp_path / "by_open", "w") as fh:
            fh.write("x")
        with atomic_write(tmp_path / "new", "w") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "by_open").stat().st_mode & 0o777 == 0o640  # what open() gives under this umask
    want = 0o666 & ~old  # atomic_write uses the umask of the process at import
    assert (tmp_path / "new").stat().st_mode & 0o777 == want
    os.chmod(tmp_path / "new", 0o604)
    with atomic_write(tmp_path / "new", "w") as fh:
        fh.write("y")
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o604


def test_unknown_names_and_variants_are_clear_errors(project):
    with pytest.raises(ValueError, match="registered study"):
        studies.get_study("nope")
    with pytest.raises(ValueError, match="variant"):
        studies.get_study("toy").config("medium")


def test_cli_lists_and_makes_figures(project, capsys):
    assert main(["figures", "list"]) == 0
    assert "toy_squares" in capsys.readouterr().out
    out = project / "figs"
    assert main(["figures", "make", "all", "--quick", "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    assert (out / "toy_squares.png").stat().st_size > 1000
    assert (out / "toy_squares.pdf").read_bytes()[:4] == b"%PDF"
    assert (out / "toy_squares.txt").read_text().strip() == "sum of squares = 5"  # 0 + 1 + 4
    assert main(["study", "run", "toy", "--workers", "1", "--no-progress"]) == 0
    assert "squares" in capsys.readouterr().out


def test_checks_name_the_argument():
    with pytest.raises(ValueError, match="C must be symmetric"):
        _checks.check_symmetric([[1.0, 2.0], [0.0, 1.0]], "C")
    with pytest.raises(ValueError, match="C must be positive definite"):
        _checks.check_positive_definite([[1.0, 2.0], [2.0, 1.0]], "C")
    with pytest.raises(ValueError, match="C contains NaN"):
        _checks.as_array([[np.nan]], "C")
    with pytest.raises(ValueError, match=r"C must have shape \(2, \*\)"):
        _checks.as_array(np.zeros((3, 2)), "C", shape=(2, None))
    with pytest.raises(ValueError, match="gamma must be > 0"):
        _checks.check_positive(0.0, "gamma")
    with pytest.raises(ValueError, match=r"s must hold states in \[0, 3\)"):
        _checks.check_int_states([[0, 3]], "s", 3)
    with pytest.raises(ValueError, match="ragged"):
        _checks.check_int_states([[0, 1], [1]], "s", 3)
    assert _checks.check_positive("2.5", "x") == 2.5


def test_dask_distributed_executor_runs_the_same_sweep(project):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        r = studies.run_study("toy", executor=client.get_executor(), progress=False, config={"n": 4})
    np.testing.assert_array_equal(r["squares"], np.arange(4) ** 2)
