"""Ball volumes and intersections against numerical integration and Monte Carlo."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from statgen.pointprocess.geometry import (
    ball_intersection_volume,
    ball_volume,
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


@settings(max_examples=30, deadline=None, derandomize=True)
@given(R=st.floats(0.01, 10.0), d=st.integers(1, 3), t=st.lists(st.floats(0.0, 2.5), min_size=2, max_size=6))
def test_lens_volume_runs_from_the_ball_to_zero(R, d, t):
    """V_lens(0) = V_d(R), non-increasing in r, 0 from r = 2R on; the batch routine agrees for two balls
    (the 2-D arc construction is off by about r R for centres closer than 1e-8 R: 1e-8 R² at most)."""
    r = np.sort(np.asarray(t)) * R
    v = lens_volume(r, R, d)
    assert lens_volume(0.0, R, d) == pytest.approx(float(ball_volume(R, d)), rel=1e-12)
    assert np.all(np.diff(v) <= 1e-12 * float(ball_volume(R, d)))
    assert np.all(v[r >= 2 * R] == 0)
    centers = np.zeros((r.size, 2, d))
    centers[:, 1, 0] = r
    vol, _ = ball_intersection_volume(centers, R)
    np.testing.assert_allclose(vol, v, rtol=1e-9, atol=1e-8 * R**d)


def test_geometry_refuses_bad_input():
    with pytest.raises(ValueError, match=r"r must be >= 0 \(a distance\)"):
        lens_volume(-1.0, 1.0, 2)
    with pytest.raises(ValueError, match=r"centers must have shape \(N, k, 2\)"):
        disc_intersection_exp_integral(np.zeros((1, 2, 3)), 0.2, [1.0, 0.0])
    with pytest.raises(ValueError, match="radius must be > 0"):
        ball_intersection_volume(np.zeros((1, 2, 2)), -1.0)
