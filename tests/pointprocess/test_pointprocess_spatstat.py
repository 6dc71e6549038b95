"""Pair correlations against R spatstat's model formulas (spatstat.model's cluster model table).

Needs Rscript with spatstat.model (Debian: r-cran-spatstat.random r-cran-spatstat.model);
skipped with a message otherwise."""

import shutil
import subprocess

import numpy as np
import pytest

from statgen.pointprocess import CauchyKernel, MaternKernel, NeymanScott, ThomasKernel, VarGammaKernel

R = """
suppressMessages(library(spatstat.model)); options(digits=17)
r <- c(0.005, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15)
for (nm in c("Thomas", "MatClust", "Cauchy", "VarGamma")) {
  info <- spatstatClusterModelInfo(nm)
  p <- info$checkpar(c(kappa=40, scale=0.05), native=TRUE)
  margs <- if (nm == "VarGamma") info$resolveshape(nu=0.5)$margs else NULL
  cat(nm, info$pcf(p, r, margs=margs), "\\n")
}
"""


def _spatstat_pcf():
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found: install r-base-core r-cran-spatstat.random r-cran-spatstat.model")
    proc = subprocess.run(["Rscript", "-e", R], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"spatstat.model not usable from Rscript: {proc.stderr.strip()[-200:]}")
    return {line.split()[0]: np.array(line.split()[1:], float) for line in proc.stdout.splitlines()}


@pytest.mark.slow
def test_pair_correlation_matches_spatstat():
    ref = _spatstat_pcf()
    r = np.array([0.005, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15])
    y = np.full((r.size, 2), 0.5)
    x = y + np.column_stack([r * np.cos(0.3), r * np.sin(0.3)])
    kernels = {"Thomas": ThomasKernel(0.05), "MatClust": MaternKernel(0.05), "Cauchy": CauchyKernel(0.05),
               "VarGamma": VarGammaKernel(0.5, 0.05)}
    for name, kern in kernels.items():
        g = NeymanScott(40.0, 5.0, kern, ((0, 1), (0, 1))).pair_correlation(x, y)
        np.testing.assert_allclose(g, ref[name], rtol=1e-10, err_msg=name)
