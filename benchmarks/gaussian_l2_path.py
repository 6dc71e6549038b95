"""The whole 50-gamma L2 MAP path at N = 1000 as a multiple of ONE eigendecomposition.

The peer is ``numpy.linalg.eigh`` of the training covariance (the unavoidable O(N^3) step of the
closed form). ``l2_path`` adds the curves for all gammas (O(G N) per Newton step), the exact test
and gen_true curves (one extra N^3 product with the true model's eigenvectors) and the refined
gamma_opt / gamma_cross / gamma_half. For context the naive route (one ``map_l2`` per gamma, i.e.
one eigendecomposition each, without the likelihood curves) is timed on a few gammas and scaled to 50.

Usage: ``python benchmarks/gaussian_l2_path.py [--n 1000] [--alpha 3] [--repeat 3] [--threads 1]``.
Last line: ``ratio statgen/peer: X`` with X = t(l2_path with truth) / t(eigh). Target <= 2.
"""

from __future__ import annotations

import argparse

import numpy as np
from harness import measure, print_ratio, print_table
from threadpoolctl import threadpool_limits

from statgen.graphical import SphericalGaussian, l2_path, map_l2, sk_couplings


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--alpha", type=float, default=3.0)
    p.add_argument("--gammas", type=int, default=50)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--naive", type=int, default=3, help="gammas timed for the per-gamma map_l2 row (0: skip)"
    )
    p.add_argument(
        "--threads", type=int, default=None, help="BLAS threads (default: the library's own)"
    )
    args = p.parse_args(argv)

    rng = np.random.default_rng(0)
    model = SphericalGaussian(sk_couplings(args.n, 0.5, rng=rng))
    C = model.sample_covariance(int(round(args.alpha * args.n)), rng=rng)
    gammas = np.logspace(np.log10(5e-4), 4, args.gammas)

    with threadpool_limits(limits=args.threads, user_api="blas"):
        t_eigh, m_eigh, _ = measure(lambda: np.linalg.eigh(C), repeat=args.repeat)
        t_bare, m_bare, _ = measure(lambda: l2_path(C, gammas, args.alpha), repeat=args.repeat)
        t_full, m_full, path = measure(
            lambda: l2_path(C, gammas, args.alpha, J_true=model), repeat=args.repeat
        )
        rows = [
            {
                "method": "numpy.linalg.eigh(C) (peer)",
                "seconds": t_eigh,
                "peak MiB": m_eigh,
                "x eigh": 1.0,
            },
            {
                "method": f"l2_path, {args.gammas} gammas: train/gen",
                "seconds": t_bare,
                "peak MiB": m_bare,
                "x eigh": t_bare / t_eigh,
            },
            {
                "method": f"l2_path, {args.gammas} gammas: + exact test, gen_true",
                "seconds": t_full,
                "peak MiB": m_full,
                "x eigh": t_full / t_eigh,
            },
        ]
        if args.naive > 0:
            few = gammas[:: max(1, args.gammas // args.naive)][: args.naive]
            t_naive, m_naive, _ = measure(lambda: [map_l2(C, g, args.alpha) for g in few])
            scale = args.gammas / few.size
            t_naive *= scale
            rows.append(
                {
                    "method": f"map_l2 per gamma (J only; {few.size} timed, x{scale:.3g})",
                    "seconds": t_naive,
                    "peak MiB": m_naive,
                    "x eigh": t_naive / t_eigh,
                }
            )

    print(
        f"N = {args.n}, alpha = {args.alpha}, SK sigma = 0.5, best of {args.repeat}; "
        f"gamma_opt = {path.gamma_opt:.4g}, gamma_cross = {path.gamma_cross:.4g}, "
        f"gamma_half = {path.gamma_half:.4g}, prediction = {path.gamma_pred:.4g}"
    )
    print_table(rows)
    print_ratio(t_full, t_eigh)


if __name__ == "__main__":
    main()
