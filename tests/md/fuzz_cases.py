"""Adversarial inputs for every public function and class of ``statgen.md`` and the ``statgen md`` commands.

Small models are built once at import; MD data (a few frames, ~1 s on the Reference platform) and
hostile files are made the first time a case needs them, in one temporary directory.
CLI cases parse the arguments with the real parser and call the command function, so a refusal is
either argparse's exit 2 or a plain exception naming the option.
"""

from __future__ import annotations

import functools
import json
import math
import tempfile
from pathlib import Path

import numpy as np
import torch

import statgen.md as md
from tests import hostile
from tests.fuzz.harness import ACCEPTED, Case

F64 = torch.float64
TMP = Path(tempfile.mkdtemp(prefix="statgen-fuzz-md-"))

torch.manual_seed(0)
BG = md.BoltzmannGenerator(components=2, hidden=(4,), torsion_blocks=1, dtype=F64)
FRAMES = md.pretrained_starting_frames()[:4]  # (4, 22, 3) nm, physical geometries (held-out MD frames)
XT = torch.tensor(FRAMES)
ZM = md.alanine_zmatrix()
IC = md.InternalCoordinates()
B, A, T, _ = ZM.forward(XT)


def _nan_frames():
    x = FRAMES.copy()
    x[0, 3, 1] = np.nan
    return x


def _ranges():
    return md.data_ranges(FRAMES)


@functools.lru_cache(maxsize=1)
def _data_dir() -> Path:
    return md.generate_md_data(TMP / "md", ns=0.006, seed=1, equilibration_ps=0.1, chunk_frames=4, progress=False)


def _data():
    return md.load_md_data(_data_dir())


@functools.lru_cache(maxsize=1)
def _trained() -> Path:
    """A tiny trained Boltzmann generator checkpoint (2 steps)."""
    path = TMP / "bg.pt"
    torch.manual_seed(0)
    bg = md.BoltzmannGenerator(components=2, hidden=(4,), torsion_blocks=1, dtype=F64)
    md.train_boltzmann_generator(bg, FRAMES, steps=2, batch_size=2, checkpoint=path, progress=False)
    return path


def _train(**kw):
    torch.manual_seed(0)
    bg = kw.pop("model", None) or md.BoltzmannGenerator(components=2, hidden=(4,), torsion_blocks=1, dtype=F64)
    args = dict(steps=1, batch_size=2, progress=False)
    args.update(kw)
    positions = args.pop("positions", FRAMES)
    return md.train_boltzmann_generator(bg, positions, **args)


# -- hostile files -----------------------------------------------------------------------------------
def _no_marker(name: str):
    return lambda: hostile.code_ran(TMP / f"{name}.marker")


def _evil(fmt: str):
    return lambda name: hostile.pickle_that_runs_code(TMP / f"{name}.pt", TMP / f"{name}.marker", fmt=fmt)


def _random_bytes(name: str, seed: int = 25) -> Path:
    return hostile.random_bytes(TMP / f"{name}.pt", seed=seed)


def _empty(name: str) -> Path:
    path = TMP / f"{name}.pt"
    path.write_bytes(b"")
    return path


def _truncated(name: str) -> Path:
    return hostile.truncated_copy(_trained(), TMP / f"{name}.pt")


def _torch_file(name: str, obj) -> Path:
    path = TMP / f"{name}.pt"
    torch.save(obj, path)
    return path


def _saved_with(name: str, *, config=None, state=None) -> Path:
    """A real model file with its config or state dict tampered."""
    cfg = dict(BG.config) if config is None else config
    sd = dict(BG.state_dict()) if state is None else state
    return _torch_file(name, {"config": cfg, "state_dict": sd})


def _other_architecture(name: str) -> Path:
    """BG's config with the state dict of a differently sized model."""
    other = md.BoltzmannGenerator(components=3, hidden=(6,), torsion_blocks=1, dtype=F64)
    return _saved_with(name, state=dict(other.state_dict()))


def _nan_weights():
    sd = {k: v.clone() for k, v in BG.state_dict().items()}
    key = next(k for k, v in sd.items() if v.is_floating_point() and v.numel() > 1)
    sd[key][0] = math.nan
    return sd


HOSTILE = [
    ("pickle whose unpickling runs code", _evil("zip"), True),
    ("legacy-format pickle that runs code", _evil("legacy"), True),
    ("plain pickle that runs code", _evil("plain"), True),
    ("64 random bytes", _random_bytes, False),
    ("64 random bytes (seed 7)", lambda n: _random_bytes(n, seed=7), False),
    ("empty file", _empty, False),
    ("truncated checkpoint", _truncated, False),
    ("torch file with other keys", lambda n: _torch_file(n, {"weights": torch.zeros(1)}), False),
    ("torch file holding a tensor", lambda n: _torch_file(n, torch.zeros(3)), False),
    ("npz file", lambda n: (np.savez(TMP / f"{n}.npz", a=np.zeros(1)), (TMP / f"{n}.npz").rename(TMP / f"{n}.pt"),
                           TMP / f"{n}.pt")[2], False),
    ("config with a negative component count",
     lambda n: _saved_with(n, config={**BG.config, "components": -1}), False),
    ("config with an unknown key", lambda n: _saved_with(n, config={**BG.config, "colour": "red"}), False),
    ("config missing a key", lambda n: _saved_with(n, config={k: v for k, v in BG.config.items()
                                                               if k != "bond_range"}), False),
    ("config not a dict", lambda n: _saved_with(n, config=[1, 2]), False),
    ("state dict of another architecture", _other_architecture, False),
    ("state dict with NaN weights", lambda n: _saved_with(n, state=_nan_weights()), False),
    ("state dict missing a tensor", lambda n: _saved_with(n, state=dict(list(BG.state_dict().items())[1:])), False),
]


def _hostile_cases(label: str, use) -> list[Case]:
    out = []
    for cid, make, evil in HOSTILE:
        name = f"{label}_{cid}".replace(" ", "_").replace("(", "").replace(")", "")
        out.append(Case(f"{label}: {cid}", lambda make=make, name=name: use(make(name)), (name,),
                        after=_no_marker(name) if evil else None))
    return out


# -- CLI -----------------------------------------------------------------------------------------
def _cli(*argv):
    from statgen.cli import build_parser

    args = build_parser().parse_args(["md", *map(str, argv)])
    return args.func(args)


def _cli_run_npz(*argv):
    """statgen md run ... --out run.npz; returns the written traces."""
    out = TMP / "cli_run.npz"
    out.unlink(missing_ok=True)
    _cli("run", *argv, "--out", out, "--no-progress")
    with np.load(out) as f:
        return {k: f[k] for k in f.files}


def _bad_manifest_dir(name: str, text: str) -> Path:
    d = TMP / name
    d.mkdir(exist_ok=True)
    (d / "manifest.json").write_text(text)
    return d


def _tampered_data(name: str, change) -> Path:
    """A copy of the tiny MD data directory with its manifest or first chunk changed by ``change(dir)``."""
    import shutil

    d = TMP / name
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(_data_dir(), d)
    change(d)
    return d


def _rewrite_chunk(d: Path, **arrays):
    with np.load(d / "chunk_00000.npz") as f:
        data = {k: f[k] for k in f.files}
    data.update(arrays)
    np.savez(d / "chunk_00000.npz", **data)


def _edit_manifest(d: Path, edit):
    m = json.loads((d / "manifest.json").read_text())
    edit(m)
    (d / "manifest.json").write_text(json.dumps(m))


def _is_shape(shape):
    return lambda v: tuple(v.shape) == shape


CASES: list[Case] = []
add = CASES.append

