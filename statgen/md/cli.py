"""``statgen md``: generate reference MD data, train a Boltzmann generator, run MD with it.

    statgen md generate --out data/ala2 --ns 20 --platform Reference
    statgen md train --data data/ala2 --out smooth.pt [--w-fm 0.1] [--transformer spline]
    statgen md run --potential smooth.pt --data data/ala2 --replicas 10 --platform CPU

Every command is resumable: ``generate`` extends/continues its chunked output directory and
``train`` continues from the checkpoint it writes to ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

#: ``--quick`` sizes (seconds on a laptop; what the tests use).
QUICK = dict(ns=0.02, steps=20, replicas=2, nvt_steps=100, nve_steps=200)


def _generate(args) -> int:
    from statgen.md.data import generate_md_data, load_md_data

    ns = QUICK["ns"] if args.quick and args.ns is None else (args.ns if args.ns is not None else 20.0)
    out = generate_md_data(args.out, ns=ns, platform=args.platform, seed=args.seed, temperature=args.temperature,
                           equilibration_ps=1.0 if args.quick else 10.0, progress=args.progress)
    d = load_md_data(out)
    print(f"{out}: {len(d)} frames ({d.time[-1]:.0f} ps), U = {d.energies.mean():.2f} ± {d.energies.std():.2f} kJ/mol")
    return 0


def _train(args) -> int:
    import torch

    from statgen.md.boltzmann import BoltzmannGenerator, data_ranges, train_boltzmann_generator
    from statgen.md.data import load_md_data
    from statgen.md.system import kbt

    d = load_md_data(args.data, max_frames=args.frames)
    steps = QUICK["steps"] if args.quick and args.steps is None else (args.steps or 2000)
    out = Path(args.out)
    if out.exists():
        from statgen.md.boltzmann import load_boltzmann_generator

        model = load_boltzmann_generator(out, device=args.device)  # resume with the saved architecture
    else:
        bond_range, angle_range = data_ranges(d.positions)
        model = BoltzmannGenerator(bond_range=bond_range, angle_range=angle_range, transformer=args.transformer,
                                   components=args.components, hidden=args.hidden, device=args.device,
                                   dtype=getattr(torch, args.dtype))
    hist = train_boltzmann_generator(model, d.positions, d.forces / kbt(d.temperature), steps=steps,
                                     batch_size=args.batch_size, lr=args.lr, w_nll=args.w_nll, w_fm=args.w_fm,
                                     checkpoint=out, seed=args.seed, progress=args.progress)
    print(f"{out}: {steps} steps, last NLL {hist['nll'][-1]:.3f}, force MSE {hist['force_mse'][-1]:.4g} (k_BT/nm)^2")
    return 0


def _run(args) -> int:
    from statgen.md.boltzmann import load_boltzmann_generator
    from statgen.md.data import load_md_data
    from statgen.md.potential import run_md

    if args.potential.lower() == "amber":
        potential = "amber"
    else:
        potential = load_boltzmann_generator(args.potential).double()  # float64: energy conservation
    d = load_md_data(args.data)
    replicas = QUICK["replicas"] if args.quick and args.replicas is None else (args.replicas or 10)
    rng = np.random.default_rng(args.seed)
    frames = rng.choice(len(d), size=min(replicas, len(d)), replace=False)
    q = args.quick
    res = run_md(potential, d.positions[frames], temperature=args.temperature,
                 nvt_steps=QUICK["nvt_steps"] if q and args.nvt_steps is None else (args.nvt_steps or 1000),
                 nve_steps=QUICK["nve_steps"] if q and args.nve_steps is None else (args.nve_steps or 5000),
                 friction=args.friction, timestep_fs=args.timestep, platform=args.platform, seed=args.seed,
                 progress=args.progress)
    for r in range(len(frames)):
        status = "BLEW UP" if res["blew_up"][r] else f"drift {res['drift'][r]:+.4g} kJ/mol/ps, " \
                                                     f"fluctuation {res['fluctuation'][r]:.4g} kJ/mol"
        print(f"replica {r} (frame {frames[r]}): {status}")
    ok = ~res["blew_up"]
    summary = dict(potential=args.potential, replicas=len(frames), blew_up=int(res["blew_up"].sum()),
                   drift_mean=float(np.mean(np.abs(res["drift"][ok]))) if ok.any() else None,
                   fluctuation_mean=float(np.mean(res["fluctuation"][ok])) if ok.any() else None)
    print(json.dumps(summary))
    if args.out:
        from statgen._io import save_npz_atomic

        save_npz_atomic(args.out, {k: np.asarray(v) for k, v in res.items()})
    return 0


def _clean_errors(fn):
    """Bad inputs (ValueError/TypeError/FileNotFoundError) end the command with their message, not a traceback."""
    def wrapped(args) -> int:
        try:
            return fn(args)
        except (ValueError, TypeError, FileNotFoundError) as exc:
            raise SystemExit(f"statgen md {args.action}: error: {exc}") from exc
    return wrapped


def add_commands(subparsers) -> None:
    """Add the ``md`` command group to the top-level parser."""
    md = subparsers.add_parser("md", help="alanine-dipeptide MD data, Boltzmann generators, flow potentials in OpenMM",
                               description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = md.add_subparsers(dest="action", required=True)

    def common(p, seed=0):
        p.add_argument("--quick", action="store_true", help="tiny sizes (seconds), for tests and demos")
        p.add_argument("--seed", type=int, default=seed, help="random seed")
        p.add_argument("--temperature", type=float, default=300.0, help="K (default 300)")
        p.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")

    g = sub.add_parser("generate", help="Langevin MD (300 K, 1/ps, 1 fs); positions, forces, energies every 1 ps")
    g.add_argument("--out", required=True, help="output directory (chunked .npz + manifest.json; resumable)")
    g.add_argument("--ns", type=float, default=None, help="simulated ns to save (default 20; --quick: 0.02)")
    g.add_argument("--platform", default="Reference", help="OpenMM platform: Reference (default), CPU, CUDA, OpenCL")
    common(g)
    g.set_defaults(func=_clean_errors(_generate))

    t = sub.add_parser("train", help="train a Boltzmann generator by NLL and/or force matching (resumable)")
    t.add_argument("--data", required=True, help="directory written by `statgen md generate`")
    t.add_argument("--out", required=True, help="model checkpoint (.pt); an existing one is resumed")
    t.add_argument("--transformer", default="smooth", choices=("smooth", "spline"))
    t.add_argument("--w-nll", type=float, default=1.0, help="weight of the NLL")
    t.add_argument("--w-fm", type=float, default=0.0, help="weight of the force-matching MSE ((k_BT/nm)^2)")
    t.add_argument("--steps", type=int, default=None, help="optimizer steps (default 2000; --quick: 20)")
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--frames", type=int, default=None, help="use only the first FRAMES frames")
    t.add_argument("--components", type=int, default=8)
    t.add_argument("--hidden", type=int, nargs="+", default=[64, 64])
    t.add_argument("--device", default=None, help="torch device (cpu, cuda)")
    t.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    common(t)
    t.set_defaults(func=_clean_errors(_train))

    r = sub.add_parser("run", help="NVT then NVE with a flow (or Amber) potential; reports energy drift/fluctuation")
    r.add_argument("--potential", required=True, help="model checkpoint from `statgen md train`, or `amber`")
    r.add_argument("--data", required=True, help="MD data directory: starting frames are drawn from it")
    r.add_argument("--replicas", type=int, default=None, help="replicas (default 10; --quick: 2)")
    r.add_argument("--nvt-steps", type=int, default=None, help="Langevin steps (default 1000)")
    r.add_argument("--nve-steps", type=int, default=None, help="velocity-Verlet steps (default 5000)")
    r.add_argument("--friction", type=float, default=10.0, help="NVT friction in 1/ps (default 10)")
    r.add_argument("--timestep", type=float, default=1.0, help="fs (default 1)")
    r.add_argument("--platform", default="Reference", help="OpenMM platform: Reference (default), CPU, CUDA, OpenCL")
    r.add_argument("--out", default=None, help="write the energy traces to this .npz")
    common(r)
    r.set_defaults(func=_clean_errors(_run))
