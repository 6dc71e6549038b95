"""End to end on tiny data: statgen md generate -> train -> run, each checked against the library called directly."""

import json
import re

import numpy as np
import pytest
import torch

pytest.importorskip("openmm")

from statgen._io import load_npz  # noqa: E402
from statgen.cli import build_parser, main  # noqa: E402
from statgen.md import (  # noqa: E402
    BoltzmannGenerator,
    amber_energies,
    data_ranges,
    energy_statistics,
    kbt,
    load_boltzmann_generator,
    load_md_data,
    train_boltzmann_generator,
)
from tests import hostile  # noqa: E402


def command(*argv):
    """Parse and run ``statgen md ...`` as the top-level CLI does, but let user errors propagate."""
    args = build_parser().parse_args(["md", *map(str, argv)])
    return args.func(args)


def test_pipeline_end_to_end(tmp_path, capsys):
    data, model, traces = tmp_path / "data", tmp_path / "bg.pt", tmp_path / "run.npz"
    # generate: --quick is 0.02 ns = 20 frames, one per ps, here in chunks of 8
    assert main(["md", "generate", "--out", str(data), "--quick", "--chunk-frames", "8", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    d = load_md_data(data)
    manifest = json.loads((data / "manifest.json").read_text())
    assert len(d) == 20 and [c["frames"] for c in manifest["chunks"]] == [8, 8, 4] and np.all(np.isfinite(d.forces))
    np.testing.assert_allclose(d.time, np.arange(1, 21), rtol=0, atol=1e-12)
    np.testing.assert_allclose(amber_energies(d.positions[::5]), d.energies[::5], rtol=1e-9, atol=1e-9)
    u_mean, u_std = map(float, re.search(r"U = (\S+) ± (\S+) kJ/mol", printed).groups())
    assert u_mean == pytest.approx(d.energies.mean(), abs=0.006) and u_std == pytest.approx(d.energies.std(), abs=0.006)

    # train: the CLI's model equals the library's with the same seed and options
    opts = ["--data", data, "--out", model, "--components", "3", "--hidden", "16", "--w-fm", "1e-3",
            "--batch-size", "10", "--no-progress"]
    assert command("train", *opts, "--quick") == 0
    printed = capsys.readouterr().out

    def library(steps):
        torch.manual_seed(0)
        br, ar = data_ranges(d.positions)
        bg = BoltzmannGenerator(bond_range=br, angle_range=ar, components=3, hidden=(16,))
        hist = train_boltzmann_generator(bg, d.positions, d.forces / kbt(300.0), steps=steps, batch_size=10,
                                         w_fm=1e-3, progress=False)
        return bg, hist

    ref20, hist20 = library(20)
    bg = load_boltzmann_generator(model)
    for a, b in zip(bg.parameters(), ref20.parameters(), strict=True):
        assert torch.equal(a, b)
    assert f"last NLL {hist20['nll'][-1]:.3f}" in printed and bg.n_atoms == 22
    assert np.all(np.isfinite(bg.log_prob(d.positions[:5]).detach().numpy()))
    # resuming to more steps continues from the checkpoint (20 -> 25) and equals 25 uninterrupted steps
    assert command("train", *opts, "--steps", "25") == 0
    assert int(torch.load(model, weights_only=True)["step"]) == 25
    ref25, _ = library(25)
    for a, b in zip(load_boltzmann_generator(model).parameters(), ref25.parameters(), strict=True):
        assert torch.equal(a, b)
    capsys.readouterr()

    # run with Amber: --quick is 2 replicas, 100 NVT + 200 NVE steps, a report every 10 steps
    assert command("run", "--potential", "amber", "--data", data, "--quick", "--out", traces, "--no-progress") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    r = load_npz(traces)
    assert r["total"].shape == (2, 31) and r["nve"].sum() == 21 and r["time"][-1] == pytest.approx(0.3)
    np.testing.assert_allclose(r["total"], r["potential"] + r["kinetic"], rtol=1e-12)
    drift, fluct = energy_statistics(r["time"][r["nve"]], r["total"][:, r["nve"]])
    assert summary["replicas"] == 2 and summary["blew_up"] == 0 and summary["fluctuation_mean"] < 5.0
    assert summary["drift_mean"] == pytest.approx(np.mean(np.abs(drift)), rel=1e-12)
    assert summary["fluctuation_mean"] == pytest.approx(np.mean(fluct), rel=1e-12)
    assert len(set(r["frames"].tolist())) == 2 and all(f"drift {dr:+.4g}" in line for dr, line in zip(drift, lines[:2], strict=True))
    # thermal kinetic energy: (3N/2) k_BT = 82 kJ/mol for N = 22; 2 replicas over 0.2 ps: within a factor 2
    kin = r["kinetic"][:, r["nve"]].mean()
    assert 0.5 * 33 * kbt(300.0) < kin < 2 * 33 * kbt(300.0)

    # run with the trained flow: every replica is reported, stable or not
    assert command("run", "--potential", model, "--data", data, "--quick", "--no-progress",
                   "--trajectory", tmp_path / "flow.dcd") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["replicas"] == 2 and summary["blew_up"] == sum("BLEW UP" in line for line in lines[:-1])
    # the trajectory opens with mdtraj: one DCD per replica, the PDB topology beside them
    import mdtraj

    assert summary["topology"] == str(tmp_path / "flow.pdb")
    for f in summary["trajectory_files"]:
        t = mdtraj.load(f, top=summary["topology"])
        assert t.n_atoms == 22 and t.n_frames >= 1 and np.isfinite(t.xyz).all()


def test_zero_means_zero(tmp_path, md_data_dir):
    """--nvt-steps 0 runs no Langevin steps (not the default 1000): NVE from the first report on."""
    out = tmp_path / "nve.npz"
    assert command("run", "--potential", "amber", "--data", md_data_dir, "--replicas", "1", "--nvt-steps", "0",
                   "--nve-steps", "20", "--out", out, "--no-progress") == 0
    r = load_npz(out)
    assert r["time"].shape == (3,) and r["nve"].all()


def test_cli_bad_inputs(tmp_path, md_data_dir, capsys):
    with pytest.raises(ValueError, match="platform"):
        command("generate", "--out", tmp_path / "d", "--ns", "0.001", "--platform", "Abacus", "--no-progress")
    for argv, option in [(["train", "--data", tmp_path / "none", "--out", tmp_path / "m.pt"], "--data"),
                         (["run", "--potential", tmp_path / "m.pt", "--data", tmp_path], "--potential"),
                         (["generate", "--ns", "1"], "--out"),  # --out is required
                         (["train", "--data", md_data_dir, "--out", tmp_path / "m.pt", "--steps", "0"], "--steps"),
                         (["run", "--potential", "amber", "--data", md_data_dir, "--replicas", "0"], "--replicas"),
                         (["run", "--potential", "amber", "--data", md_data_dir, "--nvt-steps", "-1"], "--nvt-steps")]:
        with pytest.raises(SystemExit) as exc:
            command(*argv)
        assert exc.value.code == 2 and option in capsys.readouterr().err
    with pytest.raises(ValueError, match="replicas"):
        command("run", "--potential", "amber", "--data", md_data_dir, "--replicas", "1000", "--no-progress")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="manifest"):
        command("train", "--data", tmp_path / "empty", "--out", tmp_path / "m.pt", "--no-progress")
    evil = hostile.pickle_that_runs_code(tmp_path / "evil.pt", tmp_path / "ran")
    with pytest.raises(ValueError, match="evil.pt is not a statgen Boltzmann-generator checkpoint"):
        command("run", "--potential", evil, "--data", md_data_dir, "--no-progress")
    with pytest.raises(ValueError, match="evil.pt is not a statgen Boltzmann-generator checkpoint"):
        command("train", "--data", md_data_dir, "--out", evil, "--no-progress")
    assert not (tmp_path / "ran").exists()
