"""Gaussian L1 MAP inference: the graphical lasso and its regularization path.

The graphical lasso precision (off-diagonal penalty, as scikit-learn's ``graphical_lasso``)

    P̂(λ) = argmin_{P ≻ 0}  tr(C P) − log det P + λ Σ_{i≠j} |P_ij|

is the L1 counterpart of the L2 MAP of :mod:`statgen.graphical.gaussian`. With the per-site
log-likelihood ℓ(P; C) = [−tr(C P) + log det P] / (2N) and J = −P off the diagonal, the
objective above equals −(2N/α) × [α ℓ(J; C) − (γ₁ / 2N) Σ_{i≠j} |J_ij|] with

    γ₁ = α λ,

the L1 strength in the units of the L2 strength γ of ``map_l2`` (same weight α on ℓ). Paths
are therefore reported against γ₁ = α λ, as in Fanthomme et al. (2022).

Solvers (all stop on a certified duality gap, use exact block screening -- Witten et al. 2011;
Mazumder & Hastie 2012: the connected components of the graph |C_ij| > λ decouple -- and warm
starts along the path):

- ``"glasso"`` (default when numba is installed): block coordinate descent of Friedman et al.
  (2008), each column a lasso solved by coordinate descent with active-set passes, compiled with
  numba; warm-started from the previous precision on a path (the fastest here, see
  ``benchmarks/gaussian_l1_path.py``);
- ``"quic"``: proximal Newton (Hsieh et al. 2014), coordinate-descent Newton directions (numba);
- ``"gista"``: proximal gradient on the primal (Rolfs et al. 2012) with Barzilai–Borwein steps and
  a backtracking that keeps P positive definite; dense LAPACK only, the fallback without numba.

numba ships with PyMC's pytensor (``pip install 'statgen[bayes]'``) or on its own.

References
----------
C.-J. Hsieh, M. Sustik, I. Dhillon, P. Ravikumar, "QUIC: quadratic approximation for sparse
inverse covariance estimation", J. Mach. Learn. Res. 15, 2911 (2014).
J. Friedman, T. Hastie, R. Tibshirani, "Sparse inverse covariance estimation with the graphical
lasso", Biostatistics 9, 432 (2008).
B. Rolfs, B. Rajaratnam, D. Guillot, I. Wong, A. Maleki, "Iterative thresholding algorithm for
sparse inverse covariance estimation", NeurIPS (2012).
D. Witten, J. Friedman, N. Simon, "New insights and faster computations for the graphical
lasso", J. Comput. Graph. Stat. 20, 892 (2011).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import lapack
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from statgen._checks import check_positive, check_positive_definite
from statgen._progress import progress_bar

__all__ = ["map_l1", "l1_objective", "l1_duality_gap", "l1_path", "L1Path", "l1_sweep"]


# --------------------------------------------------------------------------- helpers


def _check_covariance(C, name: str = "C") -> np.ndarray:
    """Return ``C`` as a float64 symmetric positive semi-definite matrix with a positive diagonal."""
    arr = check_positive_definite(C, name, semi=True)
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix")
    if np.any(np.diag(arr) <= 0):
        raise ValueError(f"{name} must have a strictly positive diagonal (variances)")
    return arr


def _chol(P: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor of P, or None when P is not positive definite."""
    L, info = lapack.dpotrf(P, lower=1, clean=1, overwrite_a=0)
    return L if info == 0 else None


def _chol_inverse(L: np.ndarray) -> np.ndarray:
    """P⁻¹ from the lower Cholesky factor of P (LAPACK potri), symmetrized."""
    Winv, info = lapack.dpotri(L, lower=1)
    if info != 0:  # pragma: no cover - L came from a successful potrf
        raise np.linalg.LinAlgError("potri failed")
    W = np.tril(Winv)
    return W + np.tril(W, -1).T


def _logdet_chol(L: np.ndarray) -> float:
    return 2.0 * float(np.sum(np.log(np.diag(L))))


