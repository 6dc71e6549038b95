"""Internal-coordinate layer: round trip, log-det against autograd, confining edges, bad inputs."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.flows import smooth_sigmoid
from statgen.md.internal import InternalCoordinates
from statgen.md.system import ALANINE_ZMATRIX, alanine_dipeptide
from statgen.md.zmatrix import LOG_ROTATION_VOLUME


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


def test_bad_inputs():
    with pytest.raises(ValueError, match="edges"):
        InternalCoordinates(edges="hard")
    with pytest.raises(ValueError, match="bond_range"):
        InternalCoordinates(bond_range=(0.3, 0.1))
    with pytest.raises(ValueError, match="angle_range"):
        InternalCoordinates(angle_range=(0.5, 4.0))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), noise=st.floats(0.0, 0.005), edges=st.sampled_from(["smooth", "linear"]))
def test_round_trips_for_random_geometries(ranges, seed, noise, edges):
    """Property: Cartesian → internal → Cartesian (with the frame) and x → u → x → u are identities
    for thermal-like perturbations of MD frames (≤ 0.005 nm: every bond and angle stays inside the
    fixed ranges); the two log-dets cancel."""
    from statgen.md import pretrained_starting_frames
    from statgen.md.zmatrix import ZMatrix

    g = torch.Generator().manual_seed(seed)
    x0 = torch.tensor(pretrained_starting_frames())
    x = x0 + noise * torch.randn(x0.shape, generator=g, dtype=torch.float64)
    zm = ZMatrix(ALANINE_ZMATRIX)
    b, a, t, ld = zm.forward(x)
    back, ld_inv = zm.inverse(b, a, t, *zm.frame(x))
    assert float((back - x).abs().max()) < 1e-10 and float((ld + ld_inv).abs().max()) < 1e-10
    ic = InternalCoordinates(bond_range=(0.05, 0.3), angle_range=(0.15 * math.pi, math.pi), edges=edges)
    u, ld_u = ic(x)
    xc, ld_x = ic.inverse(u)
    u2, _ = ic(xc)
    du = (u2 - u).abs()
    du[:, :19] = torch.minimum(du[:, :19], 1 - du[:, :19])
    assert float(du.max()) < 1e-9 and float((ld_u + ld_x).abs().max()) < 1e-8
