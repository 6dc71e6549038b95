"""The alanine experiment driver: the data split, the Amber reference arm, bad settings."""

import numpy as np
import pytest

pytest.importorskip("openmm")

from statgen.md import load_md_data, ramachandran, run_md  # noqa: E402
from statgen.md.experiment import reference_split, run_alanine_experiment  # noqa: E402


def test_split_and_amber_arm(tmp_path):
    data = tmp_path / "md"
    train, val = reference_split(data, ns=0.01, seed=0, val_fraction=0.2)
    d = load_md_data(data)
    assert len(d) == 10 and len(train["positions"]) == 8 and len(val["positions"]) == 2
    np.testing.assert_array_equal(np.concatenate([train["positions"], val["positions"]]), d.positions)
    res = run_alanine_experiment("amber", data_dir=data, ns=0.01, steps=0, replicas=1, nvt_steps=0, nve_steps=20,
                                 report_every=10, n_samples=5, seed=0)
    assert np.isnan([res[k] for k in ("nll", "force_mse", "reverse_kl", "fes_mae")]).all()
    np.testing.assert_array_equal(res["phi_md"], ramachandran(d.positions)[0])
    # NVE only: deterministic, so the arm's traces equal run_md from the same held-out frame
    start = val["positions"][np.random.default_rng(0).choice(2, 1, replace=False)]
    ref = run_md("amber", start, nvt_steps=0, nve_steps=20, report_every=10, seed=0, progress=False)
    np.testing.assert_array_equal(res["total"], ref["total"])
    with pytest.raises(ValueError, match="replicas=3 exceeds the 2 held-out frames"):
        run_alanine_experiment("amber", data_dir=data, ns=0.01, steps=0, replicas=3, seed=0)
    with pytest.raises(ValueError, match="model must be one of"):
        run_alanine_experiment("smooth_mf", data_dir=data, ns=0.01, steps=0)
    with pytest.raises(ValueError, match="val_fraction"):
        reference_split(data, ns=0.01, val_fraction=1.0)


def test_tail_term_trains_smooth_fm_only(tmp_path):
    from statgen.flows.checkpoint import load_checkpoint

    data = tmp_path / "md"
    kw = dict(data_dir=data, ns=0.01, steps=1, batch_size=4, replicas=1, nvt_steps=0, nve_steps=10, report_every=10,
              n_samples=4, components=2, hidden=[4], torsion_blocks=1, seed=0, w_tail=1e-4, tail_frames=16)
    for model, has_tail in (("smooth_fm", True), ("smooth", False)):
        work = tmp_path / model
        work.mkdir()
        run_alanine_experiment(model, workdir=work, **kw)
        tail = load_checkpoint(work / "model.pt")["history"]["tail_force_mse"]
        assert len(tail) == 1 and np.isfinite(tail[0]) == has_tail
    for bad in (dict(w_tail=-1.0), dict(tail_sigma=0.0), dict(tail_frames=0)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            run_alanine_experiment("smooth_fm", **(kw | bad))
