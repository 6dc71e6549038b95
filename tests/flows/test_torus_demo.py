"""The demo's torus figures show the full study: a quick run (a one-minute smoke test whose flows learn
little) is drawn from the full-study results shipped with the package, made by ``statgen study run torus``."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from statgen import figures
from statgen.flows import pretrained_torus_results

ROOT = Path(__file__).resolve().parents[2]


def _relative_force_error(r, variant):
    k = list(map(str, r["variants"])).index(variant)
    return float(r["force_mse"][k] / r["force_mse_true_scale"][k])


def test_shipped_results_are_those_of_the_full_config():
    r = pretrained_torus_results()
    full = tomllib.loads((ROOT / "studies" / "torus.toml").read_text())["full"]
    assert int(r["n_train"]) == full["n_train"]
    assert "statgen study run torus" in str(r["provenance"])
    n = len(full["domains"]) * len(full["transformers"]) * len(full["w_fm"])
    assert r["variants"].shape == (n,) and r["log_q"].shape == (n, full["density_grid"], full["density_grid"])
    assert r["history_nll"].shape == (n, full["epochs"])


def test_shipped_results_show_the_papers_findings():
    """Köhler, Krämer & Noé (2021), Sec. 5.1: the periodic smooth flow trained with force matching has
    the smallest force error; the periodic flows fit the density better than the non-periodic ones."""
    r = pretrained_torus_results()
    errors = {str(v): _relative_force_error(r, str(v)) for v in r["variants"]}
    best = min(errors, key=errors.get)
    assert best.startswith("circle/smooth/") and not best.endswith("fm=0"), errors
    for tr in ("smooth", "spline"):
        kl = {d: float(r["kl"][list(map(str, r["variants"])).index(f"{d}/{tr}/fm=0")]) for d in ("circle", "interval")}
        assert kl["circle"] < kl["interval"], (tr, kl)


@pytest.mark.parametrize("name", ["torus_density", "torus_forces", "torus_metrics"])
def test_a_small_run_is_drawn_from_the_shipped_results(name):
    shipped = pretrained_torus_results()
    small = dict(shipped)
    small["n_train"] = np.asarray(5000)  # what the quick variant trains on
    small["force_mse"] = shipped["force_mse_true_scale"] * 0.97  # a flow that learned nothing
    fig = figures.get_figure(name)
    text = fig.caption_for({"torus": small})
    assert str(shipped["provenance"]) in text and "smoke-tested" in text
    assert f"{shipped['force_mse'][0]:.3g}" in text.split("Rendered from")[0]
    assert "0.97" in text.split("smoke-tested")[1]
    full_text = fig.caption_for({"torus": shipped})
    assert "Rendered from" not in full_text
