"""The composite-likelihood information criterion (CLIC) of a fitted Palm likelihood.

For a composite log-likelihood ℓ(ψ; X) maximized at ψ̂, the expected optimism of ℓ(ψ̂; X) as an
estimate of the expected log composite likelihood of a new pattern is tr(J H⁻¹) (to first order),
with the *sensitivity* H = −E ∇²ℓ(ψ) and the *variability* J = Var ∇ℓ(ψ) (the score's variance).
The criterion is

    CLIC = −2 ℓ(ψ̂; X) + 2 tr(Ĵ Ĥ⁻¹),

smaller is better. For a genuine likelihood J = H and the penalty is the parameter count k (AIC);
for the Palm likelihood the pairs are dependent, J ≠ H, and 2k understates the penalty.

Estimators used here: Ĥ = −∇²ℓ(ψ̂; X) by central second differences on the observed pattern;
Ĵ = the sample covariance of ∇ℓ(ψ̂; X_b) over B patterns X_b simulated from the fitted model
(parametric bootstrap of the score at the fitted parameters, central first differences; seeded by
the caller's ``rng``). The bootstrap estimate of J is consistent when the model is right and
needs no refits; its Monte Carlo error on tr(J H⁻¹) is reported (``penalty_se``, from the
replicates of sᵀ H⁻¹ s).

Two-step fits (a first-order trend by Poisson likelihood, then the cluster parameters by the Palm
likelihood, as kppm and :class:`~statgen.pointprocess.parent_covariates.ParentCovariateFit` do) are
M-estimators with stacked estimating functions U = (∇₁ℓ_Poisson, ∇₂ℓ_P); ψ̂ − ψ ≈ H_U⁻¹ U with
H_U = −∂U/∂ψ, so the optimism E[(ψ̂ − ψ)·∇ℓ_P] is tr(H_U⁻¹ Cov(U, ∇ℓ_P)) (the generalized
information criterion of Konishi & Kitagawa 1996), estimated the same way.

References
----------
Varin, C., Vidoni, P. (2005). A note on composite likelihood inference and model selection.
Biometrika 92, 519–528. doi:10.1093/biomet/92.3.519
Tanaka, U., Ogata, Y., Stoyan, D. (2008). Parameter estimation and model selection for
Neyman–Scott point processes. Biometrical Journal 50, 43–57. doi:10.1002/bimj.200610339
Konishi, S., Kitagawa, G. (1996). Generalised information criteria in model selection. Biometrika
83, 875–890. doi:10.1093/biomet/83.4.875 (the penalty of M-estimators: two-step fits).
Varin, C., Reid, N., Firth, D. (2011). An overview of composite likelihood methods. Statistica
Sinica 21, 5–42 (estimating J by the parametric bootstrap of the score).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient", "numerical_hessian", "clic"]


def numerical_gradient(f: Callable[[np.ndarray], float], psi: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """∇f by central differences with per-coordinate ``steps`` (inner helper)."""
    g = np.empty(psi.size)
    for k in range(psi.size):
        e = np.zeros(psi.size)
        e[k] = steps[k]
        g[k] = (f(psi + e) - f(psi - e)) / (2 * steps[k])
    return g


def numerical_hessian(f: Callable[[np.ndarray], float], psi: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """∇²f by central second differences (symmetric; inner helper)."""
    k = psi.size
    H = np.empty((k, k))
    f0 = f(psi)
    for a in range(k):
        ea = np.zeros(k)
        ea[a] = steps[a]
        H[a, a] = (f(psi + ea) - 2 * f0 + f(psi - ea)) / steps[a] ** 2
        for b in range(a):
            eb = np.zeros(k)
            eb[b] = steps[b]
            H[a, b] = H[b, a] = (f(psi + ea + eb) - f(psi + ea - eb) - f(psi - ea + eb) + f(psi - ea - eb)) \
                / (4 * steps[a] * steps[b])
    return H


def clic(loglik: Callable[[np.ndarray, object], float], psi: np.ndarray, data, simulate_data: Callable[[], object],
         n_boot: int, steps: np.ndarray, *, first_order: Callable[[np.ndarray, object], float] | None = None,
         n_first: int = 0) -> dict:
    """CLIC of a fitted composite likelihood (module docstring), for one- or two-step estimators.

    loglik : ``loglik(psi, data) -> float``, the composite log-likelihood ℓ of a pattern's prepared data.
    psi : the fitted parameters (k,); data : the observed pattern's prepared data.
    simulate_data : ``() -> data`` of a new pattern simulated from the fitted model (draws from the
        caller's seeded generator).
    n_boot : B ≥ 2 bootstrap patterns; steps : finite-difference steps (k,).
    first_order, n_first : for a two-step fit, the first step's log-likelihood (e.g. the Poisson
        likelihood of the trend) whose gradient in ψ₁..ψ_{n_first} is the first step's estimating
        function; the remaining coordinates solve ∇ℓ = 0. The penalty is then the generalized one
        (Konishi & Kitagawa 1996), tr(Ĥ_U⁻¹ Cov(U, ∇ℓ)) with U the stacked estimating functions and
        Ĥ_U = −∂U/∂ψ; it reduces to tr(Ĵ Ĥ⁻¹) when U = ∇ℓ.

    Returns ``loglik``, ``penalty``, ``penalty_se`` (its Monte Carlo standard error), ``clic`` =
    −2ℓ + 2·penalty, ``H`` (Ĥ_U), ``J`` (Cov(U, ∇ℓ)) and the bootstrap ``scores`` (B, k) of ℓ.
    Raises ValueError when Ĥ_U is singular or, for a one-step fit, not positive definite (ψ̂ is then
    not a local maximum of ℓ)."""
    psi = np.asarray(psi, float)
    ll = float(loglik(psi, data))
    H = -numerical_hessian(lambda p: loglik(p, data), psi, steps)
    if first_order is not None and n_first:
        H[:n_first] = -numerical_hessian(lambda p: first_order(p, data), psi, steps)[:n_first]
    else:
        H = 0.5 * (H + H.T)
        evals = np.linalg.eigvalsh(H)
        if not evals.min() > 0:
            raise ValueError(f"the sensitivity matrix −∇²ℓ at the fit is not positive definite (eigenvalues "
                             f"{np.round(evals, 6).tolist()}): the fitted parameters are not a local maximum")
    if not np.linalg.cond(H) < 1e12:
        raise ValueError(f"the sensitivity matrix at the fit is singular (condition number {np.linalg.cond(H):.3g})")
    scores, U = [], []
    for _ in range(n_boot):
        d = simulate_data()
        s = numerical_gradient(lambda p, d=d: loglik(p, d), psi, steps)
        u = s.copy()
        if first_order is not None and n_first:
            u[:n_first] = numerical_gradient(lambda p, d=d: first_order(p, d), psi, steps)[:n_first]
        scores.append(s)
        U.append(u)
    scores, U = np.asarray(scores), np.asarray(U)
    Hinv = np.linalg.inv(H)
    cs, cu = scores - scores.mean(axis=0), U - U.mean(axis=0)
    quad = np.einsum("bi,bi->b", cu @ Hinv.T, cs)  # (Ĥ_U⁻¹ U_b) · s_b, centred
    penalty = float(quad.sum() / (n_boot - 1))
    penalty_se = float(quad.std(ddof=1) / np.sqrt(n_boot))
    J = cu.T @ cs / (n_boot - 1)
    return {"loglik": ll, "penalty": penalty, "penalty_se": penalty_se, "clic": -2 * ll + 2 * penalty,
            "H": H, "J": J, "scores": scores}