def _offdiag_l1(P: np.ndarray) -> float:
    return float(np.abs(P).sum() - np.abs(np.diag(P)).sum())


def _soft_offdiag(X: np.ndarray, thr: float) -> np.ndarray:
    """Soft-threshold the off-diagonal entries of X by ``thr``; keep the diagonal."""
    out = np.sign(X) * np.maximum(np.abs(X) - thr, 0.0)
    np.fill_diagonal(out, np.diag(X))
    return out


def l1_objective(C, P, lam: float) -> float:
    """Graphical-lasso objective tr(C P) − log det P + λ Σ_{i≠j} |P_ij| (dimensionless).

    Returns ``inf`` when P is not positive definite.
    """
    C = np.asarray(C, dtype=np.float64)
    P = np.asarray(P, dtype=np.float64)
    L = _chol(P)
    if L is None:
        return float("inf")
    return float(np.sum(C * P)) - _logdet_chol(L) + lam * _offdiag_l1(P)


def l1_duality_gap(C, P, lam: float) -> float:
    """Duality gap of the graphical lasso at P (an upper bound on objective(P) − min objective).

    The dual is max_U log det(C + U) + N over U with zero diagonal and |U_ij| ≤ λ; the dual
    point is U = clip(P⁻¹ − C, −λ, λ) off the diagonal. Returns ``inf`` if C + U is singular.
    """
    C = np.asarray(C, dtype=np.float64)
    P = np.asarray(P, dtype=np.float64)
    L = _chol(P)
    if L is None:
        return float("inf")
    return _gap(C, P, _chol_inverse(L), lam, float(np.sum(C * P)) - _logdet_chol(L) + lam * _offdiag_l1(P))


def _gap(C: np.ndarray, P: np.ndarray, W: np.ndarray, lam: float, primal: float) -> float:
    U = np.clip(W - C, -lam, lam)
    np.fill_diagonal(U, 0.0)
    Ld = _chol(C + U)
    if Ld is None:
        return float("inf")
    return primal - (_logdet_chol(Ld) + C.shape[0])


# --------------------------------------------------------------------------- solver


@dataclass
class _SolveInfo:
    iterations: int = 0
    gap: float = 0.0


def _gista(C: np.ndarray, lam: float, P0: np.ndarray, tol: float, max_iter: int, info: _SolveInfo) -> np.ndarray:
    """G-ISTA with Barzilai–Borwein steps on one connected block; stops at gap ≤ tol·max(1, |f|)."""
    P = P0.copy()
    L = _chol(P)
    if L is None:  # a warm start must be PD; fall back to the λ→∞ solution
        P = np.diag(1.0 / np.diag(C))
        L = _chol(P)
    W = _chol_inverse(L)
    smooth = float(np.sum(C * P)) - _logdet_chol(L)
    grad = C - W
    # step bound from the curvature at P: the Hessian W⊗W has largest eigenvalue λ_max(W)²
    t = 1.0 / max(float(np.max(np.sum(np.abs(W), axis=1))) ** 2, 1e-300)
    gap = np.inf
    for it in range(1, max_iter + 1):
        while True:
            Pn = _soft_offdiag(P - t * grad, t * lam)
            Ln = _chol(Pn)
            if Ln is not None:
                D = Pn - P
                smooth_n = float(np.sum(C * Pn)) - _logdet_chol(Ln)
                if smooth_n <= smooth + float(np.sum(grad * D)) + float(np.sum(D * D)) / (2 * t) + 1e-12 * abs(smooth):
                    break
            t *= 0.5
            if t < 1e-20:
                raise FloatingPointError("graphical lasso line search failed (step underflow)")
        Wn = _chol_inverse(Ln)
        dd = float(np.sum(D * D))
        curv = float(np.sum(D * (W - Wn)))  # <D, ∇f(Pn) − ∇f(P)> ≥ 0 (f convex)
        P, L, W, smooth = Pn, Ln, Wn, smooth_n
        grad = C - W
        t = dd / curv if curv > 0 and dd > 0 else 2 * t
        primal = smooth + lam * _offdiag_l1(P)
        gap = _gap(C, P, W, lam, primal)
        if gap <= tol * max(1.0, abs(primal)) or dd == 0.0:
            break
    info.iterations += it
    info.gap = max(info.gap, gap)
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


