"""ClusterFit: parameter recovery, the estimator contract, bad input, bootstrap."""

import numpy as np
import pytest

from statgen.pointprocess import ClusterFit, LogLinear, NeymanScott, ThomasKernel

UNIT2 = ((0.0, 1.0), (0.0, 1.0))

@pytest.mark.parametrize("method,tol", [("palm", (0.15, 0.35)), ("mincon", (0.25, 0.5))])
def test_loglinear_thomas_parameters_recovered(method, tol):
    """Recovery on one seeded pattern of ~1400 points, within stated relative tolerances:
    Palm likelihood: scale 15%, offspring mean and mean parent intensity 35%; minimum contrast
    (noisier, as is well known): 25% and 50%."""
    window = ((0.0, 3.0), (0.0, 3.0))
    true = NeymanScott(LogLinear(3.0, [0.4, -0.3]), 6.0, ThomasKernel(0.03), window)
    x = true.simulate(rng=np.random.default_rng(3))
    fit = ClusterFit("thomas", parents="loglinear", method=method, rmax=0.25).fit(x, window)
    p = fit.params_
    assert p["scale"] == pytest.approx(0.03, rel=tol[0])
    assert p["alpha"] == pytest.approx(6.0, rel=tol[1])
    assert p["kappa"] == pytest.approx(true.mean_parent_intensity(), rel=tol[1])


def test_fit_rejects_bad_input():
    """Configuration is validated by fit (the estimator contract), data too; each message names the argument."""
    pts = np.random.default_rng(0).random((20, 2))
    with pytest.raises(ValueError, match=r"kernel must be one of \['thomas', 'matern', 'cauchy', 'vargamma'\], got 'gauss'"):
        ClusterFit("gauss").fit(pts, UNIT2)
    with pytest.raises(ValueError, match=r"kernel='cauchy' needs parents='constant'.*intensity infinite"):
        ClusterFit("cauchy").fit(pts, UNIT2)
    with pytest.raises(ValueError, match=r"kernel='vargamma' needs parents='constant'"):
        ClusterFit("vargamma").fit(pts, UNIT2)
    with pytest.raises(ValueError, match=r"nu must be a finite number > -1/2"):
        ClusterFit("vargamma", parents="constant", nu=-0.5).fit(pts, UNIT2)
    with pytest.raises(ValueError, match=r"method must be one of \['palm', 'mincon'\], got 'ml'"):
        ClusterFit(method="ml").fit(pts, UNIT2)
    with pytest.raises(ValueError, match=r"points must lie inside the window .*20 point\(s\) outside"):
        ClusterFit().fit(np.full((20, 2), 1.5), UNIT2)
    with pytest.raises(ValueError, match=r"points must have shape \(m, 2\) for a 2-D window, got shape \(20, 3\)"):
        ClusterFit().fit(np.random.default_rng(0).random((20, 3)), UNIT2)
    # typos get a suggestion; degenerate patterns are refused instead of fitted to garbage
    with pytest.raises(ValueError, match=r"parents must be one of .*did you mean 'loglinear'"):
        ClusterFit(parents="loglinaer").fit(pts, UNIT2)
    with pytest.raises(ValueError, match=r"points: at least 10 distinct locations .* got 1 among 12 points"):
        ClusterFit().fit(np.full((12, 2), 0.5), UNIT2)
    with pytest.raises(ValueError, match=r"points: at least 10 points .* got 9"):
        ClusterFit().fit(pts[:9], UNIT2)
    with pytest.raises(ValueError, match=r"rmax must be > 0, got -1"):
        ClusterFit(rmax=-1).fit(pts, UNIT2)


def test_configuration_is_not_validated_before_fit_and_clone_refits():
    """__init__ stores the configuration as given; clone() gives an unfitted copy with overrides."""
    bad = ClusterFit("nope", method="??")  # no error until fit
    assert bad.get_params() == {"kernel": "nope", "parents": "loglinear", "method": "??", "rmax": None, "q": 0.25,
                                "nu": -0.25}
    fit = ClusterFit("matern", parents="constant", rmax=0.2)
    twin = fit.clone(rmax=0.1)
    assert twin.get_params() == {"kernel": "matern", "parents": "constant", "method": "palm", "rmax": 0.1, "q": 0.25,
                                 "nu": -0.25}
    assert not twin.is_fitted()


def test_score_is_the_maximized_palm_log_likelihood_and_peaks_at_the_fit():
    """For method='palm', score on the training pattern = −(minimized objective), and the fitted scale
    scores higher than the same model with a 30 % larger or smaller scale."""
    true = NeymanScott(LogLinear(3.5, [0.4, -0.3]), 6.0, ThomasKernel(0.03), UNIT2)
    x = true.simulate(rng=np.random.default_rng(4))
    fit = ClusterFit("thomas", rmax=0.15).fit(x, UNIT2)
    ll = fit.score(x, UNIT2)
    assert ll == pytest.approx(-fit.objective_, rel=1e-12)
    p = fit.params_
    for factor in (0.7, 1.3):
        other = fit.clone()
        other.__dict__.update(fit.__dict__)  # the same fitted state, then a different scale
        other.model_ = NeymanScott(LogLinear(p["a"], p["b"]), p["alpha"], ThomasKernel(factor * p["scale"]), UNIT2)
        assert other.score(x, UNIT2) < ll
    # minimum contrast reports the Palm log-likelihood of its own estimates (comparable across methods)
    mc = ClusterFit("thomas", method="mincon", rmax=0.15).fit(x, UNIT2)
    assert mc.score(x, UNIT2) <= ll + 1e-9 * abs(ll)


@pytest.mark.slow
def test_bootstrap_standard_error_matches_replicate_spread():
    """Parametric-bootstrap s.e. of σ (15 refits) against the spread of 15 independent fits;
    with 15 samples each the ratio of two standard deviations lies in [1/2, 2] with > 99% probability."""
    window = ((0.0, 2.0), (0.0, 2.0))
    true = NeymanScott(LogLinear(3.0, [0.4, -0.3]), 6.0, ThomasKernel(0.03), window)
    rng = np.random.default_rng(0)
    spread = np.std([ClusterFit("thomas", rmax=0.2).fit(true.simulate(rng=rng), window).params_["scale"]
                     for _ in range(15)], ddof=1)
    fit = ClusterFit("thomas", rmax=0.2).fit(true.simulate(rng=rng), window)
    se = fit.bootstrap(15, rng=rng, progress=False)["scale"]
    assert 0.5 < se / spread < 2.0
