"""Print the fuzz outcomes by family: ``python -m tests.fuzz.report [-v]`` from the repository root."""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

from tests.fuzz.harness import run_case

ROOT = Path(__file__).resolve().parents[1]


def load_cases():
    cases = []
    for path in sorted(ROOT.glob("*/fuzz_cases.py")) + sorted(ROOT.glob("fuzz_cases.py")):
        spec = importlib.util.spec_from_file_location(f"fuzz_cases_{path.parent.name}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        cases += [(path.parent.name, c) for c in mod.CASES]
    return cases


def main(argv=None) -> int:
    verbose = "-v" in (argv or sys.argv[1:])
    counts = collections.Counter()
    for family, case in load_cases():
        out = run_case(case)
        counts[family, out.verdict] += 1
        counts["all", out.verdict] += 1
        if verbose or out.verdict != "GOOD":
            print(f"{out.verdict:4s} {case.id}: {out.detail}")
    families = sorted({f for f, _ in counts})
    print(f"{'family':14s} {'GOOD':>6s} {'WEAK':>6s} {'BAD':>6s}")
    for f in families:
        print(f"{f:14s} " + " ".join(f"{counts[f, v]:6d}" for v in ("GOOD", "WEAK", "BAD")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
