"""Boltzmann generator: internal-coordinate layer, density consistency, training/resume, metrics."""

import math

import numpy as np
import pytest
import torch

from statgen.md.boltzmann import (
    BoltzmannGenerator,
    InternalCoordinates,
    alanine_couplings,
    basin_free_energies,
    data_ranges,
    load_boltzmann_generator,
    ramachandran,
    ramachandran_free_energy,
    save_boltzmann_generator,
    train_boltzmann_generator,
)
from statgen.flows import smooth_sigmoid
from statgen.md.system import alanine_dipeptide, kbt


@pytest.fixture(scope="module")
def ranges(md_data):
    return data_ranges(md_data.positions)


@pytest.mark.parametrize("edges", ["smooth", "linear"])
def test_internal_coordinates_round_trip_and_logdet(md_data, ranges, edges):
    ic = InternalCoordinates(bond_range=ranges[0], angle_range=ranges[1], edges=edges)
    x = torch.tensor(md_data.positions[::10])
    u, ld = ic(x)
    assert u.shape == (len(x), 60) and bool(((u > 0) & (u < 1)).all())
    x2, ld2 = ic.inverse(u)
    u2, _ = ic(x2)
    d = (u2 - u).abs()
    d[:, :19] = torch.minimum(d[:, :19], 1 - d[:, :19])  # torsions are circular
    assert d.max().item() < 1e-10
    assert (ld + ld2).abs().max().item() < 1e-10  # forward and inverse log-dets are opposite
    # independent: log|du/dq| per interval coordinate by autograd of the elementwise map
    b, a, _ = ic.internal(x)
    q = torch.cat([a, b], -1).detach().requires_grad_(True)
    lo = torch.cat([ic.angle_range[:, 0], ic.bond_range[:, 0]])
    w = torch.cat([ic.angle_range[:, 1] - ic.angle_range[:, 0], ic.bond_range[:, 1] - ic.bond_range[:, 0]])
    y = (q - lo) / w
    uq = smooth_sigmoid(y) if edges == "smooth" else y
    (g,) = torch.autograd.grad(uq.sum(), q)
    from statgen.md.zmatrix import LOG_ROTATION_VOLUME
    want = torch.log(g).sum(-1) - 19 * math.log(2 * math.pi) - (2 * torch.log(b).sum(-1)
                                                                + torch.log(torch.sin(a)).sum(-1) + LOG_ROTATION_VOLUME)
    assert (ld - want).abs().max().item() < 1e-8


def test_smooth_edges_confine(ranges):
    """−log du/dq grows like 1/y at the interval ends and is +inf outside the range."""
    ic = InternalCoordinates(bond_range=ranges[0], angle_range=ranges[1])
    _, _, pos = alanine_dipeptide()
    x = torch.tensor(pos)[None]
    b0 = ic.internal(x)[0][0, 0]
    lo, hi = ic.bond_range[0]
    direction = (x[0, 6] - x[0, 8]) / b0  # bond 0 is N-CA (atom 6 placed from 8)

    def energy_at(bond):
        xx = x.clone()
        xx[0, 6] = x[0, 8] + bond * direction
        return -ic(xx)[1].item()

    mid = energy_at(lo + 0.5 * (hi - lo))
    assert energy_at(lo + 0.05 * (hi - lo)) - mid > 10.0  # 1/y − 2 log... : ≈ 12.9 k_BT at y = 0.05
    assert energy_at(hi - 0.05 * (hi - lo)) - mid > 10.0
    assert energy_at(lo - 0.01 * (hi - lo)) == math.inf


def test_log_prob_matches_sampling_density(ranges):
    """log p of flow samples (inverse direction, root finding) equals log_prob (analytic direction)."""
    torch.manual_seed(0)
    for transformer in ("smooth", "spline"):
        bg = BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=4, hidden=(16,),
                                torsion_blocks=1, transformer=transformer, dtype=torch.float64)
        x, lp = bg.sample_and_log_prob(32, generator=torch.Generator().manual_seed(1))
        assert x.shape == (32, 22, 3)
        np.testing.assert_allclose(bg.log_prob(x).detach().numpy(), lp.detach().numpy(), rtol=0, atol=1e-6)