# -- ZMatrix -------------------------------------------------------------------------------------
ZROWS = md.ALANINE_ZMATRIX
for cid, call, names in [
    ("rows wrong shape", lambda: md.ZMatrix(np.zeros((5, 3), dtype=int)), "rows"),
    ("rows with 3 atoms", lambda: md.ZMatrix(ZROWS[:3]), "rows"),
    ("rows float entries", lambda: md.ZMatrix(ZROWS + 0.5), "rows"),
    ("rows referencing a later atom", lambda: md.ZMatrix(np.where(np.arange(22)[:, None] == 5,
                                                                  [[5, 21, 6, 8]], ZROWS)), "rows"),
    ("rows with a duplicated atom", lambda: md.ZMatrix(np.vstack([ZROWS[:-1], ZROWS[-2:-1]])), "rows"),
    ("rows a string", lambda: md.ZMatrix("abc"), "rows"),
    ("forward x NaN", lambda: ZM.forward(torch.tensor(_nan_frames())), "x"),
    ("forward x inf", lambda: ZM.forward(torch.full((1, 22, 3), math.inf, dtype=F64)), "x"),
    ("forward all atoms at the origin", lambda: ZM.forward(torch.zeros(1, 22, 3, dtype=F64)), "x"),
    ("forward three collinear root atoms", lambda: ZM.forward(torch.tensor(np.tile(
        np.arange(22.0)[:, None] * [0.1, 0.0, 0.0], (1, 1, 1)))), "x"),
    ("forward x wrong atom count", lambda: ZM.forward(torch.zeros(2, 21, 3, dtype=F64)), "x"),
    ("forward x numpy", lambda: ZM.forward(FRAMES), "x"),
    ("forward x integer tensor", lambda: ZM.forward(torch.zeros(1, 22, 3, dtype=torch.int64)), "x"),
    ("inverse bonds negative", lambda: ZM.inverse(-B, A, T), "bonds"),
    ("inverse bonds zero", lambda: ZM.inverse(torch.zeros_like(B), A, T), "bonds"),
    ("inverse bonds NaN", lambda: ZM.inverse(torch.full_like(B, math.nan), A, T), "bonds"),
    ("inverse angles above π", lambda: ZM.inverse(B, A + 4.0, T), "angles"),
    ("inverse angles zero", lambda: ZM.inverse(B, torch.zeros_like(A), T), "angles"),
    ("inverse torsions NaN", lambda: ZM.inverse(B, A, torch.full_like(T, math.nan)), "torsions"),
    ("inverse torsions inf", lambda: ZM.inverse(B, A, torch.full_like(T, math.inf)), "torsions"),
    ("inverse bonds wrong length", lambda: ZM.inverse(B[:, :5], A, T), "bonds"),
    ("inverse bonds numpy", lambda: ZM.inverse(B.numpy(), A, T), "bonds"),
    ("inverse batch shapes differ", lambda: ZM.inverse(B[:2], A[:3], T[:3]), "bonds"),
    ("inverse origin wrong shape", lambda: ZM.inverse(B, A, T, origin=torch.zeros(4, 2, dtype=F64)), "origin"),
    ("inverse rotation wrong shape", lambda: ZM.inverse(B, A, T, rotation=torch.eye(2, dtype=F64)), "rotation"),
    ("inverse origin NaN", lambda: ZM.inverse(B, A, T, origin=torch.full((4, 3), math.nan, dtype=F64)), "origin"),
    ("frame x NaN", lambda: ZM.frame(torch.tensor(_nan_frames())), "x"),
]:
    add(Case(f"ZMatrix: {cid}", call, names))
add(Case("ZMatrix: round trip through the frame (valid)", lambda: ZM.inverse(B, A, T, *ZM.frame(XT))[0], "x",
         ok=lambda x: float((x - XT).abs().max()) < 1e-10))

# -- InternalCoordinates / data_ranges -------------------------------------------------------------
U0 = IC(XT)[0]
for cid, call, names in [
    ("edges unknown", lambda: md.InternalCoordinates(edges="hard"), "edges"),
    ("bond_range reversed", lambda: md.InternalCoordinates(bond_range=(0.3, 0.1)), "bond_range"),
    ("bond_range NaN", lambda: md.InternalCoordinates(bond_range=(math.nan, 0.3)), "bond_range"),
    ("bond_range negative", lambda: md.InternalCoordinates(bond_range=(-0.1, 0.3)), "bond_range"),
    ("bond_range wrong shape", lambda: md.InternalCoordinates(bond_range=np.ones((5, 2))), "bond_range"),
    ("angle_range beyond π", lambda: md.InternalCoordinates(angle_range=(0.5, 4.0)), "angle_range"),
    ("angle_range inf", lambda: md.InternalCoordinates(angle_range=(0.5, math.inf)), "angle_range"),
    ("angle_range a string", lambda: md.InternalCoordinates(angle_range="wide"), "angle_range"),
    ("zmatrix invalid", lambda: md.InternalCoordinates(np.zeros((3, 4), dtype=int)), "rows"),
    ("dtype integer", lambda: md.InternalCoordinates(dtype=torch.int64), "dtype"),
    ("forward x NaN", lambda: IC(torch.tensor(_nan_frames())), "x"),
    ("forward x wrong shape", lambda: IC(torch.zeros(2, 20, 3, dtype=F64)), "x"),
    ("inverse u outside [0, 1] (1.5)", lambda: IC.inverse(torch.full((1, 60), 1.5, dtype=F64)), "u"),
    ("inverse u negative", lambda: IC.inverse(-U0), "u"),
    ("inverse u NaN", lambda: IC.inverse(torch.full((1, 60), math.nan, dtype=F64)), "u"),
    ("inverse u wrong width", lambda: IC.inverse(torch.full((1, 59), 0.5, dtype=F64)), "u"),
    ("inverse u 1-D", lambda: IC.inverse(torch.full((60,), 0.5, dtype=F64)), "u"),
    ("data_ranges positions NaN", lambda: md.data_ranges(_nan_frames()), "positions"),
    ("data_ranges positions wrong shape", lambda: md.data_ranges(np.zeros((3, 21, 3))), "positions"),
    ("data_ranges positions empty", lambda: md.data_ranges(np.zeros((0, 22, 3))), "positions"),
    ("data_ranges margin=-1", lambda: md.data_ranges(FRAMES, margin=-1.0), "margin"),
    ("data_ranges margin=nan", lambda: md.data_ranges(FRAMES, margin=math.nan), "margin"),
    ("data_ranges coincident atoms", lambda: md.data_ranges(np.zeros((2, 22, 3))), "positions"),
]:
    add(Case(f"InternalCoordinates: {cid}" if not cid.startswith("data_ranges") else f"data_ranges: {cid[12:]}",
             call, names))
add(Case("InternalCoordinates: inverse of forward (valid)", lambda: IC(IC.inverse(U0)[0])[0], "u",
         ok=lambda u: float(torch.minimum((u - U0).abs(), 1 - (u - U0).abs()).max()) < 1e-10))

# -- alanine_couplings ---------------------------------------------------------------------------
for cid, call, names in [
    ("n_torsions=-1", lambda: md.alanine_couplings(-1), "n_torsions"),
    ("n_torsions=0", lambda: md.alanine_couplings(0), "n_torsions"),
    ("n_torsions=1", lambda: md.alanine_couplings(1), "n_torsions"),
    ("n_torsions=2.5", lambda: md.alanine_couplings(2.5), "n_torsions"),
    ("n_angles=-1", lambda: md.alanine_couplings(19, -1), "n_angles"),
    ("n_angles=0", lambda: md.alanine_couplings(19, 0), "n_angles"),
    ("n_bonds=0", lambda: md.alanine_couplings(19, 20, 0), "n_bonds"),
    ("n_bonds a string", lambda: md.alanine_couplings(19, 20, "21"), "n_bonds"),
    ("torsion_blocks=0", lambda: md.alanine_couplings(torsion_blocks=0), "torsion_blocks"),
    ("torsion_blocks=1.5", lambda: md.alanine_couplings(torsion_blocks=1.5), "torsion_blocks"),
]:
    add(Case(f"alanine_couplings: {cid}", call, names))
