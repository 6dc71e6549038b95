"""Cluster-process fitting: statgen's KppmFit vs spatstat.model's kppm (through Rscript) on real patterns.

Patterns from spatstat.data (exported by the R script to a temporary folder, so both tools see
the same numbers): redwood (62 points), redwoodfull (195), bei (3 604 trees in 1000 × 500 m),
and bei with the covariates elev and grad (spatstat's ``bei.extra``, 101 × 201 pixel images)
modulating the offspring intensity. Models: Thomas and Matérn cluster (bei: Thomas) with kppm's
defaults for each method. Times are in-process for both (R's ``system.time`` around ``kppm``,
start-up and data export excluded), best of 3. Printed per fit: both estimates, their relative
difference, both times. The last line is the ratio of the total fitting times.

Without Rscript and spatstat.model (Debian: ``apt-get install r-cran-spatstat.model
r-cran-spatstat.data``) the script says so and exits 0: the patterns come from R.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, print_ratio, print_table  # noqa: E402

from statgen.pointprocess import CovariateGrid, KppmFit, Polygon  # noqa: E402

CASES = [  # (pattern, spatstat family, statgen kernel, method, statistic, covariates)
    *[(p, c, k, m, "K", False) for p in ("redwood", "redwoodfull")
      for c, k in (("Thomas", "thomas"), ("MatClust", "matern")) for m in ("mincon", "palm", "clik2")],
    *[("bei", "Thomas", "thomas", m, "K", False) for m in ("mincon", "palm", "clik2")],
    *[("bei", "Thomas", "thomas", m, s, True) for m, s in (("mincon", "K"), ("mincon", "pcf"), ("palm", "K"), ("clik2", "K"))],
]

R_SCRIPT = r"""
suppressMessages(library(spatstat.model))
out <- commandArgs(TRUE)[1]
for (nm in c("redwood", "redwoodfull", "bei")) {
  X <- get(nm); W <- Window(X)
  write.csv(data.frame(x = X$x, y = X$y), file.path(out, paste0(nm, ".csv")), row.names = FALSE)
  cat("window", nm, W$xrange, W$yrange, "\n")
}
for (cv in c("elev", "grad")) {
  Z <- bei.extra[[cv]]
  write.table(Z$v, file.path(out, paste0(cv, ".txt")), row.names = FALSE, col.names = FALSE)
  write.table(cbind(Z$xcol), file.path(out, "xcol.txt"), row.names = FALSE, col.names = FALSE)
  write.table(cbind(Z$yrow), file.path(out, "yrow.txt"), row.names = FALSE, col.names = FALSE)
}
cases <- read.csv(file.path(out, "cases.csv"), stringsAsFactors = FALSE)
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]; X <- get(cs$pattern)
  f <- if (cs$cov) function() kppm(X ~ elev + grad, cs$family, data = bei.extra, method = cs$method,
                                     statistic = cs$statistic)
       else function() kppm(X ~ 1, cs$family, method = cs$method, statistic = cs$statistic)
  fit <- f()
  t <- min(sapply(1:3, function(k) system.time(f())[["elapsed"]]))
  cat("fit", i, format(fit$clustpar[["kappa"]], digits = 10), format(fit$clustpar[["scale"]], digits = 10), t, "\n")
}
"""


def main() -> int:
    rscript = shutil.which("Rscript")
    ok = rscript is not None and subprocess.run(
        [rscript, "-e", "library(spatstat.model)"], capture_output=True).returncode == 0
    if not ok:
        print("SKIPPED: Rscript with spatstat.model is not available (the real patterns and the peer fits come from "
              "R; install r-cran-spatstat.model r-cran-spatstat.data)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        with open(t / "cases.csv", "w") as fh:
            fh.write("pattern,family,method,statistic,cov\n")
            for p, c, _, m, s, cov in CASES:
                fh.write(f"{p},{c},{m},{s},{'TRUE' if cov else 'FALSE'}\n")
        (t / "run.R").write_text(R_SCRIPT)
        res = subprocess.run([rscript, str(t / "run.R"), tmp], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"Rscript failed: {res.stderr[-2000:]}")
        windows, peer = {}, {}
        for line in res.stdout.splitlines():
            f = line.split()
            if f[0] == "window":
                windows[f[1]] = Polygon.box((float(f[2]), float(f[3])), (float(f[4]), float(f[5])))
            elif f[0] == "fit":
                peer[int(f[1]) - 1] = (float(f[2]), float(f[3]), float(f[4]))
        pts = {p: np.loadtxt(t / f"{p}.csv", delimiter=",", skiprows=1) for p in windows}
        xcol, yrow = np.loadtxt(t / "xcol.txt"), np.loadtxt(t / "yrow.txt")
        grid = CovariateGrid(xcol, yrow, {cv: np.loadtxt(t / f"{cv}.txt") for cv in ("elev", "grad")})
    rows, t_stat, t_peer = [], 0.0, 0.0
    for k, (p, c, kern, m, s, cov) in enumerate(CASES):
        est = KppmFit(kern, method=m, statistic=s)
        args = (pts[p], windows[p], grid) if cov else (pts[p], windows[p])
        sec, mib, fit = measure(lambda est=est, args=args: est.fit(*args), repeat=3)
        kap, sc, rsec = peer[k]
        rows.append({"pattern": p + ("~elev+grad" if cov else ""), "model": c,
                     "method": m + (f" {s}" if m == "mincon" else ""),
                     "spatstat kappa": kap, "statgen kappa": fit.params_["kappa"],
                     "spatstat scale": sc, "statgen scale": fit.params_["scale"],
                     "rel diff kappa": fit.params_["kappa"] / kap - 1, "rel diff scale": fit.params_["scale"] / sc - 1,
                     "spatstat s": rsec, "statgen s": sec, "statgen MiB": mib})
        t_stat += sec
        t_peer += rsec
    print_table(rows)
    print_ratio(t_stat, t_peer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
