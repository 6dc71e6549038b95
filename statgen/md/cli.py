"""``statgen md``: generate reference MD data, train a Boltzmann generator, run MD with it.

    statgen md generate --out data/ala2 --ns 20 --platform Reference
    statgen md train --data data/ala2 --out smooth.pt [--w-fm 1e-3] [--transformer spline]
    statgen md run --potential smooth.pt --data data/ala2 --replicas 10 --platform CPU [--trajectory run.dcd]

Every command is resumable: ``generate`` extends/continues its chunked output directory and
``train`` continues from the checkpoint it writes to ``--out`` (with the same training options).
Options are checked by argparse; a user error is a plain exception that ``statgen`` reports in
one line. Model files are read with ``torch.load(weights_only=True)`` (no code runs on load).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from statgen._cliargs import (
    decay_factor,
    existing_dir,
    existing_file,
    new_file,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
)

#: ``--quick`` sizes (seconds on a laptop; what the tests use).
QUICK = dict(ns=0.02, steps=20, replicas=2, nvt_steps=100, nve_steps=200, equilibration_ps=1.0)
#: defaults without ``--quick``.
FULL = dict(ns=20.0, steps=2000, replicas=10, nvt_steps=1000, nve_steps=5000, equilibration_ps=10.0)


def _size(args, name: str):
    """The option's value when given (zero included), else the --quick or the full default."""
    value = getattr(args, name)
    if value is not None:
        return value
    return (QUICK if args.quick else FULL)[name]


def _potential_arg(text: str) -> str:
    """``amber`` or an existing model file."""
    return "amber" if text.lower() == "amber" else str(existing_file(text))


def _generate(args) -> int:
    from statgen.md.data import generate_md_data, load_md_data

    out = generate_md_data(args.out, ns=_size(args, "ns"), platform=args.platform, seed=args.seed,
                           temperature=args.temperature, equilibration_ps=_size(args, "equilibration_ps"),
                           chunk_frames=args.chunk_frames, progress=args.progress)
    d = load_md_data(out)
    print(f"{out}: {len(d)} frames ({d.time[-1]:.0f} ps), U = {d.energies.mean():.2f} ± {d.energies.std():.2f} kJ/mol")
    return 0


def _train(args) -> int:
    import torch

    from statgen.md.data import load_md_data
    from statgen.md.internal import data_ranges
    from statgen.md.model import BoltzmannGenerator, load_boltzmann_generator
    from statgen.md.system import kbt
    from statgen.md.training import train_boltzmann_generator

    d = load_md_data(args.data, max_frames=args.frames)
    steps = _size(args, "steps")
    out = Path(args.out)
    if out.exists():
        model = load_boltzmann_generator(out, device=args.device)  # resume with the saved architecture
    else:
        bond_range, angle_range = data_ranges(d.positions)
        torch.manual_seed(args.seed)  # the initial weights: same --seed, same model
        model = BoltzmannGenerator(bond_range=bond_range, angle_range=angle_range, transformer=args.transformer,
                                   components=args.components, hidden=args.hidden, device=args.device,
                                   dtype=getattr(torch, args.dtype))
    hist = train_boltzmann_generator(model, d.positions, d.forces / kbt(d.temperature), steps=steps,
                                     batch_size=args.batch_size, lr=args.lr, lr_decay=args.lr_decay, w_nll=args.w_nll, w_fm=args.w_fm,
                                     checkpoint=out, seed=args.seed, progress=args.progress)
    last = f"last NLL {hist['nll'][-1]:.3f}, force MSE {hist['force_mse'][-1]:.4g} (k_BT/nm)^2" if len(hist["nll"]) \
        else "no steps run"
    print(f"{out}: {steps} steps, {last}")
    return 0


