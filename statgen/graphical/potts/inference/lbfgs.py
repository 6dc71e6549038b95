"""A lean L-BFGS in numpy for large float32 problems: liblbfgs' algorithm (the one plmc uses) in 2m + 2 vectors.

The iteration is liblbfgs' defaults (N. Okazaki's C port of J. Nocedal's L-BFGS, used by plmc): the
two-loop recursion over the last m = 6 pairs (s_k, y_k) with the initial scaling y·s / y·y, a first
step 1/‖g₀‖ along −g₀ and then step 1, the More–Thuente line search (sufficient decrease 10⁻⁴,
curvature 0.9; MINPACK-2's dcsrch as scipy ships it), and the stopping rule
‖g‖ < ε max(1, ‖x‖) checked after each iteration, or after ``max_iter`` iterations.

Memory: x, g and the m pairs, nothing else of the problem's size (2m + 2 vectors; liblbfgs holds
2m + 5 and plmc its own x). The two-loop recursion runs on coefficients: d is a combination of g and
the pairs, and with the Gram matrix of those 2m + 1 vectors (kept up to date with one pass of dot
products per new vector) each of its dot products is a small matrix product. d is then formed in the
slot of the pair about to be replaced (that pair enters d first), trial gradients go into the other
slot, and trial points move x along d in place, so the new pair is s = stp d and y = g − g_k in
those slots. Dot products accumulate in float64.

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
    scipy.optimize._dcsrch first runs scipy's and scipy.optimize's __init__, ~50 MiB of modules a fit
    never uses (scipy is located without being imported, which alone costs 2 MiB)."""
    import importlib.util
    import sys
    from pathlib import Path

    for name in ("scipy.optimize._dcsrch", "statgen_scipy_dcsrch"):  # loaded already: once per process
        if name in sys.modules:
            return sys.modules[name].DCSRCH
    spec = importlib.util.find_spec("scipy")
    path = Path(spec.origin).parent / "optimize" / "_dcsrch.py" if spec is not None and spec.origin else None
    if path is None or not path.is_file():  # another layout of scipy: the ordinary import
        from scipy.optimize._dcsrch import DCSRCH
        return DCSRCH
    spec = importlib.util.spec_from_file_location("statgen_scipy_dcsrch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["statgen_scipy_dcsrch"] = module
    return module.DCSRCH


def _slots(end: int, count: int, m: int) -> list[int]:
    """The ring slots of the ``count`` stored pairs that end before slot ``end``, oldest first."""
    return [(end - count + i) % m for i in range(count)]


def lbfgs_bytes(n: int, itemsize: int, history: int = HISTORY) -> float:
    """Bytes the minimizer holds for n parameters: x, g and the 2 m history vectors (the direction
    and the trial gradient live in the slots of the pair being replaced)."""
    return float((2 + 2 * history) * n * itemsize)


def lbfgs(fun: Callable[[np.ndarray, np.ndarray], float], x: np.ndarray, *, max_iter: int = 0,
          epsilon: float = 1e-3, history: int = HISTORY, callback=None, dot=None, axpy=None,
          dots=None, combine=None) -> LbfgsResult:
    """Minimize ``fun`` from ``x`` (1-D float array, updated in place: it holds the result).

    ``fun(x, g)`` returns f(x) and writes ∇f(x) into g. ``max_iter`` 0: until the stopping rule.
    ``callback(k, f, xnorm, gnorm, step)`` after each iteration k = 1, 2, …; a true return stops.
    ``dot(a, b)``, ``axpy(y, α, x)`` (y ← y + α x in place), ``dots(v, vs)`` (the dot products of
    v with each of vs, one pass over v) and ``combine(d, coefs, vs)`` (d ← Σ coefs_r vs_r in place, d
    possibly one of vs) default to numpy; pass compiled ones for speed."""
    DCSRCH = _dcsrch()
    if dot is None:
        def dot(a, b):
            return float(np.dot(a.astype(np.float64, copy=False), b.astype(np.float64, copy=False)))
    if axpy is None:
        def axpy(y, alpha, v):
            y += y.dtype.type(alpha) * v
    if dots is None:
        def dots(v, vs):
            return np.array([dot(v, u) for u in vs])
    if combine is None:
        def combine(d, coefs, vs):
            first = next((r for r, u in enumerate(vs) if u is d), None)  # d's own term before d is overwritten
            if first is None:
                d.fill(0)  # d may hold anything, NaN included
            else:
                d *= d.dtype.type(coefs[first])
            for r, u in enumerate(vs):
                if r != first:
                    axpy(d, coefs[r], u)
    n, m = x.shape[0], int(history)
    if m < 1:
        raise ValueError(f"history must be >= 1, got {history}")
    g = np.empty_like(x)
    f = float(fun(x, g))
    if not np.isfinite(f):
        raise ValueError(f"the objective is not finite at the start point (f = {f})")
    xnorm, gnorm = np.sqrt(dot(x, x)), np.sqrt(dot(g, g))
    if gnorm / max(1.0, xnorm) <= epsilon:
        return LbfgsResult(f, 0, "converged")
    # basis vectors: 0 the gradient g, 1 + j the pair's s_j, 1 + m + j its y_j; G their dot products
    # (y_j·s_j and y_j·y_j included: the recursion reads them there)
    S: list = [None] * m
    Y: list = [None] * m
    G = np.zeros((2 * m + 1, 2 * m + 1))
    G[0, 0] = gnorm * gnorm
    alpha = np.zeros(m)
    k, end, count = 1, 0, 0
    # x = x_k + stp d; the last trial's f and g·d (DCSRCH asks for f and then f′ at the same step)
    last: dict = {}

    def evaluate(stp):
        if last["stp"] != stp:
            axpy(x, stp - last["stp"], last["d"])
            last.update(stp=stp, f=float(fun(x, last["gt"])), dg=dot(last["gt"], last["d"]))
        return last["f"]

    def derivative(stp):
        evaluate(stp)
        return last["dg"]

    while True:
        order = _slots(end, count, m)
        c = np.zeros(2 * m + 1)  # the two-loop recursion on the coefficients of d = Σ c_b basis_b
        c[0] = -1.0
        for j in reversed(order):
            alpha[j] = G[1 + j] @ c / G[1 + m + j, 1 + j]
            c[1 + m + j] -= alpha[j]
        if count:
            new = order[-1]
            c *= G[1 + m + new, 1 + new] / G[1 + m + new, 1 + m + new]
        for j in order:
            c[1 + j] += alpha[j] - G[1 + m + j] @ c / G[1 + m + j, 1 + j]
        e = end  # the slot of the new pair: d is formed in S[e] (over the pair it replaces), trial gradients in Y[e]
        if S[e] is None:
            S[e], Y[e] = np.empty(n, dtype=x.dtype), np.empty(n, dtype=x.dtype)
        d, gt = S[e], Y[e]
        terms = [j for j in order if j != e]  # with the oldest pair (count == m, in d's slots) first
        coefs = [c[0], *(c[1 + j] for j in terms), *(c[1 + m + j] for j in terms)]
        vecs = [g, *(S[j] for j in terms), *(Y[j] for j in terms)]
        if count == m:
            coefs, vecs = [c[1 + e], c[1 + m + e], *coefs], [d, gt, *vecs]
        combine(d, coefs, vecs)
        G[[1 + e, 1 + m + e], :] = 0.0
        G[:, [1 + e, 1 + m + e]] = 0.0
        count = min(count, m - 1)
        dginit = dot(g, d)
        if not dginit < 0:
            return LbfgsResult(f, k - 1, "the direction is not a descent direction")
        step = 1.0 / np.sqrt(dot(d, d)) if k == 1 else 1.0
        last.update(stp=0.0, d=d, gt=gt)
        search = DCSRCH(evaluate, derivative, FTOL, GTOL, XTOL, MIN_STEP, MAX_STEP)
        stp, fnew, _, task = search(step, phi0=f, derphi0=dginit, maxiter=MAX_LINESEARCH)
        if stp is None or not np.isfinite(fnew):
            axpy(x, -last["stp"], d)  # back to x_k (to rounding); g still holds its gradient
            return LbfgsResult(f, k - 1, f"line search stopped: {task.decode(errors='replace').strip()}")
        evaluate(stp)  # x, gt at the accepted step (a no-op unless the search ended elsewhere)
        f = last["f"]
        d *= d.dtype.type(stp)  # s = x_{k+1} − x_k
        np.subtract(gt, g, out=g)  # y = g_{k+1} − g_k, in g's buffer; gt becomes the gradient
        g, Y[e] = gt, g
        s, y = S[e], Y[e]
        xnorm = np.sqrt(dot(x, x))
        count += 1
        order = _slots(e + 1, count, m)
        ids = [0] + [1 + j for j in order] + [1 + m + j for j in order]
        vecs = [g] + [S[j] for j in order] + [Y[j] for j in order]
        for b, v in ((0, g), (1 + e, s), (1 + m + e, y)):
            G[b, ids] = G[ids, b] = dots(v, vecs)
        gnorm = np.sqrt(G[0, 0])
        if callback is not None and callback(k, f, xnorm, gnorm, stp):
            return LbfgsResult(f, k, "stopped by the callback")
        if gnorm / max(1.0, xnorm) <= epsilon:
            return LbfgsResult(f, k, "converged")
        if max_iter and max_iter < k + 1:
            return LbfgsResult(f, k, "max_iter")
        ys, yy = G[1 + m + e, 1 + e], G[1 + m + e, 1 + m + e]
        if not (ys > 0 and yy > 0):  # rounding at the minimum (the line search guarantees y·s > 0 otherwise)
            return LbfgsResult(f, k, "no curvature left (y·s <= 0)")
        k += 1
        end = (e + 1) % m
