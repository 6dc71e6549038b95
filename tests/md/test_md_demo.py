"""The demo's alanine figures show the shipped models: the quick/tiny run smoke-tests the pipeline, the MD,
metrics and Ramachandran panels come from the shipped full-study results, which are those of the shipped models."""

import numpy as np
import pytest
import torch

from statgen import figures
from statgen.md import pretrained_study_results
from statgen.md.model import PRETRAINED


def test_shipped_study_results_are_those_of_the_shipped_models():
    from importlib import resources

    r = pretrained_study_results()
    models = [str(m) for m in r["models"]]
    assert set(PRETRAINED) <= set(models) and "amber" in models
    for kind, name in PRETRAINED.items():
        with resources.as_file(resources.files("statgen.md") / "data" / name) as path:
            info = torch.load(path, weights_only=True)["info"]
        i = models.index(kind)
        for key in ("nll", "force_mse", "reverse_kl", "ess", "fes_mae"):
            assert info[key] == pytest.approx(float(r[key][i]), rel=1e-12), (kind, key)
        assert info["md_blew_up"] == int(r["blew_up"][i].sum())
        assert info["provenance"] == str(r["provenance"])
    assert float(r["ns"]) >= 50 and r["phi_md"].size > 10000


@pytest.mark.parametrize("name", ["alanine_ramachandran", "alanine_metrics", "alanine_energy"])
def test_a_small_run_is_captioned_with_the_shipped_results(name):
    shipped = pretrained_study_results()
    small = {k: v for k, v in shipped.items()}
    small["ns"] = np.asarray(0.1)  # what the quick variant produces
    small["nll"] = np.array([-150.0, -140.0, -160.0, np.nan])
    text = figures.get_figure(name).caption_for({"alanine": small})
    assert str(shipped["provenance"]) in text and "smoke-tested" in text
    if name == "alanine_metrics":
        assert f"{shipped['nll'][0]:.1f}" in text and "-150.0" not in text.split("smoke-tested")[0]