def test_couplings_layout():
    layout = alanine_couplings(19, 20, 21, torsion_blocks=2)
    t1, t2 = list(range(0, 19, 2)), list(range(1, 19, 2))
    assert layout[:4] == [(t1, t2), (t2, t1), (t1, t2), (t2, t1)]
    assert layout[4] == (list(range(19, 39)), list(range(19)))
    assert layout[5] == (list(range(39, 60)), list(range(19, 39)) + list(range(19)))


def test_training_force_mse_resume_and_save(md_data, ranges, tmp_path):
    pos, frc = md_data.positions[:64], md_data.forces[:64] / kbt(300.0)

    def fresh():
        torch.manual_seed(3)
        return BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=3, hidden=(8,),
                                  torsion_blocks=1, dtype=torch.float64)

    a = fresh()
    # independent value of the first step's losses: batch = first 16 of the epoch-0 permutation
    idx = torch.randperm(64, generator=torch.Generator().manual_seed(0))[:16]
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
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    # save / load round trip keeps the density
    save_boltzmann_generator(a, tmp_path / "m.pt")
    c = load_boltzmann_generator(tmp_path / "m.pt")
    x = torch.tensor(pos[:4])
    assert torch.equal(a.log_prob(x), c.log_prob(x))


def test_ramachandran_and_free_energies():
    _, _, pos = alanine_dipeptide()
    phi, psi = ramachandran(pos[None])

    def dih(p0, p1, p2, p3):  # numpy reference (Blondel & Karplus)
        b0, b1, b2 = p0 - p1, p2 - p1, p3 - p2
        b1 = b1 / np.linalg.norm(b1)
        v, w = b0 - b0 @ b1 * b1, b2 - b2 @ b1 * b1
        return np.arctan2(np.cross(b1, v) @ w, v @ w)

    assert phi[0] == pytest.approx(dih(*pos[[4, 6, 8, 14]]), abs=1e-12)
    assert psi[0] == pytest.approx(dih(*pos[[6, 8, 14, 16]]), abs=1e-12)
    assert -100 < np.degrees(phi[0]) < -50  # packaged structure: αR basin
    # histogram free energies: 3:1 populations (β : αL) give F = −log(3/4), −log(1/4)
    phi = np.array([-1.5] * 3 + [1.0])
    psi = np.array([2.5] * 3 + [0.5])
    df = basin_free_energies(phi, psi)
    assert df[0] == pytest.approx(-math.log(0.75)) and df[2] == pytest.approx(math.log(4)) and df[1] == math.inf
    f = ramachandran_free_energy(phi, psi, bins=4)
    assert np.nanmin(f) == 0 and np.isfinite(f).sum() == 2 and f[np.isfinite(f)].max() == pytest.approx(math.log(3))


def test_bad_inputs(md_data, ranges, tmp_path):
    with pytest.raises(ValueError, match="edges"):
        InternalCoordinates(edges="hard")
    with pytest.raises(ValueError, match="bond_range"):
        InternalCoordinates(bond_range=(0.3, 0.1))
    with pytest.raises(ValueError, match="angle_range"):
        InternalCoordinates(angle_range=(0.5, 4.0))
    with pytest.raises(ValueError, match="transformer"):
        BoltzmannGenerator(transformer="affine")
    bg = BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=2, hidden=(4,), torsion_blocks=1)
    with pytest.raises(ValueError, match="shape"):
        bg.log_prob(np.zeros((3, 21, 3)))
    with pytest.raises(ValueError, match="forces"):
        train_boltzmann_generator(bg, md_data.positions[:8], steps=1, w_fm=1.0, progress=False)
    with pytest.raises(ValueError, match="w_nll"):
        train_boltzmann_generator(bg, md_data.positions[:8], steps=1, w_nll=0.0, progress=False)
    with pytest.raises(FileNotFoundError):
        load_boltzmann_generator(tmp_path / "missing.pt")
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="checkpoint"):
        load_boltzmann_generator(tmp_path / "other.pt")
