"""Harmonic vibrational frequencies of a potential at given configurations: how stiff is it for MD?

The mass-weighted Hessian M^{-1/2} H M^{-1/2} of U (kJ/mol, nm, amu) has eigenvalues λ = ω² in
1/ps²; ω is the angular frequency (rad/ps) of each normal mode. Velocity Verlet (and OpenMM's
Langevin "middle" integrator, whose deterministic part it is) integrates a harmonic mode stably only
for ω·dt < 2, so a learned potential whose largest ω is far above the force field's needs a shorter
time step or blows up: ``2000 / ω_max`` is the largest stable time step in fs. Negative curvature
(a saddle or a concave stretch) is reported as ω = −sqrt(|λ|); rigid translation and rotation give
~0 modes.

Hessians: for a model with ``energy(x)`` (k_BT, a :class:`statgen.md.BoltzmannGenerator`) by
autograd (the flows support double backward, as force matching needs); for an OpenMM System (or
``"amber"``, alanine dipeptide in Amber99SB-ILDN + OBC) by central differences of OpenMM's forces.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_memory, check_positive
from statgen.md.evaluator import _check_energy_model, model_dtype_device
from statgen.md.potential import check_masses
from statgen.md.system import alanine_dipeptide, import_openmm, kbt

__all__ = ["vibrational_frequencies"]


def vibrational_frequencies(potential, positions, *, temperature=300.0, masses=None, platform: str = "Reference",
                            step: float = 1e-4) -> np.ndarray:
    """Angular frequencies ω (rad/ps, ascending; negative for negative curvature) of the normal modes of
    ``potential`` at each configuration.

    Parameters
    ----------
    potential : ``"amber"`` (alanine dipeptide, Amber99SB-ILDN + OBC), an ``openmm.System`` (no
        constraints: they would remove modes), or a model with ``energy(x)`` in k_BT (U = k_BT·energy).
    positions : (N, 3) or (R, N, 3) nm, finite.
    temperature : K (> 0), the k_BT of a model's energy (ignored for OpenMM Systems).
    masses : (N,) amu, > 0; default the System's masses (for a model: alanine dipeptide's).
    platform : OpenMM platform for the force differences.
    step : central-difference step in nm (> 0) for OpenMM forces (error O(step²); 1e-4 nm gives ~1e-6
        relative on Amber's bond modes).

    Returns
    -------
    (3N,) or (R, 3N) float64, one row per configuration. The largest stable Verlet time step is
    ``2000 / ω.max()`` fs.
    """
    system = None
    if isinstance(potential, str):
        if potential.lower() != "amber":
            raise ValueError(f"potential must be 'amber', an openmm.System or a model with energy(), got {potential!r}")
        _, system, _ = alanine_dipeptide()
    elif hasattr(potential, "getNumParticles") and hasattr(potential, "getNumConstraints"):
        system = potential
        if system.getNumConstraints():
            raise ValueError(f"potential: the System has {system.getNumConstraints()} constraints; normal modes "
                             "need an unconstrained System")
    else:
        _check_energy_model(potential, "potential")
    pos = as_array(positions, "positions", ndim=(2, 3))
    single = pos.ndim == 2
    x = pos[None] if single else pos
    n_atoms = system.getNumParticles() if system is not None else getattr(potential, "n_atoms", None)
    if x.shape[-1] != 3 or n_atoms is not None and x.shape[1] != n_atoms or not len(x):
        raise ValueError(f"positions must have shape (N, 3) or (R, N, 3) nm with N = {n_atoms or 'the atoms'} "
                         f"and R >= 1, got {pos.shape}")
    n = x.shape[1]
    if masses is None and system is not None:
        unit = import_openmm().unit
        masses = [system.getParticleMass(i).value_in_unit(unit.dalton) for i in range(n)]
    m = check_masses(masses, n)
    check_memory(3 * len(x) * (3 * n) ** 2 * 8, f"Hessians of {len(x)} configurations of {n} atoms")
    if system is not None:
        hessian = _system_hessians(system, x, check_positive(step, "step"), platform)
    else:
        hessian = _model_hessians(potential, x, kbt(temperature))
    w = np.repeat(m, 3) ** -0.5
    hm = hessian * w[:, None] * w[None, :]
    lam = np.linalg.eigvalsh(0.5 * (hm + np.swapaxes(hm, 1, 2)))
    omega = np.sign(lam) * np.sqrt(np.abs(lam))
    return omega[0] if single else omega


def _model_hessians(model, x: np.ndarray, kbt_: float) -> np.ndarray:
    """Hessians (R, 3N, 3N) kJ/mol/nm² of k_BT·model.energy by autograd: one backward per coordinate for all R."""
    import torch

    dtype, device = model_dtype_device(model)
    xt = torch.tensor(x, dtype=dtype, device=device, requires_grad=True)
    energy = model.energy(xt)
    if not bool(torch.isfinite(energy).all()):
        bad = torch.nonzero(~torch.isfinite(energy)).flatten().tolist()
        raise ValueError(f"positions: the model's energy is not finite at configurations {bad[:10]} "
                         "(outside its support?)")
    (grad,) = torch.autograd.grad(energy.sum(), xt, create_graph=True)
    grad = grad.reshape(len(x), -1)
    rows = []
    for i in range(grad.shape[1]):  # configurations are independent: one backward gives row i of every Hessian
        (row,) = torch.autograd.grad(grad[:, i].sum(), xt, retain_graph=i + 1 < grad.shape[1])
        rows.append(row.reshape(len(x), -1))
    return kbt_ * torch.stack(rows, 1).detach().cpu().double().numpy()


def _system_hessians(system, x: np.ndarray, step: float, platform: str) -> np.ndarray:
    """Hessians (R, 3N, 3N) kJ/mol/nm² by central differences of the System's forces."""
    from statgen.md.data import get_platform

    openmm = import_openmm()
    unit = openmm.unit
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), get_platform(platform))

    def forces(xi):
        ctx.setPositions(xi)
        return ctx.getState(getForces=True).getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)

    n3 = x.shape[1] * 3
    out = np.empty((len(x), n3, n3))
    for r, xr in enumerate(x):
        flat = xr.reshape(-1)
        for i in range(n3):
            plus, minus = flat.copy(), flat.copy()
            plus[i] += step
            minus[i] -= step
            out[r, i] = -(forces(plus.reshape(-1, 3)) - forces(minus.reshape(-1, 3))).reshape(-1) / (2 * step)
        if not np.isfinite(out[r]).all():
            raise ValueError(f"positions: the System's forces are not finite near configuration {r} (overlapping atoms?)")
    return out