def _quic(C: np.ndarray, lam: float, P0: np.ndarray, tol: float, max_iter: int, info: _SolveInfo) -> np.ndarray:
    """QUIC proximal Newton (Hsieh et al. 2014) on one block: the Newton direction minimizes the
    quadratic model tr(G D) + ½ tr(W D W D) + λ‖X + D‖₁,off by coordinate descent over the free
    set {X_ij ≠ 0 or |G_ij| > λ}; Armijo line search keeps X positive definite."""
    sweeps = _quic_kernel()
    X = P0.copy()
    L = _chol(X)
    if L is None:
        X = np.diag(1.0 / np.diag(C))
        L = _chol(X)
    W = _chol_inverse(L)
    f = float(np.sum(C * X)) - _logdet_chol(L) + lam * _offdiag_l1(X)
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
        pen = lam * _offdiag_l1(X)
        delta = float(np.sum(G * D)) + lam * _offdiag_l1(X + D) - pen
        step = 1.0
        while True:
            Xn = X + step * D
            Ln = _chol(Xn)
            if Ln is not None:
                fn = float(np.sum(C * Xn)) - _logdet_chol(Ln) + lam * _offdiag_l1(Xn)
                if fn <= f + 1e-3 * step * delta or step < 1e-12:
                    break
            step *= 0.5
            if step < 1e-16:
                raise FloatingPointError("QUIC line search failed (step underflow)")
        X, L, f = Xn, Ln, fn
        W = _chol_inverse(L)
        gap = _gap(C, X, W, lam, f)
        if gap <= tol * max(1.0, abs(f)):
            break
        if delta > -1e-300 or step < 1e-12:
            # the inexact Newton model stalls in round-off: finish with the (monotone) G-ISTA
            info.iterations += it
            return _gista(C, lam, X, tol, max_iter, info)
    info.iterations += it
    info.gap = max(info.gap, gap)
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
    L = _chol(P0)
    if L is not None:
        W0 = _chol_inverse(L)
        W = C + np.clip(W0 - C, -lam, lam)
        np.fill_diagonal(W, np.diag(C))
        if _chol(W) is not None:
            return W
    off = C - np.diag(np.diag(C))
    s = min(1.0, lam / max(float(np.max(np.abs(off))), 1e-300))
    return C - s * off


def _glasso(C: np.ndarray, lam: float, P0: np.ndarray, tol: float, max_iter: int, info: _SolveInfo) -> np.ndarray:
    """Graphical lasso by block coordinate descent (Friedman et al. 2008) on one block, started
    from P0 (warm start: W = P0⁻¹ with W_ii = C_ii); stops at duality gap ≤ tol·max(1, |f|)."""
    sweep = _glasso_kernel()
    W = _dual_start(C, lam, P0)
    L = _chol(W)
    P = _chol_inverse(L)
    gap = np.inf
    scale = float(np.mean(np.diag(C)))
    inner_tol = 1e-4 * lam * scale
    for it in range(1, max_iter + 1):
        if not sweep(C, W, P, lam, inner_tol, 10_000):  # pragma: no cover - safeguard
            info.iterations += it
            return _quic(C, lam, P0, tol, max_iter, info)
        L = _chol(P)
        if L is not None:
            primal = float(np.sum(C * P)) - _logdet_chol(L) + lam * _offdiag_l1(P)
            gap = _gap(C, P, _chol_inverse(L), lam, primal)
            if gap <= tol * max(1.0, abs(primal)):
                break
            # the inner lassos must be solved more accurately than the outer gap asks
            inner_tol = min(inner_tol, max(1e-3 * gap / C.shape[0], 1e-14 * scale))
    info.iterations += it
    info.gap = max(info.gap, gap)
    return P


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


