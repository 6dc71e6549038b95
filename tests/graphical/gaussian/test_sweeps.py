"""Sweeps over (alpha, sample) and the study that pools them: every entry equals an independent path."""

import numpy as np
import pytest

from statgen.graphical import (
    l1_sweep,
    l2_path,
    l2_sweep,
    predicted_gamma,
)
from tests.graphical.gaussian.helpers import GAMMAS
from tests.graphical.gaussian.helpers import sk_model as _sk_model
from tests.graphical.gaussian.helpers import sk_problem as _problem


def test_l2_sweep_equals_independent_paths():
    """Every entry of the sweep equals an l2_path on the same Wishart draw (same rng stream)."""
    model = _sk_model(30, 0.5, 14)
    alphas, S = [0.1, 2.0], 2
    out = l2_sweep(model, alphas, GAMMAS, S, rng=np.random.default_rng(15))
    rng = np.random.default_rng(15)
    np.testing.assert_allclose(out["alphas"], [3 / 30, 60 / 30], rtol=1e-15)  # realized B/N
    for a, B in enumerate((3, 60)):
        for s in range(S):
            path = l2_path(model.sample_covariance(B, rng=rng), GAMMAS, B / 30, J_true=model)
            for key in ("train", "test", "gen", "gen_true"):
                np.testing.assert_array_equal(out[key][a, s], getattr(path, key))
            for key in ("gamma_opt", "gamma_cross", "gamma_half"):
                assert out[key][a, s] == getattr(path, key)
            assert out["test_opt"][a, s] == path.at_opt["test"]
            assert out["train_max"][a, s] == np.max(path.train)
    assert out["gamma_pred"] == pytest.approx(predicted_gamma(model.J), rel=1e-14)


def test_gaussian_l2_study_combines_tasks(tmp_path):
    """A tiny run of the registered study: pooled means over seeds x samples, the ring's exact prediction,
    and gamma_opt near 1/sum_j J_ij^2."""
    from statgen.studies import TaskContext, get_study, run_study

    cfg = {
        "n": 60,
        "seeds": 2,
        "samples": 2,
        "gamma_min": 5e-4,
        "gamma_max": 1e4,
        "n_gamma": 30,
        "alphas_small": [0.05],
        "alpha_min": 1.0,
        "alpha_max": 10.0,
        "n_alpha": 2,
        "graphs": ["sk:0.5", "ring:0.3", "band:width=3,sigma=0.5"],
        "curve_graph": "sk:0.5",
        "curve_alphas": [1.0],
    }
    res = run_study("gaussian_l2", config=cfg, results_dir=tmp_path, workers=1, progress=False)
    study = get_study("gaussian_l2")
    tasks = study.tasks(cfg)
    raw = [
        study.compute(t, TaskContext(tmp_path / f"w{i}", progress=False))
        for i, t in enumerate(tasks)
    ]
    np.testing.assert_allclose(res["alphas"], [3 / 60, 1.0, 10.0], rtol=1e-15)
    sk = [r for t, r in zip(tasks, raw, strict=True) if t["graph"] == "sk:0.5"]
    test = np.concatenate([r["test"] for r in sk], axis=1)  # (alpha, seeds*samples, gamma)
    np.testing.assert_allclose(res["test"][0], test.mean(axis=1), rtol=1e-13)
    g_opt = np.concatenate([r["gamma_opt"] for r in sk], axis=1)
    np.testing.assert_allclose(res["gamma_opt"][0], np.exp(np.log(g_opt).mean(axis=1)), rtol=1e-13)
    gap = np.concatenate([r["test_opt"] - r["train_max"] for r in sk], axis=1)
    np.testing.assert_allclose(res["gap"][0], gap.mean(axis=1), rtol=1e-13)
    assert res["gamma_pred"][1] == pytest.approx(1 / (2 * 0.3**2), rel=1e-14)
    assert res["gamma_pred"][2] == pytest.approx(
        1 / 0.5**2, rel=1e-12
    )  # band rescaled to sum_j J_ij^2 = sigma^2
    assert np.all(res["gap"] < 0)  # test at the optimum never beats the best training fit
    assert 1 / 1.5 < res["gamma_opt"][0, -1] / res["gamma_pred"][0] < 1.5


def test_sweep_shapes_and_consistency():
    model, _ = _problem(n=15)
    out = l1_sweep(model, [1.0, 4.0], np.logspace(-2, 0.5, 6), 2, rng=np.random.default_rng(0), refine=False)
    assert out["test"].shape == (2, 2, 6) and out["gamma_opt"].shape == (2, 2)
    np.testing.assert_allclose(out["train_max"], out["train"].max(axis=2))
    assert out["gamma_pred"] == pytest.approx(model.predicted_gamma())
