"""A learned density used as an OpenMM potential (``PythonForce``, or openmm-torch's ``TorchForce``).

The potential of a model with density p(x) over Cartesian positions x (nm) is

    U(x) = −k_B T log p(x)   [kJ/mol],   F(x) = −∇U = k_B T ∇ log p(x)   [kJ/mol/nm],

with k_B T = R T (2.494 kJ/mol at 300 K). A *model* here is any object with
``energy(x) -> (batch,)`` giving −log p(x) in units of k_B T for positions ``x`` of shape
(batch, n_atoms, 3) in nm (e.g. :class:`statgen.md.BoltzmannGenerator`); forces come from
autograd through ``energy``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from statgen._checks import as_array, check_int
from statgen.md.system import alanine_dipeptide, import_openmm, kbt, temperature_kelvin

__all__ = [
    "FlowPotential",
    "flow_force",
    "flow_torch_force",
    "flow_system",
    "temperature_kelvin",
]


def _check_model(model, name: str = "model") -> None:
    if not callable(getattr(model, "energy", None)):
        raise TypeError(f"{name} must have an energy(x) method returning -log p(x) in k_BT "
                        f"(e.g. statgen.md.BoltzmannGenerator), got {type(model).__name__}")


def _model_dtype_device(model) -> tuple[torch.dtype, torch.device]:
    params = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
    if params:
        return params[0].dtype, params[0].device
    return torch.float64, torch.device("cpu")


class FlowPotential:
    """U(x) = k_B T · model.energy(x) in kJ/mol and its forces, for OpenMM's ``PythonForce``.

    Parameters
    ----------
    model : object with ``energy(x)`` (see the module docstring); ``n_atoms`` is read from
        ``model.n_atoms`` when present.
    temperature : K (number or openmm Quantity).
    n_atoms : number of particles the force applies to (checked on every call).

    Calling it with an OpenMM ``State`` returns ``(energy kJ/mol, forces (n_atoms, 3) kJ/mol/nm)``.
    A non-finite energy (e.g. a bond outside the flow's interval) raises ``FloatingPointError``,
    which OpenMM re-raises as ``OpenMMException``.
    """

    def __init__(self, model, temperature, *, n_atoms: int | None = None):
        _check_model(model)
        self.model = model
        self.temperature = temperature_kelvin(temperature)
        self.kbt = kbt(self.temperature)
        model_atoms = getattr(model, "n_atoms", None)
        if n_atoms is not None:
            n_atoms = check_int(n_atoms, "n_atoms", minimum=1)
        if n_atoms is not None and model_atoms is not None and n_atoms != int(model_atoms):
            raise ValueError(f"n_atoms={n_atoms} does not match the model's n_atoms={model_atoms}")
        self.n_atoms = n_atoms if n_atoms is not None else (int(model_atoms) if model_atoms is not None else None)
        self.dtype, self.device = _model_dtype_device(model)

    def energy_and_forces(self, positions: np.ndarray) -> tuple[float, np.ndarray]:
        """(U kJ/mol, F (n_atoms, 3) kJ/mol/nm) at ``positions`` (n_atoms, 3) nm (finite)."""
        positions = as_array(positions, "positions")
        if positions.ndim != 2 or positions.shape[1] != 3 or (self.n_atoms and positions.shape[0] != self.n_atoms):
            raise ValueError(f"positions must have shape ({self.n_atoms or 'n_atoms'}, 3) in nm, got {positions.shape}: "
                             "the model and the OpenMM System have different numbers of atoms")
        x = torch.tensor(positions, dtype=self.dtype, device=self.device)[None].requires_grad_(True)
        with torch.enable_grad():
            e = self.model.energy(x)
            if not isinstance(e, torch.Tensor) or e.shape != (1,):
                raise ValueError(f"model.energy must return one energy per configuration, shape (1,) for one, got "
                                 f"{tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__}")
            e = e.sum()
            (grad,) = torch.autograd.grad(e, x)
        energy = float(e.detach()) * self.kbt
        if not math.isfinite(energy):
            raise FloatingPointError(f"flow potential is not finite at these positions (U = {energy} kJ/mol)")
        return energy, (-self.kbt * grad[0]).detach().to(torch.float64).cpu().numpy()

    def __call__(self, state):
        unit = import_openmm().unit
        pos = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
        return self.energy_and_forces(pos)


def flow_force(model, temperature, *, n_atoms: int | None = None, force_group: int = 0):
    """An OpenMM ``Force`` with U = −k_B T log p(x) (kJ/mol), forces −∇U (kJ/mol/nm).

    Backed by ``openmm.PythonForce``, which runs on every platform (positions and forces are
    copied to the host each step). See :class:`FlowPotential` for the arguments.

    A 22-atom flow is far too small to parallelize: extra torch threads only spin, and on a busy
    machine slow every step by orders of magnitude (a float64 logsigmoid of 3k elements took 0.2 ms
    on 1 thread vs 22 ms on 2 contended threads). Run it under
    ``statgen._threads.limited_threads(1)``; :func:`run_md` does so itself.

    Examples
    --------
    >>> system.addForce(flow_force(bg, 300.0))  # doctest: +SKIP
    """
    openmm = import_openmm()
    if not hasattr(openmm, "PythonForce"):
        raise ImportError("flow_force needs openmm >= 8.6 (openmm.PythonForce): pip install 'statgen[md]'")
    potential = FlowPotential(model, temperature, n_atoms=n_atoms)
    force_group = check_int(force_group, "force_group", minimum=0, maximum=31)
    force = openmm.PythonForce(potential)
    force.setForceGroup(force_group)
    return force


class _TorchEnergy(torch.nn.Module):
    """positions (n_atoms, 3) nm -> U kJ/mol, for openmm-torch's TorchForce."""

    def __init__(self, model, kbt_: float):
        super().__init__()
        self.model = model
        self.kbt = kbt_

    def forward(self, positions: torch.Tensor) -> torch.Tensor:
        return self.kbt * self.model.energy(positions[None]).sum()


def flow_torch_force(model, temperature):
    """GPU-native alternative to :func:`flow_force` through openmm-torch (``TorchForce``).

    The energy needs only the analytic data → latent direction of the flow (no root finding),
    but the model must be TorchScript-compilable; openmm-torch wheels are tied to one libtorch
    build. Raises ``ImportError`` when ``openmmtorch`` is not installed.
    """
    _check_model(model)
    k = kbt(temperature)
    try:
        import openmmtorch
    except ImportError as exc:
        raise ImportError("flow_torch_force needs openmm-torch (conda install -c conda-forge openmm-torch); "
                          "use flow_force (openmm.PythonForce) instead") from exc
    module = _TorchEnergy(model, k)
    try:
        scripted = torch.jit.script(module)
    except Exception as exc:  # noqa: BLE001 - report why TorchScript failed
        raise TypeError(f"model cannot be compiled by TorchScript for openmm-torch ({exc}); use flow_force") from exc
    return openmmtorch.TorchForce(scripted)


def flow_system(model, temperature, *, masses: Sequence[float] | None = None):
    """An ``openmm.System`` whose only force is the flow potential; masses (amu, > 0, one per atom of
    the model) default to alanine dipeptide's."""
    openmm = import_openmm()
    potential = FlowPotential(model, temperature)
    if masses is None:
        _, ref, _ = alanine_dipeptide()
        masses = [ref.getParticleMass(i).value_in_unit(openmm.unit.dalton) for i in range(ref.getNumParticles())]
    if isinstance(masses, str):
        raise TypeError(f"masses must be a sequence of numbers (amu), got the string {masses!r}")
    masses = as_array(masses, "masses", ndim=1)
    if not masses.size or (masses <= 0).any():
        raise ValueError(f"masses must be a non-empty sequence of masses > 0 amu, got {masses.tolist()[:5]}...")
    if potential.n_atoms is not None and masses.size != potential.n_atoms:
        raise ValueError(f"masses has {masses.size} entries but the model has n_atoms={potential.n_atoms}")
    system = openmm.System()
    for m in masses:
        system.addParticle(float(m))
    system.addForce(flow_force(model, temperature, n_atoms=len(masses)))
    return system
