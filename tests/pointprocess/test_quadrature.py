"""Quadrature rules: exact on the polynomials they are built for."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.pointprocess.quadrature import (
    box_gauss_legendre,
    box_midpoints,
    clipped_ball_rule,
    gauss_legendre_panels,
    sphere_area,
    sphere_rule,
)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_sphere_rule_integrates_low_moments_exactly(d):
    u, w = sphere_rule(d, 12)
    assert w.sum() == pytest.approx(sphere_area(d), rel=1e-14)
    assert np.allclose(np.linalg.norm(u, axis=1), 1.0)
    # ∫ u_i u_j dS = δ_ij S_d / d, ∫ u_i dS = 0
    np.testing.assert_allclose((u * w[:, None]).T @ u, np.eye(d) * sphere_area(d) / d, atol=1e-13)
    np.testing.assert_allclose(w @ u, 0.0, atol=1e-13)
    assert sphere_area(3) == pytest.approx(4 * math.pi)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(lo=st.floats(-5, 5), width=st.floats(0.1, 5), k=st.integers(0, 7), order=st.integers(4, 8))
def test_gauss_legendre_panels_are_exact_for_polynomials(lo, width, k, order):
    edges = np.linspace(lo, lo + width, 4)
    x, w = gauss_legendre_panels(edges, order)
    exact = ((lo + width) ** (k + 1) - lo ** (k + 1)) / (k + 1)
    assert w @ x**k == pytest.approx(exact, rel=1e-10, abs=1e-10)


def test_box_rules_integrate_over_the_box():
    box = np.array([[0.0, 2.0], [-1.0, 1.0]])
    x, w = box_gauss_legendre(box, 5)
    assert w @ (x[:, 0] ** 3 * x[:, 1] ** 2) == pytest.approx(4.0 * (2 / 3), rel=1e-13)  # ∫x³ = 4, ∫y² = 2/3
    mid = box_midpoints(box[:, 0], box[:, 1], 4)
    assert mid.shape == (16, 2) and np.allclose(mid.mean(axis=0), [1.0, 0.0])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(delta=st.floats(0.0, 0.3), R=st.floats(0.05, 0.25))
def test_clipped_disc_area_against_the_circular_segment(delta, R):
    """f = 1 over W ∩ b(c, R) with c at distance δ from one face only: πR² − (R² acos(δ/R) − δ√(R² − δ²)).
    f = 1 is integrated exactly (radially polynomial; in the clipped sector constant in s = tan(θ − θ_f))."""
    window = np.array([[0.0, 1.0], [0.0, 1.0]])
    c = np.array([[delta, 0.5]])
    _, _, w = clipped_ball_rule(c, window, R)
    d = min(delta, R)
    expect = math.pi * R**2 - (R**2 * math.acos(d / R) - d * math.sqrt(R**2 - d**2))
    assert w.sum() == pytest.approx(expect, rel=1e-12)


def test_clipped_disc_at_a_corner_and_a_smooth_integrand():
    """A disc of radius 0.2 centred 0.05 from a corner: area by a 4000² midpoint grid (1e-4 relative), and
    ∫ exp(−|u − c|²/(2s²)) against the same grid."""
    window = np.array([[0.0, 1.0], [0.0, 1.0]])
    c = np.array([[0.05, 0.04]])
    src, nodes, w = clipped_ball_rule(c, window, 0.2)
    assert np.all(src == 0) and np.all((nodes >= 0) & (nodes <= 1))
    t = (np.arange(4000) + 0.5) / 4000 * 0.3
    X, Y = np.meshgrid(t, t, indexing="ij")
    inside = (X - c[0, 0]) ** 2 + (Y - c[0, 1]) ** 2 <= 0.04
    g = lambda x, y: np.exp(-((x - c[0, 0]) ** 2 + (y - c[0, 1]) ** 2) / (2 * 0.03**2))  # noqa: E731
    cell = (0.3 / 4000) ** 2
    assert w.sum() == pytest.approx(inside.sum() * cell, rel=2e-4)
    assert w @ g(nodes[:, 0], nodes[:, 1]) == pytest.approx((inside * g(X, Y)).sum() * cell, rel=2e-4)