_SOLVERS = {"glasso": _glasso, "quic": _quic, "gista": _gista}


def _solve(C: np.ndarray, lam: float, P0: np.ndarray | None, tol: float, max_iter: int,
           solver: str = "auto") -> tuple[np.ndarray, _SolveInfo]:
    """Screen C into connected blocks of |C_ij| > λ and solve each block (exact decoupling)."""
    n = C.shape[0]
    diag = np.diag(C)
    P = np.diag(1.0 / diag)
    info = _SolveInfo()
    adj = np.abs(C) > lam
    np.fill_diagonal(adj, False)
    if not adj.any():
        return P, info
    if solver == "auto":
        solver = "glasso" if _numba_available() else "gista"
    block_solver = _SOLVERS[solver]
    ncomp, labels = connected_components(csr_matrix(adj), directed=False)
    sizes = np.bincount(labels, minlength=ncomp)
    for comp in np.flatnonzero(sizes > 1):  # loop over blocks, each a dense LAPACK solve
        idx = np.flatnonzero(labels == comp)
        sub = np.ix_(idx, idx)
        start = P0[sub] if P0 is not None else np.diag(1.0 / diag[idx])
        P[sub] = block_solver(C[sub], lam, start, tol, max_iter, info)
    if n:
        P = 0.5 * (P + P.T)
    return P, info


def map_l1(C, lam: float, *, P_init=None, tol: float = 1e-9, max_iter: int = 10_000,
           solver: str = "auto") -> np.ndarray:
    """Graphical-lasso precision: argmin_{P≻0} tr(C P) − log det P + λ Σ_{i≠j} |P_ij|.

    Same objective as ``sklearn.covariance.graphical_lasso(C, alpha=lam)``. In the units of
    the L2 strength γ of ``map_l2``, the L1 strength is γ₁ = α λ (see the module docstring);
    the inferred couplings are J = −P off the diagonal.

    Parameters
    ----------
    C : (N, N) empirical covariance, symmetric positive semi-definite with positive diagonal
        (statgen normalizes Tr C = N, but any scale is accepted).
    lam : penalty λ > 0 on the off-diagonal |P_ij|, in the units of C (at the optimum
        |(P⁻¹ − C)_ij| ≤ λ; λ ≥ max_{i≠j} |C_ij| gives the diagonal P = 1/C_ii).
    P_init : optional positive-definite warm start (e.g. the solution at a nearby λ).
    tol : stop when the duality gap ≤ tol × max(1, |objective|), a certified bound on the
        relative objective error.
    max_iter : maximum outer iterations per connected block.
    solver : "auto" (glasso with numba, else gista), "glasso", "quic" or "gista".

    Returns
    -------
    P : (N, N) symmetric positive-definite precision matrix.
    """
    C = _check_covariance(C, "C")
    lam = check_positive(lam, "lam")
    tol = check_positive(tol, "tol")
    if P_init is not None:
        P_init = check_positive_definite(P_init, "P_init")
        if P_init.shape != C.shape:
            raise ValueError(f"P_init must have shape {C.shape}, got {P_init.shape}")
    P, _ = _solve(C, lam, P_init, tol, int(max_iter), _check_solver(solver))
    return P


def _check_solver(solver: str) -> str:
    if solver != "auto" and solver not in _SOLVERS:
        raise ValueError(f"solver must be 'auto' or one of {sorted(_SOLVERS)}, got {solver!r}")
    if solver in ("glasso", "quic") and not _numba_available():
        raise ImportError(f"solver {solver!r} needs numba: pip install numba (or 'statgen[bayes]')")
    return solver


# --------------------------------------------------------------------------- path