def _run(args) -> int:
    from statgen.md.data import load_md_data
    from statgen.md.dynamics import run_md
    from statgen.md.model import load_boltzmann_generator

    if args.potential == "amber":
        potential = "amber"
    else:
        potential = load_boltzmann_generator(args.potential).double()  # float64: energy conservation
    d = load_md_data(args.data)
    _show_evaluator_messages()
    replicas = _size(args, "replicas")
    if replicas > len(d):
        raise ValueError(f"--replicas {replicas} exceeds the {len(d)} frames in {args.data} (one starting frame each)")
    rng = np.random.default_rng(args.seed)
    frames = rng.choice(len(d), size=replicas, replace=False)
    res = run_md(potential, d.positions[frames], temperature=args.temperature, nvt_steps=_size(args, "nvt_steps"),
                 nve_steps=_size(args, "nve_steps"), report_every=args.report_every, friction=args.friction,
                 timestep_fs=args.timestep, platform=args.platform, seed=args.seed, progress=args.progress,
                 trajectory=args.trajectory, method=args.method)
    for r in range(len(frames)):
        status = "BLEW UP" if res["blew_up"][r] else f"drift {res['drift'][r]:+.4g} kJ/mol/ps, " \
                                                     f"fluctuation {res['fluctuation'][r]:.4g} kJ/mol"
        print(f"replica {r} (frame {frames[r]}): {status}")
    ok = ~res["blew_up"]
    summary = dict(potential=args.potential, replicas=len(frames), blew_up=int(res["blew_up"].sum()),
                   drift_mean=float(np.mean(np.abs(res["drift"][ok]))) if ok.any() else None,
                   fluctuation_mean=float(np.mean(res["fluctuation"][ok])) if ok.any() else None)
    if "method" in res:
        summary["method"] = str(res["method"])
    if args.trajectory:
        summary["trajectory_files"], summary["topology"] = res["trajectory_files"].tolist(), res["topology"]
    print(json.dumps(summary))
    if args.out:
        from statgen._io import save_npz_atomic

        save_npz_atomic(args.out, {**{k: np.asarray(v) for k, v in res.items()}, "frames": frames})
    return 0


