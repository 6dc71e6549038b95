"""The quadrature engine against the closed-form engines, within its error estimate."""

import numpy as np

from statgen.pointprocess import LogLinear, MaternKernel, NeymanScott, ThomasKernel

BOX = {2: ((0.0, 1.0), (0.0, 1.0))}

def test_quadrature_engine_matches_closed_form_with_error_estimate():
    a, b, alpha, s = 3.0, np.array([0.9, -0.6]), 7.0, 0.05
    exact = NeymanScott(LogLinear(a, b), alpha, ThomasKernel(s), BOX[2])
    quad = NeymanScott(LogLinear(a, b), alpha, ThomasKernel(s), BOX[2], integrals="quadrature")
    x = np.array([[0.5, 0.5], [0.56, 0.47], [0.3, 0.7]])
    y = np.array([[0.52, 0.5], [0.47, 0.53]])
    val, err = quad.conditional_intensity(x, y, return_error=True)
    ref = exact.conditional_intensity(x, y)
    np.testing.assert_allclose(val, ref, rtol=1e-7)
    assert np.all(err < 1e-4 * ref)


def test_matern_loglinear_matches_quadrature_engine():
    args = (LogLinear(3.0, [2.0, -1.0]), 6.0, MaternKernel(0.05), BOX[2])
    exact, quad = NeymanScott(*args), NeymanScott(*args, integrals="quadrature")
    y = np.array([[0.5, 0.5], [0.53, 0.52]])
    x = np.array([[0.51, 0.5], [0.6, 0.55]])
    v_e = exact.conditional_intensity(x, y)
    v_q, err = quad.conditional_intensity(x, y, return_error=True)
    # the quadrature of a discontinuous kernel is slow to converge; its error estimate must cover it
    assert np.all(np.abs(v_e - v_q) < 3 * err + 1e-9 * v_e)
