"""ClusterFit with the heavy-tailed kernels (Cauchy, variance-Gamma; constant parents): the pair
correlation the Palm likelihood uses against spatstat's closed forms, recovery on simulated
patterns, and seeded bootstrap standard errors."""

import math

import numpy as np
import pytest

from statgen.pointprocess import CauchyKernel, ClusterFit, NeymanScott, VarGammaKernel
from statgen.pointprocess.cluster_families import ClusterFamily

UNIT2 = ((0.0, 1.0), (0.0, 1.0))


@pytest.mark.parametrize("name,kernel,native", [("cauchy", CauchyKernel(0.02), (50.0, (2 * 0.02) ** 2)),
                                                ("vargamma", VarGammaKernel(-0.25, 0.02), (50.0, 0.02))])
def test_stationary_pair_correlation_is_spatstats_closed_form(name, kernel, native):
    """g(r) of the fitted model class (statgen's engine, κα²(k * k)/λ²) = spatstat's pcf formula (cluster_families,
    written independently from spatstat's code) to 1e-10 at r ∈ [0.001, 0.3]."""
    m = NeymanScott(50.0, 8.0, kernel, UNIT2)
    r = np.geomspace(1e-3, 0.3, 25)
    x = np.full((r.size, 2), 0.5)
    y = x + np.column_stack([r, np.zeros_like(r)])
    np.testing.assert_allclose(m.pair_correlation(x, y), ClusterFamily(name).pcf(native, r), rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("name,kernel", [("cauchy", CauchyKernel(0.02)), ("vargamma", VarGammaKernel(-0.25, 0.02))])
def test_heavy_tailed_kernels_recovered_with_seeded_bootstrap(name, kernel):
    """One pattern (κ = 40, α = 8, scale 0.02 on the unit square, ≈ 250 points): the fitted scale, κ and α
    within 3 parametric-bootstrap standard errors (8 refits, seeded) of the truth, and the same seed gives
    the same standard errors. Measured: Cauchy (252 points) ω̂ 0.0213 ± 0.0037, κ̂ 30.4 ± 8.6, α̂ 8.3 ± 2.6;
    variance-Gamma (240 points) η̂ 0.0174 ± 0.0036, κ̂ 37.1 ± 6.6, α̂ 6.5 ± 1.8."""
    true = NeymanScott(40.0, 8.0, kernel, UNIT2)
    x = true.simulate(rng=np.random.default_rng(11))
    fit = ClusterFit(name, parents="constant", rmax=0.12).fit(x, UNIT2)
    se = fit.bootstrap(8, rng=np.random.default_rng(3), progress=False)
    p = fit.params_
    for key, truth in (("scale", 0.02), ("kappa", 40.0), ("alpha", 8.0)):
        assert abs(p[key] - truth) <= 3 * se[key], (key, p[key], se[key])
    again = fit.bootstrap(8, rng=np.random.default_rng(3), progress=False)
    assert again["scale"] == se["scale"]
    assert math.isfinite(fit.score(x, UNIT2))