class _L1Problem:
    """Graphical-lasso solutions along a path, solved lazily, each warm-started from the nearest
    solution already known (in log γ₁); gives the likelihood curves at any γ₁ = α λ."""

    def __init__(self, C, alpha, tol, max_iter, solver, truth=None, C_test=None):
        self.C, self.alpha, self.tol, self.max_iter, self.solver = C, alpha, tol, max_iter, solver
        self.truth, self.C_test = truth, C_test  # truth = (C_true, P_true, logdet P_true)
        self.n = C.shape[0]
        self._cache: dict[float, tuple[np.ndarray, dict]] = {}

    def solve(self, log_gamma: float) -> tuple[np.ndarray, dict]:
        if log_gamma in self._cache:
            return self._cache[log_gamma]
        start = None
        if self._cache:
            start = self._cache[min(self._cache, key=lambda x: abs(x - log_gamma))][0]
        lam = float(np.exp(log_gamma)) / self.alpha
        P, _ = _solve(self.C, lam, start, self.tol, self.max_iter, self.solver)
        out = (P, self._curves(P, lam))
        self._cache[log_gamma] = out
        return out

    def _curves(self, P: np.ndarray, lam: float) -> dict[str, float]:
        n = self.n
        L = _chol(P)
        logdet = _logdet_chol(L)
        W = _chol_inverse(L)
        score = lambda M: (logdet - float(np.sum(M * P))) / (2 * n)  # noqa: E731  ℓ(P; M)
        nan = float("nan")
        cv = {"train": score(self.C), "gen": (logdet - n) / (2 * n),
              "test": nan, "test_set": nan, "gen_true": nan,
              "penalty": lam * _offdiag_l1(P) / (2 * n),
              "n_edges": float(np.count_nonzero(np.triu(P, 1)))}
        if self.truth is not None:
            C_true, P_true, logdet_true = self.truth
            cv["test"] = score(C_true)
            cv["gen_true"] = (logdet_true - float(np.sum(W * P_true))) / (2 * n)
        if self.C_test is not None:
            cv["test_set"] = score(self.C_test)
        return cv

    def at(self, key: str, log_gamma: float) -> float:
        return self.solve(float(log_gamma))[1][key]

    def at_combo(self, fn, log_gamma: float) -> float:
        return float(fn(self.solve(float(log_gamma))[1]))


@dataclass(frozen=True)
class L1Path:
    """Likelihood curves (per site, nats) of the graphical-lasso MAP along a path; see :func:`l1_path`.

    Same fields and meaning as :class:`statgen.graphical.L2Path`, with ``gammas`` the L1 strengths
    γ₁ = α λ; ``lams`` the graphical-lasso penalties λ = γ₁/α, ``n_edges`` the number of non-zero
    couplings i < j, ``penalty`` = λ Σ_{i≠j} |P_ij| / (2N) (= train − gen at the optimum).
    """

    gammas: np.ndarray
    lams: np.ndarray
    alpha: float
    train: np.ndarray
    test: np.ndarray
    test_set: np.ndarray
    gen: np.ndarray
    gen_true: np.ndarray
    penalty: np.ndarray
    n_edges: np.ndarray
    gamma_opt: float
    gamma_cross: float
    gamma_half: float
    gamma_pred: float
    at_opt: dict = field(default_factory=dict)
    precisions: np.ndarray | None = None

    def as_dict(self) -> dict[str, np.ndarray]:
        """Flat dict of arrays (for ``np.savez``); the precisions are left out."""
        d = {k: np.asarray(getattr(self, k)) for k in
             ("gammas", "lams", "alpha", "train", "test", "test_set", "gen", "gen_true", "penalty",
              "n_edges", "gamma_opt", "gamma_cross", "gamma_half", "gamma_pred")}
        d.update({f"{k}_at_opt": np.asarray(v) for k, v in self.at_opt.items()})
        return d


