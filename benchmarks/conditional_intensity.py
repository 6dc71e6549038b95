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

Second table: the same exact conditional intensity (n = 12, 200 × 200 grid, Thomas σ = 0.04,
κ(c) = exp(5 + c₁ + 0.5 c₂), α = 8) with κ given three ways — ``LogLinear`` (closed form), a Python
callable, and a ``Gridded`` image of the same function on a 201 × 201 grid over [−0.5, 1.5]² —
with the quadrature engines' error estimate (orders 8 vs 6) and the error against the closed form
(for the gridded field this includes its multilinear interpolation of exp, ≈ 1e-5).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, print_ratio, print_table  # noqa: E402

from statgen.pointprocess import (  # noqa: E402
    Gridded,
    LogLinear,
    NeymanScott,
    ThomasKernel,
    bell_number,
    partition_sum,
)


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
    fields_table(axes)
    print_ratio(*ratio)


def fields_table(axes) -> None:
    W = ((0, 1), (0, 1))
    g = np.linspace(-0.5, 1.5, 201)
    G, H = np.meshgrid(g, g, indexing="ij")
    models = {"LogLinear (closed form)": NeymanScott(LogLinear(5.0, [1.0, 0.5]), 8.0, ThomasKernel(0.04), W),
              "callable": NeymanScott(lambda c: np.exp(5 + c @ np.array([1.0, 0.5])), 8.0, ThomasKernel(0.04), W),
              "Gridded 201x201": NeymanScott(Gridded([g, g], np.exp(5 + G + 0.5 * H)), 8.0, ThomasKernel(0.04), W)}
    y = np.random.default_rng(2).random((12, 2)) * 0.3 + 0.35
    ref = models["LogLinear (closed form)"].conditional_intensity_grid(axes, y)
    rows = []
    for name, m in models.items():
        m.conditional_intensity_grid(axes, y)
        t, mib, (val, err) = measure(lambda m=m: m.conditional_intensity_grid(axes, y, return_error=True), repeat=2)
        rows.append({"kappa": name, "seconds": t, "peak MiB": mib, "max est. rel. error": float(np.max(err / val)),
                     "max rel. diff. to closed form": float(np.max(np.abs(val - ref) / ref))})
    print("exact conditional intensity, 12 events, 200 x 200 grid, Thomas kernel:")
    print_table(rows)
    slow = max(r["seconds"] for r in rows[1:])
    print(f"target: callable / gridded under 10 s -> {'met' if slow < 10 else 'NOT met'} ({slow:.3g} s)")


if __name__ == "__main__":
    main()
