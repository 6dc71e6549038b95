"""Block solvers of the graphical lasso: G-ISTA, QUIC and the glasso block coordinate descent.

Each solves, on one connected block of the screened covariance,

    P̂ = argmin_{P ≻ 0}  tr(C P) − log det P + λ Σ_{i≠j} |P_ij|

from a warm start P0 and stops on a certified duality gap ≤ tol · max(1, |objective|). The
screening, the dispatch and the public entry point are in :mod:`statgen.graphical.gaussian.l1`.
These are hot inner functions: :func:`statgen.graphical.map_l1` checks their input.

References
----------
C.-J. Hsieh, M. Sustik, I. Dhillon, P. Ravikumar, "QUIC: quadratic approximation for sparse
inverse covariance estimation", J. Mach. Learn. Res. 15, 2911 (2014).
J. Friedman, T. Hastie, R. Tibshirani, "Sparse inverse covariance estimation with the graphical
lasso", Biostatistics 9, 432 (2008).
B. Rolfs, B. Rajaratnam, D. Guillot, I. Wong, A. Maleki, "Iterative thresholding algorithm for
sparse inverse covariance estimation", NeurIPS (2012).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from statgen.graphical.gaussian._linalg import cholesky, cholesky_inverse, logdet_cholesky


def offdiag_l1(P: np.ndarray) -> float:
    return float(np.abs(P).sum() - np.abs(np.diag(P)).sum())


def soft_offdiag(X: np.ndarray, thr: float) -> np.ndarray:
    """Soft-threshold the off-diagonal entries of X by ``thr``; keep the diagonal."""
    out = np.sign(X) * np.maximum(np.abs(X) - thr, 0.0)
    np.fill_diagonal(out, np.diag(X))
    return out



def duality_gap(C: np.ndarray, P: np.ndarray, W: np.ndarray, lam: float, primal: float) -> float:
    U = np.clip(W - C, -lam, lam)
    np.fill_diagonal(U, 0.0)
    Ld = cholesky(C + U)
    if Ld is None:
        return float("inf")
    return primal - (logdet_cholesky(Ld) + C.shape[0])



@dataclass
class SolveInfo:
    """Totals over the blocks of one solve: iterations, and the largest final duality gap."""

    iterations: int = 0
    gap: float = 0.0

    def finish(self, iterations: int, gap: float) -> None:
        self.iterations += iterations
        self.gap = max(self.gap, gap)


def pd_start(C: np.ndarray, P0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, its Cholesky factor) from the warm start P0, or the λ → ∞ solution diag(1/C_ii) when P0 is
    not positive definite."""
    P = P0.copy()
    L = cholesky(P)
    if L is None:
        P = np.diag(1.0 / np.diag(C))
        L = cholesky(P)
    return P, L


def gista(C: np.ndarray, lam: float, P0: np.ndarray, tol: float, max_iter: int, info: SolveInfo) -> np.ndarray:
    """G-ISTA with Barzilai–Borwein steps on one connected block; stops at gap ≤ tol·max(1, |f|)."""
    P, L = pd_start(C, P0)
    W = cholesky_inverse(L)
    smooth = float(np.sum(C * P)) - logdet_cholesky(L)
    grad = C - W
    # step bound from the curvature at P: the Hessian W⊗W has largest eigenvalue λ_max(W)²
    t = 1.0 / max(float(np.max(np.sum(np.abs(W), axis=1))) ** 2, 1e-300)
    gap = np.inf
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported after the loop
        while True:
            Pn = soft_offdiag(P - t * grad, t * lam)
            Ln = cholesky(Pn)
            if Ln is not None:
                D = Pn - P
                smooth_n = float(np.sum(C * Pn)) - logdet_cholesky(Ln)
                if smooth_n <= smooth + float(np.sum(grad * D)) + float(np.sum(D * D)) / (2 * t) + 1e-12 * abs(smooth):
                    break
            t *= 0.5
            if t < 1e-20:
                raise FloatingPointError("graphical lasso line search failed (step underflow)")
        Wn = cholesky_inverse(Ln)
        dd = float(np.sum(D * D))
        curv = float(np.sum(D * (W - Wn)))  # <D, ∇f(Pn) − ∇f(P)> ≥ 0 (f convex)
        P, L, W, smooth = Pn, Ln, Wn, smooth_n
        grad = C - W
        t = dd / curv if curv > 0 and dd > 0 else 2 * t
        primal = smooth + lam * offdiag_l1(P)
        gap = duality_gap(C, P, W, lam, primal)
        if gap <= tol * max(1.0, abs(primal)) or dd == 0.0:
            break
    info.finish(it, gap)
    return P


