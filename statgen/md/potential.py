"""A learned density used as an OpenMM potential, and NVT→NVE runs that test its stability.

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

from statgen._checks import as_array, check_positive
from statgen._progress import progress_bar
from statgen._threads import limited_threads
from statgen.md.system import alanine_dipeptide, import_openmm, kbt

__all__ = [
    "FlowPotential",
    "flow_force",
    "flow_torch_force",
    "flow_system",
    "run_md",
    "MDRun",
    "energy_statistics",
    "temperature_kelvin",
]


def temperature_kelvin(temperature) -> float:
    """Temperature in K from a number (K) or an ``openmm.unit.Quantity`` with temperature units."""
    if hasattr(temperature, "value_in_unit") and hasattr(temperature, "unit"):
        unit = import_openmm().unit
        if not temperature.unit.is_compatible(unit.kelvin):
            raise TypeError(f"temperature must be in kelvin (a number or an openmm Quantity of temperature), "
                            f"got a Quantity in {temperature.unit}")
        temperature = temperature.value_in_unit(unit.kelvin)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)):
        raise TypeError(f"temperature must be a number in kelvin or an openmm Quantity, got {type(temperature).__name__}")
    return check_positive(temperature, "temperature")


def _check_model(model) -> None:
    if not callable(getattr(model, "energy", None)):
        raise TypeError(f"model must have an energy(x) method returning -log p(x) in k_BT "
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
        if n_atoms is not None and model_atoms is not None and int(n_atoms) != int(model_atoms):
            raise ValueError(f"n_atoms={n_atoms} does not match the model's n_atoms={model_atoms}")
        self.n_atoms = int(n_atoms if n_atoms is not None else model_atoms) if (n_atoms or model_atoms) else None
        self.dtype, self.device = _model_dtype_device(model)

    def energy_and_forces(self, positions: np.ndarray) -> tuple[float, np.ndarray]:
        """(U kJ/mol, F (n_atoms, 3) kJ/mol/nm) at ``positions`` (n_atoms, 3) nm."""
        positions = np.asarray(positions, dtype=np.float64)
        if positions.ndim != 2 or positions.shape[1] != 3 or (self.n_atoms and positions.shape[0] != self.n_atoms):
            raise ValueError(f"positions must have shape ({self.n_atoms or 'n_atoms'}, 3) in nm, got {positions.shape}: "
                             "the model and the OpenMM System have different numbers of atoms")
        x = torch.tensor(positions, dtype=self.dtype, device=self.device)[None].requires_grad_(True)
        with torch.enable_grad():
            e = self.model.energy(x).sum()
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
    force = openmm.PythonForce(FlowPotential(model, temperature, n_atoms=n_atoms))
    force.setForceGroup(int(force_group))
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
    try:
        import openmmtorch
    except ImportError as exc:
        raise ImportError("flow_torch_force needs openmm-torch (conda install -c conda-forge openmm-torch); "
                          "use flow_force (openmm.PythonForce) instead") from exc
    _check_model(model)
    module = _TorchEnergy(model, kbt(temperature_kelvin(temperature)))
    try:
        scripted = torch.jit.script(module)
    except Exception as exc:  # noqa: BLE001 - report why TorchScript failed
        raise TypeError(f"model cannot be compiled by TorchScript for openmm-torch ({exc}); use flow_force") from exc
    return openmmtorch.TorchForce(scripted)


def flow_system(model, temperature, *, masses: Sequence[float] | None = None):
    """An ``openmm.System`` whose only force is the flow potential; masses (amu) default to
    alanine dipeptide's."""
    openmm = import_openmm()
    if masses is None:
        _, ref, _ = alanine_dipeptide()
        masses = [ref.getParticleMass(i).value_in_unit(openmm.unit.dalton) for i in range(ref.getNumParticles())]
    system = openmm.System()
    for m in masses:
        system.addParticle(float(m))
    system.addForce(flow_force(model, temperature, n_atoms=len(masses)))
    return system


def _velocity_verlet(dt_ps: float):
    """Velocity Verlet, v ← v + ½dt F/m; x ← x + dt v; v ← v + ½dt F/m (velocities on full steps)."""
    openmm = import_openmm()
    vv = openmm.CustomIntegrator(dt_ps)
    vv.addUpdateContextState()
    vv.addComputePerDof("v", "v+0.5*dt*f/m")
    vv.addComputePerDof("x", "x+dt*v")
    vv.addComputePerDof("v", "v+0.5*dt*f/m")
    return vv


class MDRun(dict):
    """Result of :func:`run_md` (a dict of arrays; R replicas, T reports):

    time (T,) ps; potential, kinetic, total (R, T) kJ/mol (NaN after a blow-up); nve (T,) bool
    (report inside the NVE phase); blew_up (R,) bool; drift (R,) kJ/mol/ps and fluctuation (R,)
    kJ/mol of the NVE total energy (see :func:`energy_statistics`).
    """


