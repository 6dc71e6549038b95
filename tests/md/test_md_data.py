"""Reference MD data: stored energies/forces vs a fresh force-field evaluation, resume, bad inputs."""

import json

import numpy as np
import pytest

openmm = pytest.importorskip("openmm")

from statgen.md.analysis import amber_energies  # noqa: E402
from statgen.md.data import generate_md_data, load_md_data  # noqa: E402
from statgen.md.system import alanine_dipeptide, kbt  # noqa: E402


def test_stored_frames_match_force_field(md_data):
    assert len(md_data) == 100 and md_data.positions.shape == (100, 22, 3)
    np.testing.assert_allclose(np.diff(md_data.time), 1.0)  # one frame per ps
    sel = slice(0, 100, 9)
    # independent: a fresh Reference context at the stored positions
    np.testing.assert_allclose(amber_energies(md_data.positions[sel]), md_data.energies[sel], rtol=1e-9, atol=1e-9)
    _, system, _ = alanine_dipeptide()
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(md_data.positions[50])
    f = ctx.getState(getForces=True).getForces(asNumpy=True)._value
    np.testing.assert_allclose(f, md_data.forces[50], rtol=1e-9, atol=1e-7)
    # 300 K Langevin: mean force-field energy of alanine dipeptide/OBC is ≈ −55 kJ/mol (2 ns run here:
    # −55.5 ± 13.6); 100 correlated frames of 1 ps: mean within 3 standard deviations of a frame
    assert abs(md_data.energies.mean() + 55.5) < 3 * 13.6


def test_resume_reproduces_uninterrupted_run(tmp_path):
    kw = dict(platform="Reference", seed=5, equilibration_ps=0.5, chunk_frames=3, progress=False)
    full = load_md_data(generate_md_data(tmp_path / "a", ns=0.008, **kw))
    part = tmp_path / "b"
    generate_md_data(part, ns=0.004, **kw)  # "interrupted" after 4 frames (2 chunks: 3 + 1)
    assert json.loads((part / "manifest.json").read_text())["n_frames"] == 4
    resumed = load_md_data(generate_md_data(part, ns=0.008, **kw))
    assert len(resumed) == 8
    np.testing.assert_array_equal(resumed.time, full.time)
    # frames 0-3 identical; frames after the resume continue from the saved checkpoint
    np.testing.assert_array_equal(resumed.positions[:4], full.positions[:4])
    np.testing.assert_allclose(resumed.positions, full.positions, rtol=0, atol=1e-12)
    assert load_md_data(part, max_frames=5).positions.shape == (5, 22, 3)


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="ns must be > 0"):
        generate_md_data(tmp_path / "x", ns=-1.0, progress=False)
    with pytest.raises(ValueError, match="platform"):
        generate_md_data(tmp_path / "x", ns=0.001, platform="Quantum", progress=False)
    with pytest.raises(ValueError, match="save_every_ps"):
        generate_md_data(tmp_path / "x", ns=0.001, save_every_ps=0.0015, timestep_fs=1.0, progress=False)
    generate_md_data(tmp_path / "y", ns=0.001, equilibration_ps=0.1, progress=False)
    with pytest.raises(ValueError, match="different configuration"):
        generate_md_data(tmp_path / "y", ns=0.002, seed=9, equilibration_ps=0.1, progress=False)
    with pytest.raises(FileNotFoundError, match="manifest"):
        load_md_data(tmp_path / "nothing")
    assert kbt(300.0) == pytest.approx(2.4943387854, rel=1e-9)


@pytest.mark.slow
def test_kill9_of_statgen_md_generate_then_resume_reproduces_the_uninterrupted_run(tmp_path):
    """SIGKILL `statgen md generate` at a random point after its first chunk, run it again: the same
    frames as an uninterrupted run, every chunk complete, no temporary file left."""
    import sys

    from tests.kill9 import kill_at_random_point, leftovers, run

    kw = dict(ns=0.08, chunk_frames=8, equilibration_ps=0.2, seed=4, platform="Reference", progress=False)
    ref = load_md_data(generate_md_data(tmp_path / "ref", **kw))
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "statgen.cli", "md", "generate", "--out", str(out), "--ns", "0.08",
           "--chunk-frames", "8", "--equilibration-ps", "0.2", "--seed", "4", "--no-progress"]
    kill_at_random_point(cmd, (out / "manifest.json").exists, np.random.default_rng(), max_delay=1.0)
    done = json.loads((out / "manifest.json").read_text())["n_frames"]
    assert 8 <= done < 80
    assert load_md_data(out).positions.shape == (done, 22, 3)  # what the killed run left is readable
    run(cmd)
    got = load_md_data(out)
    assert len(got) == 80 and [c["frames"] for c in json.loads((out / "manifest.json").read_text())["chunks"]] == [8] * 10
    for key in ("positions", "forces", "energies", "time"):
        np.testing.assert_allclose(getattr(got, key), getattr(ref, key), rtol=0, atol=1e-12)
    assert leftovers(tmp_path) == []


def test_two_writers_on_one_directory_give_one_run(tmp_path):
    """Two threads generating into the same directory at once: the second waits on the lock and finds
    the work done; the data equal a single run's, with one manifest entry per chunk."""
    import threading

    kw = dict(ns=0.012, chunk_frames=4, equilibration_ps=0.1, seed=8, platform="Reference", progress=False)
    ref = load_md_data(generate_md_data(tmp_path / "ref", **kw))
    errors = []

    def writer():
        try:
            generate_md_data(tmp_path / "shared", **kw)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = load_md_data(tmp_path / "shared")
    assert [c["file"] for c in json.loads((tmp_path / "shared" / "manifest.json").read_text())["chunks"]] == [
        "chunk_00000.npz", "chunk_00001.npz", "chunk_00002.npz"]
    np.testing.assert_allclose(got.positions, ref.positions, rtol=0, atol=1e-12)