def _truth(C_true, J_true, n: int):
    """(C_true, P_true, log det P_true, predicted γ) from a true covariance or true couplings."""
    from statgen.graphical.gaussian import SphericalGaussian, predicted_gamma

    if C_true is not None and J_true is not None:
        raise ValueError("give C_true or J_true, not both")
    if J_true is not None:
        model = J_true if isinstance(J_true, SphericalGaussian) else SphericalGaussian(J_true)
        if model.n != n:
            raise ValueError(f"J_true must have shape ({n}, {n}), got {model.J.shape}")
        return (model.covariance, model.precision, model.logdet_precision), model.predicted_gamma
    if C_true is None:
        return None, float("nan")
    C_true = check_positive_definite(C_true, "C_true")
    if C_true.shape != (n, n):
        raise ValueError(f"C_true must have shape ({n}, {n}), got {C_true.shape}")
    L = _chol(C_true)
    P_true = _chol_inverse(L)
    return (C_true, P_true, -_logdet_chol(L)), predicted_gamma(-P_true)


def l1_path(C, gammas, alpha: float, *, C_true=None, J_true=None, C_test=None, tol: float = 1e-8,
            max_iter: int = 10_000, refine: bool = True, keep_precisions: bool = False,
            solver: str = "auto", progress: bool = False) -> L1Path:
    """Graphical-lasso MAP along a path of L1 strengths γ₁ = α λ, with warm starts.

    For each γ₁ the precision is :func:`map_l1` at λ = γ₁/α, solved from the largest γ₁ down
    (sparse to dense), each solve warm-started from the previous one. With
    ℓ(P; M) = [log det P − Tr(M P)]/(2N) (per site, nats, no 2π term; equal to
    ½ Tr(J M)/N − log Z(J) of the spherical convention since W_ii = C_ii gives Tr P⁻¹ = Tr C = N):

    - ``train = ℓ(P; C)``, ``test = ℓ(P; C_true)`` (exact expectation), ``test_set = ℓ(P; C_test)``;
    - ``gen = ℓ(P; P⁻¹) = [log det P − N]/(2N)`` (data generated by the inferred model, scored by it);
      stationarity gives ``gen = train − λ Σ_{i≠j}|P_ij|/(2N)``, the L1 analogue of the L2 identity;
    - ``gen_true = ℓ(P_true; P⁻¹)`` (generated data scored by the true model).

    ``gamma_opt`` (argmax of test), ``gamma_cross`` (gen = test, the crossing nearest γ_opt) and
    ``gamma_half`` (gen = (train + test)/2) are located on the grid and refined (``refine``) by
    Brent's method on warm-started solves, exactly as :func:`statgen.graphical.l2_path` does.

    Parameters
    ----------
    C : (N, N) training covariance (Tr C = N), PSD with positive diagonal.
    gammas : (G,) L1 strengths γ₁ > 0 (any order; returned sorted increasingly).
    alpha : sample ratio B/N > 0.
    C_true, J_true : the truth, as a covariance or as couplings / :class:`SphericalGaussian`.
    C_test : covariance of a finite test set.
    tol : relative duality-gap tolerance of every solve (certifies the objective to ``tol``).
    keep_precisions : also return the (G, N, N) precisions.
    solver : see :func:`map_l1`.
    """
    from statgen.graphical.gaussian import (
        _argmax_refined,
        _check_gammas,
        _gen_minus_half,
        _gen_minus_half_set,
        _gen_minus_test,
        _gen_minus_test_set,
        _root_near,
    )

    C = _check_covariance(C, "C")
    n = C.shape[0]
    g = np.sort(_check_gammas(gammas))
    alpha = check_positive(alpha, "alpha")
    tol = check_positive(tol, "tol")
    truth, gamma_pred = _truth(C_true, J_true, n)
    if C_test is not None:
        C_test = _check_covariance(C_test, "C_test")
        if C_test.shape != (n, n):
            raise ValueError(f"C_test must have shape ({n}, {n}), got {C_test.shape}")
    problem = _L1Problem(C, alpha, tol, int(max_iter), _check_solver(solver), truth, C_test)
    lg = np.log(g)
    keys = ("train", "test", "test_set", "gen", "gen_true", "penalty", "n_edges")
    cv = {k: np.empty(g.size) for k in keys}
    precisions = np.empty((g.size, n, n)) if keep_precisions else None
    with progress_bar(total=g.size, desc="L1 path", progress=progress) as bar:
        for i in range(g.size - 1, -1, -1):  # sparse to dense: the cheap warm-start direction
            P, c = problem.solve(float(lg[i]))
            for k in keys:
                cv[k][i] = c[k]
            if keep_precisions:
                precisions[i] = P
            bar.update(1)
    if truth is not None:
        key, cross, half = "test", _gen_minus_test, _gen_minus_half
    else:
        key, cross, half = "test_set", _gen_minus_test_set, _gen_minus_half_set
    x_opt = x_cross = x_half = np.nan
    if truth is not None or C_test is not None:
        if refine:
            x_opt = _argmax_refined(problem, key, lg, cv[key])
        else:
            x_opt = float(lg[int(np.nanargmax(cv[key]))])
        if refine:
            x_cross = _root_near(problem, cross, lg, cross(cv), x_opt)
            x_half = _root_near(problem, half, lg, half(cv), x_opt)
        else:
            x_cross = _grid_root(lg, cross(cv), x_opt)
            x_half = _grid_root(lg, half(cv), x_opt)
    at_opt = {}
    if np.isfinite(x_opt):
        c = problem.solve(float(x_opt))[1]
        at_opt = {k: c[k] for k in ("train", "test", "test_set", "gen", "gen_true")}
    return L1Path(gammas=g, lams=g / alpha, alpha=alpha, train=cv["train"], test=cv["test"],
                  test_set=cv["test_set"], gen=cv["gen"], gen_true=cv["gen_true"], penalty=cv["penalty"],
                  n_edges=cv["n_edges"].astype(np.int64), gamma_opt=float(np.exp(x_opt)),
                  gamma_cross=float(np.exp(x_cross)), gamma_half=float(np.exp(x_half)),
                  gamma_pred=float(gamma_pred), at_opt=at_opt, precisions=precisions)


