"""Benchmark: a 50-gamma graphical-lasso (L1) path at N = 200, statgen vs scikit-learn.

statgen: :func:`statgen.graphical.l1_path` (QUIC proximal Newton, block screening, warm starts
from the previous gamma, duality-gap stop). Peer: ``sklearn.covariance.graphical_lasso`` called
once per gamma (no warm start is offered by its public API), with its default settings and with a
tighter inner tolerance (``enet_tol=1e-7``, ``max_iter=1000``), which converges in fewer outer
iterations at small lambda. Both solve the same objective tr(C P) - log det P + lambda sum_{i!=j}|P_ij|,
lambda = gamma_1/alpha over the study's grid gamma_1 in [1e-2, 10] (50 log-spaced), SK sigma = 0.5,
alpha = 2; every objective must agree with statgen's to 1e-6 relative. The ratio is statgen's time
over the faster peer setting that meets that accuracy. BLAS threads are limited to ``--threads``
(default 1) for both.

    .venv/bin/python benchmarks/gaussian_l1_path.py [--n 200] [--alpha 2] [--threads 1]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from harness import measure, print_ratio, print_table


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--alpha", type=float, default=2.0)
    ap.add_argument("--n-gamma", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from sklearn.covariance import graphical_lasso
    from threadpoolctl import threadpool_limits

    from statgen.graphical import SphericalGaussian, l1_objective, l1_path, sk_couplings

    rng = np.random.default_rng(args.seed)
    model = SphericalGaussian(sk_couplings(args.n, 0.5, rng=rng))
    B = int(round(args.alpha * args.n))
    C = model.sample_covariance(B, rng=rng)
    gammas = np.logspace(-2, 1, args.n_gamma)
    lams = gammas / (B / args.n)

    def ours():
        return l1_path(C, gammas, B / args.n, tol=1e-8, keep_precisions=True).precisions

    def peer(**kw):
        def run():
            with warnings.catch_warnings():  # sklearn warns when it stops at max_iter
                warnings.simplefilter("ignore")
                return np.stack([graphical_lasso(C, alpha=lam, **kw)[1] for lam in lams])
        return run

    with threadpool_limits(args.threads):
        l1_path(C, gammas[-3:], B / args.n)  # warm-up: loads the compiled (numba) kernel
        t_ours, mem_ours, P_ours = measure(ours)
        f_ours = np.array([l1_objective(C, P, lam) for P, lam in zip(P_ours, lams, strict=True)])
        rows = [{"solver": "statgen l1_path (warm starts)", "seconds": t_ours, "peak MiB": mem_ours,
                 "max rel. objective diff": 0.0}]
        peers = {"sklearn graphical_lasso (defaults)": {},
                 "sklearn graphical_lasso (enet_tol=1e-7)": {"enet_tol": 1e-7, "max_iter": 1000}}
        valid = []
        for name, kw in peers.items():
            t, mem, P_sk = measure(peer(**kw))
            f_sk = np.array([l1_objective(C, P, lam) for P, lam in zip(P_sk, lams, strict=True)])
            diff = float(np.max(np.abs(f_sk - f_ours) / np.abs(f_ours)))
            rows.append({"solver": name, "seconds": t, "peak MiB": mem, "max rel. objective diff": diff})
            if diff <= 1e-6:
                valid.append(t)
    print(f"N = {args.n}, alpha = {B / args.n:g}, {args.n_gamma} gammas in [1e-2, 10] "
          f"(lambda in [{lams[0]:.3g}, {lams[-1]:.3g}]), BLAS threads = {args.threads}")
    print_table(rows)
    if not valid:
        raise SystemExit("no peer setting reached 1e-6 relative agreement of the objective")
    print_ratio(t_ours, min(valid))


if __name__ == "__main__":
    main()
