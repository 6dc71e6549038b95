"""MD steps/s of alanine dipeptide with the smooth-flow potential (openmm.PythonForce) vs Amber alone.

Both run Langevin dynamics (300 K, 10/ps, 1 fs) on the same OpenMM platform (CPU by default;
``--platform CUDA`` on a GPU machine) from the same frame. "statgen" is the packaged smooth +
force-matching Boltzmann generator as the only force (float64 torch on one thread, positions and
forces copied through Python each step); the peer is Amber99SB-ILDN + OBC in OpenMM.
Last line: ``ratio statgen/peer: X`` = seconds per step with the flow / seconds per step with Amber.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import measure, print_ratio, print_table  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--platform", default="CPU", help="OpenMM platform (CPU, CUDA, Reference)")
    ap.add_argument("--steps", type=int, default=500, help="MD steps per timing (default 500)")
    ap.add_argument("--amber-steps", type=int, default=5000, help="MD steps for the Amber timing (default 5000)")
    args = ap.parse_args(argv)

    import openmm
    import torch

    from statgen._threads import limited_threads
    from statgen.md import alanine_dipeptide, flow_system, pretrained_boltzmann_generator
    from statgen.md.data import get_platform

    _, amber, pos = alanine_dipeptide()
    model = pretrained_boltzmann_generator()
    rows, per_step = [], {}
    for name, system, steps in (("Amber99SB-ILDN+OBC (OpenMM)", amber, args.amber_steps),
                                ("smooth flow, PythonForce (statgen)", flow_system(model, 300.0), args.steps)):
        integ = openmm.LangevinMiddleIntegrator(300.0, 10.0, 0.001)
        integ.setRandomNumberSeed(1)
        ctx = openmm.Context(system, integ, get_platform(args.platform))
        ctx.setPositions(pos)
        ctx.setVelocitiesToTemperature(300.0, 1)
        with limited_threads(1, blas=False):
            integ.step(10)  # warm-up (kernel compilation, first torch call)
            sec, mib, _ = measure(lambda: integ.step(steps), repeat=3)  # noqa: B023
        per_step[name] = sec / steps
        rows.append({"potential": name, "platform": args.platform, "steps": steps, "seconds": sec,
                     "steps/s": steps / sec, "ns/day": steps / sec * 1e-6 * 86400, "peak MiB": mib})
    print(f"torch {torch.__version__}, openmm {openmm.__version__}; timings on a shared machine are inflated "
          "by contention")
    print_table(rows)
    flow, peer = per_step[rows[1]["potential"]], per_step[rows[0]["potential"]]
    print_ratio(flow, peer)


if __name__ == "__main__":
    main()
