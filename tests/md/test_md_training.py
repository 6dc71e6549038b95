"""Boltzmann-generator training: first-step losses by hand, interrupted and resumed training, save/load."""

import numpy as np
import pytest
import torch

from statgen.md.model import BoltzmannGenerator, load_boltzmann_generator, save_boltzmann_generator
from statgen.md.system import kbt
from statgen.md.training import train_boltzmann_generator


def test_training_force_mse_resume_and_save(md_data, ranges, tmp_path):
    pos, frc = md_data.positions[:64], md_data.forces[:64] / kbt(300.0)

    def fresh():
        torch.manual_seed(3)
        return BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=3, hidden=(8,),
                                  torsion_blocks=1, dtype=torch.float64)

    a = fresh()
    # independent value of the first step's losses: batch = first 16 of the epoch-0 permutation, whose
    # generator seed is SeedSequence([seed, stream 0 (batches), epoch 0]) (statgen.flows.training docstring)
    perm_seed = int(np.random.SeedSequence([0, 0, 0]).generate_state(1)[0])
    idx = torch.randperm(64, generator=torch.Generator().manual_seed(perm_seed))[:16]
    xb = torch.tensor(pos)[idx]
    want_fmse = float(((a.force(xb) - torch.tensor(frc)[idx]) ** 2).mean())
    want_nll = float(a.energy(xb).mean().detach())
    hist = train_boltzmann_generator(a, pos, frc, steps=4, batch_size=16, w_fm=1e-3, progress=False)
    assert hist["force_mse"][0] == pytest.approx(want_fmse, rel=1e-10)
    assert hist["nll"][0] == pytest.approx(want_nll, rel=1e-10)
    assert hist["loss"][0] == pytest.approx(want_nll + 1e-3 * want_fmse, rel=1e-10)
    # interrupted after 2 steps, resumed to 4: identical parameters
    b = fresh()
    ck = tmp_path / "bg.pt"
    train_boltzmann_generator(b, pos, frc, steps=2, batch_size=16, w_fm=1e-3, checkpoint=ck, progress=False)
    b = load_boltzmann_generator(ck)
    train_boltzmann_generator(b, pos, frc, steps=4, batch_size=16, w_fm=1e-3, checkpoint=ck, progress=False)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    # save / load round trip keeps the density
    save_boltzmann_generator(a, tmp_path / "m.pt")
    c = load_boltzmann_generator(tmp_path / "m.pt")
    x = torch.tensor(pos[:4])
    assert torch.equal(a.log_prob(x), c.log_prob(x))


def test_bad_inputs(md_data, ranges):
    bg = BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=2, hidden=(4,), torsion_blocks=1)
    with pytest.raises(ValueError, match="forces"):
        train_boltzmann_generator(bg, md_data.positions[:8], steps=1, w_fm=1.0, progress=False)
    with pytest.raises(ValueError, match="w_nll"):
        train_boltzmann_generator(bg, md_data.positions[:8], steps=1, w_nll=0.0, progress=False)


KILL_SCRIPT = """
import sys
import numpy as np
import torch
torch.set_num_threads(1)
from statgen.md import BoltzmannGenerator, train_boltzmann_generator
with np.load(sys.argv[2]) as f:
    br, ar, pos, frc = f["bond_range"], f["angle_range"], f["positions"], f["forces"]
torch.manual_seed(5)
bg = BoltzmannGenerator(bond_range=br, angle_range=ar, components=2, hidden=(8,), torsion_blocks=1, dtype=torch.float64)
train_boltzmann_generator(bg, pos, frc, steps=60, batch_size=8, w_fm=1e-3, checkpoint=sys.argv[1], checkpoint_every=2,
                          seed=2, progress=False)
"""


@pytest.mark.slow
def test_kill9_at_a_random_point_then_resume_reproduces_the_uninterrupted_run(md_data, ranges, tmp_path, monkeypatch):
    """SIGKILL Boltzmann-generator training at a random step, restart: identical model and history, no partial file."""
    from statgen.flows import load_checkpoint
    from tests.kill9 import kill_at_random_point, leftovers, python, run

    data = tmp_path / "data.npz"
    np.savez(data, bond_range=ranges[0], angle_range=ranges[1], positions=md_data.positions[:80],
             forces=md_data.forces[:80] / kbt(300.0))
    ref_path, path = tmp_path / "ref" / "bg.pt", tmp_path / "run" / "bg.pt"
    ref_path.parent.mkdir()
    monkeypatch.setattr("sys.argv", ["-c", str(ref_path), str(data)])
    exec(KILL_SCRIPT, {"__name__": "reference"})
    kill_at_random_point(python(KILL_SCRIPT, path, data), path.exists, np.random.default_rng(), max_delay=1.0)
    killed_at = load_checkpoint(path)["step"]
    run(python(KILL_SCRIPT, path, data))
    ref, got = load_checkpoint(ref_path), load_checkpoint(path)
    assert got["step"] == ref["step"] == 60 and 0 < killed_at < 60
    for k, v in ref["state_dict"].items():
        assert torch.equal(got["state_dict"][k], v), k
    assert got["history"].keys() == ref["history"].keys()
    for k, v in ref["history"].items():  # NaN marks terms that are off: compare as arrays (NaN == NaN)
        np.testing.assert_array_equal(np.asarray(got["history"][k], float), np.asarray(v, float), err_msg=k)
    x = torch.tensor(md_data.positions[:4])
    assert torch.equal(load_boltzmann_generator(path).log_prob(x), load_boltzmann_generator(ref_path).log_prob(x))
    assert leftovers(tmp_path) == []


