"""Normal-mode frequencies: closed forms (harmonic model, harmonic bond), finite differences of a flow's forces."""

import numpy as np
import pytest

openmm = pytest.importorskip("openmm")
torch = pytest.importorskip("torch")

from statgen.md import (  # noqa: E402
    alanine_masses,
    kbt,
    pretrained_boltzmann_generator,
    pretrained_starting_frames,
)
from statgen.md.modes import vibrational_frequencies  # noqa: E402


class _Quadratic:
    """U/k_BT = ½ (x − x0)ᵀ K (x − x0) / k_BT with K in kJ/mol/nm² (SPD): its Hessian is K."""

    def __init__(self, k, x0, temperature):
        self.n_atoms = len(x0)
        self.k, self.x0, self.kbt = torch.as_tensor(k), torch.as_tensor(x0).reshape(-1), kbt(temperature)

    def energy(self, x):
        d = x.reshape(len(x), -1) - self.x0
        return 0.5 * torch.einsum("ri,ij,rj->r", d, self.k, d) / self.kbt


def _expected(k, masses):
    w = np.repeat(masses, 3) ** -0.5
    lam = np.linalg.eigvalsh(k * w[:, None] * w[None, :])
    return np.sign(lam) * np.sqrt(np.abs(lam))


def test_model_frequencies_equal_the_closed_form_of_a_quadratic_energy():
    rng = np.random.default_rng(0)
    n = 4
    a = rng.normal(size=(3 * n, 3 * n))
    k = a @ a.T * 1e4 - 2e3 * np.eye(3 * n)  # some negative curvature too: reported as negative ω
    masses = rng.uniform(1.0, 16.0, n)
    x0 = rng.normal(size=(n, 3))
    model = _Quadratic(k, x0, 350.0)
    x = x0[None] + 0.01 * rng.normal(size=(3, n, 3))
    omega = vibrational_frequencies(model, x, temperature=350.0, masses=masses)
    assert omega.shape == (3, 3 * n)
    expected = _expected(k, masses)
    assert (expected < 0).any()
    for row in omega:
        np.testing.assert_allclose(row, expected, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(vibrational_frequencies(model, x[0], temperature=350.0, masses=masses), expected,
                               rtol=1e-10, atol=1e-8)


def test_an_energy_linear_in_x_has_zero_frequencies_also_under_no_grad():
    class _Linear:
        n_atoms = 2

        def energy(self, x):
            return 3.0 * x.reshape(len(x), -1).sum(-1)

    with torch.no_grad():
        omega = vibrational_frequencies(_Linear(), np.array([[0.0, 0.0, 0.0], [0.1, 0.0, 0.0]]), masses=[1.0, 2.0])
    np.testing.assert_array_equal(omega, np.zeros(6))


def test_system_frequencies_of_a_harmonic_bond_equal_sqrt_k_over_mu():
    m1, m2, k, r0 = 1.008, 12.011, 2.845e5, 0.109  # a C–H bond (Amber's force constant, kJ/mol/nm²)
    system = openmm.System()
    system.addParticle(m1)
    system.addParticle(m2)
    bond = openmm.HarmonicBondForce()
    bond.addBond(0, 1, r0, k)
    system.addForce(bond)
    x = np.array([[0.0, 0.0, 0.0], [r0, 0.0, 0.0]])
    omega = vibrational_frequencies(system, x)
    mu = m1 * m2 / (m1 + m2)
    np.testing.assert_allclose(omega[-1], np.sqrt(k / mu), rtol=1e-6)
    np.testing.assert_allclose(omega[:-1], 0.0, atol=1e-2 * np.sqrt(k / mu))


def test_amber_stiffest_mode_is_the_c_h_stretch():
    """Amber99SB-ILDN's C–H stretch (~3 000 cm⁻¹, i.e. ω ≈ 0.57–0.63 rad/fs) bounds alanine dipeptide's
    spectrum, and the default step reproduces a finer one (central differences converge as step²)."""
    x = pretrained_starting_frames("smooth")[:2]
    omega = vibrational_frequencies("amber", x)
    assert np.all((omega[:, -1] > 560.0) & (omega[:, -1] < 640.0))
    np.testing.assert_allclose(vibrational_frequencies("amber", x, step=3e-5)[:, -5:], omega[:, -5:], rtol=1e-5)


def test_flow_frequencies_equal_finite_differences_of_its_forces():
    model = pretrained_boltzmann_generator("smooth")
    x = pretrained_starting_frames("smooth")[3]
    omega = vibrational_frequencies(model, x)
    xt = torch.tensor(x, dtype=torch.float64)
    h, n3 = 1e-5, x.size
    hess = np.empty((n3, n3))
    for i in range(n3):
        cols = []
        for sign in (1, -1):
            xp = xt.reshape(-1).clone()
            xp[i] += sign * h
            cols.append(model.force(xp.reshape(1, -1, 3)).reshape(-1).numpy())
        hess[i] = -(cols[0] - cols[1]) / (2 * h) * kbt(300.0)
    expected = _expected(0.5 * (hess + hess.T), alanine_masses())
    np.testing.assert_allclose(omega[-10:], expected[-10:], rtol=1e-5)


def test_bad_inputs_name_the_argument():
    model = pretrained_boltzmann_generator("smooth")
    x = pretrained_starting_frames("smooth")[:1]
    with pytest.raises(ValueError, match="positions must have shape"):
        vibrational_frequencies(model, x[:, :21])
    with pytest.raises(ValueError, match="positions must have shape"):
        vibrational_frequencies("amber", np.zeros((0, 22, 3)))
    with pytest.raises(ValueError, match="masses"):
        vibrational_frequencies(model, x, masses=np.ones(21))
    with pytest.raises(ValueError, match="masses"):
        vibrational_frequencies(model, x, masses=-np.ones(22))
    with pytest.raises(TypeError, match="potential must have an energy"):
        vibrational_frequencies(object(), x)
    with pytest.raises(ValueError, match="potential must be 'amber'"):
        vibrational_frequencies("charmm", x)
    with pytest.raises(ValueError, match="step"):
        vibrational_frequencies("amber", x, step=0.0)
    with pytest.raises(ValueError, match="positions"):
        vibrational_frequencies("amber", np.full((1, 22, 3), np.nan))
    with pytest.raises(TypeError, match="temperature"):
        vibrational_frequencies(model, x, temperature="300")
    system = openmm.System()
    for _ in range(2):
        system.addParticle(1.0)
    system.addConstraint(0, 1, 0.1)
    with pytest.raises(ValueError, match="constraints"):
        vibrational_frequencies(system, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="not finite"):
        vibrational_frequencies(model, np.zeros((1, 22, 3)))