add(Case("alanine_couplings: 4 torsions, 1 block (valid)", lambda: md.alanine_couplings(4, 1, 1, torsion_blocks=1),
         "n_torsions", ok=lambda v: v == [([0, 2], [1, 3]), ([1, 3], [0, 2]), ([4], [0, 1, 2, 3]),
                                          ([5], [4, 0, 1, 2, 3])]))

# -- BoltzmannGenerator --------------------------------------------------------------------------
BGC = md.BoltzmannGenerator
for cid, call, names in [
    ("transformer unknown", lambda: BGC(transformer="affine"), "transformer"),
    ("components=0", lambda: BGC(components=0), "components"),
    ("components=2.5", lambda: BGC(components=2.5), "components"),
    ("hidden=(0,)", lambda: BGC(hidden=(0,)), "hidden"),
    ("torsion_blocks=0", lambda: BGC(torsion_blocks=0), "torsion_blocks"),
    ("beta=-1", lambda: BGC(beta=-1.0), "beta"),
    ("bond_range NaN", lambda: BGC(bond_range=(math.nan, 1.0)), "bond_range"),
    ("edges unknown", lambda: BGC(edges="soft"), "edges"),
    ("zmatrix invalid", lambda: BGC(zmatrix=[[0, 1, 2]]), "rows"),
    ("dtype integer", lambda: BGC(dtype=torch.int32), "dtype"),
    ("log_prob x NaN", lambda: BG.log_prob(_nan_frames()), "x"),
    ("log_prob x wrong shape", lambda: BG.log_prob(np.zeros((3, 21, 3))), "x"),
    ("log_prob x a string", lambda: BG.log_prob("frames.npy"), "x"),
    ("energy x NaN", lambda: BG.energy(_nan_frames()), "x"),
    ("force x NaN", lambda: BG.force(_nan_frames()), "x"),
    ("force x inf", lambda: BG.force(np.full((1, 22, 3), np.inf)), "x"),
    ("sample n=10**8 (24 GB latent)", lambda: BG.sample(10**8), "n"),
    ("sample n=-1", lambda: BG.sample(-1), "n"),
    ("sample n=2.5", lambda: BG.sample(2.5), "n"),
    ("sample n a string", lambda: BG.sample("4"), "n"),
    ("sample generator a seed", lambda: BG.sample(2, generator=1), "generator"),
    ("sample_and_log_prob n=-3", lambda: BG.sample_and_log_prob(-3), "n"),
    ("sample_and_log_prob n=10**9", lambda: BG.sample_and_log_prob(10**9), "n"),
    ("from_config unknown key", lambda: BGC.from_config({**BG.config, "colour": 1}), "colour"),
    ("from_config dtype unknown", lambda: BGC.from_config({**BG.config, "dtype": "float17"}), "dtype"),
    ("from_config not a dict", lambda: BGC.from_config([1, 2]), "config"),
]:
    add(Case(f"BoltzmannGenerator: {cid}", call, names))
add(Case("BoltzmannGenerator.log_prob: empty batch (valid)", lambda: BG.log_prob(np.zeros((0, 22, 3))), "x",
         ok=_is_shape((0,))))
add(Case("BoltzmannGenerator.sample: n=0 (valid)", lambda: BG.sample(0), "n", ok=_is_shape((0, 22, 3))))
add(Case("BoltzmannGenerator.energy: flat (n, 66) frames (valid)", lambda: BG.energy(FRAMES.reshape(4, 66)), "x",
         ok=lambda e: e.shape == (4,) and bool(torch.isfinite(e).all())))

# -- save / load / pretrained --------------------------------------------------------------------
for cid, call, names in [
    ("save: model not a BoltzmannGenerator", lambda: md.save_boltzmann_generator(object(), TMP / "o.pt"), "model"),
    ("save: path is a directory", lambda: md.save_boltzmann_generator(BG, TMP), "path"),
    ("save: extra holds a Python object", lambda: md.save_boltzmann_generator(BG, TMP / "x.pt", note=object()),
     "extra"),
    ("save: extra overrides config", lambda: md.save_boltzmann_generator(BG, TMP / "y.pt", config={}), "config"),
    ("load: missing file", lambda: md.load_boltzmann_generator(TMP / "missing.pt"), "missing.pt"),
    ("load: a directory", lambda: md.load_boltzmann_generator(TMP), str(TMP)),
    ("load: device unknown", lambda: md.load_boltzmann_generator(_trained(), device="gpu9"), "device"),
    ("pretrained: kind unknown", lambda: md.pretrained_boltzmann_generator(kind="bogus"), "kind"),
    ("pretrained: kind typo", lambda: md.pretrained_boltzmann_generator(kind="smooth-fm"), "kind"),
    ("pretrained: dtype integer", lambda: md.pretrained_boltzmann_generator(dtype=torch.int64), "dtype"),
]:
    add(Case(f"{cid.split(':')[0]}_boltzmann_generator:{cid.split(':', 1)[1]}", call, names))
CASES += _hostile_cases("load_boltzmann_generator", md.load_boltzmann_generator)
add(Case("load_boltzmann_generator: a training checkpoint (valid)", lambda: md.load_boltzmann_generator(_trained()),
         "path", ok=lambda m: m.n_atoms == 22 and bool(torch.isfinite(m.energy(FRAMES)).all())))
add(Case("pretrained_boltzmann_generator: float64 energies (valid)",
         lambda: md.pretrained_boltzmann_generator().energy(FRAMES), "kind",
         ok=lambda e: bool(torch.isfinite(e).all()) and e.dtype == F64))
add(Case("pretrained_starting_frames: shape (valid)", md.pretrained_starting_frames, "frames",
         ok=lambda x: x.shape == (10, 22, 3) and np.isfinite(x).all()))

# -- train_boltzmann_generator -------------------------------------------------------------------
for cid, kw, names in [
    ("steps=-1", dict(steps=-1), "steps"),
    ("steps=2.5", dict(steps=2.5), "steps"),
    ("steps a string", dict(steps="10"), "steps"),
    ("batch_size=-1", dict(batch_size=-1), "batch_size"),
    ("batch_size=0", dict(batch_size=0), "batch_size"),
    ("lr=0", dict(lr=0.0), "lr"),
    ("lr=nan", dict(lr=math.nan), "lr"),
    ("lr_decay=2", dict(lr_decay=2.0), "lr_decay"),
    ("w_nll=0 and w_fm=0", dict(w_nll=0.0), "w_nll"),
    ("w_fm=-1", dict(w_fm=-1.0, forces=np.zeros_like(FRAMES)), "w_fm"),
    ("w_fm > 0 without forces", dict(w_fm=1.0), "forces"),
    ("positions NaN", dict(positions=_nan_frames()), "positions"),
    ("positions wrong shape", dict(positions=np.zeros((4, 21, 3))), "positions"),
    ("positions empty", dict(positions=np.zeros((0, 22, 3))), "positions"),
    ("positions a string", dict(positions="frames.npy"), "positions"),
    ("forces NaN", dict(w_fm=1.0, forces=np.full_like(FRAMES, np.nan)), "forces"),
    ("forces for fewer frames", dict(w_fm=1.0, forces=np.zeros((3, 22, 3))), "forces"),
    ("forces wrong atom count", dict(w_fm=1.0, forces=np.zeros((4, 21, 3))), "forces"),
    ("checkpoint_every=0", dict(checkpoint_every=0, checkpoint=TMP / "every0.pt"), "checkpoint_every"),
    ("seed a string", dict(seed="x"), "seed"),
    ("seed=-1", dict(seed=-1), "seed"),
    ("checkpoint is a directory", dict(checkpoint=TMP), "checkpoint"),
]:
    add(Case(f"train_boltzmann_generator: {cid}", lambda kw=kw: _train(**kw), names))
