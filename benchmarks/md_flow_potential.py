"""MD steps/s of alanine dipeptide with the smooth-flow potential (openmm.PythonForce) vs its floor and Amber.

All rows run Langevin dynamics (300 K, 10/ps, 1 fs) on the same OpenMM platform (CPU by default;
``--platform CUDA`` on a GPU machine) from the same frame, torch on one thread:

- one replica: Amber99SB-ILDN + OBC (the peer), a ``PythonForce`` that returns zeros (the floor of the
  Python-force route: State → NumPy → Python round trip, no model), and the packaged smooth (NLL)
  Boltzmann generator as the only force (float64; ``eager`` and, with ``--compile``, ``torch.compile``);
- R replicas (``--replicas``, default 10): Amber in R Contexts stepped one after another (copies in one
  System would interact), R zero-force copies in one System, and the flow with the R copies in one
  System evaluated as one batch (:func:`statgen.md.flow_system` with ``replicas=R``). Reported as
  replica-steps/s (R × steps / s).

Last line: ``ratio statgen/peer: X`` = seconds per replica-step of the batched flow (R replicas, eager)
/ seconds per replica-step of Amber (R Contexts).
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
    ap.add_argument("--steps", type=int, default=300, help="MD steps per flow timing (default 300)")
    ap.add_argument("--floor-steps", type=int, default=3000, help="MD steps for the zero-force and Amber timings")
    ap.add_argument("--replicas", type=int, default=10, help="replicas of the batched rows (default 10)")
    ap.add_argument("--compile", action="store_true", help="also time method='compile' (compiles per batch shape)")
    ap.add_argument("--device", default=None, help="torch device of the flow (default: cpu)")
    args = ap.parse_args(argv)

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
    model = pretrained_boltzmann_generator("smooth", device=args.device)  # 10/10 stable in the study's MD

    def flow(copies, method="eager"):  # a copy that leaves the flow's support is dropped, not fatal
        return flow_system(FlowPotential(model, 300.0, replicas=copies, on_nonfinite="drop", method=method))
    start = pretrained_starting_frames()[1]
    R = args.replicas
    masses = alanine_masses()

    def zero_system(copies):
        s = openmm.System()
        for _ in range(copies):
            for m in masses:
                s.addParticle(float(m))
        s.addForce(openmm.PythonForce(ZeroPotential(copies * len(masses))))
        return s

    def timed(system, copies, steps, contexts=1):
        ctxs = []
        for c in range(contexts):
            integ = openmm.LangevinMiddleIntegrator(300.0, 10.0, 0.001)
            integ.setRandomNumberSeed(1 + c)
            ctx = openmm.Context(system, integ, get_platform(args.platform))
            ctx.setPositions(np.tile(start, (copies, 1)))
            ctx.setVelocitiesToTemperature(300.0, 1 + c)
            ctxs.append((ctx, integ))
        with limited_threads(1, blas=False):
            t0 = time.perf_counter()
            for _, integ in ctxs:
                integ.step(10)  # warm-up (kernel compilation, first torch call, torch.compile)
            warm = time.perf_counter() - t0

            def run():
                for _, integ in ctxs:
                    integ.step(steps)
            sec, mib, _ = measure(run, repeat=3)
        return sec, mib, warm

    cases = [("Amber99SB-ILDN+OBC (OpenMM)", 1, lambda: amber, 1, args.floor_steps),
             ("zero PythonForce (floor)", 1, lambda: zero_system(1), 1, args.floor_steps),
             ("smooth flow, eager (statgen)", 1, lambda: flow(1), 1, args.steps)]
    if args.compile:
        cases.append(("smooth flow, compile (statgen)", 1, lambda: flow(1, "compile"), 1, args.steps))
    cases += [(f"Amber, {R} Contexts", 1, lambda: amber, R, args.floor_steps // R),
              (f"zero PythonForce, {R} copies", R, lambda: zero_system(R), 1, args.floor_steps // 2),
              (f"smooth flow, {R} copies batched, eager (statgen)", R, lambda: flow(R), 1, args.steps)]
    if args.compile:
        cases.append((f"smooth flow, {R} copies batched, compile (statgen)", R,
                      lambda: flow(R, "compile"), 1, args.steps))
    rows, rate = [], {}
    for name, copies, make, contexts, steps in cases:
        sec, mib, warm = timed(make(), copies, steps, contexts)
        replica_steps = copies * contexts * steps
        rate[name] = replica_steps / sec
        rows.append({"potential": name, "platform": args.platform, "replicas": copies * contexts, "steps": steps,
                     "seconds": sec, "replica-steps/s": rate[name], "ns/day per replica": steps / sec * 0.0864,
                     "warm-up s": warm, "peak MiB": mib})
    print(f"torch {torch.__version__}, openmm {openmm.__version__}, torch threads 1; timings on a shared machine are "
          "inflated by contention")
    print_table(rows)
    flow1, floor1 = rate["smooth flow, eager (statgen)"], rate["zero PythonForce (floor)"]
    print(f"one replica: flow step time / zero-force step time = {floor1 / flow1:.2f} (target <= 3); "
          f"flow {flow1:.0f} steps/s (target >= 1000)")
    flowR = rate[f"smooth flow, {R} copies batched, eager (statgen)"]
    print(f"R = {R}: flow {flowR:.0f} replica-steps/s (target >= 10000); zero floor "
          f"{rate[f'zero PythonForce, {R} copies']:.0f}; Amber {rate[f'Amber, {R} Contexts']:.0f}")
    print_ratio(1.0 / flowR, 1.0 / rate[f"Amber, {R} Contexts"])


if __name__ == "__main__":
    main()
