"""Quadrature rules: exact on the polynomials they are built for."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.pointprocess.quadrature import (
    box_gauss_legendre,
    box_midpoints,
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


@settings(max_examples=30, deadline=None)
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