add(Case("train_boltzmann_generator: model without log_prob",
         lambda: md.train_boltzmann_generator(object(), FRAMES, steps=1, progress=False), "model"))
add(Case("train_boltzmann_generator: steps=0 trains nothing (valid)", lambda: _train(steps=0), "steps",
         ok=lambda h: all(len(v) == 0 for v in h.values())))
CASES += _hostile_cases("train_boltzmann_generator checkpoint", lambda p: _train(checkpoint=p))

# -- analysis ------------------------------------------------------------------------------------
PHI = np.array([-1.2, 1.0, -2.5])
PSI = np.array([2.5, 0.5, -0.5])
for cid, call, names in [
    ("ramachandran: x NaN", lambda: md.ramachandran(_nan_frames()), "x"),
    ("ramachandran: x wrong atom count", lambda: md.ramachandran(np.zeros((2, 21, 3))), "x"),
    ("ramachandran: x a string", lambda: md.ramachandran("traj.dcd"), "x"),
    ("ramachandran: x 1-D", lambda: md.ramachandran(np.zeros(66)), "x"),
    ("ramachandran: coincident atoms", lambda: md.ramachandran(np.zeros((1, 22, 3))), "x"),
    ("ramachandran_basins: phi NaN", lambda: md.ramachandran_basins(np.array([np.nan]), np.array([0.1])), "phi"),
    ("ramachandran_basins: phi in degrees", lambda: md.ramachandran_basins(np.array([-60.0]), np.array([0.1])),
     "phi"),
    ("ramachandran_basins: psi in degrees", lambda: md.ramachandran_basins(np.array([-1.0]), np.array([140.0])),
     "psi"),
    ("ramachandran_basins: psi inf", lambda: md.ramachandran_basins(np.array([-1.0]), np.array([np.inf])), "psi"),
    ("ramachandran_basins: lengths differ", lambda: md.ramachandran_basins(PHI, PSI[:2]), "psi"),
    ("ramachandran_basins: phi a string", lambda: md.ramachandran_basins("a", PSI), "phi"),
    ("ramachandran_free_energy: weights negative", lambda: md.ramachandran_free_energy(PHI, PSI,
                                                                                      weights=[1, -1, 1]),
     "weights"),
    ("ramachandran_free_energy: weights NaN", lambda: md.ramachandran_free_energy(PHI, PSI,
                                                                                 weights=[1, np.nan, 1]), "weights"),
    ("ramachandran_free_energy: weights wrong length", lambda: md.ramachandran_free_energy(PHI, PSI,
                                                                                          weights=[1, 1]),
     "weights"),
    ("ramachandran_free_energy: weights all zero", lambda: md.ramachandran_free_energy(PHI, PSI,
                                                                                      weights=[0, 0, 0]),
     "weights"),
    ("ramachandran_free_energy: bins=0", lambda: md.ramachandran_free_energy(PHI, PSI, bins=0), "bins"),
    ("ramachandran_free_energy: bins=-1", lambda: md.ramachandran_free_energy(PHI, PSI, bins=-1), "bins"),
    ("ramachandran_free_energy: bins=2.5", lambda: md.ramachandran_free_energy(PHI, PSI, bins=2.5), "bins"),
    ("ramachandran_free_energy: bins=10**6", lambda: md.ramachandran_free_energy(PHI, PSI, bins=10**6), "bins"),
    ("ramachandran_free_energy: phi NaN", lambda: md.ramachandran_free_energy(np.array([np.nan]), PSI[:1]), "phi"),
    ("ramachandran_free_energy: empty", lambda: md.ramachandran_free_energy(np.array([]), np.array([])), "phi"),
    ("ramachandran_free_energy: phi in degrees", lambda: md.ramachandran_free_energy(PHI * 57.3, PSI), "phi"),
    ("basin_free_energies: empty", lambda: md.basin_free_energies(np.array([]), np.array([])), "phi"),
    ("basin_free_energies: phi NaN", lambda: md.basin_free_energies(np.array([np.nan, 1.0]), PSI[:2]), "phi"),
    ("basin_free_energies: weights negative", lambda: md.basin_free_energies(PHI, PSI, weights=[-1, 1, 1]),
     "weights"),
    ("basin_free_energies: weights wrong length", lambda: md.basin_free_energies(PHI, PSI, weights=[1.0]),
     "weights"),
    ("basin_free_energies: weights sum to zero", lambda: md.basin_free_energies(PHI, PSI, weights=[0, 0, 0]),
     "weights"),
    ("basin_free_energies: lengths differ", lambda: md.basin_free_energies(PHI, PSI[:1]), "psi"),
]:
    add(Case(cid, call, names))
add(Case("ramachandran: empty batch (valid)", lambda: md.ramachandran(np.zeros((0, 22, 3))), "x",
         ok=lambda v: v[0].shape == (0,) and v[1].shape == (0,)))
add(Case("ramachandran_basins: β, αL, αR (valid)", lambda: md.ramachandran_basins(PHI, PSI), "phi",
         ok=lambda b: b.tolist() == [0, 2, 1]))
add(Case("ramachandran_basins: φ = π exactly (valid)", lambda: md.ramachandran_basins([math.pi], [0.0]), "phi",
         ok=lambda b: b.tolist() == [2]))
add(Case("basin_free_energies: one frame per basin (valid)", lambda: md.basin_free_energies(PHI, PSI), "phi",
         ok=lambda f: np.allclose(f, math.log(3))))

# -- amber_energies / evaluate_boltzmann_generator -----------------------------------------------
for cid, call, names in [
    ("amber_energies: x NaN", lambda: md.amber_energies(_nan_frames()), "x"),
    ("amber_energies: all atoms at the same point", lambda: md.amber_energies(np.zeros((1, 22, 3))), "x"),
    ("amber_energies: x wrong atom count", lambda: md.amber_energies(np.zeros((1, 21, 3))), "x"),
    ("amber_energies: x 2-D", lambda: md.amber_energies(np.zeros((22, 3))), "x"),
    ("amber_energies: platform unknown", lambda: md.amber_energies(FRAMES[:1], platform="Abacus"), "platform"),
    ("amber_energies: x a string", lambda: md.amber_energies("frames"), "x"),
    ("evaluate_boltzmann_generator: temperature=-300",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, temperature=-300.0, n_samples=4), "temperature"),
    ("evaluate_boltzmann_generator: temperature=0",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, temperature=0.0, n_samples=4), "temperature"),
    ("evaluate_boltzmann_generator: temperature=nan",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, temperature=math.nan, n_samples=4), "temperature"),
    ("evaluate_boltzmann_generator: positions NaN",
     lambda: md.evaluate_boltzmann_generator(BG, _nan_frames(), n_samples=4), "positions"),
    ("evaluate_boltzmann_generator: positions empty",
     lambda: md.evaluate_boltzmann_generator(BG, np.zeros((0, 22, 3)), n_samples=4), "positions"),
    ("evaluate_boltzmann_generator: forces wrong shape",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, np.zeros((3, 22, 3)), n_samples=4), "forces"),
    ("evaluate_boltzmann_generator: forces NaN",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, np.full_like(FRAMES, np.nan), n_samples=4), "forces"),
    ("evaluate_boltzmann_generator: n_samples=0",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, n_samples=0), "n_samples"),
    ("evaluate_boltzmann_generator: n_samples=-1",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, n_samples=-1), "n_samples"),
    ("evaluate_boltzmann_generator: batch_size=0",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, n_samples=4, batch_size=0), "batch_size"),
    ("evaluate_boltzmann_generator: bins=0",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, n_samples=4, bins=0), "bins"),
    ("evaluate_boltzmann_generator: seed=-1",
     lambda: md.evaluate_boltzmann_generator(BG, FRAMES, n_samples=4, seed=-1), "seed"),
    ("evaluate_boltzmann_generator: model not a density",
     lambda: md.evaluate_boltzmann_generator(object(), FRAMES, n_samples=4), "model"),
]:
    add(Case(cid, call, names))
