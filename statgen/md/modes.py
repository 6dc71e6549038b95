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
from statgen.md.analysis import system_eval
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
    check_memory(6 * len(x) * (3 * n) ** 2 * 8, f"Hessians of {len(x)} configurations of {n} atoms")
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
    with torch.enable_grad():  # also under a caller's torch.no_grad()
        xt = torch.tensor(x, dtype=dtype, device=device, requires_grad=True)
        energy = model.energy(xt)
        if not bool(torch.isfinite(energy).all()):
            bad = torch.nonzero(~torch.isfinite(energy)).flatten().tolist()
            raise ValueError(f"positions: the model's energy is not finite at configurations {bad[:10]} "
                             "(outside its support?)")
        (grad,) = torch.autograd.grad(energy.sum(), xt, create_graph=True)
        grad = grad.reshape(len(x), -1)
        n3 = grad.shape[1]
        rows = [torch.zeros_like(grad)] * n3  # an energy linear in x (grad without a graph): zero Hessian
        if grad.requires_grad:
            for i in range(n3):  # configurations are independent: one backward gives row i of every Hessian
                (row,) = torch.autograd.grad(grad[:, i].sum(), xt, retain_graph=i + 1 < n3, allow_unused=True)
                if row is not None:
                    rows[i] = row.reshape(len(x), -1)
    hessian = kbt_ * torch.stack(rows, 1).detach().cpu().double().numpy()
    _check_finite(hessian, "the model's energy has a non-finite second derivative")
    return hessian


def _system_hessians(system, x: np.ndarray, step: float, platform: str) -> np.ndarray:
    """Hessians (R, 3N, 3N) kJ/mol/nm² by central differences of the System's forces."""
    r, n, _ = x.shape
    n3 = 3 * n
    shifted = np.repeat(x.reshape(r, 1, 1, n3), n3, 1).repeat(2, 2)  # (R, 3N, ±, 3N)
    idx = np.arange(n3)
    shifted[:, idx, 0, idx] += step
    shifted[:, idx, 1, idx] -= step
    f = system_eval(system, shifted.reshape(-1, n, 3), platform, forces=True).reshape(r, n3, 2, n3)
    hessian = -(f[:, :, 0] - f[:, :, 1]) / (2 * step)
    _check_finite(hessian, "the System's forces are not finite (overlapping atoms?)")
    return hessian


def _check_finite(hessian: np.ndarray, why: str) -> None:
    bad = np.flatnonzero(~np.isfinite(hessian).all(axis=(1, 2)))
    if bad.size:
        raise ValueError(f"positions: {why} near configurations {bad[:10].tolist()}")
