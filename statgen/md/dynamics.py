"""Molecular dynamics that tests a potential: Langevin NVT, then velocity-Verlet NVE, per replica.

For each starting frame (replica r) the system is thermalized with Langevin dynamics
(BAOAB "middle" integrator, friction γ) for ``nvt_steps`` steps, then integrated with velocity
Verlet (v ← v + ½dt F/m; x ← x + dt v; v ← v + ½dt F/m) for ``nve_steps`` steps. The NVE
total energy E = U + K of a conservative, smooth force stays within a bounded shadow-energy
error; its drift (slope of a least-squares line, kJ/mol/ps) and fluctuation (std about that
line, kJ/mol) measure how well the potential conserves energy.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from statgen._checks import as_array, check_int, check_positive
from statgen._progress import progress_bar
from statgen._threads import limited_threads
from statgen.md.evaluator import _check_energy_model
from statgen.md.system import alanine_dipeptide, import_openmm, temperature_kelvin

__all__ = ["run_md", "MDRun", "energy_statistics", "maxwell_boltzmann_velocities"]


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
    kJ/mol of the NVE total energy (see :func:`energy_statistics`); for a flow potential ``method``
    (0-d str): the route that evaluated it ("eager", "compile" or "aoti").
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


def maxwell_boltzmann_velocities(masses, temperature, seed: int) -> np.ndarray:
    """Velocities (N, 3) nm/ps drawn from the Maxwell-Boltzmann distribution at ``temperature`` K
    (v ~ N(0, k_BT/m) per component, masses amu) with ``numpy.random.default_rng(seed)``, the
    centre-of-mass velocity removed. Independent of the OpenMM platform and of the other replicas."""
    from statgen.md.system import kbt

    m = as_array(masses, "masses", ndim=1)
    if not m.size or (m <= 0).any():
        raise ValueError(f"masses must be > 0 amu, got {m.tolist()[:5]}")
    seed = check_int(seed, "seed", minimum=0)
    v = np.random.default_rng(seed).normal(size=(m.size, 3)) * np.sqrt(kbt(temperature) / m)[:, None]
    return v - (m[:, None] * v).sum(0) / m.sum()


def _kinetic(masses: np.ndarray, v: np.ndarray) -> np.ndarray:
    """½ Σ m v² per copy, kJ/mol, for velocities (R·N, 3) nm/ps of R copies with masses (N,) amu."""
    v = v.reshape(-1, masses.size, 3)
    return 0.5 * np.einsum("a,rak->r", masses, v * v)


def _integrator(openmm, T, friction, dt, seed):
    integ = openmm.CompoundIntegrator()
    integ.addIntegrator(openmm.LangevinMiddleIntegrator(T, friction, dt))
    integ.addIntegrator(_velocity_verlet(dt))
    integ.getIntegrator(0).setRandomNumberSeed(seed % 2**31 or 1)
    return integ


def _simulate(system, copies: int, masses, starts, velocities, energies, *, T, friction, dt, seed, n_nvt, n_rep,
              report_every, blowup_energy, plat, bar, alive=None, frames=None):
    """Run ``copies`` copies in one Context; return potential and kinetic (copies, n_rep) and blew (copies,).

    ``energies(state)`` gives the per-copy potential energies (kJ/mol) of a state computed with
    energies; ``alive`` (copies,) bool, shared with a batched flow force, marks copies still running
    (a dead copy gets zero force and is no longer reported). ``frames`` (copies, n_rep, N, 3), when
    given, receives the positions at every report."""
    openmm = import_openmm()
    unit = openmm.unit
    pot = np.full((copies, n_rep), np.nan)
    kin = np.full((copies, n_rep), np.nan)
    blew = np.zeros(copies, dtype=bool)
    own_alive = alive if alive is not None else np.ones(copies, dtype=bool)
    running = own_alive.copy()
    integ = _integrator(openmm, T, friction, dt, seed)
    ctx = openmm.Context(system, integ, plat)
    n = masses.size
    try:
        ctx.setPositions(np.asarray(starts).reshape(-1, 3) * unit.nanometer)
        ctx.setVelocities(np.asarray(velocities).reshape(-1, 3) * (unit.nanometer / unit.picosecond))
        for k in range(n_rep):
            if k > 0:  # reports 1..n_nvt end Langevin blocks; later ones velocity-Verlet blocks
                integ.setCurrentIntegrator(int(k > n_nvt))
                integ.step(report_every)
                bar.update(int(running.sum()))
            st = ctx.getState(getEnergy=True, getVelocities=True, getPositions=frames is not None)
            u = np.asarray(energies(st), dtype=float)
            kk = _kinetic(masses, st.getVelocities(asNumpy=True).value_in_unit(unit.nanometer / unit.picosecond))
            ok = running & own_alive & np.isfinite(u) & np.isfinite(kk) & (np.abs(u) < blowup_energy) \
                & (np.abs(u + kk) < blowup_energy)
            blew |= running & ~ok
            running &= ok
            own_alive &= ok  # a stopped copy feels no force from now on (batched flow force)
            pot[ok, k], kin[ok, k] = u[ok], kk[ok]
            if frames is not None:
                x = st.getPositions(asNumpy=True).value_in_unit(unit.nanometer).reshape(copies, n, 3)
                frames[ok, k] = x[ok]
            if not running.any():
                break
    except (openmm.OpenMMException, FloatingPointError, ValueError):
        blew |= running  # a failing force evaluation (Amber: NaN coordinates) stops the copies still running
        running[:] = False
    finally:
        del ctx, integ
    return pot, kin, blew


def run_md(potential, positions, *, temperature=300.0, nvt_steps: int = 1000, nve_steps: int = 5000,
           friction: float = 10.0, timestep_fs: float = 1.0, report_every: int = 10, platform: str = "Reference",
           seed: int = 0, blowup_energy: float = 1e8, threads: int | None = 1, batch: bool = True,
           method: str = "auto", trajectory: str | os.PathLike | None = None, progress: bool = True) -> MDRun:
    """Langevin NVT then velocity-Verlet NVE from each starting frame (one replica per frame).

    With a flow potential and ``batch=True`` (default) the R replicas are integrated together: one
    OpenMM System of R non-interacting copies whose single flow force evaluates all R
    configurations in one batch (:class:`FlowPotential` with ``replicas=R``). A replica that blows up
    is marked and from then on feels no force and is no longer reported; the others run on. With
    ``batch=False`` (and always for Amber, whose copies would interact through the nonbonded and GB
    forces) every replica runs in its own Context.

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
    seed : replica r starts with :func:`maxwell_boltzmann_velocities` seeded ``seed·7919 + r + 1``
        (the same in batched and single runs, on every platform), so the NVE phase (``nvt_steps=0``)
        of a batched run reproduces the single-replica runs. The Langevin noise is OpenMM's, seeded
        ``seed·7919`` for a batched run and ``seed·7919 + r`` for replica r of an unbatched one:
        batched and unbatched NVT phases are statistically, not bit-for-bit, equal (and OpenMM's
        Reference platform was observed not to repeat its Langevin stream within one process).
    batch : integrate the replicas of a flow potential together (above).
    method : how the flow's energy and forces are evaluated: "auto" (default: a compiled AOTInductor
        package when one is cached for this model and replica count, or when nvt_steps + nve_steps
        >= 20 000 repays building it — 1–3 min on a CPU, once per model, replica count and machine;
        eager otherwise), "eager", "compile" or "aoti" (:class:`statgen.md.EnergyForce`).
    trajectory : optional ``.dcd`` path: the positions at every report are written as DCD, one file
        per replica (``PATH`` itself for R = 1, else ``PATH`` with ``.r<k>`` before the suffix),
        with the topology as ``PATH`` with suffix ``.pdb`` (starting frame of replica 0); frames of
        a replica after its blow-up are not written. Read with ``mdtraj.load(dcd, top=pdb)``.

    Returns
    -------
    :class:`MDRun` (with ``trajectory`` also ``trajectory_files``: the DCD paths, and ``topology``).
    """
    from statgen._checks import check_bool
    from statgen.md.data import get_platform
    from statgen.md.potential import FlowPotential, alanine_masses

    openmm = import_openmm()
    unit = openmm.unit
    T = temperature_kelvin(temperature)
    if isinstance(potential, str):
        if potential.lower() != "amber":
            raise ValueError(f"potential must be 'amber' or a model with energy(), got {potential!r}")
        _, amber_system, _ = alanine_dipeptide()
        n_atoms = amber_system.getNumParticles()
    else:
        _check_energy_model(potential, "potential")
        n_atoms = getattr(potential, "n_atoms", None)
        amber_system = None
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
    check_bool(batch, "batch")
    traj = _trajectory_path(trajectory)
    plat = get_platform(platform)
    R, N = pos.shape[0], pos.shape[1]
    masses = alanine_masses() if amber_system is None else np.array(
        [amber_system.getParticleMass(i).value_in_unit(unit.dalton) for i in range(N)])
    if masses.size != N:
        raise ValueError(f"positions have {N} atoms per frame but the masses (alanine dipeptide) {masses.size}")
    vel = np.stack([maxwell_boltzmann_velocities(masses, T, (seed * 7919 + r + 1) % 2**31) for r in range(R)])

    n_nvt, n_nve = nvt_steps // report_every, nve_steps // report_every
    n_rep = n_nvt + n_nve + 1
    time = np.arange(n_rep) * report_every * dt
    nve = np.arange(n_rep) >= n_nvt
    pot = np.full((R, n_rep), np.nan)
    kin = np.full((R, n_rep), np.nan)
    blew = np.zeros(R, dtype=bool)
    frames = np.full((R, n_rep, N, 3), np.nan) if traj is not None else None
    common = dict(T=T, friction=friction, dt=dt, n_nvt=n_nvt, n_rep=n_rep, report_every=report_every,
                  blowup_energy=blowup_energy, plat=plat)
    if amber_system is not None:
        def groups():
            for r in range(R):
                yield [r], amber_system, (lambda st: [st.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)]), \
                    None, seed * 7919 + r
    else:
        def groups():
            sets = [list(range(R))] if batch else [[r] for r in range(R)]
            for idx in sets:
                fp = FlowPotential(potential, T, n_atoms=N, replicas=len(idx), on_nonfinite="drop", method=method,
                                   steps=nvt_steps + nve_steps)
                routes.add(fp.route)
                system = _flow_copies_system(fp, masses)
                yield idx, system, (lambda st, fp=fp: fp.energies), fp.alive, seed * 7919 + (0 if batch else idx[0])
    routes: set[str] = set()
    bar = progress_bar(total=R * (n_rep - 1), desc="md run", progress=progress)
    with bar, limited_threads(threads, blas=False):
        for idx, system, energies, alive, sd in groups():
            sub = None if frames is None else np.full((len(idx), n_rep, N, 3), np.nan)
            p, k, b = _simulate(system, len(idx), masses, pos[idx], vel[idx], energies, seed=sd, bar=bar,
                                alive=alive, frames=sub, **common)
            pot[idx], kin[idx], blew[idx] = p, k, b
            if frames is not None:
                frames[idx] = sub
    total = pot + kin
    drift, fluct = energy_statistics(time[nve], total[:, nve])
    out = MDRun(time=time, potential=pot, kinetic=kin, total=total, nve=nve, blew_up=blew, drift=drift,
                fluctuation=fluct)
    if routes:
        out["method"] = np.asarray("+".join(sorted(routes)))
    if traj is not None:
        out["trajectory_files"], out["topology"] = _write_trajectories(traj, frames, pos[0], dt * report_every)
    return out


def _flow_copies_system(fp, masses):
    from statgen.md.potential import flow_system

    return flow_system(fp, masses=masses)


def _trajectory_path(trajectory):
    if trajectory is None:
        return None
    if not isinstance(trajectory, str | os.PathLike):
        raise TypeError(f"trajectory must be a path to a .dcd file or None, got {type(trajectory).__name__}")
    path = Path(trajectory)
    if path.suffix.lower() != ".dcd":
        raise ValueError(f"trajectory must be a path ending in .dcd, got {str(path)!r}")
    if path.is_dir() or not path.parent.is_dir():
        raise ValueError(f"trajectory={str(path)!r}: its folder must exist and the path must not be a folder")
    return path


def _write_trajectories(path: Path, frames: np.ndarray, first: np.ndarray, dt_ps: float) -> tuple[np.ndarray, str]:
    """DCD per replica (reports until a blow-up) and a PDB topology; written atomically."""
    from statgen._io import atomic_write
    from statgen.md.system import _topology

    openmm = import_openmm()
    app, unit = openmm.app, openmm.unit
    top = _topology()
    pdb = path.with_suffix(".pdb")
    with atomic_write(pdb, "w") as fh:
        app.PDBFile.writeFile(top, first * 10.0 * unit.angstrom, fh)
    R = len(frames)
    files = []
    for r in range(R):
        out = path if R == 1 else path.with_name(f"{path.stem}.r{r}{path.suffix}")
        with atomic_write(out, "wb") as fh:
            dcd = app.DCDFile(fh, top, dt_ps * unit.picosecond, firstStep=0, interval=1)
            for x in frames[r]:
                if not np.isfinite(x).all():
                    break
                dcd.writeModel(x * unit.nanometer)
        files.append(str(out))
    return np.array(files), str(pdb)