add(Case("amber_energies: matches the stored MD energies (valid)",
         lambda: md.amber_energies(_data().positions[:2]) - _data().energies[:2], "x",
         ok=lambda d: np.all(np.abs(d) < 1e-6)))
add(Case("amber_energies: empty batch (valid)", lambda: md.amber_energies(np.zeros((0, 22, 3))), "x",
         ok=_is_shape((0,))))

# -- kbt -----------------------------------------------------------------------------------------
for cid, call, names in [
    ("temperature=-1", lambda: md.kbt(-1.0), "temperature"),
    ("temperature=0", lambda: md.kbt(0.0), "temperature"),
    ("temperature=nan", lambda: md.kbt(math.nan), "temperature"),
    ("temperature=inf", lambda: md.kbt(math.inf), "temperature"),
    ("temperature a string", lambda: md.kbt("300"), "temperature"),
    ("temperature a Quantity in nm", lambda: md.kbt(__import__("openmm").unit.Quantity(300.0,
                                                                                        __import__("openmm").unit.nanometer)),
     "kelvin"),
]:
    add(Case(f"kbt: {cid}", call, names))
add(Case("kbt: RT at 300 K (valid)", lambda: md.kbt(300.0), "temperature", ok=lambda v: abs(v - 2.4943387854) < 1e-9))
add(Case("kbt: a Quantity in kelvin (valid)", lambda: md.kbt(300.0 * __import__("openmm").unit.kelvin),
         "temperature", ok=lambda v: abs(v - 2.4943387854) < 1e-9))

# -- MDData / generate_md_data / load_md_data ----------------------------------------------------
Z3 = np.zeros((3, 22, 3))
for cid, call, names in [
    ("MDData: forces of another shape", lambda: md.MDData(Z3, np.zeros((2, 22, 3)), np.zeros(3), np.arange(3.0),
                                                          300.0), "forces"),
    ("MDData: energies wrong length", lambda: md.MDData(Z3, Z3, np.zeros(2), np.arange(3.0), 300.0), "energies"),
    ("MDData: positions 2-D", lambda: md.MDData(np.zeros((3, 66)), Z3, np.zeros(3), np.arange(3.0), 300.0),
     "positions"),
    ("MDData: temperature negative", lambda: md.MDData(Z3, Z3, np.zeros(3), np.arange(3.0), -1.0), "temperature"),
    ("MDData: time wrong length", lambda: md.MDData(Z3, Z3, np.zeros(3), np.arange(4.0), 300.0), "time"),
    ("generate_md_data: ns=-1", lambda: md.generate_md_data(TMP / "g1", ns=-1.0, progress=False), "ns"),
    ("generate_md_data: ns=0", lambda: md.generate_md_data(TMP / "g2", ns=0.0, progress=False), "ns"),
    ("generate_md_data: ns=nan", lambda: md.generate_md_data(TMP / "g3", ns=math.nan, progress=False), "ns"),
    ("generate_md_data: equilibration_ps=-1",
     lambda: md.generate_md_data(TMP / "g4", ns=0.001, equilibration_ps=-1.0, progress=False), "equilibration_ps"),
    ("generate_md_data: equilibration_ps=nan",
     lambda: md.generate_md_data(TMP / "g5", ns=0.001, equilibration_ps=math.nan, progress=False),
     "equilibration_ps"),
    ("generate_md_data: temperature=-1",
     lambda: md.generate_md_data(TMP / "g6", ns=0.001, temperature=-1.0, progress=False), "temperature"),
    ("generate_md_data: friction=0",
     lambda: md.generate_md_data(TMP / "g7", ns=0.001, friction=0.0, progress=False), "friction"),
    ("generate_md_data: timestep_fs=0",
     lambda: md.generate_md_data(TMP / "g8", ns=0.001, timestep_fs=0.0, progress=False), "timestep_fs"),
    ("generate_md_data: save_every_ps not a multiple of the time step",
     lambda: md.generate_md_data(TMP / "g9", ns=0.001, save_every_ps=0.0015, progress=False), "save_every_ps"),
    ("generate_md_data: chunk_frames=0",
     lambda: md.generate_md_data(TMP / "g10", ns=0.001, chunk_frames=0, progress=False), "chunk_frames"),
    ("generate_md_data: chunk_frames=2.5",
     lambda: md.generate_md_data(TMP / "g11", ns=0.001, chunk_frames=2.5, progress=False), "chunk_frames"),
    ("generate_md_data: seed=-1", lambda: md.generate_md_data(TMP / "g12", ns=0.001, seed=-1, progress=False),
     "seed"),
    ("generate_md_data: seed=1.5", lambda: md.generate_md_data(TMP / "g13", ns=0.001, seed=1.5, progress=False),
     "seed"),
    ("generate_md_data: platform unknown",
     lambda: md.generate_md_data(TMP / "g14", ns=0.001, platform="Quantum", progress=False), "platform"),
    ("generate_md_data: out is a file",
     lambda: md.generate_md_data((TMP / "afile").write_text("x") and TMP / "afile", ns=0.001, progress=False),
     "out"),
    ("generate_md_data: corrupt manifest.json",
     lambda: md.generate_md_data(_bad_manifest_dir("gbad", "{not json"), ns=0.001, progress=False), "manifest"),
    ("generate_md_data: manifest of another kind of file",
     lambda: md.generate_md_data(_bad_manifest_dir("gbad2", "[1, 2]"), ns=0.001, progress=False), "manifest"),
    ("generate_md_data: progress a string",
     lambda: md.generate_md_data(TMP / "g15", ns=0.001, progress="no"), "progress"),
    ("load_md_data: no manifest", lambda: md.load_md_data(TMP / "nothing"), "manifest"),
    ("load_md_data: path is a file", lambda: md.load_md_data((TMP / "bfile").write_text("x") and TMP / "bfile"),
     "bfile"),
    ("load_md_data: corrupt manifest.json", lambda: md.load_md_data(_bad_manifest_dir("lbad", "garbage{")),
     "manifest"),
    ("load_md_data: manifest without chunks", lambda: md.load_md_data(_bad_manifest_dir("lbad2", '{"config": {}}')),
     "manifest"),
    ("load_md_data: manifest chunks not a list",
     lambda: md.load_md_data(_bad_manifest_dir("lbad3", '{"config": {"temperature": 300}, "chunks": 5,'
                                                        ' "n_frames": 5}')), "manifest"),
    ("load_md_data: chunk file missing",
     lambda: md.load_md_data(_tampered_data("lmiss", lambda d: (d / "chunk_00000.npz").unlink())), "chunk_00000"),
    ("load_md_data: chunk with 10 atoms",
     lambda: md.load_md_data(_tampered_data("l10", lambda d: _rewrite_chunk(
         d, positions=np.zeros((4, 10, 3)), forces=np.zeros((4, 10, 3))))), "chunk_0000"),
    ("load_md_data: chunk arrays of inconsistent lengths",
     lambda: md.load_md_data(_tampered_data("llen", lambda d: _rewrite_chunk(d, energies=np.zeros(3)))),
     "chunk_00000"),
    ("load_md_data: chunk of garbage bytes",
     lambda: md.load_md_data(_tampered_data("lgarb", lambda d: (d / "chunk_00000.npz").write_bytes(b"xx" * 40))),
     "chunk_00000"),
    ("load_md_data: chunk with NaN positions",
     lambda: md.load_md_data(_tampered_data("lnan", lambda d: _rewrite_chunk(
         d, positions=np.full((4, 22, 3), np.nan)))), "chunk_00000"),
    ("load_md_data: manifest frame count differs from the chunks",
     lambda: md.load_md_data(_tampered_data("lcount", lambda d: _edit_manifest(
         d, lambda m: m["chunks"][0].update(frames=7)))), "manifest"),
    ("load_md_data: manifest temperature negative",
     lambda: md.load_md_data(_tampered_data("ltemp", lambda d: _edit_manifest(
         d, lambda m: m["config"].update(temperature=-3)))), "temperature"),
    ("load_md_data: max_frames=0", lambda: md.load_md_data(_data_dir(), max_frames=0), "max_frames"),
    ("load_md_data: max_frames=-1", lambda: md.load_md_data(_data_dir(), max_frames=-1), "max_frames"),
    ("load_md_data: max_frames=2.5", lambda: md.load_md_data(_data_dir(), max_frames=2.5), "max_frames"),
]:
    add(Case(cid, call, names, timeout=30))
