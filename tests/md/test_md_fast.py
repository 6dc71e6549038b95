"""The fast flow potential: equal to the autograd path, batched replicas equal single ones, DCD round trip."""

from pathlib import Path

import numpy as np
import pytest
import torch

openmm = pytest.importorskip("openmm")

from statgen.md import (  # noqa: E402
    EnergyForce,
    FlowPotential,
    kbt,
    load_boltzmann_generator,
    pretrained_boltzmann_generator,
    pretrained_starting_frames,
    run_md,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def reference():
    """Energies (k_BT) and forces (k_BT/nm) of two random float64 flows (smooth, spline) at 8 frames,
    computed by the pre-optimisation code (BoltzmannGenerator.energy/force, autograd, statgen main at
    8aa27c1); see tests/md/data/README.md."""
    return dict(np.load(DATA / "fast_path_reference.npz"))


@pytest.mark.parametrize("kind", ["smooth", "spline"])
def test_fast_path_equals_the_reference_autograd_path(reference, kind):
    model = load_boltzmann_generator(DATA / f"random_{kind}_bg.pt").double()
    x = torch.tensor(reference["positions"])
    e, f = EnergyForce(model)(x)
    want_e, want_f = reference[f"{kind}_energy"], reference[f"{kind}_force"]
    assert np.abs(want_f).max() > 1.0  # a non-trivial density
    np.testing.assert_allclose(e.numpy(), want_e, rtol=1e-10, atol=0)
    np.testing.assert_allclose(f.numpy(), want_f, rtol=0, atol=1e-10 * np.abs(want_f).max())
    # and equal to the model's own (checked) autograd path today
    np.testing.assert_allclose(f.numpy(), model.force(x).numpy(), rtol=0, atol=1e-12 * np.abs(want_f).max())


def test_batched_flow_potential_equals_one_copy_at_a_time(reference):
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").double()
    x = reference["positions"][:5]
    batched = FlowPotential(model, 300.0, replicas=5)
    u, f = batched.energy_and_forces(x.reshape(-1, 3))
    k = kbt(300.0)
    np.testing.assert_allclose(batched.energies, k * reference["smooth_energy"][:5], rtol=1e-10)
    assert u == pytest.approx(k * reference["smooth_energy"][:5].sum(), rel=1e-10)
    np.testing.assert_allclose(f.reshape(5, 22, 3), k * reference["smooth_force"][:5], rtol=0,
                               atol=1e-10 * k * np.abs(reference["smooth_force"]).max())


def test_float32_flow_potential_reuses_its_buffers_without_stale_values(reference):
    # a float32 CPU model reads OpenMM's positions through one reused buffer: successive calls with other
    # positions must give those positions' float32 energies and forces (the model's own, evaluated here
    # directly), and earlier results must not change
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").float()
    x = reference["positions"]
    k = kbt(300.0)
    fp = FlowPotential(model, 300.0, replicas=2, method="eager")
    results = []
    for i in (0, 2, 4, 0):
        u, f = fp.energy_and_forces(x[i:i + 2].reshape(-1, 3))
        results.append((fp.energies, f.copy()))
        xi = torch.tensor(x[i:i + 2], dtype=torch.float32)
        want_e = k * model.energy(xi).detach().double().numpy()
        want_f = k * model.force(xi).double().numpy()
        np.testing.assert_allclose(fp.energies, want_e, rtol=1e-6)
        assert u == pytest.approx(want_e.sum(), rel=1e-6)
        np.testing.assert_allclose(f.reshape(2, 22, 3), want_f, rtol=0, atol=1e-6 * np.abs(want_f).max())
        # and float32 energies are within 1e-5 of the float64 reference
        np.testing.assert_allclose(fp.energies, k * reference["smooth_energy"][i:i + 2], rtol=1e-5)
    assert results[0][0] is not results[3][0] and results[0][0].dtype == np.float64
    np.testing.assert_allclose(results[0][0], results[3][0], rtol=1e-12)  # not overwritten by later calls
    np.testing.assert_array_equal(results[0][1], results[3][1])  # same positions, same forces
    assert not np.allclose(results[0][1], results[1][1])  # other positions, other forces (no stale buffer)


def test_a_nonfinite_copy_is_dropped_and_the_others_keep_their_forces(reference):
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").double()
    x = reference["positions"][:3].copy()
    x[1, 3] += 0.5  # a bond far outside the flow's interval: p = 0
    pot = FlowPotential(model, 300.0, replicas=3, on_nonfinite="drop")
    u, f = pot.energy_and_forces(x.reshape(-1, 3))
    assert pot.alive.tolist() == [True, False, True] and np.isnan(pot.energies[1])
    assert np.all(f.reshape(3, 22, 3)[1] == 0)
    k = kbt(300.0)
    assert u == pytest.approx(k * reference["smooth_energy"][[0, 2]].sum(), rel=1e-10)
    with pytest.raises(FloatingPointError, match="not finite"):
        FlowPotential(model, 300.0, replicas=3).energy_and_forces(x.reshape(-1, 3))


def test_batched_md_gives_the_same_trajectories_as_single_replicas(tmp_path):
    """NVE only (deterministic): R replicas integrated in one System of R copies follow the trajectories
    of R separate single-replica runs with the same velocity seeds (to rounding of the batched float64
    evaluation, amplified over 200 steps: 1e-7 nm and 1e-6 kJ/mol here; observed ~1e-11)."""
    model = pretrained_boltzmann_generator()
    x = pretrained_starting_frames()[1:4]
    kw = dict(nvt_steps=0, nve_steps=200, report_every=20, seed=3, progress=False)
    a = run_md(model, x, batch=True, trajectory=tmp_path / "a.dcd", **kw)
    b = run_md(model, x, batch=False, trajectory=tmp_path / "b.dcd", **kw)
    assert not a["blew_up"].any() and not b["blew_up"].any()
    np.testing.assert_allclose(a["total"], b["total"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(a["potential"], b["potential"], rtol=0, atol=1e-6)
    import mdtraj

    for fa, fb in zip(a["trajectory_files"], b["trajectory_files"], strict=True):
        ta, tb = mdtraj.load(fa, top=a["topology"]), mdtraj.load(fb, top=b["topology"])
        np.testing.assert_allclose(ta.xyz, tb.xyz, rtol=0, atol=1e-6)  # DCD stores float32 Å


def test_trajectory_round_trips_through_mdtraj(tmp_path):
    x = pretrained_starting_frames()[1:3]
    res = run_md("amber", x, nvt_steps=20, nve_steps=40, report_every=10, progress=False,
                 trajectory=tmp_path / "amber.dcd")
    import mdtraj

    files = res["trajectory_files"]
    assert [Path(f).name for f in files] == ["amber.r0.dcd", "amber.r1.dcd"]
    for r, f in enumerate(files):
        t = mdtraj.load(f, top=res["topology"])
        assert t.n_atoms == 22 and t.n_frames == len(res["time"]) and t.topology.n_residues == 3
        np.testing.assert_allclose(t.xyz[0], x[r], rtol=0, atol=2e-6)  # report 0 = the starting frame
        # the energies reported for the last frame are those of the written positions
        assert np.all(np.abs(np.diff(t.xyz, axis=0)).max(axis=(1, 2)) > 0)
    one = run_md("amber", x[0], nvt_steps=0, nve_steps=10, progress=False, trajectory=tmp_path / "one.dcd")
    assert one["trajectory_files"].tolist() == [str(tmp_path / "one.dcd")]
    assert mdtraj.load(str(tmp_path / "one.dcd"), top=str(tmp_path / "one.pdb")).n_frames == 2


def test_bad_inputs_give_clear_errors(tmp_path):
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").double()
    x = pretrained_starting_frames()
    with pytest.raises(ValueError, match=r"positions must have shape \(R, 22, 3\)"):
        run_md(model, x[:, :10], nve_steps=10, progress=False)
    with pytest.raises(TypeError, match="potential must have an energy"):
        run_md(object(), x, nve_steps=10, progress=False)
    with pytest.raises(TypeError, match="temperature must be in kelvin"):
        run_md(model, x, temperature=300.0 * openmm.unit.nanometer, nve_steps=10, progress=False)
    with pytest.raises(ValueError, match="trajectory must be a path ending in .dcd"):
        run_md(model, x, nve_steps=10, progress=False, trajectory=tmp_path / "t.xtc")
    with pytest.raises(ValueError, match="method must be one of"):
        EnergyForce(model, method="jit")
    with pytest.raises(TypeError, match="model must have an energy"):
        EnergyForce(object())
    with pytest.raises(ValueError, match=r"positions must have shape \(44, 3\)"):
        FlowPotential(model, 300.0, replicas=2).energy_and_forces(x[0])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (torch.cuda.is_available() is False)")
def test_fast_path_on_cuda_equals_cpu_and_drives_md(reference):
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").double()
    x = torch.tensor(reference["positions"])
    e, f = EnergyForce(model.to("cuda"))(x.to("cuda"))
    np.testing.assert_allclose(e.cpu().numpy(), reference["smooth_energy"], rtol=1e-10)
    np.testing.assert_allclose(f.cpu().numpy(), reference["smooth_force"], rtol=0,
                               atol=1e-10 * np.abs(reference["smooth_force"]).max())
    gpu = pretrained_boltzmann_generator(device="cuda")
    platforms = [openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())]
    res = run_md(gpu, pretrained_starting_frames()[1:3], nvt_steps=0, nve_steps=100, progress=False,
                 platform="CUDA" if "CUDA" in platforms else "Reference")
    ref = run_md(pretrained_boltzmann_generator(), pretrained_starting_frames()[1:3], nvt_steps=0, nve_steps=100,
                 progress=False)
    assert not res["blew_up"].any()
    np.testing.assert_allclose(res["total"], ref["total"], rtol=0, atol=1e-3)  # CUDA platform: mixed precision
