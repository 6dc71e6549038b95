"""Reference MD data for alanine dipeptide: chunked, atomically written, resumable.

Layout of an output directory::

    manifest.json        config + list of completed chunks (rewritten atomically)
    chunk_00000.npz      positions (n, 22, 3) nm, forces (n, 22, 3) kJ/mol/nm,
                         energies (n,) kJ/mol, time (n,) ps, checkpoint (OpenMM bytes)

Every chunk carries the OpenMM checkpoint (positions, velocities, integrator RNG state) at its
end, so an interrupted run restarts from the last chunk in the manifest and reproduces the
uninterrupted trajectory exactly on the same platform. A chunk is written (atomically) before
the manifest names it, so a run killed at any point leaves a readable directory. Writers hold an
exclusive lock on ``.lock`` in the directory: a second run on the same directory waits for the
first and then resumes (or finds nothing left to do).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from statgen._checks import as_array, check_bool, check_int, check_nonnegative, check_positive
from statgen._io import file_lock, load_npz, read_json, save_npz_atomic, write_json_atomic
from statgen._progress import progress_bar
from statgen.md.system import alanine_dipeptide, import_openmm

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

    def __post_init__(self):
        pos = as_array(self.positions, "positions")
        if pos.ndim != 3 or pos.shape[2] != 3:
            raise ValueError(f"positions must have shape (n, n_atoms, 3) in nm, got {pos.shape}")
        n = pos.shape[0]
        frc = as_array(self.forces, "forces")
        if frc.shape != pos.shape:
            raise ValueError(f"forces must have the shape of positions {pos.shape}, got {frc.shape}")
        for name in ("energies", "time"):
            if as_array(getattr(self, name), name).shape != (n,):
                raise ValueError(f"{name} must have one entry per frame ({n},), got {np.shape(getattr(self, name))}")
        check_positive(self.temperature, "temperature")

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
    ns : total simulated time to save, in ns (> 0).
    platform : OpenMM platform name: ``Reference`` (fastest for 22 atoms on a CPU), ``CPU``, ``CUDA``.
    seed : integer >= 0 (velocities and Langevin noise).
    equilibration_ps : unsaved equilibration before the first frame, ps (>= 0).

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
    equilibration_ps = check_nonnegative(equilibration_ps, "equilibration_ps")
    chunk_frames = check_int(chunk_frames, "chunk_frames", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    check_bool(progress, "progress")
    plat = get_platform(platform)
    steps_per_frame = round(save_every_ps * 1000.0 / timestep_fs)
    if steps_per_frame < 1 or abs(steps_per_frame * timestep_fs - save_every_ps * 1000.0) > 1e-9:
        raise ValueError(f"save_every_ps must be a multiple of the time step, got {save_every_ps} ps "
                         f"with timestep_fs={timestep_fs}")
    n_total = int(round(ns * 1000.0 / save_every_ps))
    if n_total < 1:
        raise ValueError(f"ns must cover at least one saved frame ({save_every_ps} ps), got {ns}")

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out={str(out)!r} is a file; give a directory for the chunked MD data")
    out.mkdir(parents=True, exist_ok=True)
    # everything but the length identifies the trajectory (the platform included: its RNG differs)
    config = dict(system="alanine_dipeptide/amber99sbildn+obc", platform=platform, seed=seed,
                  temperature=temperature, friction=friction, timestep_fs=timestep_fs,
                  save_every_ps=save_every_ps, chunk_frames=chunk_frames, equilibration_ps=equilibration_ps)
    with file_lock(out / ".lock"):  # a second writer of the same directory waits
        for tmp in out.glob(".*.tmp"):  # left by a writer killed mid-write (we hold the lock: none is active)
            tmp.unlink(missing_ok=True)
        _generate(out, config, n_total, steps_per_frame, plat, progress, openmm, unit)
    return out



def _generate(out: Path, config: dict, n_total: int, steps_per_frame: int, plat, progress: bool, openmm, unit):
    seed, temperature, friction = config["seed"], config["temperature"], config["friction"]
    timestep_fs, save_every_ps, chunk_frames = config["timestep_fs"], config["save_every_ps"], config["chunk_frames"]
    manifest_path = out / "manifest.json"
    manifest = {"config": config, "chunks": [], "n_frames": 0}
    if manifest_path.exists():
        old = read_manifest(out)
        if old["config"] != config:
            raise ValueError(f"out={str(out)!r} holds a run with a different configuration {old['config']}; "
                             "use another directory")
        manifest = old

    _, system, positions = alanine_dipeptide()
    integrator = openmm.LangevinMiddleIntegrator(temperature * unit.kelvin, friction / unit.picosecond,
                                                 timestep_fs * unit.femtosecond)
    integrator.setRandomNumberSeed(seed % 2**31 or 1)
    context = openmm.Context(system, integrator, plat)
    done = manifest["n_frames"]
    if manifest["chunks"]:
        last_path = out / manifest["chunks"][-1]["file"]
        last = load_npz(last_path, what="statgen MD data chunk", required=("checkpoint",))
        try:
            context.loadCheckpoint(last["checkpoint"].tobytes())
        except openmm.OpenMMException as exc:
            raise ValueError(f"{last_path} is not a statgen MD data chunk: its OpenMM checkpoint does not load "
                             f"({exc})") from exc
    else:
        context.setPositions(positions * unit.nanometer)
        context.setVelocitiesToTemperature(temperature * unit.kelvin, seed % 2**31 or 1)
        integrator.step(round(config["equilibration_ps"] * 1000.0 / timestep_fs))

    bar = progress_bar(total=n_total, initial=min(done, n_total), desc="md generate", unit="ps", progress=progress)
    with bar:
        while done < n_total:
            n = min(chunk_frames, n_total - done)
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


_MANIFEST = "statgen MD data manifest"
_CHUNK = "statgen MD data chunk"
_KEYS = ("positions", "forces", "energies", "time")


def read_manifest(path: str | os.PathLike) -> dict:
    """The validated ``manifest.json`` of a directory of :func:`generate_md_data`: a config with a
    positive temperature, a list of chunks ``{"file", "frames"}`` and ``n_frames`` = their sum."""
    mpath = Path(path) / "manifest.json"
    m = read_json(mpath, what=_MANIFEST, required=("config", "chunks", "n_frames"))
    chunks, cfg = m["chunks"], m["config"]
    if not isinstance(cfg, dict) or not isinstance(chunks, list):
        raise ValueError(f"{mpath} is not a {_MANIFEST}: config must be an object and chunks a list")
    for i, c in enumerate(chunks):
        if (not isinstance(c, dict) or not isinstance(c.get("file"), str) or "/" in c["file"]
                or isinstance(c.get("frames"), bool) or not isinstance(c.get("frames"), int) or c["frames"] < 1):
            raise ValueError(f"{mpath} is not a {_MANIFEST}: chunks[{i}] must be {{'file': name, 'frames': n >= 1}}, "
                             f"got {c!r}")
    if m["n_frames"] != sum(c["frames"] for c in chunks):
        raise ValueError(f"{mpath} is not a {_MANIFEST}: n_frames={m['n_frames']!r} but the chunks hold "
                         f"{sum(c['frames'] for c in chunks)}")
    t = cfg.get("temperature")
    if isinstance(t, bool) or not isinstance(t, int | float) or not (math.isfinite(t) and t > 0):
        raise ValueError(f"{mpath} is not a {_MANIFEST}: config temperature must be a number > 0 (K), got {t!r}")
    return m


def _load_chunk(path: Path, frames: int, n_atoms: int | None) -> dict[str, np.ndarray]:
    d = load_npz(path, what=_CHUNK, required=_KEYS)
    pos = d["positions"]
    if pos.ndim != 3 or pos.shape[2] != 3 or pos.shape[0] != frames or (n_atoms is not None and pos.shape[1] != n_atoms):
        raise ValueError(f"{path} is not a {_CHUNK}: positions have shape {pos.shape}, expected "
                         f"({frames}, {n_atoms or 'n_atoms'}, 3) as the manifest says")
    for k, shape in (("forces", pos.shape), ("energies", (frames,)), ("time", (frames,))):
        if d[k].shape != shape:
            raise ValueError(f"{path} is not a {_CHUNK}: {k} have shape {d[k].shape}, expected {shape}")
    for k in _KEYS:
        if not np.issubdtype(d[k].dtype, np.floating) or not np.isfinite(d[k]).all():
            raise ValueError(f"{path} is not a {_CHUNK}: {k} must be finite floating-point numbers")
    return d


def load_md_data(path: str | os.PathLike, *, max_frames: int | None = None) -> MDData:
    """Load the frames written by :func:`generate_md_data` (all chunks in order, or the first ``max_frames``).

    Raises ``FileNotFoundError`` without a manifest and ``ValueError(f"{file} is not a statgen MD
    data …: {reason}")`` for a corrupt manifest or chunk (wrong shapes, lengths that disagree with
    the manifest, non-finite values)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"path {path} is a file, not a directory written by generate_md_data")
    if max_frames is not None:
        max_frames = check_int(max_frames, "max_frames", minimum=1)
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"path must be a directory written by generate_md_data (no manifest.json in {path})")
    manifest = read_manifest(path)
    parts: dict[str, list] = {k: [] for k in _KEYS}
    n, n_atoms = 0, None
    for c in manifest["chunks"]:
        if max_frames is not None and n >= max_frames:
            break
        d = _load_chunk(path / c["file"], c["frames"], n_atoms)
        n_atoms = d["positions"].shape[1]
        for k in _KEYS:
            parts[k].append(d[k])
        n += c["frames"]
    if n == 0:
        raise ValueError(f"{manifest_path} lists no frames (an empty run)")
    arrays = {k: np.concatenate(v)[:max_frames] for k, v in parts.items()}
    return MDData(temperature=float(manifest["config"]["temperature"]), **arrays)