@functools.cache
def _quic_kernel():
    """The numba-compiled coordinate-descent sweep of QUIC's Newton step (compiled once, cached)."""
    import numba

    @numba.njit(cache=True, fastmath=False)
    def sweeps(C, X, W, lam, fi, fj, D, U, n_sweeps):  # pragma: no cover - compiled
        n = C.shape[0]
        for _ in range(n_sweeps):
            for k in range(fi.shape[0]):
                i, j = fi[k], fj[k]
                wu = 0.0  # (W D W)_ij = W_i,: · U_:,j with U = D W
                for m in range(n):
                    wu += W[i, m] * U[m, j]
                b = C[i, j] - W[i, j] + wu
                if i == j:
                    mu = -b / (W[i, i] * W[i, i])
                else:
                    a = W[i, j] * W[i, j] + W[i, i] * W[j, j]
                    c = X[i, j] + D[i, j]
                    z = c - b / a
                    thr = lam / a
                    s = z - thr if z > thr else (z + thr if z < -thr else 0.0)
                    mu = s - c
                if mu != 0.0:
                    D[i, j] += mu
                    if i != j:
                        D[j, i] += mu
                    for m in range(n):
                        U[i, m] += mu * W[j, m]
                    if i != j:
                        for m in range(n):
                            U[j, m] += mu * W[i, m]

    return sweeps


