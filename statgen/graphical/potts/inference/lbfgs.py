"""A lean L-BFGS in numpy for large float32 problems: liblbfgs' algorithm (the one plmc uses) in 2m + 3 vectors.

The iteration is liblbfgs' defaults (N. Okazaki's C port of J. Nocedal's L-BFGS, used by plmc): the
two-loop recursion over the last m = 6 pairs (s_k, y_k) with the initial scaling y·s / y·y, a first
step 1/‖g₀‖ along −g₀ and then step 1, the More–Thuente line search (sufficient decrease 10⁻⁴,
curvature 0.9; MINPACK-2's dcsrch as scipy ships it), and the stopping rule
‖g‖ < ε max(1, ‖x‖) checked after each iteration, or after ``max_iter`` iterations.

Memory: x, g, the direction d and the m pairs, nothing else of the problem's size. The point and
gradient at the start of a line search are kept in the slot of the pair about to be replaced (that
pair is no longer needed once the direction is formed), trial points are written into x, and the
new pair is formed in place (s = x − x_k, y = g − g_k). Dot products accumulate in float64.

References: J. Nocedal, Math. Comp. 35, 773 (1980); D. C. Liu & J. Nocedal, Math. Program. 45, 503
(1989); J. J. Moré & D. J. Thuente, ACM TOMS 20, 286 (1994).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["LbfgsResult", "lbfgs", "lbfgs_bytes"]

#: liblbfgs' defaults (lbfgs.c ``_defparam``): history, line-search ftol / gtol / xtol, step bounds, trials
HISTORY, FTOL, GTOL, XTOL, MIN_STEP, MAX_STEP, MAX_LINESEARCH = 6, 1e-4, 0.9, 1e-16, 1e-20, 1e20, 40


@dataclass
class LbfgsResult:
    """f: the objective at the returned x.  n_iter: iterations done.  status: why it stopped
    ("converged", "max_iter", or the line search's message, x then being the last accepted point)."""

    f: float
    n_iter: int
    status: str


def _dcsrch():
    """scipy's MINPACK-2 line search (pure Python over numpy), loaded from its file: importing it as
    scipy.optimize._dcsrch first runs scipy.optimize's __init__, ~50 MiB of modules a fit never uses."""
    import importlib.util
    import sys
    from pathlib import Path

    import scipy

    for name in ("scipy.optimize._dcsrch", "statgen_scipy_dcsrch"):  # loaded already: once per process
        if name in sys.modules:
            return sys.modules[name].DCSRCH
    path = Path(scipy.__file__).parent / "optimize" / "_dcsrch.py"
    if not path.is_file():  # another layout of scipy: the ordinary import
        from scipy.optimize._dcsrch import DCSRCH
        return DCSRCH
    spec = importlib.util.spec_from_file_location("statgen_scipy_dcsrch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["statgen_scipy_dcsrch"] = module
    return module.DCSRCH


def lbfgs_bytes(n: int, itemsize: int, history: int = HISTORY) -> float:
    """Bytes the minimizer holds for n parameters: x, g, d and the 2 m history vectors."""
    return float((3 + 2 * history) * n * itemsize)


def lbfgs(fun: Callable[[np.ndarray, np.ndarray], float], x: np.ndarray, *, max_iter: int = 0,
          epsilon: float = 1e-3, history: int = HISTORY, callback=None, dot=None, axpy=None) -> LbfgsResult:
    """Minimize ``fun`` from ``x`` (1-D float array, updated in place: it holds the result).

    ``fun(x, g)`` returns f(x) and writes ∇f(x) into g. ``max_iter`` 0: until the stopping rule.
    ``callback(k, f, xnorm, gnorm, step)`` after each iteration k = 1, 2, …; a true return stops.
    ``dot(a, b)`` and ``axpy(y, α, x)`` (y ← y + α x in place) default to numpy; pass compiled ones
    for speed."""
    DCSRCH = _dcsrch()
    if dot is None:
        def dot(a, b):
            return float(np.dot(a.astype(np.float64, copy=False), b.astype(np.float64, copy=False)))
    if axpy is None:
        def axpy(y, alpha, v):
            y += y.dtype.type(alpha) * v
    n = x.shape[0]
    g = np.empty_like(x)
    f = float(fun(x, g))
    if not np.isfinite(f):
        raise ValueError(f"the objective is not finite at the start point (f = {f})")
    xnorm, gnorm = np.sqrt(dot(x, x)), np.sqrt(dot(g, g))
    if gnorm / max(1.0, xnorm) <= epsilon:
        return LbfgsResult(f, 0, "converged")
    d = np.negative(g)
    S = [np.empty(n, dtype=x.dtype) for _ in range(history)]
    Y = [np.empty(n, dtype=x.dtype) for _ in range(history)]
    ys_hist = np.zeros(history)
    alpha = np.zeros(history)
    step = 1.0 / np.sqrt(dot(d, d))
    k, end = 1, 0
    last: dict = {}  # the last trial: step, f, g·d (DCSRCH asks for f and then f′ at the same step)

    def evaluate(stp):
        if last.get("stp") != stp:
            np.multiply(d, x.dtype.type(stp), out=x)
            np.add(x, last["xp"], out=x)
            last.update(stp=stp, f=float(fun(x, g)), dg=dot(g, d))
        return last["f"]

    def derivative(stp):
        evaluate(stp)
        return last["dg"]

    while True:
        xp, gp = S[end], Y[end]  # the start of the line search, in the slot the new pair will use
        np.copyto(xp, x)
        np.copyto(gp, g)
        dginit = dot(g, d)
        if dginit > 0:
            np.copyto(x, xp)
            return LbfgsResult(f, k - 1, "the direction is not a descent direction")
        last.clear()
        last["xp"] = xp
        search = DCSRCH(evaluate, derivative, FTOL, GTOL, XTOL, MIN_STEP, MAX_STEP)
        stp, fnew, _, task = search(step, phi0=f, derphi0=dginit, maxiter=MAX_LINESEARCH)
        if stp is None or not np.isfinite(fnew):
            np.copyto(x, xp)
            np.copyto(g, gp)
            return LbfgsResult(f, k - 1, f"line search stopped: {task.decode(errors='replace').strip()}")
        evaluate(stp)  # x, g at the accepted step (a no-op unless the search ended elsewhere)
        f = last["f"]
        xnorm, gnorm = np.sqrt(dot(x, x)), np.sqrt(dot(g, g))
        if callback is not None and callback(k, f, xnorm, gnorm, stp):
            return LbfgsResult(f, k, "stopped by the callback")
        if gnorm / max(1.0, xnorm) <= epsilon:
            return LbfgsResult(f, k, "converged")
        if max_iter and max_iter < k + 1:
            return LbfgsResult(f, k, "max_iter")
        s, y = xp, gp
        np.subtract(x, s, out=s)
        np.subtract(g, y, out=y)
        ys, yy = dot(y, s), dot(y, y)
        if not (ys > 0 and yy > 0):  # rounding at the minimum (the line search guarantees y·s > 0 otherwise)
            return LbfgsResult(f, k, "no curvature left (y·s <= 0)")
        ys_hist[end] = ys
        bound = min(history, k)
        k += 1
        end = (end + 1) % history
        np.negative(g, out=d)
        j = end
        for _ in range(bound):
            j = (j + history - 1) % history
            alpha[j] = dot(S[j], d) / ys_hist[j]
            axpy(d, -alpha[j], Y[j])
        d *= d.dtype.type(ys / yy)
        for _ in range(bound):
            beta = dot(Y[j], d) / ys_hist[j]
            axpy(d, alpha[j] - beta, S[j])
            j = (j + 1) % history
        step = 1.0
