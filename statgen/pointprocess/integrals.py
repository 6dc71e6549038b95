"""Choosing the integral engine of a model: closed forms where they exist, quadrature otherwise.

- :class:`~statgen.pointprocess.thomas_integrals.ThomasExpEngine`: Thomas kernel with κ and α
  constant or log-linear (every integral Gaussian, in closed form);
- :class:`~statgen.pointprocess.matern_integrals.MaternEngine`: Matérn kernel with exp-linear κα
  (d ≤ 2) or constant κα (d ≤ 3) (exact areas and volumes of intersections of balls);
- :class:`~statgen.pointprocess.quadrature_integrals.QuadratureEngine`: anything else (callable or
  gridded fields, Cauchy and variance-Gamma kernels), with error estimates.

The contract every engine fulfils is in :mod:`statgen.pointprocess.engine`.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_choice
from statgen.pointprocess.engine import Engine, exp_linear
from statgen.pointprocess.fields import Field
from statgen.pointprocess.kernels import Kernel, MaternKernel, ThomasKernel
from statgen.pointprocess.matern_integrals import MaternEngine
from statgen.pointprocess.quadrature_integrals import QuadratureEngine
from statgen.pointprocess.thomas_integrals import ThomasExpEngine

__all__ = ["select_engine", "INTEGRALS"]

INTEGRALS = ("auto", "quadrature")


def select_engine(kappa: Field, alpha: Field, kernel: Kernel, d: int, method: str = "auto") -> Engine:
    """The most exact engine available for these fields and kernel (``method="quadrature"`` forces it)."""
    check_choice(method, "integrals", INTEGRALS)
    el = exp_linear(kappa, alpha, d)
    if method == "auto" and el is not None:
        if isinstance(kernel, ThomasKernel):
            return ThomasExpEngine(kappa, alpha, kernel, d)
        if isinstance(kernel, MaternKernel):
            const = not (np.any(el[1]) or np.any(el[3]))
            if d <= 2 or const:
                return MaternEngine(kappa, alpha, kernel, d)
    return QuadratureEngine(kappa, alpha, kernel, d)
