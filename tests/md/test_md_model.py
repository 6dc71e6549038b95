"""Boltzmann generator: density consistency between the two directions, coupling layout, files."""

import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.md.model import (
    BoltzmannGenerator,
    alanine_couplings,
    load_boltzmann_generator,
    pretrained_boltzmann_generator,
    pretrained_starting_frames,
    save_boltzmann_generator,
)
from tests import hostile

# Energies U/k_BT of the packaged model at its 4 starting frames and at the same frames displaced by
# 0.002 nm · N(0, 1) (numpy default_rng(0)), and its forces on atoms 0-2 of frame 0 (k_BT/nm): computed
# with the file as shipped before it was re-saved in the plain-data format (statgen at commit 1fbc2f5,
# torch.load(weights_only=False)), float64.
# Regression pins of the shipped models (energies k_BT at pretrained_starting_frames()[:4] and the same frames
# + 0.002 nm N(0, 1) noise, default_rng(0); forces k_BT/nm of atoms 0-2 of frame 0), recorded when they shipped.
SHIPPED = {
    "smooth_fm": ([-210.29797626985118, -211.54827740955056, -203.31818297075932, -212.27310362427332, -198.93895778633973, -188.47519093887445, -184.8667281546346, -190.91236010422742],
        [[-633.5855875095128, -132.0746824463343, -179.1328486717246], [756.2063413392176, -263.3160083741278, 106.08793501166258], [-146.9942516740684, 289.8602065894124, 67.1785763723238]]),
    "smooth": ([-209.91571811118058, -212.3648447451309, -203.68955522332305, -212.42910249543664, -197.7338177124625, -188.75693389827904, -184.52553359625762, -190.71421619203227],
        [[-623.91333705719, -103.5201156074042, -162.7405982171872], [784.498907712044, -340.6001033087249, 106.90132846963235], [-161.66395683478848, 312.71956663852825, 15.94805018689513]]),
    "spline": ([-209.82700521150804, -212.84830892312158, -202.3575698018821, -212.2102352948052, -199.31422557567782, -188.3101202912087, -184.54423388338753, -189.63926713782726],
        [[-811.8177769162971, -144.63615829720396, -174.03624881161033], [949.3322205579761, -292.8918833424817, 107.46735894484323], [-119.35440035134698, 294.17390737714845, 49.940090212456326]]),
}


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


def test_bad_inputs(ranges, tmp_path):
    with pytest.raises(ValueError, match="transformer"):
        BoltzmannGenerator(transformer="affine")
    bg = BoltzmannGenerator(bond_range=ranges[0], angle_range=ranges[1], components=2, hidden=(4,), torsion_blocks=1)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 22, 3\)"):
        bg.log_prob(np.zeros((3, 21, 3)))
    with pytest.raises(FileNotFoundError, match=r"missing\.pt"):
        load_boltzmann_generator(tmp_path / "missing.pt")
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="checkpoint"):
        load_boltzmann_generator(tmp_path / "other.pt")


@pytest.mark.parametrize("kind", ["smooth_fm", "smooth", "spline"])
def test_shipped_model_loads_without_pickles_and_keeps_its_energies(kind):
    from importlib import resources

    with resources.as_file(resources.files("statgen.md") / "data" / f"ala2_{kind}.pt") as path:
        raw = torch.load(path, weights_only=True)  # plain data only: tensors, dicts, lists, numbers, strings
    assert raw["format"] == "statgen.md.BoltzmannGenerator" and raw["info"]["training"]["epochs"] == 10
    assert raw["config"]["transformer"] == ("spline" if kind == "spline" else "smooth")
    model = pretrained_boltzmann_generator(kind)
    assert model.dtype == torch.float64 and model.n_atoms == 22
    x = pretrained_starting_frames(kind)[:4]
    xs = np.concatenate([x, x + 0.002 * np.random.default_rng(0).standard_normal(x.shape)])
    e = model.energy(torch.tensor(xs)).detach().numpy()
    np.testing.assert_allclose(e, SHIPPED[kind][0], rtol=1e-10, atol=0)
    np.testing.assert_allclose(model.force(torch.tensor(xs[:1]))[0, :3].numpy(), SHIPPED[kind][1], rtol=1e-10)
    with pytest.raises(ValueError, match="kind"):
        pretrained_boltzmann_generator(kind="smooth-fm")


@pytest.mark.parametrize("kind", ["zip pickle", "legacy pickle", "plain pickle", "random bytes", "truncated"])
def test_hostile_files_are_refused_without_running_code(tmp_path, kind):
    path, marker = tmp_path / "model.pt", tmp_path / "ran"
    if kind.endswith("pickle"):
        hostile.pickle_that_runs_code(path, marker, fmt=kind.split()[0])
    elif kind == "random bytes":
        hostile.random_bytes(path)
    else:
        source = save_boltzmann_generator(BoltzmannGenerator(components=2, hidden=(4,), torsion_blocks=1),
                                          tmp_path / "good.pt")
        assert zipfile.is_zipfile(source)
        hostile.truncated_copy(source, path)
    with pytest.raises(ValueError, match="model.pt is not a statgen Boltzmann-generator checkpoint"):
        load_boltzmann_generator(path)
    assert not marker.exists()


@settings(max_examples=8, deadline=None)
@given(transformer=st.sampled_from(["smooth", "spline"]), edges=st.sampled_from(["smooth", "linear"]),
       components=st.integers(1, 3), hidden=st.lists(st.integers(1, 6), min_size=0, max_size=2),
       beta=st.sampled_from([1.0, 2.0, "trainable"]), seed=st.integers(0, 2**16))
def test_save_load_round_trip_keeps_the_density(tmp_path_factory, transformer, edges, components, hidden, beta, seed):
    torch.manual_seed(seed)
    bg = BoltzmannGenerator(transformer=transformer, edges=edges, components=components, hidden=hidden,
                            torsion_blocks=1, beta=beta if transformer == "smooth" else 1.0, dtype=torch.float64)
    with torch.no_grad():  # a non-trivial density: perturb the zero-initialised output layers
        for p in bg.parameters():
            p.add_(0.1 * torch.randn_like(p))
    path = tmp_path_factory.mktemp("bg") / "bg.pt"
    save_boltzmann_generator(bg, path, note="round trip", step=3)
    raw = torch.load(path, weights_only=True)
    assert raw["note"] == "round trip" and raw["step"] == 3
    loaded = load_boltzmann_generator(path)
    assert loaded.config == bg.config
    x = torch.tensor(pretrained_starting_frames())
    assert torch.equal(loaded.log_prob(x), bg.log_prob(x))
