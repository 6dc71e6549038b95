"""Ramachandran angles against a numpy reference, basin and histogram free energies by hand."""

import math

import numpy as np
import pytest

from statgen.md.analysis import basin_free_energies, ramachandran, ramachandran_free_energy
from statgen.md.system import alanine_dipeptide


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
