"""Intensities, pair correlations and conditional intensities of the model against closed forms (Møller & Waagepetersen 2004, ch. 5) and R spatstat's pair correlations."""

import math
import shutil
import subprocess

import numpy as np
import pytest

from statgen.pointprocess import (
    CauchyKernel,
    LogLinear,
    MaternKernel,
    NeymanScott,
    ThomasKernel,
    VarGammaKernel,
)
from statgen.pointprocess.geometry import ball_volume, lens_volume

BOX = {1: ((0.0, 1.0),), 2: ((0.0, 1.0), (0.0, 1.0)), 3: ((0.0, 1.0),) * 3}
UNIT2 = BOX[2]

def _pairs(d, rng, m=7):
    y = np.full((1, d), 0.5)
    x = 0.5 + 0.08 * rng.standard_normal((m, d))
    x[0] = y[0]
    return x, y, np.sum((x - y) ** 2, axis=1)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_stationary_thomas_closed_form(d):
    kappa, alpha, s = 40.0, 8.0, 0.04
    model = NeymanScott(kappa, alpha, ThomasKernel(s), BOX[d])
    x, y, r2 = _pairs(d, np.random.default_rng(d))
    cluster = np.exp(-r2 / (4 * s * s)) / (4 * math.pi * s * s) ** (d / 2)
    np.testing.assert_allclose(model.intensity(x), kappa * alpha, rtol=1e-12)
    np.testing.assert_allclose(model.conditional_intensity(x, y), kappa * alpha + alpha * cluster, rtol=1e-8)
    np.testing.assert_allclose(model.pair_correlation(x, np.repeat(y, len(x), 0)), 1 + cluster / kappa, rtol=1e-8)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_stationary_matern_closed_form(d):
    kappa, alpha, R = 40.0, 8.0, 0.07
    model = NeymanScott(kappa, alpha, MaternKernel(R), BOX[d])
    x, y, r2 = _pairs(d, np.random.default_rng(10 + d))
    r = np.sqrt(r2)
    if d == 2:  # the note's formula, written out independently of lens_volume
        A = np.where(r < 2 * R, 2 * R * R * np.arccos(np.minimum(r / (2 * R), 1))
                     - 0.5 * r * np.sqrt(np.clip(4 * R * R - r * r, 0, None)), 0.0)
    else:
        A = lens_volume(r, R, d)
    expect = kappa * alpha + alpha * A / ball_volume(R, d) ** 2
    np.testing.assert_allclose(model.conditional_intensity(x, y), expect, rtol=1e-8)


def test_loglinear_thomas_closed_form():
    a, b, alpha, s = 3.0, np.array([0.9, -0.6]), 7.0, 0.05
    model = NeymanScott(LogLinear(a, b), alpha, ThomasKernel(s), BOX[2])
    x, y, r2 = _pairs(2, np.random.default_rng(3))
    lam = alpha * np.exp(a + x @ b + s * s * (b @ b) / 2)
    expect = lam + alpha * np.exp(-r2 / (4 * s * s)) / (4 * math.pi * s * s) * np.exp((x - y) @ b / 2 - s * s * (b @ b) / 4)
    np.testing.assert_allclose(model.intensity(x), lam, rtol=1e-10)
    np.testing.assert_allclose(model.conditional_intensity(x, y), expect, rtol=1e-8)


def test_cauchy_pair_correlation_formula_of_note():
    kappa, alpha, w = 30.0, 5.0, 0.03
    model = NeymanScott(kappa, alpha, CauchyKernel(w), BOX[2])
    x = np.array([[0.5, 0.5], [0.53, 0.5], [0.6, 0.58]])
    y = np.repeat([[0.5, 0.5]], 3, 0)
    r2 = np.sum((x - y) ** 2, 1)
    g = 1 + (1 + r2 / (4 * w * w)) ** -1.5 / (2 * math.pi * kappa * 4 * w * w)
    np.testing.assert_allclose(model.pair_correlation(x, y), g, rtol=1e-8)
    # the conditional intensity goes through the general quadrature engine
    val, err = model.conditional_intensity(x, y[:1], return_error=True)
    np.testing.assert_allclose(val, kappa * alpha * g, rtol=1e-7)


def test_thomas_grid_path_equals_pointwise():
    model = NeymanScott(LogLinear(3.0, [0.5, 0.2]), 8.0, ThomasKernel(0.04), BOX[2])
    y = 0.4 + 0.2 * np.random.default_rng(2).random((7, 2))
    axes = [np.linspace(0, 1, 13), np.linspace(0.2, 0.9, 11)]
    grid = model.conditional_intensity_grid(axes, y)
    pts = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], 1)
    np.testing.assert_allclose(grid.ravel(), model.conditional_intensity(pts, y), rtol=1e-10)


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


_M = lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), UNIT2)  # noqa: E731


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda: NeymanScott(-1.0, 5.0, ThomasKernel(0.1), UNIT2), r"parent_intensity must be >= 0, got -1.0"),
        (lambda: NeymanScott(10.0, -5.0, ThomasKernel(0.1), UNIT2), r"offspring_mean must be >= 0, got -5.0"),
        (lambda: ThomasKernel(0.0), r"sigma must be > 0, got 0.0"),
        (lambda: ThomasKernel(-1.0), r"sigma must be > 0, got -1.0"),
        (lambda: MaternKernel(0.0), r"radius must be > 0, got 0.0"),
        (lambda: CauchyKernel(-0.1), r"scale must be > 0, got -0.1"),
        (lambda: VarGammaKernel(-0.7, 0.1), r"nu must be a finite number > -1/2 .*got -0.7"),
        (lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), ((0, 1), (1, 0))),
         r"window must have finite bounds with lo < hi on every axis"),
        (lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), ((0, 1),) * 4), r"window must be .* d in 1..3, got shape"),
        (lambda: NeymanScott(LogLinear(1.0, [1.0, 2.0, 3.0]), 5.0, ThomasKernel(0.1), UNIT2),
         r"parent_intensity is a LogLinear field in 3 dimension\(s\) but the window has d = 2"),
        (lambda: _M().conditional_intensity([[0.5, 0.5]], [[1.5, 0.5]]), r"events must lie inside the window"),
        (lambda: _M().conditional_intensity([[0.5, 0.5, 0.5]], [[0.5, 0.5]]), r"x must have shape \(m, 2\)"),
        (lambda: _M().intensity(np.ones((3, 3))), r"x must have shape \(m, 2\) for a 2-D window, got shape \(3, 3\)"),
        (lambda: _M().conditional_intensity([[0.5, 0.5]], [[0.5, 0.5]], method="bogus"),
         r"method must be one of \['exact', .*got 'bogus'"),
        (lambda: NeymanScott(lambda c: -np.ones(len(c)), 5.0, ThomasKernel(0.1), UNIT2).intensity([[0.5, 0.5]]),
         r"parent_intensity must return finite values >= 0, got -1.0"),
        (lambda: _M().intensity([[np.nan, 0.5]]), r"x contains NaN or infinite values"),
    ],
)
def test_invalid_arguments_raise_value_error(build, match):
    with pytest.raises(ValueError, match=match):
        build()
