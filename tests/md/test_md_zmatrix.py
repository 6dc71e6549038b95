"""z-matrix round trips and log-det of the Jacobian against autograd."""

import math

import numpy as np
import pytest
import torch

from statgen.md.system import ALANINE_ZMATRIX, alanine_dipeptide, alanine_zmatrix
from statgen.md.zmatrix import LOG_ROTATION_VOLUME, ZMatrix, bond_angle, dihedral


@pytest.fixture(scope="module")
def frames():
    """Packaged structure perturbed by 0.01 nm Gaussian noise (float64), 16 frames."""
    _, _, pos = alanine_dipeptide()
    g = torch.Generator().manual_seed(0)
    x = torch.tensor(pos) + 0.01 * torch.randn(16, 22, 3, generator=g, dtype=torch.float64)
    return x


def test_counts_and_dihedral_convention():
    zm = alanine_zmatrix()
    assert (zm.n_bonds, zm.n_angles, zm.n_torsions) == (21, 20, 19)
    # IUPAC sign: a right-handed twist of +90 degrees
    p = torch.tensor([[1.0, 0, 0], [0, 0, 0], [0, 0, 1], [0, 1, 1]], dtype=torch.float64)
    assert dihedral(*p).item() == pytest.approx(math.pi / 2, abs=1e-14)
    assert bond_angle(p[0], p[1], p[2]).item() == pytest.approx(math.pi / 2, abs=1e-14)


def test_round_trip_cartesian(frames):
    zm = alanine_zmatrix()
    b, a, t, _ = zm.forward(frames)
    origin, rot = zm.frame(frames)
    x, _ = zm.inverse(b, a, t, origin, rot)
    assert torch.max(torch.abs(x - frames)).item() < 1e-10


def test_round_trip_internal(frames):
    zm = alanine_zmatrix()
    b, a, t, _ = zm.forward(frames)
    x, _ = zm.inverse(b, a, t)  # canonical frame
    b2, a2, t2, _ = zm.forward(x)
    assert torch.max(torch.abs(b2 - b)).item() < 1e-10
    assert torch.max(torch.abs(a2 - a)).item() < 1e-10
    # torsions are circular: compare on the circle
    assert torch.max(torch.abs(torch.remainder(t2 - t + math.pi, 2 * math.pi) - math.pi)).item() < 1e-10
    # canonical frame: root atom at the origin, second root on +x, third in the xy-plane (y > 0)
    r0, r1, r2 = zm.roots
    assert torch.max(torch.abs(x[:, r0])).item() < 1e-14
    assert torch.max(torch.abs(x[:, r1, 1:])).item() < 1e-14
    assert torch.max(torch.abs(x[:, r2, 2])).item() < 1e-14 and bool(torch.all(x[:, r2, 1] > 0))


def _euler(angles):
    """ZYZ Euler rotation; its Haar density is sin(beta)."""
    al, be, ga = angles

    def rz(c):
        z, o = torch.zeros_like(c), torch.ones_like(c)
        return torch.stack([torch.stack([c.cos(), -c.sin(), z]), torch.stack([c.sin(), c.cos(), z]),
                            torch.stack([z, z, o])])

    def ry(c):
        z, o = torch.zeros_like(c), torch.ones_like(c)
        return torch.stack([torch.stack([c.cos(), z, c.sin()]), torch.stack([z, o, z]),
                            torch.stack([-c.sin(), z, c.cos()])])

    return rz(al) @ ry(be) @ rz(ga)


def test_logdet_matches_autograd(frames):
    """Full 63x63 Jacobian of (ic, Euler angles) -> x (atom r0 fixed at 0):
    log|det J| = sum 2 log b + sum log sin(theta) + log sin(beta)."""
    zm = alanine_zmatrix()
    b, a, t, logdet_fwd = zm.forward(frames[:3])
    r0 = zm.roots[0]
    keep = [i for i in range(22) if i != r0]
    for n in range(3):
        eul = torch.tensor([0.3, 1.1, -0.7], dtype=torch.float64)
        params = torch.cat([b[n], a[n], t[n], eul])

        def fn(p):
            x, _ = zm.inverse(p[:21], p[21:41], p[41:60], rotation=_euler(p[60:]))
            return x[keep].reshape(-1)

        jac = torch.autograd.functional.jacobian(fn, params)
        sign, logabs = torch.linalg.slogdet(jac)
        _, logdet_inv = zm.inverse(b[n], a[n], t[n])
        expected = logdet_inv - LOG_ROTATION_VOLUME + math.log(math.sin(1.1))
        assert logabs.item() == pytest.approx(expected.item(), abs=1e-8)
        assert logdet_fwd[n].item() == pytest.approx(-logdet_inv.item(), abs=1e-12)


def test_bad_rows_and_shapes():
    with pytest.raises(ValueError, match="rows"):
        ZMatrix(np.zeros((5, 3), dtype=int))
    bad = ALANINE_ZMATRIX.copy()
    bad[5, 1] = 21  # references an atom placed later
    with pytest.raises(ValueError, match="placed earlier"):
        ZMatrix(bad)
    with pytest.raises(ValueError, match="x must have shape"):
        alanine_zmatrix().forward(torch.zeros(2, 21, 3))
