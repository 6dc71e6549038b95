"""The engine choice: closed forms exactly where they exist, quadrature otherwise."""

import numpy as np
import pytest

from statgen.pointprocess import (
    CauchyKernel,
    Gridded,
    LogLinear,
    MaternKernel,
    NeymanScott,
    ThomasKernel,
    VarGammaKernel,
)
from statgen.pointprocess.matern_integrals import MaternEngine
from statgen.pointprocess.quadrature_integrals import QuadratureEngine
from statgen.pointprocess.thomas_integrals import ThomasExpEngine

U = {2: ((0.0, 1.0),) * 2, 3: ((0.0, 1.0),) * 3}
GRID = Gridded([np.linspace(0, 1, 3)] * 2, np.ones((3, 3)))


@pytest.mark.parametrize("kappa,kernel,d,engine", [
    (30.0, ThomasKernel(0.05), 2, ThomasExpEngine),
    (LogLinear(3.0, [1.0, 0.0]), ThomasKernel(0.05), 2, ThomasExpEngine),
    (LogLinear(3.0, [1.0, 0.0]), MaternKernel(0.05), 2, MaternEngine),
    (30.0, MaternKernel(0.05), 3, MaternEngine),
    (LogLinear(3.0, [1.0, 0.0, 0.0]), MaternKernel(0.05), 3, QuadratureEngine),  # no exp-linear 3-D geometry
    (30.0, CauchyKernel(0.05), 2, QuadratureEngine),
    (30.0, VarGammaKernel(0.5, 0.05), 2, QuadratureEngine),
    (GRID, ThomasKernel(0.05), 2, QuadratureEngine),
    (lambda c: 30.0 + c[:, 0], ThomasKernel(0.05), 2, QuadratureEngine),
])
def test_select_engine_uses_closed_forms_exactly_where_they_exist(kappa, kernel, d, engine):
    model = NeymanScott(kappa, 5.0, kernel, U[d])
    assert type(model.engine) is engine
    forced = NeymanScott(kappa, 5.0, kernel, U[d], integrals="quadrature")
    assert type(forced.engine) is QuadratureEngine
    # the two engines agree on λ (the quadrature's error estimate covers the difference)
    x = np.full((1, d), 0.5)
    lam, err = forced.intensity(x, return_error=True)
    assert abs(lam[0] - model.intensity(x)[0]) <= 3 * err[0] + 1e-9 * lam[0]


def test_integrals_option_typo_is_refused_with_a_suggestion():
    with pytest.raises(ValueError, match=r"integrals must be one of \['auto', 'quadrature'\].*did you mean 'quadrature'"):
        NeymanScott(30.0, 5.0, ThomasKernel(0.05), U[2], integrals="quadratur")
