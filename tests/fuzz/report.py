"""Print the fuzz outcomes by family: ``python -m tests.fuzz.report [-v] [FAMILY ...]`` from the
repository root (``-v`` lists every case, otherwise only the WEAK and BAD ones).

A family is the first directory under ``tests/`` holding a ``fuzz_cases.py`` (at any depth:
``tests/graphical/potts/fuzz_cases.py`` counts for ``graphical``). Exit status 1 when a case is BAD.
"""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

from tests.fuzz.harness import VERDICTS, run_case

ROOT = Path(__file__).resolve().parents[1]


def case_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("fuzz_cases.py") if "fuzz" not in p.relative_to(root).parts[:-1])


def load_cases(root: Path = ROOT) -> list[tuple[str, object]]:
    """``(family, case)`` for every case of every ``fuzz_cases.py`` under ``root``."""
    cases = []
    for path in case_files(root):
        rel = path.relative_to(root)
        family = rel.parts[0] if len(rel.parts) > 1 else "tests"
        name = "fuzz_cases_" + "_".join(rel.with_suffix("").parts)
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if not isinstance(getattr(mod, "CASES", None), list):
            raise TypeError(f"{path} must define CASES: list[Case]")
        cases += [(family, c) for c in mod.CASES]
    return cases


def summarize(outcomes: list[tuple[str, object]]) -> str:
    """A table of GOOD/WEAK/BAD counts per family and in all, with the WEAK and BAD shares."""
    counts = collections.Counter()
    for family, out in outcomes:
        counts[family, out.verdict] += 1
        counts["all", out.verdict] += 1
    families = sorted({f for f, _ in outcomes}) + ["all"]
    lines = [f"{'family':14s} {'cases':>6s} " + " ".join(f"{v:>6s}" for v in VERDICTS) + f" {'WEAK %':>7s} {'BAD %':>6s}"]
    for f in families:
        n = sum(counts[f, v] for v in VERDICTS)
        if n == 0:
            continue
        lines.append(f"{f:14s} {n:6d} " + " ".join(f"{counts[f, v]:6d}" for v in VERDICTS)
                     + f" {100 * counts[f, 'WEAK'] / n:6.1f}% {100 * counts[f, 'BAD'] / n:5.1f}%")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    only = {a for a in args if not a.startswith("-")}
    outcomes = []
    for family, case in load_cases():
        if only and family not in only:
            continue
        out = run_case(case)
        outcomes.append((family, out))
        if verbose or out.verdict != "GOOD":
            print(f"{out.verdict:4s} [{family}] {case.id}: {out.detail}", flush=True)
    print(summarize(outcomes))
    return 1 if any(out.verdict == "BAD" for _, out in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
