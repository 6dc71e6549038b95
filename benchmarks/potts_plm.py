"""statgen potts plm side by side with plmc (double) and plmc32 (single): same command line, same problem.

Cases: ``dhfr`` (plmc's example: DHFR.a2m, focus DYR_ECOLI, θ = 0.2, gap-ignore) and ``synthetic``
(L = 100, q = 21, M = 10⁴ sequences Gibbs-sampled from a sparse random Potts model, no reweighting:
``-t -1``). Every tool runs as its own process with the same flags
(``-o P -le 16 -lh 0.01 -m 100 -n 2 ...``; statgen adds ``--float32``), so wall time and peak
memory (RSS of the process tree) compare like with like. statgen runs its default backend (C/OpenMP
kernel in plmc's layout + its lean L-BFGS, no torch); the kernel is compiled once and cached on disk, so
one untimed warm-up run on a 30-sequence alignment comes first (a fresh install compiles it, ~2 s). The final objective of each tool is
re-evaluated by ONE function, :func:`statgen.graphical.plmc_objective` (float64), at the parameters
it wrote in plmc's format: plmc's f = −Σ_m w_m Σ_i log P(s_mi | s_m,−i) + λ_h Σ‖h‖² + λ_e Σ_{i<j}‖e_ij‖².
On DHFR each tool's couplings are also compared with plmc's reference ``DHFR.couplings`` (same
command line): Spearman of all pair scores and the overlap of the top-L pairs with |i − j| ≥ 6.
(The previous version ran plmc with ``-t 1.0``, which makes every sequence a neighbour of every
other: weights 1/M, a different problem.)

Usage: ``python benchmarks/potts_plm.py [--case dhfr|synthetic|both] [--maxiter 100] [--threads 2]``;
peers from ``PLMC`` / ``PLMC32`` or ``../shared/peers/``; DHFR from ``--alignment`` or
``../shared/data/alignments/DHFR.a2m``. The last line is ``ratio statgen/peer: X`` (wall seconds,
peer = plmc, the double-precision reference); the line before it gives statgen/plmc32.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure_command, print_ratio, print_table  # noqa: E402

from statgen.graphical import (  # noqa: E402
    decode_sequences,
    erdos_renyi_potts,
    plmc_objective,
    prepare_alignment,
    read_alignment,
    read_plmc_couplings,
    read_plmc_params,
    write_fasta,
)

ROOT = Path(__file__).resolve().parents[1]
# The ``cpu s`` column (user + system time of the tool's process tree) is the fairer comparison when
# the machine is shared: wall time then depends on what else runs.


def _shared() -> Path:
    for p in (os.environ.get("STATGEN_SHARED"), ROOT.parent / "shared", Path("/work/shared")):
        if p and Path(p).is_dir():
            return Path(p)
    return ROOT.parent / "shared"


def synthetic_alignment(L: int, q: int, M: int, *, seed: int = 0, sweeps: int = 20) -> np.ndarray:
    """M sequences of a sparse random Potts model (mean degree 4, coupling std 0.3, fields std 1.5)."""
    rng = np.random.default_rng(seed)
    model = erdos_renyi_potts(L, q, 0.3, mean_degree=4.0, rng=rng, sigma_h=1.5)
    return model.sample(M, sweeps=sweeps, seed=seed + 1, dtype=torch.float32)


def agreement(c: Path, ref: Path) -> tuple[float, float]:
    """(Spearman of all pair scores, top-L overlap with |i − j| ≥ 6) of couplings file c against ref."""
    from scipy.stats import spearmanr

    S, pos, _ = read_plmc_couplings(c)
    P, ppos, _ = read_plmc_couplings(ref)
    if not np.array_equal(pos, ppos):
        raise ValueError(f"{c} and {ref} number different positions")
    i, j = np.triu_indices(len(pos), 1)
    far = pos[j] - pos[i] >= 6

    def top(A):
        o = np.argsort(-A[i[far], j[far]], kind="stable")[: len(pos)]
        return set(zip(i[far][o].tolist(), j[far][o].tolist(), strict=True))

    return float(spearmanr(S[i, j], P[i, j])[0]), len(top(S) & top(P)) / len(pos)


def run_case(name: str, ali: Path, flags: list[str], prep: dict, gap_ignore: bool, tools: dict, tmp: Path,
             lam_e: float, lam_h: float, reference: Path | None = None) -> list[dict]:
    names, seqs = read_alignment(ali)
    a = prepare_alignment(names, seqs, **prep)
    print(f"{name}: {a.states.shape[0]} sequences x {a.states.shape[1]} sites, Neff = {a.neff:.1f}", flush=True)
    rows = []
    for tool, cmd in tools.items():
        params = tmp / f"{name}_{tool}.params"
        couplings = tmp / f"{name}_{tool}.couplings"
        argv = [*cmd, "-o", str(params), "-c", str(couplings), *flags, str(ali)]
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, mib, _ = measure_command(argv)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
        p = read_plmc_params(params)
        f = plmc_objective(p.model, a.states, a.weights, lambda_e=lam_e, lambda_h=lam_h, gap_ignore=gap_ignore)
        row = {"case": name, "tool": tool, "seconds": seconds, "cpu s": cpu, "peak MiB": mib, "final f": f"{f:.2f}"}
        if reference is not None and reference.is_file():
            rho, ov = agreement(couplings, reference)
            row.update({"Spearman vs ref": f"{rho:.4f}", "top-L overlap": f"{100 * ov:.0f} %"})
        rows.append(row)
        print(f"  {tool}: {seconds:.1f} s wall, {cpu:.1f} s CPU, {mib:.0f} MiB, f = {f:.2f}", flush=True)
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=["dhfr", "synthetic", "both"], default="both")
    ap.add_argument("--maxiter", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--alignment", type=Path, default=None, help="DHFR.a2m (default: ../shared/data/alignments)")
    ap.add_argument("--L", type=int, default=100)
    ap.add_argument("--M", type=int, default=10_000)
    ap.add_argument("--tools", default="statgen,plmc,plmc32", help="comma-separated subset of statgen,plmc,plmc32")
    args = ap.parse_args(argv)
    wanted = set(args.tools.split(","))
    shared = _shared()
    tools = {"statgen (float32)": [sys.executable, "-m", "statgen.cli", "potts", "plm", "--float32"]}
    for label, env, default in (("plmc", "PLMC", "plmc"), ("plmc32", "PLMC32", "plmc32")):
        exe = os.environ.get(env) or str(shared / "peers" / default)
        if Path(exe).is_file():
            tools[label] = [exe]
    tools = {k: v for k, v in tools.items() if k.split()[0] in wanted}
    lam_e, lam_h = 16.0, 0.01
    common = ["-le", str(lam_e), "-lh", str(lam_h), "-m", str(args.maxiter), "-n", str(args.threads)]
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if "statgen (float32)" in tools:  # load (or, on a fresh install, compile) the cached kernels
            warm = tmp / "warm.fasta"
            write_fasta(warm, [f"w{m}" for m in range(30)], decode_sequences(synthetic_alignment(8, 21, 30), "protein"))
            measure_command([*tools["statgen (float32)"], "-m", "2", "-t", "-1", "-c", str(tmp / "warm.c"), str(warm)])
        if args.case in ("dhfr", "both"):
            ali = args.alignment or shared / "data" / "alignments" / "DHFR.a2m"
            rows += run_case("DHFR", ali, [*common, "-g", "-f", "DYR_ECOLI"],
                             dict(focus="DYR_ECOLI", theta=0.2), True, tools, tmp, lam_e, lam_h,
                             reference=ali.parent / "DHFR.couplings")
        if args.case in ("synthetic", "both"):
            s = synthetic_alignment(args.L, 21, args.M)
            fa = tmp / "synthetic.fasta"
            write_fasta(fa, [f"s{m}" for m in range(len(s))], decode_sequences(s, "protein"))
            rows += run_case(f"synthetic L={args.L} M={args.M}", fa, [*common, "-t", "-1"], dict(theta=-1.0), False,
                             tools, tmp, lam_e, lam_h)
    print_table(rows)
    by = {(r["case"], r["tool"]): r for r in rows}
    cases = list(dict.fromkeys(r["case"] for r in rows))
    if not all((c, "statgen (float32)") in by for c in cases):
        return
    for c in cases:
        me = by[c, "statgen (float32)"]
        for peer in ("plmc", "plmc32"):
            if (c, peer) in by:
                o = by[c, peer]
                print(f"{c}: statgen/{peer} wall {me['seconds'] / o['seconds']:.3g}, CPU {me['cpu s'] / o['cpu s']:.3g}, "
                      f"peak memory {me['peak MiB'] / o['peak MiB']:.3g}, "
                      f"final f difference {float(me['final f']) - float(o['final f']):+.2f}")
    sg = sum(by[c, "statgen (float32)"]["seconds"] for c in cases)
    if all((c, "plmc32") in by for c in cases):
        print(f"ratio statgen/plmc32: {sg / sum(by[c, 'plmc32']['seconds'] for c in cases):.3g}")
    if all((c, "plmc") in by for c in cases):
        print_ratio(sg, sum(by[c, "plmc"]["seconds"] for c in cases))


if __name__ == "__main__":
    main()
