"""Ball volumes and intersections against numerical integration and Monte Carlo."""

import math

import numpy as np
import pytest
from scipy import integrate

from statgen.pointprocess.geometry import (
    ball_intersection_volume,
    disc_intersection_exp_integral,
    lens_volume,
)


def test_lens_volume_against_numerical_integration():
    R, r = 0.3, 0.25
    # 3-D lens: ∫ over z of the area of two discs' intersection, with 2-D lens in closed form
    def f(z):
        return lens_volume(r, math.sqrt(max(R * R - z * z, 0.0)), 2) if abs(z) < R else 0.0
    v3, _ = integrate.quad(f, -R, R, epsabs=1e-14)
    assert abs(lens_volume(r, R, 3) - v3) < 1e-10
    assert lens_volume(r, R, 1) == pytest.approx(2 * R - r, rel=1e-14)
    assert lens_volume(2 * R + 1e-9, R, 2) == 0.0


def test_disc_and_ball_intersections_against_grid_integration():
    rng = np.random.default_rng(4)
    c = 0.5 + 0.08 * rng.standard_normal((1, 3, 2))
    R, b = 0.15, np.array([1.5, -2.0])
    n = 2000
    t = (np.arange(n) + 0.5) / n
    X, Y = np.meshgrid(t, t, indexing="ij")
    inside = np.all((X[..., None] - c[0, :, 0]) ** 2 + (Y[..., None] - c[0, :, 1]) ** 2 <= R * R, axis=-1)
    area_grid = inside.mean()
    expint_grid = (inside * np.exp(b[0] * X + b[1] * Y)).mean()
    area, _ = ball_intersection_volume(c, R)
    val, err = disc_intersection_exp_integral(c, R, b)
    assert area[0] == pytest.approx(area_grid, rel=2e-3)
    assert val[0] == pytest.approx(expint_grid, rel=2e-3)
    assert err[0] < 1e-10 * val[0]
    # the exponential integral at b -> 0 is the area
    small, _ = disc_intersection_exp_integral(c, R, np.array([1e-7, 0.0]))
    assert small[0] == pytest.approx(area[0], rel=1e-6)
    # three 3-D balls: slice quadrature against Monte Carlo with 3 standard errors
    c3 = 0.5 + 0.06 * rng.standard_normal((1, 3, 3))
    vol, verr = ball_intersection_volume(c3, R)
    u = rng.random((400_000, 3)) * 0.6 + 0.2
    hit = np.all(np.sum((u[:, None, :] - c3[0][None]) ** 2, axis=-1) <= R * R, axis=1)
    mc, se = hit.mean() * 0.216, hit.std() * 0.216 / math.sqrt(u.shape[0])
    assert abs(vol[0] - mc) < 3 * se
    assert verr[0] < 1e-4 * vol[0]