add(Case("load_md_data: max_frames=5 (valid)", lambda: md.load_md_data(_data_dir(), max_frames=5), "max_frames",
         ok=lambda d: len(d) == 5 and d.positions.shape == (5, 22, 3)))

# -- FlowPotential / flow_force / flow_system / flow_torch_force -----------------------------------
for cid, call, names in [
    ("FlowPotential: model without energy", lambda: md.FlowPotential(object(), 300.0), "model"),
    ("FlowPotential: temperature=-1", lambda: md.FlowPotential(BG, -1.0), "temperature"),
    ("FlowPotential: n_atoms differs from the model", lambda: md.FlowPotential(BG, 300.0, n_atoms=10), "n_atoms"),
    ("FlowPotential: n_atoms=0", lambda: md.FlowPotential(BG, 300.0, n_atoms=0), "n_atoms"),
    ("FlowPotential: n_atoms=2.5", lambda: md.FlowPotential(BG, 300.0, n_atoms=2.5), "n_atoms"),
    ("FlowPotential: positions NaN", lambda: md.FlowPotential(BG, 300.0).energy_and_forces(_nan_frames()[0]),
     "positions"),
    ("FlowPotential: positions wrong shape", lambda: md.FlowPotential(BG, 300.0).energy_and_forces(np.zeros((10, 3))),
     "positions"),
    ("flow_force: model without energy", lambda: md.flow_force(object(), 300.0), "model"),
    ("flow_force: temperature in nm", lambda: md.flow_force(BG, 300.0 * __import__("openmm").unit.nanometer),
     "kelvin"),
    ("flow_force: temperature a string", lambda: md.flow_force(BG, "300"), "temperature"),
    ("flow_force: force_group=-1", lambda: md.flow_force(BG, 300.0, force_group=-1), "force_group"),
    ("flow_force: force_group=32", lambda: md.flow_force(BG, 300.0, force_group=32), "force_group"),
    ("flow_force: force_group=1.5", lambda: md.flow_force(BG, 300.0, force_group=1.5), "force_group"),
    ("flow_system: masses negative", lambda: md.flow_system(BG, 300.0, masses=[-1.0] * 22), "masses"),
    ("flow_system: masses zero", lambda: md.flow_system(BG, 300.0, masses=[0.0] * 22), "masses"),
    ("flow_system: masses NaN", lambda: md.flow_system(BG, 300.0, masses=[math.nan] * 22), "masses"),
    ("flow_system: masses for 10 atoms", lambda: md.flow_system(BG, 300.0, masses=[12.0] * 10), "masses"),
    ("flow_system: masses empty", lambda: md.flow_system(BG, 300.0, masses=[]), "masses"),
    ("flow_system: masses a string", lambda: md.flow_system(BG, 300.0, masses="carbon"), "masses"),
    ("flow_system: temperature=-1", lambda: md.flow_system(BG, -1.0), "temperature"),
    ("flow_torch_force: model without energy", lambda: md.flow_torch_force(object(), 300.0), "model"),
]:
    add(Case(cid, call, names))
add(Case("FlowPotential: a configuration outside the flow's support",
         lambda: md.FlowPotential(BG, 300.0).energy_and_forces(FRAMES[0] + np.eye(22, 3) * 0.5), "not finite",
         raises=(FloatingPointError, *ACCEPTED)))
add(Case("flow_system: 22 particles (valid)", lambda: md.flow_system(BG, 300.0).getNumParticles(), "masses",
         ok=lambda n: n == 22))
add(Case("flow_torch_force: without openmm-torch", lambda: md.flow_torch_force(BG, 300.0), "openmm-torch",
         raises=(ImportError, TypeError)))

# -- energy_statistics ---------------------------------------------------------------------------
TT = np.linspace(0.0, 1.0, 11)
for cid, call, names in [
    ("time constant", lambda: md.energy_statistics(np.zeros(11), np.ones((1, 11))), "time"),
    ("time NaN", lambda: md.energy_statistics(np.full(11, np.nan), np.ones((1, 11))), "time"),
    ("time one point", lambda: md.energy_statistics(np.zeros(1), np.ones((1, 1))), "time"),
    ("time length differs", lambda: md.energy_statistics(TT, np.ones((2, 5))), "total"),
    ("time 2-D", lambda: md.energy_statistics(np.ones((2, 11)), np.ones((1, 11))), "time"),
    ("total 3-D", lambda: md.energy_statistics(TT, np.ones((1, 1, 11))), "total"),
    ("total a string", lambda: md.energy_statistics(TT, "energies"), "total"),
]:
    add(Case(f"energy_statistics: {cid}", call, names))
add(Case("energy_statistics: a linear trace (valid)", lambda: md.energy_statistics(TT, (3 * TT + 1)[None]), "time",
         ok=lambda v: abs(v[0][0] - 3.0) < 1e-12 and v[1][0] < 1e-12))
add(Case("energy_statistics: a blown-up trace is NaN (documented)",
         lambda: md.energy_statistics(TT, np.where(TT > 0.5, np.nan, TT)[None]), "total", nan_ok=True,
         ok=lambda v: np.isnan(v[0][0]) and np.isnan(v[1][0])))

# -- run_md --------------------------------------------------------------------------------------
RUN_KW = dict(nvt_steps=0, nve_steps=10, report_every=5, progress=False)


def _run(potential="amber", positions=None, **kw):
    args = dict(RUN_KW)
    args.update(kw)
    return md.run_md(potential, FRAMES[:1] if positions is None else positions, **args)