def _grid_root(lg: np.ndarray, v: np.ndarray, x0: float) -> float:
    """Linear interpolation (in log γ) of the sign change of ``v`` nearest ``x0``; NaN if none."""
    ok = np.flatnonzero(np.isfinite(v[:-1]) & np.isfinite(v[1:]) & (np.sign(v[:-1]) * np.sign(v[1:]) <= 0))
    if ok.size == 0 or not np.isfinite(x0):
        return np.nan
    i = int(ok[np.argmin(np.maximum(0.0, np.maximum(lg[ok] - x0, x0 - lg[ok + 1])))])
    if v[i] == v[i + 1]:
        return float(lg[i])
    return float(lg[i] + (lg[i + 1] - lg[i]) * v[i] / (v[i] - v[i + 1]))


def l1_sweep(model, alphas, gammas, n_samples: int, *, rng: np.random.Generator, tol: float = 1e-8,
             refine: bool = True, progress: bool = False) -> dict[str, np.ndarray]:
    """L1 paths for ``n_samples`` Wishart training sets at each sample ratio (as ``l2_sweep``).

    Parameters
    ----------
    model : :class:`statgen.graphical.SphericalGaussian`, the truth.
    alphas : (A,) sample ratios (B = round(α N), at least 1).
    gammas : (G,) L1 strengths γ₁ = α λ.

    Returns
    -------
    dict with ``train, test, gen, gen_true, n_edges`` (A, S, G); ``gamma_opt, gamma_cross,
    gamma_half, train_opt, test_opt, gen_opt, gen_true_opt, train_max`` (A, S); ``gammas``,
    ``alphas`` (realized B/N), ``gamma_pred``.
    """
    from statgen.graphical.gaussian import sweep_paths

    return sweep_paths(
        lambda C, g, alpha: l1_path(C, g, alpha, J_true=model, tol=tol, refine=refine),
        model, alphas, gammas, n_samples, rng=rng,
        curve_keys=("train", "test", "gen", "gen_true", "n_edges"), desc="L1 paths", progress=progress,
    )
