"""Reference MD data for alanine dipeptide: chunked, atomically written, resumable.

Layout of an output directory::

    manifest.json        config + list of completed chunks (rewritten atomically)
    chunk_00000.npz      positions (n, 22, 3) nm, forces (n, 22, 3) kJ/mol/nm,
                         energies (n,) kJ/mol, time (n,) ps, checkpoint (OpenMM bytes)

Every chunk carries the OpenMM checkpoint (positions, velocities, integrator RNG state) at its
end, so an interrupted run restarts from the last chunk in the manifest and reproduces the
uninterrupted trajectory exactly on the same platform.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from statgen._checks import check_positive
from statgen._progress import progress_bar
from statgen.md.system import alanine_dipeptide, import_openmm
from statgen._io import load_npz, save_npz_atomic, write_json_atomic

__all__ = ["MDData", "generate_md_data", "load_md_data", "PLATFORMS"]

PLATFORMS = ("Reference", "CPU", "CUDA", "OpenCL")


@dataclass(frozen=True)
class MDData:
    """Frames of an MD run: positions (n, 22, 3) nm, forces (n, 22, 3) kJ/mol/nm,
    energies (n,) kJ/mol, time (n,) ps, temperature K."""

    positions: np.ndarray
    forces: np.ndarray
    energies: np.ndarray
    time: np.ndarray
    temperature: float

    def __len__(self) -> int:
        return len(self.energies)


def get_platform(name: str):
    """``openmm.Platform`` by name, with a clear error listing what this OpenMM install has."""
    openmm = import_openmm()
    available = [openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())]
    if name not in available:
        raise ValueError(f"platform must be one of the OpenMM platforms available here {available}, got {name!r}")
    return openmm.Platform.getPlatformByName(name)


def generate_md_data(out: str | os.PathLike, *, ns: float = 20.0, platform: str = "Reference", seed: int = 0,
                     temperature: float = 300.0, friction: float = 1.0, timestep_fs: float = 1.0,
                     save_every_ps: float = 1.0, chunk_frames: int = 1000, equilibration_ps: float = 10.0,
                     progress: bool = True) -> Path:
    """Langevin MD of alanine dipeptide; save positions, forces and energies every ``save_every_ps``.

    Langevin (BAOAB "middle") integrator at ``temperature`` K, ``friction`` 1/ps and
    ``timestep_fs`` fs, started from the packaged minimized structure with Maxwell-Boltzmann
    velocities drawn with ``seed`` and equilibrated for ``equilibration_ps`` (not saved).

    Parameters
    ----------
    out : output directory (created). Calling again with a larger ``ns`` and the same other
        arguments extends the run; an interrupted run resumes from its last written chunk.
    ns : total simulated time to save, in ns.
    platform : OpenMM platform name: ``Reference`` (fastest for 22 atoms on a CPU), ``CPU``, ``CUDA``.

    Returns
    -------
    The output directory.
    """
    openmm = import_openmm()
    unit = openmm.unit
    ns = check_positive(ns, "ns")
    temperature = check_positive(temperature, "temperature")
    friction = check_positive(friction, "friction")
    timestep_fs = check_positive(timestep_fs, "timestep_fs")
    save_every_ps = check_positive(save_every_ps, "save_every_ps")
    if int(chunk_frames) < 1:
        raise ValueError(f"chunk_frames must be >= 1, got {chunk_frames!r}")
    steps_per_frame = round(save_every_ps * 1000.0 / timestep_fs)
    if steps_per_frame < 1 or abs(steps_per_frame * timestep_fs - save_every_ps * 1000.0) > 1e-9:
        raise ValueError(f"save_every_ps must be a multiple of the time step, got {save_every_ps} ps "
                         f"with timestep_fs={timestep_fs}")
    n_total = int(round(ns * 1000.0 / save_every_ps))
    if n_total < 1:
        raise ValueError(f"ns must cover at least one saved frame ({save_every_ps} ps), got {ns}")

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # everything but the length identifies the trajectory (the platform included: its RNG differs)
    config = dict(system="alanine_dipeptide/amber99sbildn+obc", platform=platform, seed=int(seed),
                  temperature=temperature, friction=friction, timestep_fs=timestep_fs,
                  save_every_ps=save_every_ps, chunk_frames=int(chunk_frames), equilibration_ps=equilibration_ps)
    manifest_path = out / "manifest.json"
    manifest = {"config": config, "chunks": [], "n_frames": 0}
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text())
        if old["config"] != config:
            raise ValueError(f"out={str(out)!r} holds a run with a different configuration {old['config']}; "
                             "use another directory")
        manifest = old

    _, system, positions = alanine_dipeptide()
    integrator = openmm.LangevinMiddleIntegrator(temperature * unit.kelvin, friction / unit.picosecond,
                                                 timestep_fs * unit.femtosecond)
    integrator.setRandomNumberSeed(int(seed) % 2**31 or 1)
    context = openmm.Context(system, integrator, get_platform(platform))
    done = manifest["n_frames"]
    if manifest["chunks"]:
        last = load_npz(out / manifest["chunks"][-1]["file"])
        context.loadCheckpoint(last["checkpoint"].tobytes())
    else:
        context.setPositions(positions * unit.nanometer)
        context.setVelocitiesToTemperature(temperature * unit.kelvin, int(seed) % 2**31 or 1)
        integrator.step(round(equilibration_ps * 1000.0 / timestep_fs))

    bar = progress_bar(total=n_total, initial=min(done, n_total), desc="md generate", unit="ps", progress=progress)
    with bar:
        while done < n_total:
            n = min(int(chunk_frames), n_total - done)
            pos = np.empty((n, system.getNumParticles(), 3))
            frc = np.empty_like(pos)
            ene = np.empty(n)
            for f in range(n):
                integrator.step(steps_per_frame)
                st = context.getState(getPositions=True, getForces=True, getEnergy=True)
                pos[f] = st.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
                frc[f] = st.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
                ene[f] = st.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
                bar.update(1)
            time = (done + 1 + np.arange(n)) * save_every_ps
            name = f"chunk_{len(manifest['chunks']):05d}.npz"
            ckpt = np.frombuffer(context.createCheckpoint(), dtype=np.uint8)
            save_npz_atomic(out / name, dict(positions=pos, forces=frc, energies=ene, time=time, checkpoint=ckpt))
            done += n
            manifest["chunks"].append({"file": name, "frames": n})
            manifest["n_frames"] = done
            write_json_atomic(manifest_path, manifest)
    return out


def load_md_data(path: str | os.PathLike, *, max_frames: int | None = None) -> MDData:
    """Load the frames written by :func:`generate_md_data` (all chunks in order)."""
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"path must be a directory written by generate_md_data (no manifest.json in {path})")
    manifest = json.loads(manifest_path.read_text())
    keys = ("positions", "forces", "energies", "time")
    parts: dict[str, list] = {k: [] for k in keys}
    n = 0
    for c in manifest["chunks"]:
        if max_frames is not None and n >= max_frames:
            break
        d = load_npz(path / c["file"])
        for k in keys:
            parts[k].append(d[k])
        n += len(d["energies"])
    if n == 0:
        raise ValueError(f"no frames in {path}")
    arrays = {k: np.concatenate(v)[:max_frames] for k, v in parts.items()}
    return MDData(temperature=float(manifest["config"]["temperature"]), **arrays)
