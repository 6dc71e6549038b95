"""Boltzmann-machine learning: statgen vs adabmDCA (``pip install adabmdca``), time to the same
Pearson target of connected correlations on the same alignment.

Both tools run persistent Gibbs chains with the same number of chains, sweeps per update,
learning rate, pseudocount (1/M) and target Pearson (adabmDCA's convergence measure: Pearson of
C_ij(a, b) = f_ij(a, b) − f_i(a) f_j(b), data vs chains, over i < j). No reweighting. The data
are Gibbs samples of a sparse random Potts model written as FASTA (DNA alphabet for q = 5).

Usage: ``python benchmarks/potts_bm.py [--L 20 --q 5 --M 5000 --target 0.9 --device cpu]``.
The last line is ``ratio statgen/peer: X`` (statgen seconds / adabmDCA seconds).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, measure_command, print_ratio, print_table  # noqa: E402

from statgen.graphical import (  # noqa: E402
    BoltzmannMachinePotts,
    decode_sequences,
    erdos_renyi_potts,
    load_alignment,
    write_fasta,
)

ALPHABETS = {5: "dna", 21: "protein"}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, default=20)
    ap.add_argument("--q", type=int, choices=sorted(ALPHABETS), default=5)
    ap.add_argument("--M", type=int, default=5000)
    ap.add_argument("--target", type=float, default=0.9)
    ap.add_argument("--nchains", type=int, default=5000)
    ap.add_argument("--nsweeps", type=int, default=5)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads for both tools")
    args = ap.parse_args(argv)
    if args.threads:  # same thread count for statgen (in-process) and adabmDCA (subprocess)
        torch.set_num_threads(args.threads)
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(args.threads)
    threads = torch.get_num_threads()
    alphabet = ALPHABETS[args.q]
    rng = np.random.default_rng(0)
    model = erdos_renyi_potts(args.L, args.q, 0.6, mean_degree=3.0, rng=rng, sigma_h=0.5)
    s = model.sample(args.M, sweeps=50, seed=1)
    tmp = Path(tempfile.mkdtemp(prefix="potts_bm_"))
    try:
        fa = tmp / "data.fasta"
        write_fasta(fa, [f"s{m}" for m in range(args.M)], decode_sequences(s, alphabet))
        data, w, _ = load_alignment(fa, alphabet)  # statgen reads the same file
        print(f"alignment L={args.L} q={args.q} M={args.M}; target Pearson {args.target}; chains {args.nchains}, "
              f"sweeps {args.nsweeps}, lr {args.lr}, torch threads {threads}, device {args.device}")
        est = BoltzmannMachinePotts("l2", 0.0, lr=args.lr, n_chains=args.nchains, sweeps=args.nsweeps,
                                    target_pearson=args.target, max_epochs=5000, seed=0, device=args.device,
                                    dtype=torch.float32)
        t_sg, mem_sg, _ = measure(lambda: est.fit(data, args.q))
        rows = [{"tool": "statgen BM", "seconds": t_sg, "peak MiB": mem_sg, "epochs": est.n_iter_,
                 "final Pearson": est.pearson_}]
        exe = shutil.which("adabmDCA") or str(Path(sys.executable).parent / "adabmDCA")
        argv = [exe, "train", "-d", str(fa), "-o", str(tmp / "ada"), "-m", "bmDCA", "--alphabet", alphabet,
                "--lr", str(args.lr), "--nsweeps", str(args.nsweeps), "--sampler", "gibbs", "--nchains",
                str(args.nchains), "--target", str(args.target), "--no_reweighting", "--no-progress", "--seed", "0",
                "--device", args.device, "--dtype", "float32", "--checkpoint-interval", "100000"]
        t_ada, mem_ada, out = measure_command(argv)
        logs = list((tmp / "ada").glob("*.log"))
        text = out + "".join(p.read_text() for p in logs)
        pears = re.findall(r"[Pp]earson[^0-9\-]*([0-9]\.[0-9]+)", text)
        rows.append({"tool": "adabmDCA bmDCA", "seconds": t_ada, "peak MiB": mem_ada,
                     "epochs": _last_epoch(tmp / "ada"), "final Pearson": float(pears[-1]) if pears else float("nan")})
        print_table(rows)
        print_ratio(t_sg, t_ada)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _last_epoch(folder: Path) -> str:
    """Last logged epoch of adabmDCA's training log (first column of its table), if found."""
    for p in folder.glob("*.log"):
        lines = [ln.split() for ln in p.read_text().splitlines() if ln.strip() and ln.split()[0].isdigit()]
        if lines:
            return lines[-1][0]
    return ""


if __name__ == "__main__":
    main()
