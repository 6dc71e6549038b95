"""End to end on tiny data: statgen md generate -> train -> run (in-process CLI)."""

import json

import numpy as np
import pytest

pytest.importorskip("openmm")

from statgen.cli import main  # noqa: E402
from statgen.md.boltzmann import load_boltzmann_generator  # noqa: E402
from statgen.md.data import load_md_data  # noqa: E402
from statgen.studies import load_npz  # noqa: E402


def test_pipeline_end_to_end(tmp_path, capsys):
    data, model, traces = tmp_path / "data", tmp_path / "bg.pt", tmp_path / "run.npz"
    assert main(["md", "generate", "--out", str(data), "--quick", "--no-progress"]) == 0
    d = load_md_data(data)
    assert len(d) == 20 and np.all(np.isfinite(d.forces))
    assert main(["md", "train", "--data", str(data), "--out", str(model), "--quick", "--components", "3",
                 "--hidden", "16", "--w-fm", "1e-3", "--batch-size", "10", "--no-progress"]) == 0
    bg = load_boltzmann_generator(model)
    first = load_boltzmann_generator(model).log_prob(d.positions[:5]).detach().numpy()
    assert np.all(np.isfinite(first))
    # resuming to more steps continues from the checkpoint (20 -> 25 steps)
    assert main(["md", "train", "--data", str(data), "--out", str(model), "--steps", "25", "--no-progress"]) == 0
    import torch

    assert int(torch.load(model, weights_only=False)["step"]) == 25
    capsys.readouterr()
    assert main(["md", "run", "--potential", "amber", "--data", str(data), "--quick", "--out", str(traces),
                 "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["replicas"] == 2 and summary["blew_up"] == 0 and summary["fluctuation_mean"] < 5.0
    r = load_npz(traces)
    assert r["total"].shape == (2, 31) and r["nve"].sum() == 21
    assert main(["md", "run", "--potential", str(model), "--data", str(data), "--quick", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["replicas"] == 2  # a 20-step model may or may not stay stable; it must report either way
    assert bg.n_atoms == 22


def test_cli_bad_inputs(tmp_path):
    with pytest.raises(SystemExit, match="platform"):
        main(["md", "generate", "--out", str(tmp_path / "d"), "--ns", "0.001", "--platform", "Abacus", "--no-progress"])
    with pytest.raises(SystemExit, match="manifest"):
        main(["md", "train", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "m.pt"), "--no-progress"])
    with pytest.raises(SystemExit, match="not found"):
        main(["md", "run", "--potential", str(tmp_path / "m.pt"), "--data", str(tmp_path), "--no-progress"])
    with pytest.raises(SystemExit):
        main(["md", "generate", "--ns", "1"])  # --out is required
