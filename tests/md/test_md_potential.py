"""The flow as an OpenMM force: energies and forces vs the flow itself, finite differences, bad inputs."""

import numpy as np
import pytest
import torch

openmm = pytest.importorskip("openmm")
from openmm import unit  # noqa: E402

from statgen.md.dynamics import run_md  # noqa: E402
from statgen.md.internal import data_ranges  # noqa: E402
from statgen.md.model import BoltzmannGenerator  # noqa: E402
from statgen.md.potential import FlowPotential, flow_force, flow_system  # noqa: E402
from statgen.md.system import alanine_dipeptide, kbt  # noqa: E402


@pytest.fixture(scope="module")
def bg(md_data):
    br, ar = data_ranges(md_data.positions)
    torch.manual_seed(1)
    model = BoltzmannGenerator(bond_range=br, angle_range=ar, components=4, hidden=(16,), torsion_blocks=1,
                               dtype=torch.float64)
    # random (not identity-like) conditioner outputs so the test sees a non-trivial density
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn(p.shape, dtype=p.dtype))
    return model


def _state(system, x, platform="Reference"):
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName(platform))
    ctx.setPositions(x * unit.nanometer)
    st = ctx.getState(getEnergy=True, getForces=True)
    return (st.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole),
            st.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer))


@pytest.mark.parametrize("platform", ["Reference", "CPU"])
def test_python_force_matches_flow_energy_and_gradient(bg, md_data, platform):
    T = 300.0
    system = flow_system(bg, T)
    x = md_data.positions[::25]
    want_u = kbt(T) * bg.energy(torch.tensor(x)).detach().numpy()  # U = −k_BT log p in kJ/mol
    want_f = kbt(T) * bg.force(torch.tensor(x)).numpy()             # −∇U in kJ/mol/nm
    assert np.all(np.isfinite(want_u)) and np.abs(want_f).max() > 1.0
    for i in range(len(x)):
        u, f = _state(system, x[i], platform)
        assert u == pytest.approx(want_u[i], rel=1e-5)
        assert np.max(np.abs(f - want_f[i])) <= 1e-5 * np.max(np.abs(want_f[i]))


def test_forces_are_minus_energy_gradient_finite_differences(bg, md_data):
    pot = FlowPotential(bg, 300.0)
    x0 = md_data.positions[7]
    _, f = pot.energy_and_forces(x0)

    def central(atom, dim, h):
        xp, xm = x0.copy(), x0.copy()
        xp[atom, dim] += h
        xm[atom, dim] -= h
        return -(pot.energy_and_forces(xp)[0] - pot.energy_and_forces(xm)[0]) / (2 * h)

    h = 2e-5  # nm; Richardson-extrapolated central differences, error O(h^4)
    for atom, dim in [(0, 0), (8, 1), (14, 2), (21, 0), (10, 2)]:
        fd = (4 * central(atom, dim, h / 2) - central(atom, dim, h)) / 3
        assert f[atom, dim] == pytest.approx(fd, rel=1e-6, abs=1e-3)


def test_flow_force_adds_to_amber(bg, md_data):
    """U_total = U_amber + U_flow when the flow force is added to the force-field system."""
    _, system, _ = alanine_dipeptide()
    x = md_data.positions[3]
    u_amber, f_amber = _state(system, x)
    system.addForce(flow_force(bg, 300.0 * unit.kelvin))
    u_both, f_both = _state(system, x)
    u_flow, f_flow = FlowPotential(bg, 300.0).energy_and_forces(x)
    assert u_both == pytest.approx(u_amber + u_flow, rel=1e-9, abs=1e-6)
    np.testing.assert_allclose(f_both, f_amber + f_flow, rtol=1e-9, atol=1e-6)


def test_temperature_scales_potential(bg, md_data):
    x = md_data.positions[0]
    u300, f300 = FlowPotential(bg, 300.0).energy_and_forces(x)
    u600, f600 = FlowPotential(bg, 600.0).energy_and_forces(x)
    assert u600 == pytest.approx(2 * u300, rel=1e-12)
    np.testing.assert_allclose(f600, 2 * f300, rtol=1e-12)
    assert kbt(300.0) == pytest.approx(2.494339, rel=1e-6)  # R T, CODATA R = 8.314462618 J/mol/K


def test_bad_inputs(bg, md_data):
    with pytest.raises(TypeError, match="model"):
        flow_force(object(), 300.0)
    with pytest.raises(TypeError, match="kelvin"):
        flow_force(bg, 300.0 * unit.nanometer)
    with pytest.raises(TypeError, match="temperature"):
        flow_force(bg, "300")
    with pytest.raises(ValueError, match="temperature"):
        flow_force(bg, -1.0)
    with pytest.raises(ValueError, match="n_atoms"):
        FlowPotential(bg, 300.0, n_atoms=10)
    with pytest.raises(ValueError, match="positions"):
        FlowPotential(bg, 300.0).energy_and_forces(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="potential"):
        run_md("charmm", md_data.positions[0])
    with pytest.raises(ValueError, match="positions"):
        run_md("amber", np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="platform"):
        run_md("amber", md_data.positions[0], nvt_steps=1, nve_steps=1, report_every=1, platform="NoSuchPlatform")
    # a configuration outside the flow's support has infinite energy: a clear error, not a NaN force
    x = md_data.positions[0].copy()
    x[7] += 0.5  # stretch an N-H bond by 5 Å
    with pytest.raises(FloatingPointError, match="not finite"):
        FlowPotential(bg, 300.0).energy_and_forces(x)