def energy_statistics(time: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drift (slope of a least-squares line, kJ/mol/ps) and fluctuation (std about that line, kJ/mol)
    of total-energy traces ``total`` (R, T) over ``time`` (T,); NaN for traces with non-finite values."""
    total = np.atleast_2d(total)
    t = time - time.mean()
    ok = np.all(np.isfinite(total), axis=1)
    drift = np.full(len(total), np.nan)
    fluct = np.full(len(total), np.nan)
    if ok.any() and len(t) > 1:
        e = total[ok] - total[ok].mean(1, keepdims=True)
        slope = e @ t / (t @ t)
        drift[ok] = slope
        fluct[ok] = np.std(e - slope[:, None] * t, axis=1)
    return drift, fluct


def run_md(potential, positions, *, temperature=300.0, nvt_steps: int = 1000, nve_steps: int = 5000,
           friction: float = 10.0, timestep_fs: float = 1.0, report_every: int = 10, platform: str = "Reference",
           seed: int = 0, blowup_energy: float = 1e8, threads: int | None = 1, progress: bool = True) -> MDRun:
    """Langevin NVT then velocity-Verlet NVE from each starting frame (one replica per frame).

    Parameters
    ----------
    potential : ``"amber"`` (Amber99SB-ILDN + OBC) or a model with ``energy(x)`` (k_B T).
    positions : (R, 22, 3) or (22, 3) starting positions in nm.
    temperature : K for the velocities and the Langevin thermostat (γ = ``friction`` 1/ps).
    nvt_steps, nve_steps : steps of each phase with time step ``timestep_fs`` fs.
    report_every : steps between energy reports.
    blowup_energy : a replica whose |U| or |E_total| exceeds this (kJ/mol), or whose force
        evaluation fails (NaN, flow out of its domain), is stopped and marked ``blew_up``.
    threads : torch intra-op threads while running (None leaves them).
    seed : Langevin and initial-velocity seeds (replica r: ``seed·7919 + r``). The NVE phase is
        deterministic; the Langevin noise of OpenMM's Reference platform was observed not to repeat
        between runs in one process (its random stream is process-global), so with ``nvt_steps > 0``
        bit-for-bit reproducibility holds only for a fresh process.

    Returns
    -------
    :class:`MDRun`.
    """
    openmm = import_openmm()
    unit = openmm.unit
    T = temperature_kelvin(temperature)
    pos = as_array(positions, "positions", ndim=(2, 3))
    if pos.ndim == 2:
        pos = pos[None]
    if pos.shape[1:] != (22, 3):
        raise ValueError(f"positions must have shape (R, 22, 3) in nm, got {pos.shape}")
    for name, v in (("nvt_steps", nvt_steps), ("nve_steps", nve_steps), ("report_every", report_every)):
        if int(v) != v or v < (1 if name == "report_every" else 0):
            raise ValueError(f"{name} must be a non-negative integer (report_every >= 1), got {v!r}")
    friction = check_positive(friction, "friction")
    dt = check_positive(timestep_fs, "timestep_fs") * 1e-3
    if isinstance(potential, str):
        if potential.lower() != "amber":
            raise ValueError(f"potential must be 'amber' or a model with energy(), got {potential!r}")
        _, system, _ = alanine_dipeptide()
    else:
        system = flow_system(potential, T)
    from statgen.md.data import get_platform

    n_nvt, n_nve = int(nvt_steps) // report_every, int(nve_steps) // report_every
    n_rep = n_nvt + n_nve + 1
    time = np.arange(n_rep) * report_every * dt
    nve = np.arange(n_rep) >= n_nvt
    R = len(pos)
    pot = np.full((R, n_rep), np.nan)
    kin = np.full((R, n_rep), np.nan)
    blew = np.zeros(R, dtype=bool)
    bar = progress_bar(total=R * (n_rep - 1), desc="md run", progress=progress)
    with bar, limited_threads(threads, blas=False):
        for r in range(R):
            integ = openmm.CompoundIntegrator()
            integ.addIntegrator(openmm.LangevinMiddleIntegrator(T, friction, dt))
            integ.addIntegrator(_velocity_verlet(dt))
            integ.getIntegrator(0).setRandomNumberSeed((int(seed) * 7919 + r) % 2**31 or 1)
            ctx = openmm.Context(system, integ, get_platform(platform))
            try:
                ctx.setPositions(pos[r] * unit.nanometer)
                ctx.setVelocitiesToTemperature(T, (int(seed) * 7919 + r + 1) % 2**31 or 1)
                for k in range(n_rep):
                    if k > 0:
                        integ.setCurrentIntegrator(int(nve[k]))
                        integ.step(report_every)
                        bar.update(1)
                    st = ctx.getState(getEnergy=True)
                    u = st.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
                    kk = st.getKineticEnergy().value_in_unit(unit.kilojoule_per_mole)
                    if not (abs(u) < blowup_energy and abs(u + kk) < blowup_energy):
                        blew[r] = True
                        break
                    pot[r, k], kin[r, k] = u, kk
            except (openmm.OpenMMException, FloatingPointError, ValueError):
                blew[r] = True
            finally:
                del ctx, integ
    total = pot + kin
    drift, fluct = energy_statistics(time[nve], total[:, nve])
    return MDRun(time=time, potential=pot, kinetic=kin, total=total, nve=nve, blew_up=blew, drift=drift,
                 fluctuation=fluct)
