"""PLM on a synthetic alignment (default L = 100, q = 21, M = 10⁴): statgen vs a numpy + scipy
L-BFGS-B implementation of the same objective (and plmc when ``PLMC`` names its binary).

Both minimize the same penalized negative symmetric pseudo-log-likelihood per sequence,
F = −(1/M) Σ_m Σ_i log P(s_mi | s_m,−i) + (γ/α)((q−1)²/2) Σ_{i<j} ||J_ij||²_F + (γ_h/2) ||h||²,
and the script checks that they reach the same final F. The alignment comes from Gibbs sampling
a sparse random Potts model (Erdős–Rényi couplings, conserved fields) and is written as FASTA.

Usage: ``python benchmarks/potts_plm.py [--L 100 --q 21 --M 10000 --gamma 0.01 --dtype float32]``.
The last line is ``ratio statgen/peer: X`` (wall seconds; peer = plmc if run, else numpy + scipy).
The ``cpu s`` column (process CPU time) is the fairer comparison on an oversubscribed machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, measure_command, print_ratio, print_table  # noqa: E402

from statgen.graphical import (  # noqa: E402
    ALPHABETS,
    PseudoLikelihoodPotts,
    decode_sequences,
    erdos_renyi_potts,
    plm_objective,  # noqa: E402
    write_fasta,
)


def synthetic_alignment(L: int, q: int, M: int, *, seed: int = 0, sweeps: int = 20) -> np.ndarray:
    """M sequences of a sparse random Potts model (mean degree 4, per-direction coupling std 0.3,
    fields std 1.5), Gibbs-sampled from independent random starts."""
    rng = np.random.default_rng(seed)
    model = erdos_renyi_potts(L, q, 0.3, mean_degree=4.0, rng=rng, sigma_h=1.5)
    return model.sample(M, sweeps=sweeps, seed=seed + 1, dtype=torch.float32)


def numpy_plm(s: np.ndarray, q: int, gamma: float, gamma_h: float, *, max_iter: int = 1000, tol: float = 1e-6):
    """Symmetric PLM the way a numpy/scipy user writes it: one-hot CSR X, parameters (h, W) with
    W symmetrized and block-diagonal masked, value and gradient by sparse products, L-BFGS-B."""
    import scipy.sparse as sp
    from scipy.optimize import minimize

    M, L = s.shape
    n = L * q
    cols = (s + q * np.arange(L)).ravel()
    X = sp.csr_matrix((np.ones(M * L), (np.repeat(np.arange(M), L), cols)), shape=(M, n))
    Xt = X.T.tocsr()
    mask = 1.0 - np.kron(np.eye(L), np.ones((q, q)))
    iu = np.triu_indices(n, 1)
    pair = mask[iu] > 0  # free upper-triangle entries (i < j blocks)
    ii, jj = iu[0][pair], iu[1][pair]
    c = gamma / (M / L) * (q - 1) ** 2  # L2 coefficient on Σ_{i<j} ||J_ij||²: (c/2) Σ J²

    def unpack(x):
        W = np.zeros((n, n))
        W[ii, jj] = x[n:]
        return x[:n], W + W.T

    def fun(x):
        h, W = unpack(x)
        H = (X @ W + h).reshape(M, L, q)
        H -= H.max(2, keepdims=True)
        logZ = np.log(np.exp(H).sum(2))
        ll = H.reshape(M, n)[np.repeat(np.arange(M), L), cols].reshape(M, L) - logZ
        P = np.exp(H - logZ[..., None]).reshape(M, n)
        P[np.repeat(np.arange(M), L), cols] -= 1.0
        P /= M
        G = Xt @ P  # G[(j,b),(i,a)] = Σ_m [s_mj = b] R_m(i,a)
        G = G + G.T
        Jp = x[n:]
        f = -ll.sum() / M + 0.5 * c * Jp @ Jp + 0.5 * gamma_h * h @ h
        g = np.concatenate([P.sum(0) + gamma_h * h, G[ii, jj] + c * Jp])
        return f, g

    x0 = np.zeros(n + len(ii))
    f1 = np.stack([np.bincount(s[:, i], minlength=q) for i in range(L)]) / M + 1.0 / M
    h0 = np.log(f1 / f1.sum(1, keepdims=True))
    x0[:n] = (h0 - h0.mean(1, keepdims=True)).ravel()
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "gtol": tol, "maxcor": 10})
    h, W = unpack(res.x)
    return h.reshape(L, q), W, float(res.fun), int(res.nit)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, default=100)
    ap.add_argument("--q", type=int, default=21)
    ap.add_argument("--M", type=int, default=10_000)
    ap.add_argument("--gamma", type=float, default=0.01)
    ap.add_argument("--gamma-h", type=float, default=0.01)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch CPU threads (default torch's; 1 is faster on an oversubscribed machine)")
    ap.add_argument("--skip-numpy", action="store_true", help="do not run the numpy + scipy peer")
    args = ap.parse_args(argv)
    L, q, M = args.L, args.q, args.M
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    s = synthetic_alignment(L, q, M)
    print(f"synthetic alignment L={L} q={q} M={M} in {time.perf_counter() - t0:.1f} s; torch threads "
          f"{torch.get_num_threads()}")
    dtype = getattr(torch, args.dtype)
    est = PseudoLikelihoodPotts("l2", args.gamma, gamma_h=args.gamma_h, dtype=dtype, device=args.device)
    c0 = time.process_time()
    t_sg, mem_sg, _ = measure(lambda: est.fit(s, q))
    c_sg = time.process_time() - c0
    f_sg = plm_objective(est.model_, s, gamma=args.gamma, gamma_h=args.gamma_h)  # float64 re-evaluation
    rows = [{"tool": f"statgen PLM ({args.dtype}, {args.device})", "seconds": t_sg, "cpu s": c_sg, "peak MiB": mem_sg,
             "iterations": est.n_iter_, "final F": f_sg}]
    peer_s = None
    if not args.skip_numpy:
        c0 = time.process_time()
        t_np, mem_np, (h, W, f_np, it_np) = measure(lambda: numpy_plm(s, q, args.gamma, args.gamma_h))
        c_np = time.process_time() - c0
        rows.append({"tool": "numpy + scipy L-BFGS-B (float64)", "seconds": t_np, "cpu s": c_np, "peak MiB": mem_np,
                     "iterations": it_np, "final F": f_np})
        peer_s = t_np
    plmc = os.environ.get("PLMC")
    if plmc:
        with tempfile.TemporaryDirectory() as tmp:
            fa = Path(tmp) / "ali.fasta"
            alphabet = ALPHABETS["protein"][:q] if q <= 21 else None
            write_fasta(fa, [f"s{m}" for m in range(M)], decode_sequences(s, alphabet))
            # plmc minimizes the total (not per-sequence) objective: λ_e = γ (q−1)² L / 2, λ_h = γ_h M / 2
            lam_e, lam_h = args.gamma * (q - 1) ** 2 * L / 2, args.gamma_h * M / 2
            argv = [plmc, "-o", str(Path(tmp) / "out.params"), "-a", alphabet, "-le", f"{lam_e}", "-lh",
                    f"{lam_h}", "-t", "1.0", "-n", str(torch.get_num_threads()), str(fa)]
            t_pl, mem_pl, _ = measure_command(argv)
        rows.append({"tool": "plmc", "seconds": t_pl, "peak MiB": mem_pl, "iterations": "", "final F": ""})
        peer_s = t_pl
    print_table(rows)
    if not args.skip_numpy:
        rel = abs(f_sg - f_np) / abs(f_np)
        print(f"same final pseudo-likelihood: |F_statgen - F_numpy| / |F| = {rel:.2e} "
              f"({'OK' if rel < 1e-4 else 'MISMATCH'})")
    if peer_s is not None:
        print_ratio(t_sg, peer_s)


if __name__ == "__main__":
    main()
