"""A learned density used as an OpenMM potential (``PythonForce``, or openmm-torch's ``TorchForce``).

The potential of a model with density p(x) over Cartesian positions x (nm) is

    U(x) = −k_B T log p(x)   [kJ/mol],   F(x) = −∇U = k_B T ∇ log p(x)   [kJ/mol/nm],

with k_B T = R T (2.494 kJ/mol at 300 K). A *model* here is any object with
``energy(x) -> (batch,)`` giving −log p(x) in units of k_B T for positions ``x`` of shape
(batch, n_atoms, 3) in nm (e.g. :class:`statgen.md.BoltzmannGenerator`); forces come from
autograd through ``energy``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from statgen._checks import as_array, check_int
from statgen.md.evaluator import EnergyForce, _check_energy_model
from statgen.md.system import alanine_dipeptide, import_openmm, kbt, temperature_kelvin

__all__ = [
    "FlowPotential",
    "ZeroPotential",
    "alanine_masses",
    "flow_force",
    "flow_torch_force",
    "flow_system",
    "temperature_kelvin",
]


class FlowPotential:
    """U(x) = k_B T · model.energy(x) in kJ/mol and its forces, for OpenMM's ``PythonForce``.

    Parameters
    ----------
    model : object with ``energy(x)`` (see the module docstring); ``n_atoms`` is read from
        ``model.n_atoms`` when present.
    temperature : K (number or openmm Quantity).
    n_atoms : number of particles of one copy of the molecule (checked on every call).
    replicas : R >= 1 non-interacting copies of the molecule in one System (particles
        r·n_atoms … (r+1)·n_atoms − 1 are copy r); the model evaluates all R in one batch.
    on_nonfinite : "raise" (a non-finite energy raises ``FloatingPointError``, which OpenMM re-raises
        as ``OpenMMException``) or "drop" (the copy is marked dead in :attr:`alive` and from then on
        gets zero energy and force, so the other copies keep running; what :func:`run_md` uses).
    method : evaluation method of :class:`statgen.md.EnergyForce`: "auto" (default: the AOTInductor
        package of the energy+force graph when one is cached for this model and replica count, or
        when ``steps`` >= 20 000 makes compiling one worth it; else eager), "eager", "compile" or
        "aoti" (compile — 1–3 min on a CPU, once per model, replica count and machine — or load).
        A compiled route is built (or loaded) here, before the first MD step, when the atom count
        is known; :attr:`route` says which one evaluates the batch.
    cache_dir : directory of the AOTInductor packages (default :func:`statgen.md.aot_cache.cache_dir`).
    steps : expected number of evaluations (MD steps), for ``method="auto"``; None: unknown.

    Per call the positions (float64 nm, from OpenMM's State) are viewed as a tensor without a copy
    (a float32 CPU model copies them into one float32 buffer reused from call to call, and its forces
    are converted back to float64 for OpenMM; other devices get a transfer), the
    energies and forces are scaled by k_BT into float64 arrays; called by OpenMM, the forces go into
    one buffer reused from call to call (OpenMM copies it).

    Calling it with an OpenMM ``State`` returns ``(energy kJ/mol, forces (R·n_atoms, 3) kJ/mol/nm)``;
    :attr:`energies` holds the per-copy energies (R,) kJ/mol of the last call.
    """

    def __init__(self, model, temperature, *, n_atoms: int | None = None, replicas: int = 1,
                 on_nonfinite: str = "raise", method: str = "auto", cache_dir=None, steps: int | None = None):
        from statgen._checks import check_choice

        _check_energy_model(model, "model")
        self.model = model
        self.temperature = temperature_kelvin(temperature)
        self.kbt = kbt(self.temperature)
        model_atoms = getattr(model, "n_atoms", None)
        if n_atoms is not None:
            n_atoms = check_int(n_atoms, "n_atoms", minimum=1)
        if n_atoms is not None and model_atoms is not None and n_atoms != int(model_atoms):
            raise ValueError(f"n_atoms={n_atoms} does not match the model's n_atoms={model_atoms}")
        self.n_atoms = n_atoms if n_atoms is not None else (int(model_atoms) if model_atoms is not None else None)
        self.replicas = check_int(replicas, "replicas", minimum=1)
        if self.replicas > 1 and self.n_atoms is None:
            raise ValueError("replicas > 1 needs n_atoms (or a model with n_atoms) to split the System into copies")
        self.on_nonfinite = check_choice(on_nonfinite, "on_nonfinite", ["raise", "drop"])
        steps = None if steps is None else check_int(steps, "steps", minimum=0)
        self.evaluate = EnergyForce(model, method=method, cache_dir=cache_dir, calls=steps)
        self.dtype, self.device = self.evaluate.dtype, self.evaluate.device
        self.alive = np.ones(self.replicas, dtype=bool)
        self.energies = np.full(self.replicas, np.nan)
        self._forces = None  # the OpenMM callback's force buffer, reused from call to call
        # a CPU model in float32/64 exchanges arrays with OpenMM through NumPy views and one positions
        # buffer (each torch call would cost µs per MD step); other devices and dtypes go through torch
        self._numpy_io = self.device.type == "cpu" and self.dtype in (torch.float32, torch.float64)
        self._x = self._x_np = None
        if self.n_atoms is not None:
            self.evaluate.prepare((self.replicas, self.n_atoms, 3))

    @property
    def route(self) -> str:
        """How the batch is evaluated: "eager", "compile" or "aoti" (see :class:`statgen.md.EnergyForce`)."""
        return self.evaluate.routes.get((self.replicas, self.n_atoms, 3), self.evaluate.method)

    def energy_and_forces(self, positions: np.ndarray, *, out: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """(U kJ/mol summed over live copies, F (R·n_atoms, 3) kJ/mol/nm) at ``positions`` (R·n_atoms, 3) nm.

        ``out``: a float64 array of the forces' shape to write them into (returned); by default a new
        array. The OpenMM callback passes one buffer reused from step to step (OpenMM copies it)."""
        positions = np.asarray(positions, dtype=np.float64)
        want = self.replicas * self.n_atoms if self.n_atoms else None
        if positions.ndim != 2 or positions.shape[1] != 3 or (want and positions.shape[0] != want) \
                or positions.shape[0] % self.replicas:
            raise ValueError(f"positions must have shape ({want or 'n_atoms'}, 3) in nm, got {positions.shape}: "
                             "the model and the OpenMM System have different numbers of atoms")
        if not np.isfinite(positions).all():
            raise ValueError("positions contains NaN or infinite values")
        if out is None:
            out = np.empty(positions.shape)
        elif not (isinstance(out, np.ndarray) and out.shape == positions.shape and out.dtype == np.float64):
            raise ValueError(f"out must be a float64 array of shape {positions.shape}, got "
                             f"{getattr(out, 'shape', type(out).__name__)} {getattr(out, 'dtype', '')}")
        e, f = self.evaluate(self._as_batch(positions))
        if self._numpy_io:
            e = np.multiply(e.numpy(), self.kbt, dtype=np.float64)
            np.multiply(f.numpy().reshape(out.shape), self.kbt, out=out)
        else:
            e = e.to(torch.float64).cpu().numpy() * self.kbt
            np.multiply(f.reshape(-1, 3).cpu().numpy(), self.kbt, out=out)
        f = out.reshape(self.replicas, -1, 3)
        if not (np.isfinite(e).all() and np.isfinite(out).all()):
            bad = ~np.isfinite(e) | ~np.isfinite(f).all(axis=(1, 2))
            if self.on_nonfinite == "raise":
                raise FloatingPointError(f"flow potential is not finite at these positions (U = {e.tolist()} kJ/mol)")
            self.alive &= ~bad
        if not self.alive.all():
            dead = ~self.alive
            e[dead] = np.nan
            f[dead] = 0.0
            total = float(e[self.alive].sum())
        else:
            total = float(e.sum())
        self.energies = e
        return total, out

    def _as_batch(self, positions: np.ndarray) -> torch.Tensor:
        """positions (R·n, 3) float64 → the model's (R, n, 3) tensor: on the CPU a copy into one buffer
        reused from call to call (the compiled routes read their input, never keep it), else a transfer."""
        shape = (self.replicas, positions.shape[0] // self.replicas, 3)
        if not self._numpy_io:
            return torch.from_numpy(positions).to(dtype=self.dtype, device=self.device).reshape(shape)
        if self.dtype == torch.float64:
            return torch.from_numpy(positions).reshape(shape)
        if self._x is None or tuple(self._x.shape) != shape:
            self._x = torch.empty(shape, dtype=self.dtype)
            self._x_np = self._x.numpy()
        np.copyto(self._x_np, positions.reshape(shape), casting="same_kind")
        return self._x

    def __call__(self, state):
        unit = import_openmm().unit
        pos = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
        if self._forces is None or self._forces.shape != pos.shape:
            self._forces = np.empty(pos.shape)
        return self.energy_and_forces(pos, out=self._forces)


class ZeroPotential:
    """A ``PythonForce`` computation returning zero energy and forces: the cost floor of the route
    (the State → NumPy → Python round trip without any model), for benchmarks."""

    def __init__(self, n_particles: int):
        self.forces = np.zeros((check_int(n_particles, "n_particles", minimum=1), 3))

    def __call__(self, state):
        unit = import_openmm().unit
        state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
        return 0.0, self.forces


def flow_force(model, temperature, *, n_atoms: int | None = None, force_group: int = 0, replicas: int = 1,
               method: str = "auto", steps: int | None = None):
    """An OpenMM ``Force`` with U = −k_B T log p(x) (kJ/mol), forces −∇U (kJ/mol/nm).

    Backed by ``openmm.PythonForce``, which runs on every platform (positions and forces are
    copied to the host each step). See :class:`FlowPotential` for the arguments (``replicas``
    copies of the molecule, evaluated as one batch). ``model`` may also be a :class:`FlowPotential`
    (then ``temperature`` and the other options are taken from it).

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
    potential = model if isinstance(model, FlowPotential) else \
        FlowPotential(model, temperature, n_atoms=n_atoms, replicas=replicas, method=method, steps=steps)
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
    _check_energy_model(model, "model")
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


def alanine_masses() -> np.ndarray:
    """Atomic masses (22,) amu of alanine dipeptide (from the Amber system)."""
    openmm = import_openmm()
    _, ref, _ = alanine_dipeptide()
    return np.array([ref.getParticleMass(i).value_in_unit(openmm.unit.dalton) for i in range(ref.getNumParticles())])


def check_masses(masses, n_atoms: int | None) -> np.ndarray:
    """Masses (N,) amu, > 0, one per atom (``n_atoms``, when known); None means alanine dipeptide's."""
    if masses is None:
        masses = alanine_masses()
    if isinstance(masses, str):
        raise TypeError(f"masses must be a sequence of numbers (amu), got the string {masses!r}")
    masses = as_array(masses, "masses", ndim=1)
    if not masses.size or (masses <= 0).any():
        raise ValueError(f"masses must be a non-empty sequence of masses > 0 amu, got {masses.tolist()[:5]}...")
    if n_atoms is not None and masses.size != n_atoms:
        raise ValueError(f"masses has {masses.size} entries but the model has n_atoms={n_atoms}")
    return masses


def flow_system(model, temperature=None, *, masses: Sequence[float] | None = None, replicas: int = 1,
                method: str = "auto", steps: int | None = None):
    """An ``openmm.System`` whose only force is the flow potential; masses (amu, > 0, one per atom of
    the model) default to alanine dipeptide's. With ``replicas`` = R > 1 the System holds R
    non-interacting copies (particles r·N … (r+1)·N − 1 are copy r) under one batched flow force.
    ``model`` may be a :class:`FlowPotential` (its temperature, replicas and method are used)."""
    openmm = import_openmm()
    potential = model if isinstance(model, FlowPotential) else \
        FlowPotential(model, temperature, replicas=replicas, method=method, steps=steps)
    masses = check_masses(masses, potential.n_atoms)
    if potential.n_atoms is None:
        potential.n_atoms = int(masses.size)
    system = openmm.System()
    for _ in range(potential.replicas):
        for m in masses:
            system.addParticle(float(m))
    system.addForce(flow_force(potential, None))
    return system
