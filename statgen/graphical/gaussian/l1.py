"""Gaussian L1 MAP inference: the graphical lasso.

The graphical lasso precision (off-diagonal penalty, as scikit-learn's ``graphical_lasso``)

    P̂(λ) = argmin_{P ≻ 0}  tr(C P) − log det P + λ Σ_{i≠j} |P_ij|

is the L1 counterpart of the L2 MAP :func:`statgen.graphical.map_l2`. With the per-site
log-likelihood ℓ(P; C) = [−tr(C P) + log det P] / (2N) and J = −P off the diagonal, the objective
above equals −(2N/α) × [α ℓ(J; C) − (γ₁ / 2N) Σ_{i≠j} |J_ij|] with

    γ₁ = α λ,

the L1 strength in the units of the L2 strength γ of ``map_l2`` (same weight α on ℓ). Paths are
therefore reported against γ₁ = α λ, as in Fanthomme, Rizzato, Cocco & Monasson (2022),
J. Stat. Mech. (2022), arXiv:2112.01292.

Solvers (all stop on a certified duality gap, use exact block screening, Witten et al. 2011;
Mazumder & Hastie 2012: the connected components of the graph |C_ij| > λ decouple, and warm
starts along the path; see :mod:`statgen.graphical.gaussian.l1_solvers`):

- ``"glasso"`` (default when numba is installed): block coordinate descent of Friedman et al.
  (2008), each column a lasso solved by coordinate descent with active-set passes, compiled with
  numba; warm-started from the previous precision on a path;
- ``"quic"``: proximal Newton (Hsieh et al. 2014), coordinate-descent Newton directions (numba);
- ``"gista"``: proximal gradient on the primal (Rolfs et al. 2012) with Barzilai–Borwein steps and
  a backtracking that keeps P positive definite; dense LAPACK only, the fallback without numba.

References
----------
D. Witten, J. Friedman, N. Simon, "New insights and faster computations for the graphical
lasso", J. Comput. Graph. Stat. 20, 892 (2011).
R. Mazumder, T. Hastie, "Exact covariance thresholding into connected components for large-scale
graphical lasso", J. Mach. Learn. Res. 13, 781 (2012).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from statgen._checks import check_choice, check_int, check_nonnegative, check_positive
from statgen.graphical.gaussian._linalg import (
    check_covariance,
    check_precision,
    cholesky,
    cholesky_inverse,
    logdet_cholesky,
)
from statgen.graphical.gaussian.l1_solvers import (
    SOLVERS,
    SolveInfo,
    duality_gap,
    numba_available,
    offdiag_l1,
)

__all__ = ["map_l1", "l1_objective", "l1_duality_gap"]


def _objective_args(C, P, lam) -> tuple[np.ndarray, np.ndarray, float]:
    C = check_covariance(C, "C", psd=False)
    P = check_covariance(P, "P", n=C.shape[0], psd=False)
    return C, P, check_nonnegative(lam, "lam")


def l1_objective(C, P, lam: float) -> float:
    """Graphical-lasso objective tr(C P) − log det P + λ Σ_{i≠j} |P_ij| (dimensionless).

    Returns ``inf`` when P is not positive definite (outside the domain). C and P are finite
    symmetric N × N matrices, λ ≥ 0.
    """
    C, P, lam = _objective_args(C, P, lam)
    L = cholesky(P)
    if L is None:
        return float("inf")
    return float(np.sum(C * P)) - logdet_cholesky(L) + lam * offdiag_l1(P)


def l1_duality_gap(C, P, lam: float) -> float:
    """Duality gap of the graphical lasso at P (an upper bound on objective(P) − min objective).

    The dual is max_U log det(C + U) + N over U with zero diagonal and |U_ij| ≤ λ; the dual point
    is U = clip(P⁻¹ − C, −λ, λ) off the diagonal. Returns ``inf`` if P is not positive definite or
    C + U is singular. λ > 0.
    """
    C, P, lam = _objective_args(C, P, lam)
    if lam == 0:
        raise ValueError("lam must be > 0 for the duality gap, got 0")
    L = cholesky(P)
    if L is None:
        return float("inf")
    primal = float(np.sum(C * P)) - logdet_cholesky(L) + lam * offdiag_l1(P)
    return duality_gap(C, P, cholesky_inverse(L), lam, primal)


def check_solver(solver: str) -> str:
    solver = check_choice(solver, "solver", ("auto", *sorted(SOLVERS)))
    if solver in ("glasso", "quic") and not numba_available():
        raise ImportError(f"solver {solver!r} needs numba: pip install numba (or 'statgen[bayes]')")
    return solver


def check_l1_settings(tol, max_iter, solver) -> tuple[float, int, str]:
    return check_positive(tol, "tol"), check_int(max_iter, "max_iter", minimum=1), check_solver(solver)


def solve_l1(C: np.ndarray, lam: float, P0: np.ndarray | None, tol: float, max_iter: int,
             solver: str = "auto") -> tuple[np.ndarray, SolveInfo]:
    """Screen C into connected blocks of |C_ij| > λ and solve each block (exact decoupling).

    Hot path of the L1 path: :func:`map_l1` and :func:`statgen.graphical.l1_path` check the input.
    """
    diag = np.diag(C)
    P = np.diag(1.0 / diag)
    info = SolveInfo()
    adj = np.abs(C) > lam
    np.fill_diagonal(adj, False)
    if not adj.any():
        return P, info
    if solver == "auto":
        solver = "glasso" if numba_available() else "gista"
    block_solver = SOLVERS[solver]
    ncomp, labels = connected_components(csr_matrix(adj), directed=False)
    sizes = np.bincount(labels, minlength=ncomp)
    for comp in np.flatnonzero(sizes > 1):  # loop over blocks, each a dense LAPACK solve
        idx = np.flatnonzero(labels == comp)
        sub = np.ix_(idx, idx)
        start = P0[sub] if P0 is not None else np.diag(1.0 / diag[idx])
        P[sub] = block_solver(C[sub], lam, start, tol, max_iter, info)
    return 0.5 * (P + P.T), info


def map_l1(C, lam: float, *, P_init=None, tol: float = 1e-9, max_iter: int = 10_000,
           solver: str = "auto") -> np.ndarray:
    """Graphical-lasso precision: argmin_{P≻0} tr(C P) − log det P + λ Σ_{i≠j} |P_ij|.

    Same objective as ``sklearn.covariance.graphical_lasso(C, alpha=lam)``. In the units of the L2
    strength γ of ``map_l2``, the L1 strength is γ₁ = α λ (see the module docstring); the inferred
    couplings are J = −P off the diagonal.

    Parameters
    ----------
    C : (N, N) empirical covariance, symmetric positive semi-definite with positive diagonal
        (statgen normalizes Tr C = N, but any scale is accepted).
    lam : penalty λ > 0 on the off-diagonal |P_ij|, in the units of C (at the optimum
        |(P⁻¹ − C)_ij| ≤ λ; λ ≥ max_{i≠j} |C_ij| gives the diagonal P = 1/C_ii).
    P_init : optional positive-definite warm start (e.g. the solution at a nearby λ).
    tol : stop when the duality gap ≤ tol × max(1, |objective|), a certified bound on the relative
        objective error; > 0.
    max_iter : maximum outer iterations per connected block, ≥ 1.
    solver : "auto" (glasso with numba, else gista), "glasso", "quic" or "gista".

    Returns
    -------
    P : (N, N) symmetric positive-definite precision matrix.
    """
    C = check_covariance(C, "C", positive_diagonal=True)
    lam = check_positive(lam, "lam")
    tol, max_iter, solver = check_l1_settings(tol, max_iter, solver)
    if P_init is not None:
        P_init, _ = check_precision(P_init, "P_init", C.shape[0])
    P, _ = solve_l1(C, lam, P_init, tol, max_iter, solver)
    return P
