"""Exact conditional intensity λ(x | y₁..yₙ) on a 200 × 200 grid: subset recursion vs Bell enumeration.

Model: Thomas kernel σ = 0.04, log-linear parents κ(c) = exp(3 + 0.5 c₁ + 0.2 c₂), α = 8, unit
square; n events uniform in [0.35, 0.65]² (all mutually close, so nothing factorizes).

statgen: :meth:`NeymanScott.conditional_intensity_grid` (cluster integrals in closed form, the
O(3ⁿ) subset recursion for the weights ρ(Y∖B)/ρ(Y), and the 2ⁿ-term sum over B factorized over
the grid axes). Peer (there is no other tool for this): the same formula with the product
densities ρ(Y∖B) from explicit set-partition enumeration, i.e. Bell(n + 1) partitions, whose
cost per partition is measured on n = 9 and extrapolated (running it takes minutes to hours);
the naive per-x enumeration (Bell(n + 1) partitions for each of the 40 000 grid points) is
reported too. Timings are warm (second call) on a shared 2-core machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, print_ratio, print_table  # noqa: E402

from statgen.pointprocess import LogLinear, NeymanScott, ThomasKernel, bell_number, partition_sum  # noqa: E402


def main() -> None:
    model = NeymanScott(LogLinear(3.0, [0.5, 0.2]), 8.0, ThomasKernel(0.04), ((0, 1), (0, 1)))
    axes = [np.linspace(0, 1, 200)] * 2
    rng = np.random.default_rng(1)
    # cost of one partition in the enumeration (Python, the natural way to write it)
    K9 = model.cluster_integrals(rng.random((9, 2)) * 0.3 + 0.35)
    t9, _, _ = measure(lambda: partition_sum(K9, 9))
    per_partition = t9 / bell_number(9)
    rows, ratio = [], None
    for n in (8, 12, 16):
        y = rng.random((n, 2)) * 0.3 + 0.35
        model.conditional_intensity_grid(axes, y)  # warm-up: builds the subset-pair tables once
        t, mib, lam = measure(lambda y=y: model.conditional_intensity_grid(axes, y), repeat=3)
        t_weights = per_partition * bell_number(n + 1)
        t_naive = per_partition * bell_number(n + 1) * 40_000
        rows.append({"n": n, "statgen s": t, "peak MiB": mib, "Bell(n+1)": bell_number(n + 1),
                     "Bell weights s (extrap.)": t_weights, "Bell per-x s (extrap.)": t_naive,
                     "speed-up": t_weights / t, "max λ": float(lam.max())})
        if n == 12:
            ratio = (t, t_weights)
    print(f"measured: {per_partition * 1e6:.3g} µs per partition (n = 9, {bell_number(9)} partitions)")
    print_table(rows)
    print(f"target: n = 12 under 1 s -> {'met' if ratio[0] < 1 else 'NOT met'} ({ratio[0]:.3g} s)")
    print_ratio(*ratio)


if __name__ == "__main__":
    main()