for cid, kw, names in [
    ("report_every > nve_steps", dict(report_every=1000, nve_steps=10), "report_every"),
    ("report_every=0", dict(report_every=0), "report_every"),
    ("nve_steps not a multiple of report_every", dict(nve_steps=12), "nve_steps"),
    ("nvt_steps not a multiple of report_every", dict(nvt_steps=7), "nvt_steps"),
    ("blowup_energy=-1", dict(blowup_energy=-1.0), "blowup_energy"),
    ("blowup_energy=0", dict(blowup_energy=0.0), "blowup_energy"),
    ("blowup_energy=nan", dict(blowup_energy=math.nan), "blowup_energy"),
    ("nvt_steps=-1", dict(nvt_steps=-1), "nvt_steps"),
    ("nvt_steps=2.5", dict(nvt_steps=2.5), "nvt_steps"),
    ("nve_steps=0", dict(nve_steps=0), "nve_steps"),
    ("nve_steps=-10", dict(nve_steps=-10), "nve_steps"),
    ("positions NaN", dict(positions=_nan_frames()), "positions"),
    ("positions wrong shape", dict(positions=np.zeros((2, 5, 3))), "positions"),
    ("positions empty", dict(positions=np.zeros((0, 22, 3))), "positions"),
    ("temperature=-1", dict(temperature=-1.0), "temperature"),
    ("temperature=0", dict(temperature=0.0), "temperature"),
    ("temperature a Quantity in nm", dict(temperature=__import__("openmm").unit.Quantity(
        300.0, __import__("openmm").unit.nanometer)), "kelvin"),
    ("friction=0", dict(friction=0.0), "friction"),
    ("timestep_fs=-1", dict(timestep_fs=-1.0), "timestep_fs"),
    ("platform unknown", dict(platform="NoSuchPlatform"), "platform"),
    ("potential unknown", dict(potential="charmm"), "potential"),
    ("potential without energy", dict(potential=object()), "potential"),
    ("threads=0", dict(threads=0), "threads"),
    ("threads=1.5", dict(threads=1.5), "threads"),
    ("seed=-1", dict(seed=-1), "seed"),
    ("seed a string", dict(seed="0"), "seed"),
    ("model for 10 atoms, positions for 22",
     dict(potential=type("Ten", (), {"n_atoms": 10, "energy": lambda self, x: x.sum((1, 2))})()), "positions"),
]:
    add(Case(f"run_md: {cid}", lambda kw=kw: _run(**kw), names))
add(Case("run_md: amber, NVE only, 10 steps (valid)", lambda: _run(), "nve_steps",
         ok=lambda r: r["total"].shape == (1, 3) and bool(r["nve"].all()) and not r["blew_up"].any()))

# -- run_md: batching, trajectories, evaluation method -----------------------------------------------
for cid, kw, names in [
    ("batch a string", dict(batch="yes"), "batch"),
    ("trajectory not .dcd", dict(trajectory=str(TMP / "t.xtc")), "trajectory"),
    ("trajectory a number", dict(trajectory=3), "trajectory"),
    ("trajectory in a missing folder", dict(trajectory=str(TMP / "nope" / "t.dcd")), "trajectory"),
    ("method unknown", dict(potential=BG, method="jit"), "method"),
]:
    add(Case(f"run_md: {cid}", lambda kw=kw: _run(**kw), names))
add(Case("run_md: amber with a trajectory (valid)", lambda: _run(trajectory=str(TMP / "amber.dcd")), "trajectory",
         ok=lambda r: Path(r["trajectory_files"][0]).is_file() and Path(r["topology"]).is_file()))

# -- EnergyForce / FlowPotential replicas / ZeroPotential / alanine_masses --------------------------
for cid, call, names in [
    ("EnergyForce: model without energy", lambda: md.EnergyForce(object()), "model"),
    ("EnergyForce: method unknown", lambda: md.EnergyForce(BG, method="trace"), "method"),
    ("EnergyForce: method a number", lambda: md.EnergyForce(BG, method=1), "method"),
    ("EnergyForce: calls=-1", lambda: md.EnergyForce(BG, method="auto", calls=-1), "calls"),
    ("EnergyForce: calls=2.5", lambda: md.EnergyForce(BG, method="auto", calls=2.5), "calls"),
    ("FlowPotential: steps=-1", lambda: md.FlowPotential(BG, 300.0, steps=-1), "steps"),
    ("FlowPotential: method unknown", lambda: md.FlowPotential(BG, 300.0, method="jit"), "method"),
    ("EnergyForce: energy of the wrong shape",
     lambda: md.EnergyForce(type("Bad", (), {"energy": lambda self, x: x.sum()})())(XT.clone()), "energy"),
    ("FlowPotential: replicas=0", lambda: md.FlowPotential(BG, 300.0, replicas=0), "replicas"),
    ("FlowPotential: replicas=1.5", lambda: md.FlowPotential(BG, 300.0, replicas=1.5), "replicas"),
    ("FlowPotential: on_nonfinite unknown", lambda: md.FlowPotential(BG, 300.0, on_nonfinite="ignore"), "on_nonfinite"),
    ("FlowPotential: 2 replicas, positions of one", lambda: md.FlowPotential(BG, 300.0, replicas=2).energy_and_forces(
        FRAMES[0]), "positions"),
    ("flow_system: replicas=0", lambda: md.flow_system(BG, 300.0, replicas=0), "replicas"),
    ("ZeroPotential: n_particles=0", lambda: md.ZeroPotential(0), "n_particles"),
    ("ZeroPotential: n_particles a string", lambda: md.ZeroPotential("22"), "n_particles"),
    ("maxwell_boltzmann_velocities: masses negative",
     lambda: md.maxwell_boltzmann_velocities([-1.0] * 22, 300.0, 0), "masses"),
    ("maxwell_boltzmann_velocities: masses empty", lambda: md.maxwell_boltzmann_velocities([], 300.0, 0), "masses"),
    ("maxwell_boltzmann_velocities: temperature=-1",
     lambda: md.maxwell_boltzmann_velocities([12.0] * 22, -1.0, 0), "temperature"),
    ("maxwell_boltzmann_velocities: temperature in nm", lambda: md.maxwell_boltzmann_velocities(
        [12.0] * 22, 300.0 * __import__("openmm").unit.nanometer, 0), "kelvin"),
    ("maxwell_boltzmann_velocities: seed=-1", lambda: md.maxwell_boltzmann_velocities([12.0] * 22, 300.0, -1), "seed"),
    ("maxwell_boltzmann_velocities: seed=1.5", lambda: md.maxwell_boltzmann_velocities([12.0] * 22, 300.0, 1.5), "seed"),
    ("effective_sample_size: NaN", lambda: md.effective_sample_size([0.0, math.nan]), "log_weights"),
    ("effective_sample_size: +inf", lambda: md.effective_sample_size([0.0, math.inf]), "log_weights"),
    ("effective_sample_size: empty", lambda: md.effective_sample_size([]), "log_weights"),
    ("effective_sample_size: 2-D", lambda: md.effective_sample_size(np.zeros((2, 2))), "log_weights"),
    ("effective_sample_size: a string", lambda: md.effective_sample_size("w"), "log_weights"),
]:
    add(Case(cid, call, names))
add(Case("EnergyForce: 4 frames (valid)", lambda: md.EnergyForce(BG)(XT.clone()), "model",
         ok=lambda v: v[0].shape == (4,) and v[1].shape == (4, 22, 3)))
add(Case("FlowPotential: 4 replicas (valid)", lambda: md.FlowPotential(BG, 300.0, replicas=4).energy_and_forces(
    FRAMES.reshape(-1, 3)), "replicas", ok=lambda v: v[1].shape == (88, 3) and math.isfinite(v[0])))
add(Case("ZeroPotential: 22 particles (valid)", lambda: md.ZeroPotential(22).forces.shape, "n_particles",
         ok=lambda v: v == (22, 3)))
add(Case("alanine_masses (valid)", lambda: md.alanine_masses(), "masses", ok=lambda m: m.shape == (22,)))
add(Case("maxwell_boltzmann_velocities: zero total momentum (valid)",
         lambda: (md.alanine_masses(), md.maxwell_boltzmann_velocities(md.alanine_masses(), 300.0, 0)), "masses",
         ok=lambda v: np.abs((v[0][:, None] * v[1]).sum(0)).max() < 1e-10))
add(Case("effective_sample_size: all -inf is 0 (valid)", lambda: md.effective_sample_size([-math.inf] * 3),
         "log_weights", ok=lambda v: v == 0.0))
