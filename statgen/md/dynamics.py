"""Molecular dynamics that tests a potential: Langevin NVT, then velocity-Verlet NVE, per replica.

For each starting frame (replica r) the system is thermalized with Langevin dynamics
(BAOAB "middle" integrator, friction γ) for ``nvt_steps`` steps, then integrated with velocity
Verlet (v ← v + ½dt F/m; x ← x + dt v; v ← v + ½dt F/m) for ``nve_steps`` steps. The NVE
total energy E = U + K of a conservative, smooth force stays within a bounded shadow-energy
error; its drift (slope of a least-squares line, kJ/mol/ps) and fluctuation (std about that
line, kJ/mol) measure how well the potential conserves energy.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_int, check_positive
from statgen._progress import progress_bar
from statgen._threads import limited_threads
from statgen.md.potential import _check_model, flow_system
from statgen.md.system import alanine_dipeptide, import_openmm, temperature_kelvin

__all__ = ["run_md", "MDRun", "energy_statistics"]


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
    of total-energy traces ``total`` (R, T) (or (T,)) over ``time`` (T,), T >= 2 distinct finite times.

    A trace with a non-finite value (a replica that blew up) gets NaN drift and fluctuation: NaN
    there is the documented marker of a stopped replica, not a numerical failure."""
    time = as_array(time, "time", ndim=1)
    if time.size < 2 or np.ptp(time) == 0:
        raise ValueError(f"time must hold at least two distinct times to fit a drift, got {time.tolist()[:5]}")
    if isinstance(total, str):
        raise TypeError(f"total must be an array of energies (R, T), got the string {total!r}")
    total = np.atleast_2d(as_array(total, "total", ndim=(1, 2), finite=False))
    if total.shape[1] != time.size:
        raise ValueError(f"total must have one column per time ({time.size}), got shape {total.shape}")
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
    potential : ``"amber"`` (Amber99SB-ILDN + OBC) or a model with ``energy(x)`` (k_B T); the atom
        count N comes from ``potential.n_atoms`` (or the Amber system).
    positions : (R, N, 3) or (N, 3) starting positions in nm (finite, R >= 1).
    temperature : K (> 0) for the velocities and the Langevin thermostat (γ = ``friction`` 1/ps, > 0).
    nvt_steps, nve_steps : steps of each phase with time step ``timestep_fs`` fs; both multiples of
        ``report_every``, nve_steps >= report_every (the drift needs NVE reports; nvt_steps = 0: NVE only).
    report_every : steps between energy reports (>= 1).
    blowup_energy : a replica whose |U| or |E_total| exceeds this (kJ/mol, > 0), or whose force
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
    from statgen._checks import check_bool
    from statgen.md.data import get_platform

    openmm = import_openmm()
    unit = openmm.unit
    T = temperature_kelvin(temperature)
    if isinstance(potential, str):
        if potential.lower() != "amber":
            raise ValueError(f"potential must be 'amber' or a model with energy(), got {potential!r}")
        _, system, _ = alanine_dipeptide()
        n_atoms = system.getNumParticles()
    else:
        _check_model(potential, "potential")
        n_atoms = getattr(potential, "n_atoms", None)
        system = None
    pos = as_array(positions, "positions", ndim=(2, 3))
    if pos.ndim == 2:
        pos = pos[None]
    if n_atoms is not None and pos.shape[1:] != (n_atoms, 3) or pos.shape[-1] != 3:
        raise ValueError(f"positions must have shape (R, {n_atoms or 'n_atoms'}, 3) in nm, got {pos.shape}")
    if not len(pos):
        raise ValueError("positions is empty: give at least one starting frame (one replica each)")
    nvt_steps = check_int(nvt_steps, "nvt_steps", minimum=0)
    nve_steps = check_int(nve_steps, "nve_steps", minimum=1)
    report_every = check_int(report_every, "report_every", minimum=1)
    if report_every > nve_steps:
        raise ValueError(f"report_every={report_every} must be <= nve_steps={nve_steps} (the NVE phase needs reports)")
    for name, v in (("nvt_steps", nvt_steps), ("nve_steps", nve_steps)):
        if v % report_every:
            raise ValueError(f"{name}={v} must be a multiple of report_every={report_every}")
    friction = check_positive(friction, "friction")
    dt = check_positive(timestep_fs, "timestep_fs") * 1e-3
    blowup_energy = check_positive(blowup_energy, "blowup_energy")
    seed = check_int(seed, "seed", minimum=0)
    if threads is not None:
        threads = check_int(threads, "threads", minimum=1)
    check_bool(progress, "progress")
    plat = get_platform(platform)
    if system is None:
        system = flow_system(potential, T)

    n_nvt, n_nve = nvt_steps // report_every, nve_steps // report_every
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
            integ.getIntegrator(0).setRandomNumberSeed((seed * 7919 + r) % 2**31 or 1)
            ctx = openmm.Context(system, integ, plat)
            try:
                ctx.setPositions(pos[r] * unit.nanometer)
                ctx.setVelocitiesToTemperature(T, (seed * 7919 + r + 1) % 2**31 or 1)
                for k in range(n_rep):
                    if k > 0:  # reports 1..n_nvt end Langevin blocks; later ones velocity-Verlet blocks
                        integ.setCurrentIntegrator(int(k > n_nvt))
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
