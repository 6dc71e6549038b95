"""Every registered study runs with its ``[tiny]`` config, and every registered figure renders from
those tiny results (PNG + PDF + caption), so a change that breaks ``make demo`` fails here first.

Each study's TOML must have a ``[tiny]`` table: the same code path as ``[quick]``, sized to run in a
few seconds (the whole file is meant to stay under about a minute).
"""

from __future__ import annotations

import numpy as np
import pytest

from statgen import figures, studies

STUDIES = studies.list_studies()
FIGURES = figures.list_figures()


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    """``get(name)``: the study's tiny results, computed once per test session (a failure too)."""
    root = tmp_path_factory.mktemp("tiny-results")
    cache: dict[str, dict | BaseException] = {}

    def get(name: str) -> dict:
        if name not in cache:
            study = studies.get_study(name)
            if "tiny" not in study.configs:
                cache[name] = LookupError(
                    f"study {name!r} has no [tiny] table in {study.script.with_suffix('.toml')}: add one (the "
                    f"[quick] code path sized to run in a few seconds) so that the test suite runs the study "
                    f"and renders its figures")
            else:
                try:
                    cache[name] = studies.run_study(name, variant="tiny", workers=1, results_dir=root,
                                                    progress=False)
                except Exception as exc:  # noqa: BLE001 - reported by every test that needs it
                    cache[name] = exc
        value = cache[name]
        if isinstance(value, LookupError):
            pytest.fail(str(value))
        if isinstance(value, BaseException):
            raise value
        return value

    get.root = root
    return get


def test_scripts_import():
    broken = {**studies.broken_scripts("studies"), **studies.broken_scripts("paper_figures")}
    assert not broken, "\n".join(f"{p}: {type(e).__name__}: {e}" for p, e in broken.items())
    assert STUDIES and FIGURES


@pytest.mark.parametrize("name", [s.name for s in STUDIES])
def test_study_runs_with_its_tiny_config(name, tiny_results):
    result = tiny_results(name)
    assert result, f"study {name!r} returned no arrays"
    assert all(isinstance(v, np.ndarray) for v in result.values())
    # the second call reads the cache: the same arrays, bit for bit, and the file layout is clean
    again = studies.run_study(name, variant="tiny", workers=1, results_dir=tiny_results.root, progress=False)
    assert sorted(again) == sorted(result)
    for k in result:
        np.testing.assert_array_equal(again[k], result[k], err_msg=f"{name}: {k} changed through the cache")
    run_dir = tiny_results.root / name
    assert not list(run_dir.rglob("*.tmp")), "temporary files left behind"
    (result_file,) = run_dir.glob("tiny-*/result.npz")
    assert (result_file.parent / "config.json").is_file()


@pytest.mark.parametrize("fig", FIGURES, ids=[f.name for f in FIGURES])
def test_figure_renders_from_tiny_results(fig, tiny_results, tmp_path):
    results = {s: tiny_results(s) for s in fig.studies}
    paths = figures.save_figure(fig, results, True, tmp_path)
    png, pdf = tmp_path / f"{fig.name}.png", tmp_path / f"{fig.name}.pdf"
    assert png in paths and pdf in paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    assert pdf.read_bytes()[:5] == b"%PDF-"
    caption = fig.caption_for(results)
    assert isinstance(caption, str)
    if caption:
        assert (tmp_path / f"{fig.name}.txt").read_text().strip() == caption.strip()
