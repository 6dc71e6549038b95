"""The ``statgen`` command line on a throw-away project: one line per error, failing figures logged
while the others render, exit statuses (0 done, 1 something failed, 2 bad input, 130 interrupted)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from statgen.cli import CommandError, main

STUDIES = '''
import os
import numpy as np
from statgen.studies import register_study

def tasks(cfg):
    return [{"k": k} for k in range(cfg["n"])]

def compute(task, ctx):
    if os.environ.get("CLI_TEST_INTERRUPT"):
        raise KeyboardInterrupt
    if os.environ.get("CLI_TEST_BAD_VALUE"):
        raise ValueError("gamma must be > 0, got -1")
    return {"square": np.array(task["k"] ** 2)}

def combine(cfg, results):
    return {"squares": np.array([r["square"] for r in results])}

def boom(task, ctx):
    with open(ctx.workdir.parent.parent / "boom.count", "a") as fh:
        fh.write("x")
    raise RuntimeError("the boom study always fails")

register_study("ok", tasks=tasks, compute=compute, combine=combine, config={"full": {"n": 4}, "quick": {"n": 3}})
register_study("boom", tasks=tasks, compute=boom, combine=combine, config={"full": {"n": 2}, "quick": {"n": 2}})
'''

FIGURES = '''
import matplotlib.pyplot as plt
from statgen.figures import register_figure

def good(results, quick):
    fig, ax = plt.subplots()
    ax.plot(results["ok"]["squares"])
    return fig

def bad_render(results, quick):
    raise ValueError("this renderer has a bug")

register_figure("a_good", studies="ok", render=good, caption=lambda r: f"n = {r['ok']['squares'].size}")
register_figure("b_bad_render", studies="ok", render=bad_render)
register_figure("c_needs_boom", studies="boom", render=good)
register_figure("d_needs_boom_too", studies=("ok", "boom"), render=good)
register_figure("e_good_too", studies="ok", render=good)
'''


@pytest.fixture
def project(statgen_project):
    return statgen_project({"studies/toys.py": STUDIES, "paper_figures/toys.py": FIGURES})


def _err_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_figures_make_all_renders_what_it_can_and_reports_each_failure(project, capsys):
    out = project / "figs"
    code = main(["figures", "make", "all", "--quick", "--out", str(out), "--workers", "1", "--no-progress"])
    assert code == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert "Traceback" not in captured.err
    failed = {name: line for line in err for name in ("b_bad_render", "c_needs_boom", "d_needs_boom_too")
              if f": {name} failed:" in line}
    assert sorted(failed) == ["b_bad_render", "c_needs_boom", "d_needs_boom_too"], err
    assert "ValueError: this renderer has a bug" in failed["b_bad_render"]
    assert "the boom study always fails" in failed["c_needs_boom"]
    assert err[-1] == "statgen figures make: 3 of 5 failed: b_bad_render, c_needs_boom, d_needs_boom_too"
    for name in failed:
        log = out / f"{name}.log"
        assert f"(log: {log})" in failed[name]
        assert "Traceback (most recent call last)" in log.read_text()
    assert "RuntimeError: the boom study always fails" in (out / "c_needs_boom.log").read_text()
    for name in ("a_good", "e_good_too"):
        assert (out / f"{name}.png").stat().st_size > 1000 and (out / f"{name}.pdf").is_file()
        assert not (out / f"{name}.log").exists()
    assert (out / "a_good.txt").read_text() == "n = 3\n"
    assert not (out / "b_bad_render.png").exists()
    # the failing study ran once, not once per figure that needs it (2 tasks, first one fails)
    (boom_dir,) = (project / "results" / "boom").iterdir()
    assert (boom_dir / "boom.count").read_text() == "x"


def test_a_fixed_figure_loses_its_old_log(project, capsys):
    out = project / "figs"
    (out).mkdir()
    (out / "a_good.log").write_text("an earlier failure")
    assert main(["figures", "make", "a_good", "--quick", "--out", str(out), "--workers", "1"]) == 0
    assert not (out / "a_good.log").exists()
    assert capsys.readouterr().out.startswith("a_good: ")


def test_unknown_figure_is_one_line_with_a_suggestion_and_nothing_runs(project, capsys):
    with pytest.raises(CommandError) as info:
        main(["figures", "make", "a_good", "a_goood", "--out", str(project / "figs")])
    assert info.value.code == 2
    (line,) = _err_lines(capsys)
    assert line.startswith("statgen figures make: error: ") and "did you mean 'a_good'?" in line
    assert not (project / "figs").exists() and not (project / "results").exists()


def test_a_broken_figure_script_is_reported_and_the_others_render(project, capsys):
    (project / "proj" / "paper_figures" / "zz_broken.py").write_text("def render(:\n")
    out = project / "figs"
    assert main(["figures", "make", "all", "--quick", "--out", str(out), "--workers", "1"]) == 1
    err = _err_lines(capsys)
    broken = [line for line in err if "paper_figures/zz_broken.py failed" in line]
    assert len(broken) == 1 and "SyntaxError" in broken[0] and "(log: " in broken[0]
    assert (out / "a_good.png").is_file()
    assert err[-1].startswith("statgen figures make: 4 of 6 failed: paper_figures/zz_broken.py, ")
    assert main(["figures", "list"]) == 1  # listing says so too
    assert any("zz_broken.py failed to import" in line for line in _err_lines(capsys))


def test_study_run_failure_is_one_line_with_its_log(project, capsys):
    assert main(["study", "run", "boom", "--workers", "1", "--no-progress"]) == 1
    (line,) = _err_lines(capsys)
    log = project / "results" / "logs" / "boom.log"
    assert line == (f"statgen study run: study boom failed: RuntimeError: the boom study always fails "
                    f"(log: {log})")
    assert "RuntimeError" in log.read_text()


def test_study_run_prints_the_result(project, capsys):
    assert main(["study", "run", "ok", "--workers", "1", "--no-progress"]) == 0
    assert capsys.readouterr().out.split() == ["squares", "shape=(4,)", "dtype=int64"]


def test_study_run_variant_selects_the_config_table(project, capsys):
    assert main(["study", "run", "ok", "--variant", "quick", "--workers", "1", "--no-progress"]) == 0
    assert capsys.readouterr().out.split() == ["squares", "shape=(3,)", "dtype=int64"]
    with pytest.raises(CommandError) as info:
        main(["study", "run", "ok", "--variant", "huge", "--workers", "1", "--no-progress"])
    assert info.value.code == 2
    (line,) = _err_lines(capsys)
    assert "variant of study 'ok' must be one of ['full', 'quick'], got 'huge'" in line
    with pytest.raises(CommandError) as info:
        main(["study", "run", "ok", "--variant", "full", "--quick", "--workers", "1", "--no-progress"])
    assert info.value.code == 2
    (line,) = _err_lines(capsys)
    assert "--quick and --variant full both choose the config table" in line


def test_interrupt_is_one_line_and_exit_130(project, capsys, monkeypatch):
    monkeypatch.setenv("CLI_TEST_INTERRUPT", "1")
    with pytest.raises(CommandError) as info:
        main(["study", "run", "ok", "--workers", "1", "--no-progress"])
    assert info.value.code == 130
    (line,) = _err_lines(capsys)
    assert line.startswith("statgen study run: interrupted")


def test_user_error_inside_a_command_is_one_line_exit_2(project, capsys, monkeypatch):
    import statgen.studies as studies

    def refuse(*args, **kwargs):
        raise ValueError("workers must be >= 1, got 0")

    monkeypatch.setattr(studies, "list_studies", refuse)
    with pytest.raises(CommandError) as info:
        main(["study", "list"])
    assert info.value.code == 2
    assert _err_lines(capsys) == ["statgen study list: error: workers must be >= 1, got 0"]
    assert str(info.value) == "statgen study list: error: workers must be >= 1, got 0"
    with pytest.raises(ValueError, match="workers must be"):  # --debug: the exception itself
        main(["--debug", "study", "list"])
    monkeypatch.setenv("STATGEN_DEBUG", "1")
    with pytest.raises(ValueError, match="workers must be"):
        main(["study", "list"])


def test_an_option_error_is_one_line_and_exit_2(project, capsys):
    with pytest.raises(CommandError) as info:
        main(["study", "run", "ok", "--workers", "0"])
    assert info.value.code == 2
    assert _err_lines(capsys) == ["statgen study run: error: argument --workers: expected an integer >= 1, "
                                  "got '0' (see: statgen study run --help)"]


def test_the_console_script_exit_statuses(project):
    """Through a real process: what a shell (and `make demo`) sees."""
    env = dict(os.environ)

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "statgen.cli", *argv], env=env, capture_output=True, text=True,
                              timeout=120)

    r = run("study", "run", "ok", "--workers", "0")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = run("figures", "make", "all", "--quick", "--out", str(project / "f"), "--workers", "1")
    assert r.returncode == 1 and "3 of 5 failed" in r.stderr
    r = run("figures", "make", "a_good", "--quick", "--out", str(project / "f"), "--workers", "1")
    assert r.returncode == 0 and r.stderr == ""