def test_amber_forces_are_minus_the_gradient_of_amber_energies(md_data):
    from statgen.md.analysis import amber_energies, amber_forces

    x = md_data.positions[5]
    f = amber_forces(x[None])[0]
    h = 1e-5
    for atom, axis in ((0, 0), (7, 1), (13, 2), (21, 0)):
        xp, xm = x.copy(), x.copy()
        xp[atom, axis] += h
        xm[atom, axis] -= h
        e = amber_energies(np.stack([xp, xm]))
        assert f[atom, axis] == pytest.approx(-(e[0] - e[1]) / (2 * h), rel=1e-5, abs=1e-3)
    assert amber_forces(np.zeros((0, 22, 3))).shape == (0, 22, 3)


def test_tail_configurations_displace_every_atom_by_sigma_and_carry_amber_forces(md_data, ranges):
    from statgen.md.analysis import amber_forces
    from statgen.md.training import tail_configurations

    x0 = md_data.positions[:3]
    xt, ft = tail_configurations(x0, sigma=0.003, n=3000, seed=1)
    assert xt.shape == ft.shape == (3000, 22, 3)
    # every configuration is one of the frames plus N(0, σ²) per component: its nearest frame is 3σ·√66 closer
    d = xt[:, None] - x0[None]
    resid = d[np.arange(3000), np.argmin((d ** 2).sum((2, 3)), 1)]
    # std of 3000·66 normal draws: relative standard error 1/sqrt(2·198000) = 0.16 %; 5 standard errors
    assert resid.std() == pytest.approx(0.003, rel=0.008) and abs(resid.mean()) < 5 * 0.003 / np.sqrt(resid.size)
    np.testing.assert_array_equal(ft[:4], amber_forces(xt[:4]))
    # with a model, configurations outside its box (zero density) are dropped: a box that only fits the data
    torch.manual_seed(0)
    bg = BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=2, hidden=(4,),
                            torsion_blocks=1, dtype=torch.float64)
    wide, _ = tail_configurations(x0, sigma=0.008, n=200, seed=2, model=bg)
    assert 0 < len(wide) < 200
    with torch.no_grad():
        assert torch.isfinite(bg.log_prob(torch.as_tensor(wide))).all()
    with pytest.raises(ValueError, match="sigma"):
        tail_configurations(x0, sigma=0.0)
    with pytest.raises(ValueError, match="n"):
        tail_configurations(x0, n=0)
    with pytest.raises(ValueError, match="positions is empty"):
        tail_configurations(np.zeros((0, 22, 3)))
    with pytest.raises(ValueError, match="positions"):
        tail_configurations(np.zeros((3, 21, 3)))


def test_training_with_a_tail_adds_its_force_error(md_data, ranges):
    pos, frc = md_data.positions[:32], md_data.forces[:32] / kbt(300.0)
    torch.manual_seed(3)
    bg = BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=2, hidden=(4,),
                            torsion_blocks=1, dtype=torch.float64)
    xt, ft = pos[:8] + 1e-4, frc[:8]
    g = torch.Generator().manual_seed(int(np.random.SeedSequence([0, 2, 0]).generate_state(1)[0]))
    it = torch.randint(8, (16,), generator=g).numpy()
    want = float(((bg.force(torch.tensor(xt[it])) - torch.tensor(ft[it])) ** 2).mean())
    hist = train_boltzmann_generator(bg, pos, steps=1, batch_size=16, w_tail=1e-3, tail=(xt, ft), progress=False)
    assert hist["tail_force_mse"][0] == pytest.approx(want, rel=1e-10)
    with pytest.raises(TypeError, match="tail must be a pair"):
        train_boltzmann_generator(bg, pos, steps=1, w_tail=1e-3, tail=xt, progress=False)
    with pytest.raises(ValueError, match="tail positions"):
        train_boltzmann_generator(bg, pos, steps=1, w_tail=1e-3, tail=(xt[:, :21], ft), progress=False)
