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
    "smooth_fm": ([-209.99737416416357, -210.8913723177418, -200.95337661344342, -211.38591354165357, -198.77414654130027, -187.68911824645855, -181.78132053713406, -190.98103432365838],
        [[-569.0802631688122, -109.1857094795665, -151.1536362759424], [679.6537289822538, -288.77399006449843, 145.5891331311792], [-142.41059647912272, 293.9988464071482, 45.601351451229846]]),
    "smooth": ([-209.9157167118738, -212.36483796282, -203.68953716972635, -212.42909797823842, -197.73381607398244, -188.75693771383766, -184.5255234650008, -190.7142179906261],
        [[-623.9134156035776, -103.51977475167209, -162.74095363676966], [784.4993067782204, -340.60088249716495, 106.9012392529985], [-161.6638747734059, 312.7194569591279, 15.948314500865678]]),
    "spline": ([-209.90598491366427, -212.81389834658805, -202.42376205977726, -212.0177002597733, -199.34100137735112, -188.22509671115972, -184.62480917813497, -189.46290867426393],
        [[-807.4428812930989, -143.47555910789708, -174.37153442328258], [931.9218071044635, -300.5033155443612, 88.41132009756933], [-118.05507982262515, 298.5440490858696, 48.78057471302722]]),
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