add(Case("effective_sample_size: equal weights give 1 (valid)", lambda: md.effective_sample_size([2.0] * 5),
         "log_weights", ok=lambda v: abs(v - 1.0) < 1e-12))
add(Case("pretrained_study_results (valid; Amber's flow metrics are NaN by design)",
         lambda: md.pretrained_study_results(), "provenance", nan_ok=True,
         ok=lambda r: "provenance" in r and np.isfinite(r["nll"][:3]).all() and np.isnan(r["nll"][3])))

# -- statgen md (CLI) ----------------------------------------------------------------------------
GEN = ("generate", "--out", TMP / "cli_gen", "--no-progress")


def _train_args(*extra):
    return ("train", "--data", _data_dir(), "--out", TMP / "cli_model.pt", "--components", "2", "--hidden", "4",
            "--no-progress", *extra)


def _run_args(*extra, potential="amber"):
    return ("run", "--potential", potential, "--data", _data_dir(), "--no-progress", *extra)


for cid, argv, names in [
    ("generate --ns 0", lambda: (*GEN, "--ns", "0"), "ns"),
    ("generate --ns -1", lambda: (*GEN, "--ns", "-1"), "ns"),
    ("generate --ns nan", lambda: (*GEN, "--ns", "nan"), "ns"),
    ("generate --seed -1", lambda: (*GEN, "--ns", "0.001", "--seed", "-1"), "seed"),
    ("generate --seed 2.5", lambda: (*GEN, "--ns", "0.001", "--seed", "2.5"), "seed"),
    ("generate --temperature -5", lambda: (*GEN, "--ns", "0.001", "--temperature", "-5"), "temperature"),
    ("generate --temperature 0", lambda: (*GEN, "--ns", "0.001", "--temperature", "0"), "temperature"),
    ("generate --platform Abacus", lambda: (*GEN, "--ns", "0.001", "--platform", "Abacus"), "platform"),
    ("generate --out is a file", lambda: ("generate", "--out", (TMP / "cfile").write_text("x") and TMP / "cfile",
                                          "--ns", "0.001", "--no-progress"), "out"),
    ("generate --out holds a corrupt manifest",
     lambda: ("generate", "--out", _bad_manifest_dir("cbad", "{{"), "--ns", "0.001", "--no-progress"), "manifest"),
    ("generate --equilibration-ps -1", lambda: (*GEN, "--ns", "0.001", "--equilibration-ps", "-1"),
     "equilibration"),
    ("train --steps 0", lambda: _train_args("--steps", "0"), "steps"),
    ("train --steps -1", lambda: _train_args("--steps", "-1"), "steps"),
    ("train --steps 2.5", lambda: _train_args("--steps", "2.5"), "steps"),
    ("train --steps 0 --quick", lambda: _train_args("--steps", "0", "--quick"), "steps"),
    ("train --batch-size 0", lambda: _train_args("--batch-size", "0"), "batch"),
    ("train --lr 0", lambda: _train_args("--lr", "0"), "lr"),
    ("train --lr -1", lambda: _train_args("--lr", "-1"), "lr"),
    ("train --lr-decay 1.5", lambda: _train_args("--lr-decay", "1.5"), "lr-decay"),
    ("train --lr-decay 0", lambda: _train_args("--lr-decay", "0"), "lr-decay"),
    ("train --w-fm -1", lambda: _train_args("--w-fm", "-1"), "w-fm"),
    ("train --w-nll nan", lambda: _train_args("--w-nll", "nan"), "w-nll"),
    ("train --w-nll 0 (no loss)", lambda: _train_args("--w-nll", "0", "--steps", "1"), "w_nll"),
    ("train --components 0", lambda: _train_args("--components", "0"), "components"),
    ("train --hidden 0", lambda: _train_args("--hidden", "0"), "hidden"),
    ("train --hidden -3", lambda: _train_args("--hidden", "-3"), "hidden"),
    ("train --frames 0", lambda: _train_args("--frames", "0"), "frames"),
    ("train --frames -2", lambda: _train_args("--frames", "-2"), "frames"),
    ("train --dtype float16", lambda: _train_args("--dtype", "float16"), "dtype"),
    ("train --transformer affine", lambda: _train_args("--transformer", "affine"), "transformer"),
    ("train --device bogus", lambda: _train_args("--device", "bogus", "--steps", "1"), "device"),
    ("train --seed -1", lambda: _train_args("--seed", "-1"), "seed"),
    ("train --data missing", lambda: ("train", "--data", TMP / "nowhere", "--out", TMP / "m.pt", "--no-progress"),
     "data"),
    ("train --data holds a corrupt manifest",
     lambda: ("train", "--data", _bad_manifest_dir("tbad", "nope"), "--out", TMP / "m2.pt", "--no-progress"),
     "manifest"),
    ("train --out is a directory", lambda: ("train", "--data", _data_dir(), "--out", TMP, "--no-progress"), "out"),
    ("run --replicas 0", lambda: _run_args("--replicas", "0"), "replicas"),
    ("run --replicas -1", lambda: _run_args("--replicas", "-1"), "replicas"),
    ("run --replicas more than the frames", lambda: _run_args("--replicas", "50", "--nvt-steps", "0",
                                                              "--nve-steps", "10"), "replicas"),
    ("run --nvt-steps -1", lambda: _run_args("--nvt-steps", "-1"), "nvt-steps"),
    ("run --nve-steps 0", lambda: _run_args("--nve-steps", "0", "--replicas", "1", "--nvt-steps", "0"),
     "nve"),
    ("run --nve-steps 0 --quick", lambda: _run_args("--nve-steps", "0", "--quick"), "nve"),
    ("run --nve-steps 2.5", lambda: _run_args("--nve-steps", "2.5"), "nve-steps"),
    ("run --friction 0", lambda: _run_args("--friction", "0"), "friction"),
    ("run --timestep 0", lambda: _run_args("--timestep", "0"), "timestep"),
    ("run --temperature -300", lambda: _run_args("--temperature", "-300"), "temperature"),
    ("run --report-every 0", lambda: _run_args("--report-every", "0"), "report-every"),
    ("run --potential missing", lambda: _run_args(potential=TMP / "missing.pt"), "potential"),
    ("run --potential a directory", lambda: _run_args(potential=TMP), "potential"),
    ("run --out is a directory", lambda: _run_args("--out", TMP), "out"),
    ("run --platform Abacus", lambda: _run_args("--platform", "Abacus", "--replicas", "1", "--nvt-steps", "0",
                                                "--nve-steps", "10"), "platform"),
]:
    add(Case(f"statgen md {cid}", lambda argv=argv: _cli(*argv()), names, timeout=30))
for cid, make, evil in HOSTILE[:8]:
    name = f"cli_{cid}".replace(" ", "_").replace("(", "").replace(")", "")
    add(Case(f"statgen md run --potential {cid}", lambda make=make, name=name: _cli(*_run_args(
        "--replicas", "1", "--nvt-steps", "0", "--nve-steps", "10", potential=make(name))), (name,),
        after=_no_marker(name) if evil else None, timeout=30))
    tname = f"cli_train_{cid}".replace(" ", "_").replace("(", "").replace(")", "")
    add(Case(f"statgen md train --out {cid}", lambda make=make, name=tname: _cli(
        "train", "--data", _data_dir(), "--out", make(name), "--steps", "1", "--no-progress"), (tname,),
        after=_no_marker(tname) if evil else None, timeout=30))
add(Case("statgen md run --nvt-steps 0 means no NVT (valid)",
         lambda: _cli_run_npz("--potential", "amber", "--data", _data_dir(), "--replicas", "1", "--nvt-steps", "0",
                              "--nve-steps", "20"), "nvt",
         ok=lambda r: r["time"].shape == (3,) and bool(r["nve"].all()), timeout=30))