def quic(C: np.ndarray, lam: float, P0: np.ndarray, tol: float, max_iter: int, info: SolveInfo) -> np.ndarray:
    """QUIC proximal Newton (Hsieh et al. 2014) on one block: the Newton direction minimizes the
    quadratic model tr(G D) + ½ tr(W D W D) + λ‖X + D‖₁,off by coordinate descent over the free
    set {X_ij ≠ 0 or |G_ij| > λ}; Armijo line search keeps X positive definite."""
    sweeps = _quic_kernel()
    X, L = pd_start(C, P0)
    W = cholesky_inverse(L)
    f = float(np.sum(C * X)) - logdet_cholesky(L) + lam * offdiag_l1(X)
    gap = np.inf
    n = C.shape[0]
    iu = np.triu_indices(n)
    for it in range(1, max_iter + 1):
        G = C - W
        free = (X[iu] != 0) | (np.abs(G[iu]) > lam) | (iu[0] == iu[1])
        fi, fj = iu[0][free].astype(np.int64), iu[1][free].astype(np.int64)
        D = np.zeros_like(X)
        U = np.zeros_like(X)
        sweeps(C, X, W, lam, fi, fj, D, U, 1 + it // 3)
        pen = lam * offdiag_l1(X)
        delta = float(np.sum(G * D)) + lam * offdiag_l1(X + D) - pen
        step = 1.0
        while True:
            Xn = X + step * D
            Ln = cholesky(Xn)
            if Ln is not None:
                fn = float(np.sum(C * Xn)) - logdet_cholesky(Ln) + lam * offdiag_l1(Xn)
                if fn <= f + 1e-3 * step * delta or step < 1e-12:
                    break
            step *= 0.5
            if step < 1e-16:
                raise FloatingPointError("QUIC line search failed (step underflow)")
        X, L, f = Xn, Ln, fn
        W = cholesky_inverse(L)
        gap = duality_gap(C, X, W, lam, f)
        if gap <= tol * max(1.0, abs(f)):
            break
        if delta > -1e-300 or step < 1e-12:
            # the inexact Newton model stalls in round-off: finish with the (monotone) G-ISTA
            info.finish(it, 0.0)
            return gista(C, lam, X, tol, max_iter, info)
    info.finish(it, gap)
    return X


@functools.cache
def _glasso_kernel():
    """The numba-compiled outer sweep of the graphical lasso (Friedman et al. 2008), compiled once."""
    import numba

    @numba.njit(cache=True, fastmath=False)
    def sweep(C, W, P, lam, tol, max_inner):  # pragma: no cover - compiled
        """One pass over the columns: each solves the lasso min_b ½ bᵀW₁₁b − c₁₂ᵀb + λ‖b‖₁ by
        coordinate descent (warm-started from the current P, active-set passes), then sets
        W₁₂ = W₁₁ b, P₂₂ = 1/(C₂₂ − W₁₂ᵀ b), P₁₂ = −b P₂₂. W_ii = C_ii stays fixed."""
        n = C.shape[0]
        b = np.empty(n)
        g = np.empty(n)
        for j in range(n):
            pjj = P[j, j]
            for k in range(n):
                b[k] = -P[k, j] / pjj
            b[j] = 0.0
            for k in range(n):  # g = W₁₁ b (row j/column j excluded)
                acc = 0.0
                for m in range(n):
                    if b[m] != 0.0 and m != j:
                        acc += W[k, m] * b[m]
                g[k] = acc
            full = True
            for _ in range(max_inner):
                change = 0.0
                for k in range(n):
                    if k == j or (not full and b[k] == 0.0):
                        continue
                    wkk = W[k, k]
                    r = C[k, j] - (g[k] - wkk * b[k])
                    if r > lam:
                        new = (r - lam) / wkk
                    elif r < -lam:
                        new = (r + lam) / wkk
                    else:
                        new = 0.0
                    d = new - b[k]
                    if d != 0.0:
                        for m in range(n):
                            g[m] += W[k, m] * d
                        b[k] = new
                        if abs(d) * wkk > change:
                            change = abs(d) * wkk
                if change <= tol:
                    if full:
                        break
                    full = True  # converged on the active set: confirm with a full pass
                else:
                    full = False
            acc = 0.0
            for k in range(n):
                if k != j:
                    W[k, j] = g[k]
                    W[j, k] = g[k]
                    acc += g[k] * b[k]
            schur = C[j, j] - acc
            if not schur > 0.0:  # W lost positive definiteness (or NaN): let the caller fall back
                return False
            pjj = 1.0 / schur
            P[j, j] = pjj
            for k in range(n):
                if k != j:
                    P[k, j] = -b[k] * pjj
                    P[j, k] = P[k, j]
        return True

    return sweep


def _dual_start(C: np.ndarray, lam: float, P0: np.ndarray) -> np.ndarray:
    """A positive-definite, dual-feasible start W (W_ii = C_ii, |W_ij − C_ij| ≤ λ) for the glasso.

    The block updates keep W positive definite only from a dual-feasible start: the warm start
    P0⁻¹ projected onto the box around C, else C shrunk towards its diagonal just enough,
    W = (1 − s) C + s diag(C) with s = min(1, λ / max|C_ij|) (positive definite for s > 0)."""
    L = cholesky(P0)
    if L is not None:
        W0 = cholesky_inverse(L)
        W = C + np.clip(W0 - C, -lam, lam)
        np.fill_diagonal(W, np.diag(C))
        if cholesky(W) is not None:
            return W
    off = C - np.diag(np.diag(C))
    s = min(1.0, lam / max(float(np.max(np.abs(off))), 1e-300))
    return C - s * off


def glasso(C: np.ndarray, lam: float, P0: np.ndarray, tol: float, max_iter: int, info: SolveInfo) -> np.ndarray:
    """Graphical lasso by block coordinate descent (Friedman et al. 2008) on one block, started
    from P0 (warm start: W = P0⁻¹ with W_ii = C_ii); stops at duality gap ≤ tol·max(1, |f|)."""
    sweep = _glasso_kernel()
    W = _dual_start(C, lam, P0)
    L = cholesky(W)
    P = cholesky_inverse(L)
    gap = np.inf
    scale = float(np.mean(np.diag(C)))
    inner_tol = 1e-4 * lam * scale
    for it in range(1, max_iter + 1):
        if not sweep(C, W, P, lam, inner_tol, 10_000):  # pragma: no cover - safeguard
            info.finish(it, 0.0)
            return quic(C, lam, P0, tol, max_iter, info)
        L = cholesky(P)
        if L is not None:
            primal = float(np.sum(C * P)) - logdet_cholesky(L) + lam * offdiag_l1(P)
            gap = duality_gap(C, P, cholesky_inverse(L), lam, primal)
            if gap <= tol * max(1.0, abs(primal)):
                break
            # the inner lassos must be solved more accurately than the outer gap asks
            inner_tol = min(inner_tol, max(1e-3 * gap / C.shape[0], 1e-14 * scale))
    info.finish(it, gap)
    return P


def numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


#: The block solvers by name (``solver=`` of :func:`statgen.graphical.map_l1`).
SOLVERS = {"glasso": glasso, "quic": quic, "gista": gista}