def _show_evaluator_messages() -> None:
    """Print what the flow evaluator does (compile, load from the cache, fall back) to stderr."""
    import logging

    logger = logging.getLogger("statgen.md.evaluator")
    if not any(getattr(h, "_statgen_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("statgen md: %(message)s"))
        handler._statgen_cli = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def add_commands(subparsers) -> None:
    """Add the ``md`` command group to the top-level parser."""
    md = subparsers.add_parser("md", help="alanine-dipeptide MD data, Boltzmann generators, flow potentials in OpenMM",
                               description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = md.add_subparsers(dest="action", required=True)

    def common(p, seed=0):
        p.add_argument("--quick", action="store_true", help="tiny sizes (seconds), for tests and demos")
        p.add_argument("--seed", type=nonnegative_int, default=seed, help="random seed (integer >= 0)")
        p.add_argument("--temperature", type=positive_float, default=300.0, help="K (default 300)")
        p.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")

    g = sub.add_parser("generate", help="Langevin MD (300 K, 1/ps, 1 fs); positions, forces, energies every 1 ps")
    g.add_argument("--out", required=True, help="output directory (chunked .npz + manifest.json; resumable)")
    g.add_argument("--ns", type=positive_float, default=None,
                   help=f"simulated ns to save (default {FULL['ns']:g}; --quick: {QUICK['ns']:g})")
    g.add_argument("--equilibration-ps", type=nonnegative_float, default=None,
                   help=f"unsaved equilibration in ps (default {FULL['equilibration_ps']:g}; "
                        f"--quick: {QUICK['equilibration_ps']:g})")
    g.add_argument("--chunk-frames", type=positive_int, default=1000, help="frames per chunk file (default 1000)")
    g.add_argument("--platform", default="Reference", help="OpenMM platform: Reference (default), CPU, CUDA, OpenCL")
    common(g)
    g.set_defaults(func=_generate)

    t = sub.add_parser("train", help="train a Boltzmann generator by NLL and/or force matching (resumable)")
    t.add_argument("--data", required=True, type=existing_dir, help="directory written by `statgen md generate`")
    t.add_argument("--out", required=True, type=new_file,
                   help="model checkpoint (.pt); an existing one is resumed with the same options")
    t.add_argument("--transformer", default="smooth", choices=("smooth", "spline"))
    t.add_argument("--w-nll", type=nonnegative_float, default=1.0, help="weight of the NLL (default 1)")
    t.add_argument("--w-fm", type=nonnegative_float, default=0.0,
                   help="weight of the force-matching MSE ((k_BT/nm)^2, mean over atoms and xyz; default 0)")
    t.add_argument("--steps", type=positive_int, default=None,
                   help=f"total optimizer steps (default {FULL['steps']}; --quick: {QUICK['steps']})")
    t.add_argument("--batch-size", type=positive_int, default=128, help="frames per step (default 128)")
    t.add_argument("--lr", type=positive_float, default=5e-4, help="Adam learning rate (default 5e-4)")
    t.add_argument("--lr-decay", type=decay_factor, default=1.0,
                   help="factor in (0, 1] applied to the learning rate after every epoch (default 1; the paper 0.7)")
    t.add_argument("--frames", type=positive_int, default=None, help="use only the first FRAMES frames")
    t.add_argument("--components", type=positive_int, default=8, help="mixture components (default 8)")
    t.add_argument("--hidden", type=positive_int, nargs="+", default=[64, 64], help="hidden layers (default 64 64)")
    t.add_argument("--device", default=None, help="torch device (cpu, cuda)")
    t.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    common(t)
    t.set_defaults(func=_train)

    r = sub.add_parser("run", help="NVT then NVE with a flow (or Amber) potential; reports energy drift/fluctuation")
    r.add_argument("--potential", required=True, type=_potential_arg,
                   help="model checkpoint from `statgen md train`, or `amber`")
    r.add_argument("--data", required=True, type=existing_dir, help="MD data directory: starting frames are drawn from it")
    r.add_argument("--replicas", type=positive_int, default=None,
                   help=f"replicas (default {FULL['replicas']}; --quick: {QUICK['replicas']})")
    r.add_argument("--nvt-steps", type=nonnegative_int, default=None,
                   help=f"Langevin steps, 0 for NVE only (default {FULL['nvt_steps']}; --quick: {QUICK['nvt_steps']})")
    r.add_argument("--nve-steps", type=positive_int, default=None,
                   help=f"velocity-Verlet steps (default {FULL['nve_steps']}; --quick: {QUICK['nve_steps']})")
    r.add_argument("--report-every", type=positive_int, default=10, help="steps between energy reports (default 10)")
    r.add_argument("--friction", type=positive_float, default=10.0, help="NVT friction in 1/ps (default 10)")
    r.add_argument("--timestep", type=positive_float, default=1.0, help="fs (default 1)")
    r.add_argument("--platform", default="Reference", help="OpenMM platform: Reference (default), CPU, CUDA, OpenCL")
    r.add_argument("--out", default=None, type=new_file, help="write the energy traces to this .npz")
    r.add_argument("--method", default="auto", choices=("auto", "eager", "compile", "aoti"),
                   help="flow energy/force evaluation: auto (default: the AOTInductor package when one is cached "
                        "for this model and replica count, or when the run has >= 20000 steps; else eager), "
                        "eager (no compilation, ~6 ms per step on a CPU), compile (TorchInductor, in-process), "
                        "aoti (AOTInductor: 1-3 min to compile once per model, replica count and machine, cached "
                        "under ~/.cache/statgen/md-aoti or $STATGEN_CACHE_DIR; ~10x faster per step on a CPU). "
                        "What is used is printed")
    r.add_argument("--trajectory", default=None,
                   help="write the positions at every report as DCD (PATH.dcd; with several replicas PATH.r<k>.dcd) "
                        "with a PDB topology PATH.pdb (read with mdtraj.load(dcd, top=pdb))")
    common(r)
    r.set_defaults(func=_run)
