"""R's ``optim(method = "Nelder-Mead")``, step for step, so that fits started where spatstat starts
end where spatstat ends.

spatstat's ``kppm`` minimizes its objectives with ``optim`` (Nelder–Mead, ``reltol = √ε``,
``maxit = 500``, ``parscale = |start|``, ``fnscale = ±|f(start)|``). Nelder–Mead stops at a
point that depends on the path of the simplex, not only on the minimum: on the flat valleys of
cluster-process objectives two implementations can stop 1 % apart. This module follows R's C
routine ``nmmin`` (Nash 1990, *Compact Numerical Methods for Computers*, Algorithm 19, as
shipped in R's ``src/appl/optim.c``): reflection α = 1, contraction β = ½, expansion γ = 2,
initial step 0.1·max|x₀| (0.1 if x₀ = 0), convergence when f_high ≤ f_low + reltol·(|f₀| + reltol),
non-finite values replaced by 10³⁵.

References
----------
Nelder, J. A., Mead, R. (1965). A simplex method for function minimization. Computer Journal 7,
308–313. doi:10.1093/comjnl/7.4.308
Nash, J. C. (1990). Compact Numerical Methods for Computers, 2nd ed. Adam Hilger (Algorithm 19).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = ["OptimResult", "nelder_mead_r"]

_BIG = 1.0e35
_RELTOL = math.sqrt(np.finfo(float).eps)


class OptimResult(NamedTuple):
    """The answer of :func:`nelder_mead_r`: ``x`` the parameters, ``fun`` f(x) (unscaled),
    ``nfev`` the number of evaluations, ``converged`` False when ``maxit`` was reached or the
    simplex stopped shrinking (R's ``convergence`` codes 1 and 10)."""

    x: np.ndarray
    fun: float
    nfev: int
    converged: bool


def nelder_mead_r(fn: Callable[[np.ndarray], float], x0, *, parscale=None, fnscale: float = 1.0,
                  reltol: float = _RELTOL, abstol: float = -math.inf, maxit: int = 500) -> OptimResult:
    """Minimize ``fn`` (or maximize, with ``fnscale < 0``) from ``x0`` as R's ``optim`` does.

    The search runs on u = x / parscale with the objective fn(u·parscale) / fnscale (inner helper:
    the caller validates; ``fn`` must accept a 1-D float array).
    """
    x0 = np.asarray(x0, dtype=float)
    ps = np.ones_like(x0) if parscale is None else np.asarray(parscale, dtype=float)
    n = x0.size

    def f(u):
        v = fn(u * ps) / fnscale
        return v if math.isfinite(v) else _BIG

    b = x0 / ps
    fb = fn(b * ps) / fnscale
    if not math.isfinite(fb):
        raise ValueError("startpar: the objective cannot be evaluated at the starting parameters")
    P = np.zeros((n + 1, n + 2))  # rows 0..n-1 coordinates, row n the values; columns the vertices, n+1 the centroid
    funcount = 1
    convtol = reltol * (abs(fb) + reltol)
    P[n, 0] = fb
    P[:n, 0] = b
    L = 0
    step = max(0.1 * float(np.max(np.abs(b))), 0.0)
    if step == 0.0:
        step = 0.1
    size = 0.0
    for j in range(1, n + 1):
        P[:n, j] = b
        trystep = step
        while P[j - 1, j] == b[j - 1]:
            P[j - 1, j] = b[j - 1] + trystep
            trystep *= 10
        size += trystep
    oldsize = size
    calcvert = True
    fail = 0
    C = n + 1
    while True:
        if calcvert:
            for j in range(n + 1):
                if j != L:
                    P[n, j] = f(P[:n, j].copy())
                    funcount += 1
            calcvert = False
        VL = P[n, L]
        VH = VL
        H = L
        for j in range(n + 1):
            if j != L:
                v = P[n, j]
                if v < VL:
                    L, VL = j, v
                if v > VH:
                    H, VH = j, v
        if VH <= VL + convtol or VL <= abstol:
            break
        P[:n, C] = (P[:n, : n + 1].sum(axis=1) - P[:n, H]) / n
        b = 2.0 * P[:n, C] - P[:n, H]  # (1 + α) centroid − α high, α = 1
        VR = f(b.copy())
        funcount += 1
        if VR < VL:
            P[n, C] = VR
            ext = 2.0 * b + (1 - 2.0) * P[:n, C]  # γ = 2
            P[:n, C] = b
            b = ext
            fe = f(b.copy())
            funcount += 1
            if fe < VR:
                P[:n, H] = b
                P[n, H] = fe
            else:
                P[:n, H] = P[:n, C]
                P[n, H] = VR
        else:
            if VR < VH:
                P[:n, H] = b
                P[n, H] = VR
            b = 0.5 * P[:n, H] + 0.5 * P[:n, C]  # β = ½
            fc = f(b.copy())
            funcount += 1
            if fc < P[n, H]:
                P[:n, H] = b
                P[n, H] = fc
            elif VR >= VH:
                calcvert = True
                size = 0.0
                for j in range(n + 1):
                    if j != L:
                        P[:n, j] = 0.5 * (P[:n, j] - P[:n, L]) + P[:n, L]
                        size += float(np.sum(np.abs(P[:n, j] - P[:n, L])))
                if size < oldsize:
                    oldsize = size
                else:
                    fail = 10
                    break
        if funcount > maxit:
            break
    if funcount > maxit:
        fail = 1
    x = P[:n, L] * ps
    return OptimResult(x, float(P[n, L] * fnscale), funcount, fail == 0)
