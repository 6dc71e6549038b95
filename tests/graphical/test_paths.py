"""What both families share (statgen.graphical._paths): grids on a stated scale, argmax refinement,
crossings, the characteristic strengths and the one result container, against closed forms."""

from dataclasses import dataclass, field

import numpy as np
import pytest

from statgen.graphical import grid_argmax, grid_crossing
from statgen.graphical._paths import (
    PathResult,
    argmax_on_grid,
    characteristic_strengths,
    crossing_on_grid,
    log_grid,
    log_mean_sd,
)


def test_grid_helpers_closed_forms():
    lx = np.linspace(-3, 3, 13)
    assert grid_argmax(lx, -(lx - 0.37) ** 2) == pytest.approx(np.exp(0.37), rel=1e-12)  # parabola: exact
    assert grid_crossing(lx, 2.0 * (lx - 0.8), 1.0) == pytest.approx(np.exp(0.8), rel=1e-12)  # line: exact
    assert np.isnan(grid_crossing(lx, lx**2 + 1, 1.0))

@pytest.mark.parametrize("scale", ["log", "linear"])
def test_argmax_on_a_stated_scale(scale):
    """A parabola in t (t = log x or x) peaked at t* = 0.37 off the grid: the grid point, the parabola's
    vertex (exact) and Brent on the exact curve (to 1e-8)."""
    x = np.exp(np.linspace(-3, 3, 13)) if scale == "log" else np.linspace(0.5, 6.5, 13)
    t = np.log(x) if scale == "log" else x
    t_star = 0.37 if scale == "log" else 3.37

    def f(v):
        return -(((np.log(v) if scale == "log" else v) - t_star) ** 2)

    y = -(t - t_star) ** 2
    x_star = np.exp(t_star) if scale == "log" else t_star
    grid_best = x[np.argmin(np.abs(t - t_star))]
    assert argmax_on_grid(x, y, scale=scale) == grid_best
    assert argmax_on_grid(x, y, scale=scale, refine="parabola") == pytest.approx(x_star, rel=1e-12)
    assert argmax_on_grid(x, y, scale=scale, refine=f) == pytest.approx(x_star, rel=1e-8)


def test_argmax_parabola_on_an_uneven_grid_and_edges():
    t = np.array([-2.0, -0.5, 0.1, 1.7, 2.0])
    y = 1.0 - 3.0 * (t - 0.4) ** 2
    assert argmax_on_grid(np.exp(t), y, refine="parabola") == pytest.approx(np.exp(0.4), rel=1e-12)
    # maximum on an edge: the edge itself (no extrapolation by the parabola)
    assert argmax_on_grid(np.exp(t), t, refine="parabola") == pytest.approx(np.exp(2.0))
    # an edge maximum refined on the exact curve: the bracket is pushed out until it closes
    assert argmax_on_grid(np.exp(t), -(t - 3.5) ** 2, refine=lambda x: -(np.log(x) - 3.5) ** 2) == pytest.approx(
        np.exp(3.5), rel=1e-8)
    assert np.isnan(argmax_on_grid(np.exp(t), np.full(5, np.nan)))


def test_crossing_nearest_the_reference_point():
    """d(t) = sin(t) on [0.5, 9.5]: roots at π and 2π; the one nearest x0 is returned, on either scale."""
    t = np.linspace(0.5, 9.5, 19)
    d = np.sin(t)
    assert crossing_on_grid(t, d, 3.0, scale="linear", refine=np.sin) == pytest.approx(np.pi, abs=1e-10)
    assert crossing_on_grid(t, d, 6.5, scale="linear", refine=np.sin) == pytest.approx(2 * np.pi, abs=1e-10)
    lin = crossing_on_grid(t, d, 3.0, scale="linear")  # interpolation of the bracket [3.0, 3.5]
    i = np.searchsorted(t, np.pi) - 1
    assert lin == pytest.approx(t[i] + (t[i + 1] - t[i]) * d[i] / (d[i] - d[i + 1]), rel=1e-14)
    x = np.exp(t)  # the same curve read on a log grid: roots at e^π, e^{2π}
    assert crossing_on_grid(x, d, np.exp(6.5), scale="log", refine=lambda v: np.sin(np.log(v))) == pytest.approx(
        np.exp(2 * np.pi), rel=1e-9)
    assert np.isnan(crossing_on_grid(t, d + 2, 3.0, scale="linear"))
    assert np.isnan(crossing_on_grid(t, d, np.nan, scale="linear"))
    with pytest.raises(ValueError, match="x0 must be > 0"):
        crossing_on_grid(x, d, -1.0, scale="log")
    with pytest.raises(ValueError, match="scale must be one of"):
        crossing_on_grid(x, d, 1.0, scale="lin")


def test_characteristic_strengths_of_a_closed_form_path():
    """train = 1 − u², test = −(u − 1)², gen = −u (u = log γ): γ_opt = e, γ_cross: u² − 3u + 1 = 0 nearest 1,
    γ_half: −u = (1 − u² − (u − 1)²)/2 ⇔ u² − 2u = 0 nearest 1 with the same sign change (u = 2 or 0)."""

    def at(g):
        u = np.log(g)
        return {"train": 1 - u**2, "test": -(u - 1) ** 2, "gen": -u}

    g = np.exp(np.linspace(-3, 4, 15))
    cv = {k: np.array([at(x)[k] for x in g]) for k in ("train", "test", "gen")}
    g_opt, g_cross, g_half = characteristic_strengths(g, cv, at=at)
    assert g_opt == pytest.approx(np.e, rel=1e-8)
    assert np.log(g_cross) == pytest.approx((3 - np.sqrt(5)) / 2, abs=1e-10)
    assert np.log(g_half) in (pytest.approx(0.0, abs=1e-10), pytest.approx(2.0, abs=1e-10))
    g2 = characteristic_strengths(g, cv, argmax_refine="parabola")
    assert g2[0] == pytest.approx(np.e, rel=1e-10)  # a parabola in u: exact
    assert abs(np.log(g2[1]) - (3 - np.sqrt(5)) / 2) < 0.1  # linear interpolation on a 0.5-wide bracket


def test_path_result_flattens_once():
    @dataclass(frozen=True)
    class Demo(PathResult):
        gammas: np.ndarray
        gamma_opt: float
        at_opt: dict = field(default_factory=dict, metadata={"suffix": "at_opt"})
        big: np.ndarray | None = field(default=None, metadata={"save": False})
        missing: np.ndarray | None = None

    d = Demo(np.arange(3.0), 1.5, {"test": -0.2}, big=np.ones((3, 3))).as_dict()
    assert sorted(d) == ["gamma_opt", "gammas", "test_at_opt"]
    np.testing.assert_array_equal(d["gammas"], [0.0, 1.0, 2.0])
    assert float(d["test_at_opt"]) == -0.2 and float(d["gamma_opt"]) == 1.5


def test_sweep_helpers():
    np.testing.assert_allclose(log_grid(1e-2, 1e2, 5), [1e-2, 1e-1, 1.0, 10.0, 100.0], rtol=1e-14)
    with pytest.raises(ValueError, match="gamma_min must be < gamma_max"):
        log_grid(10.0, 1.0, 3)
    with pytest.raises(TypeError, match="n_gamma"):
        log_grid(1.0, 10.0, 2.5)
    m, sd = log_mean_sd(np.array([[1.0, 100.0, np.nan], [np.nan, np.nan, np.nan]]), axis=1)
    assert m[0] == pytest.approx(10.0) and sd[0] == pytest.approx(np.log(10.0))
    assert np.isnan(m[1]) and np.isnan(sd[1])
