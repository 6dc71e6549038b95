"""Simulation throughput: statgen.pointprocess vs spatstat.random (rThomas, rMatClust) through Rscript.

Same models and window as the science note's anchor: κ = 50 parents per unit area, μ = 20
offspring per parent, 10 × 10 window (≈ 10⁵ points), Thomas σ = 0.05 and Matérn R = 0.1.
Inhomogeneous case: offspring mean 20·exp(0.2(x − 5)) — spatstat thins offspring by it, statgen
puts it on the parents (α(c)), same expected number of points; plus log-linear *parents*
(which spatstat does not support). Timings are in-process for both tools (R's system.time
around the calls, so R's start-up is excluded), best/mean of 5 runs. The last line is the ratio
for the stationary Thomas case. If Rscript or spatstat is missing the peer columns are empty
and the ratio is computed against the note's measured 2.7·10⁶ points/s.
"""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, measure_command, print_ratio, print_table  # noqa: E402

from statgen.pointprocess import LogLinear, MaternKernel, NeymanScott, ThomasKernel  # noqa: E402

W = ((0.0, 10.0), (0.0, 10.0))
R_SCRIPT = """
suppressMessages(library(spatstat.random))
W <- owin(c(0,10),c(0,10)); set.seed(1)
for (case in c("thomas", "matclust", "thomas_inhom")) {
  f <- switch(case,
    thomas = function() rThomas(50, 0.05, 20, win=W),
    matclust = function() rMatClust(50, 0.1, 20, win=W),
    thomas_inhom = function() rThomas(50, 0.05, function(x,y) 20*exp(0.2*(x-5)), win=W))
  X <- f(); n <- 0
  t <- system.time(for (i in 1:5) n <- n + npoints(f()))[["elapsed"]]
  cat(case, t/5, n/5, "\\n")
}
"""


def peer() -> dict[str, tuple[float, float, float]]:
    if shutil.which("Rscript") is None:
        print("Rscript not found: peer timings skipped (apt-get install r-base-core r-cran-spatstat.random)")
        return {}
    try:
        _, mib, out = measure_command(["Rscript", "-e", R_SCRIPT])
    except RuntimeError as exc:
        print(f"spatstat run failed, peer timings skipped: {str(exc)[-300:]}")
        return {}
    res = {}
    for line in out.splitlines():
        case, t, n = line.split()
        res[case] = (float(t), float(n), mib)  # peak RSS of the whole R process (all cases)
    return res


def main() -> None:
    models = {
        "thomas": NeymanScott(50.0, 20.0, ThomasKernel(0.05), W),
        "matclust": NeymanScott(50.0, 20.0, MaternKernel(0.1), W),
        "thomas_inhom": NeymanScott(50.0, LogLinear(math.log(20.0) - 1.0, [0.2, 0.0]), ThomasKernel(0.05), W),
        "thomas_inhom_parents": NeymanScott(LogLinear(math.log(50.0) - 1.0, [0.2, 0.0]), 20.0, ThomasKernel(0.05), W),
    }
    ref = peer()
    rows, ratio = [], None
    for case, model in models.items():
        rng = np.random.default_rng(0)
        model.simulate(rng=rng)  # warm-up (far-field bound is computed once per model)
        times, counts, peaks = [], [], []
        for _ in range(5):
            t, mib, pts = measure(lambda m=model, g=rng: m.simulate(rng=g))
            times.append(t)
            counts.append(pts.shape[0])
            peaks.append(mib)
        t_s, n_s = float(np.mean(times)), float(np.mean(counts))
        row = {"case": case, "statgen s": t_s, "statgen pts": n_s, "statgen Mpts/s": n_s / t_s / 1e6,
               "statgen peak MiB": max(peaks), "E[N]": model.expected_count()}
        if case in ref:
            t_p, n_p, mib_p = ref[case]
            row.update({"spatstat s": t_p, "spatstat pts": n_p, "spatstat Mpts/s": n_p / t_p / 1e6,
                        "R peak MiB": mib_p,
                        "ratio (per point)": (t_s / n_s) / (t_p / n_p)})
        else:
            row["spatstat s"] = "n/a (not supported)" if case == "thomas_inhom_parents" else "n/a"
        rows.append(row)
        if case == "thomas":
            ratio = (t_s / n_s, (ref[case][0] / ref[case][1]) if case in ref else 1 / 2.7e6)
    print_table(rows)
    print("(timings on a shared 2-core machine; 'ratio' compares seconds per simulated point)")
    print_ratio(*ratio)


if __name__ == "__main__":
    main()
