"""MD steps/s of alanine dipeptide with the smooth-flow potential (openmm.PythonForce) vs its floor and Amber.

All rows run Langevin dynamics (300 K, 10/ps, 1 fs) on the same OpenMM platform (CPU by default, one
OpenMM thread: ``--openmm-threads``; ``--platform CUDA`` on a GPU machine) from the same frame, torch on
one thread:

- one replica: Amber99SB-ILDN + OBC (the peer), a ``PythonForce`` that returns zeros (the floor of the
  Python-force route: State → NumPy → Python round trip, no model), and the packaged smooth (NLL)
  Boltzmann generator as the only force (float64), once per evaluation route (``--methods``:
  ``eager``, ``compile`` = TorchInductor in-process, ``aoti`` = AOTInductor package from the on-disk
  cache, compiled there first if missing; see :class:`statgen.md.EnergyForce`);
- R replicas (``--replicas``, default 10): Amber in R Contexts stepped one after another (copies in one
  System would interact), R zero-force copies in one System, and the flow with the R copies in one
  System evaluated as one batch (:func:`statgen.md.flow_system` with ``replicas=R``). Reported as
  replica-steps/s (R × steps / s).

Columns: ``build s`` = building the flow force (tracing + compiling, or loading a cached package;
``--cache-dir`` for a fresh cache to time a cold compile), ``ms/call`` = one direct energy+force
call of the route outside OpenMM (median of 200), ``warm-up s`` = the first 10 steps, ``cpu/wall`` =
process CPU time / wall time of the timed runs (below 1: the process waited for a core — contention).

Last line: ``ratio statgen/peer: X`` = seconds per replica-step of the batched flow (R replicas,
fastest route measured) / seconds per replica-step of Amber (R Contexts).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import measure, print_ratio, print_table  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--platform", default="CPU", help="OpenMM platform (CPU, CUDA, Reference)")
    ap.add_argument("--steps", type=int, default=300, help="MD steps per eager-flow timing (default 300)")
    ap.add_argument("--fast-steps", type=int, default=3000, help="MD steps per compiled-flow timing (default 3000)")
    ap.add_argument("--floor-steps", type=int, default=3000, help="MD steps for the zero-force and Amber timings")
    ap.add_argument("--replicas", type=int, default=10, help="replicas of the batched rows (default 10)")
    ap.add_argument("--methods", default="eager,aoti",
                    help="comma-separated flow routes to time: eager, compile, aoti (default eager,aoti)")
    ap.add_argument("--compile", action="store_true", help="also time method='compile' (same as adding it to --methods)")
    ap.add_argument("--cache-dir", default=None, help="AOTInductor package cache (default: the user cache)")
    ap.add_argument("--device", default=None, help="torch device of the flow (default: cpu)")
    ap.add_argument("--openmm-threads", type=int, default=1,
                    help="threads of OpenMM's CPU platform for every row (default 1: its worker threads otherwise "
                         "compete with the Python force on a small machine; 0 = OpenMM's default, all cores)")
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                    help="precision of the flow evaluation (default float64; OpenMM gets float64 forces either way)")
    args = ap.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if args.compile and "compile" not in methods:
        methods.append("compile")
    bad = sorted(set(methods) - {"eager", "compile", "aoti"})
    if bad or not methods:
        ap.error(f"--methods must name eager, compile and/or aoti, got {args.methods!r}")

    import numpy as np
    import openmm
    import torch

    from statgen._threads import limited_threads
    from statgen.md import (
        FlowPotential,
        ZeroPotential,
        alanine_dipeptide,
        alanine_masses,
        flow_system,
        pretrained_boltzmann_generator,
        pretrained_starting_frames,
    )
    from statgen.md.data import get_platform

    _, amber, _ = alanine_dipeptide()
    model = pretrained_boltzmann_generator("smooth", device=args.device,  # 10/10 stable in the study's MD
                                           dtype=getattr(torch, args.dtype))
    start = pretrained_starting_frames()[1]
    R = args.replicas
    masses = alanine_masses()
    built: dict[str, tuple[float, float]] = {}

    def flow(copies, method):  # a copy that leaves the flow's support is dropped, not fatal
        with limited_threads(1, blas=False):
            t0 = time.perf_counter()
            fp = FlowPotential(model, 300.0, replicas=copies, on_nonfinite="drop", method=method,
                               cache_dir=args.cache_dir)
            build = time.perf_counter() - t0
            x = torch.tensor(np.tile(start, (copies, 1)), dtype=model.dtype, device=model.device).reshape(copies, -1, 3)
            fp.evaluate(x)
            calls = []
            for _ in range(200):
                t1 = time.perf_counter()
                fp.evaluate(x)
                if x.device.type == "cuda":
                    torch.cuda.synchronize()
                calls.append(time.perf_counter() - t1)
        built[f"{method}:{copies}"] = (build, 1e3 * float(np.median(calls)))
        if fp.route != method:
            print(f"note: method={method} evaluated by {fp.route}", file=sys.stderr)
        return flow_system(fp)

    def zero_system(copies):
        s = openmm.System()
        for _ in range(copies):
            for m in masses:
                s.addParticle(float(m))
        s.addForce(openmm.PythonForce(ZeroPotential(copies * len(masses))))
        return s

    props = {"Threads": str(args.openmm_threads)} if args.platform == "CPU" and args.openmm_threads > 0 else {}

    def timed(system, copies, steps, contexts=1):
        ctxs = []
        for c in range(contexts):
            integ = openmm.LangevinMiddleIntegrator(300.0, 10.0, 0.001)
            integ.setRandomNumberSeed(1 + c)
            ctx = openmm.Context(system, integ, get_platform(args.platform), props)
            ctx.setPositions(np.tile(start, (copies, 1)))
            ctx.setVelocitiesToTemperature(300.0, 1 + c)
            ctxs.append((ctx, integ))
        with limited_threads(1, blas=False):
            t0 = time.perf_counter()
            for _, integ in ctxs:
                integ.step(10)  # warm-up (kernel compilation, first torch call)
            warm = time.perf_counter() - t0

            shares = []

            def run():
                c0, w0 = time.process_time(), time.perf_counter()
                for _, integ in ctxs:
                    integ.step(steps)
                shares.append((time.process_time() - c0) / (time.perf_counter() - w0))
            # timed runs without the peak-memory sampler thread (it would take the GIL every 2 ms)
            sec, mib, _ = measure(run, repeat=3, min_time=1e-9)
        return sec, mib, warm, float(np.median(shares[1:]))

    def flow_name(method, copies):
        return f"smooth flow, {method}" if copies == 1 else f"smooth flow, {copies} copies batched, {method}"

    def flow_steps(method):
        return args.steps if method == "eager" else args.fast_steps

    cases = [("Amber99SB-ILDN+OBC (OpenMM)", 1, lambda: amber, 1, args.floor_steps, None),
             ("zero PythonForce (floor)", 1, lambda: zero_system(1), 1, args.floor_steps, None)]
    cases += [(flow_name(m, 1), 1, (lambda m=m: flow(1, m)), 1, flow_steps(m), m) for m in methods]
    cases += [(f"Amber, {R} Contexts", 1, lambda: amber, R, args.floor_steps // R, None),
              (f"zero PythonForce, {R} copies", R, lambda: zero_system(R), 1, args.floor_steps // 2, None)]
    cases += [(flow_name(m, R), R, (lambda m=m: flow(R, m)), 1, flow_steps(m), m) for m in methods]
    rows, rate = [], {}
    for name, copies, make, contexts, steps, method in cases:
        sec, mib, warm, share = timed(make(), copies, steps, contexts)
        replica_steps = copies * contexts * steps
        rate[name] = replica_steps / sec
        build, ms = built.get(f"{method}:{copies}", (float("nan"), float("nan")))
        rows.append({"potential": name, "platform": args.platform, "replicas": copies * contexts, "steps": steps,
                     "seconds": sec, "replica-steps/s": rate[name], "ns/day per replica": steps / sec * 0.0864,
                     "ms/call": ms, "build s": build, "warm-up s": warm, "cpu/wall": share, "peak MiB": mib})
    print(f"torch {torch.__version__}, openmm {openmm.__version__}, torch threads 1, OpenMM platform properties {props}, "
          f"flow in {args.dtype}; timings on a shared machine are inflated by contention")
    print_table(rows)
    floor1, floorR = rate["zero PythonForce (floor)"], rate[f"zero PythonForce, {R} copies"]
    best1 = max(methods, key=lambda m: rate[flow_name(m, 1)])
    bestR = max(methods, key=lambda m: rate[flow_name(m, R)])
    flow1, flowR = rate[flow_name(best1, 1)], rate[flow_name(bestR, R)]
    print(f"one replica ({best1}): flow step time / zero-force step time = {floor1 / flow1:.2f} (target <= 3); "
          f"flow {flow1:.0f} steps/s (target >= 1000)")
    print(f"R = {R} ({bestR}): flow {flowR:.0f} replica-steps/s (target >= 10000); zero floor {floorR:.0f}; "
          f"Amber {rate[f'Amber, {R} Contexts']:.0f}")
    print_ratio(1.0 / flowR, 1.0 / rate[f"Amber, {R} Contexts"])


if __name__ == "__main__":
    main()
