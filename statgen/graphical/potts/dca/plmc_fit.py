"""plmc's pseudo-likelihood problem in statgen's terms: its objective, the λ conversion, the fit.

plmc minimizes (J. Hopf et al., Nat. Biotechnol. 35, 128 (2017); its source, inference.c)

    f = −Σ_m w_m Σ_i log P(s_mi | s_m,−i) + λ_h Σ_i ‖h_i‖² + λ_e Σ_{i<j} ‖e_ij‖²_F
        + λ_g Σ_{i<j} √(10⁻³ + ‖e_ij‖²_F)

(no ½, λ not rescaled; the group term is plmc's ``-lg``, off by default). statgen's PLM minimizes the per-sample
F = −(1/N_eff) Σ_m w_m Σ_i log P + (γ L/N_eff)((q − 1)²/2) Σ_{i<j} ‖J_ij‖² + (γ_h/2) Σ ‖h_i‖²
(:mod:`statgen.graphical.potts.inference.penalty`), so f = N_eff F exactly when

    λ_e = γ (q − 1)² L / 2,    λ_h = γ_h N_eff / 2,    λ_g = N_eff × group_l1,

with q the number of modelled states (q − 1 = 19 for proteins with ``gap_ignore``, where plmc
models the 20 residues only). plmc's gap-ignore (``-g``) is statgen's ``gap_ignore``: a gap is
neither predicted nor felt by the other sites.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_int, check_nonnegative
from statgen.graphical.potts.inference.plm import PseudoLikelihoodPotts, plm_objective
from statgen.graphical.potts.model import PottsModel

__all__ = ["plmc_gammas", "plmc_objective", "fit_plmc", "plm_memory_bytes"]


def plmc_gammas(lambda_e: float, lambda_h: float, *, L: int, q: int, neff: float) -> tuple[float, float]:
    """(γ, γ_h) of statgen's PLM equal to plmc's (λ_e, λ_h) for L sites and q modelled states."""
    lambda_e = check_nonnegative(lambda_e, "lambda_e")
    lambda_h = check_nonnegative(lambda_h, "lambda_h")
    L = check_int(L, "L", minimum=1)
    q = check_int(q, "q", minimum=2)
    neff = float(neff)
    if not neff > 0 or not np.isfinite(neff):
        raise ValueError(f"neff must be a positive finite number, got {neff}")
    return 2.0 * lambda_e / ((q - 1) ** 2 * L), 2.0 * lambda_h / neff


def plmc_objective(model: PottsModel, states, weights, *, lambda_e: float, lambda_h: float,
                   lambda_g: float = 0.0, gap_ignore: bool = False) -> float:
    """plmc's objective f (module docstring) of ``model`` on (M, L) ``states`` with ``weights`` (M,).

    With ``gap_ignore`` the states are in [0, model.q] with 0 the gap (the model has no gap state)."""
    w = np.asarray(weights, dtype=float)
    gamma, gamma_h = plmc_gammas(lambda_e, lambda_h, L=model.L, q=model.q, neff=w.sum())
    lambda_g = check_nonnegative(lambda_g, "lambda_g")
    return float(w.sum()) * plm_objective(model, states, gamma=gamma, gamma_h=gamma_h, weights=w,
                                          gap_ignore=gap_ignore, group_l1=lambda_g / w.sum())


def fit_plmc(states, weights, q: int, *, lambda_e: float = 100.0, lambda_h: float = 0.01, lambda_g: float = 0.0,
             max_iter: int = 0, gap_ignore: bool = False, device=None, dtype=None,
             callback=None) -> PseudoLikelihoodPotts:
    """Fit plmc's problem; returns the fitted :class:`PseudoLikelihoodPotts` (``model_``, and
    ``objective_`` in statgen's per-sample units: plmc's f = N_eff × ``objective_``).

    ``q``: the states of the data (21 for proteins; the model has q − 1 with ``gap_ignore``).
    ``max_iter``: L-BFGS iterations (0: until converged, as plmc, capped at 10 000). plmc stops
    when ‖∇f‖ < 10⁻³ max(1, ‖θ‖); statgen's L-BFGS stops when max |∇F| < 10⁻³ max(1, ‖θ₀‖)/N_eff,
    the same scale. L-BFGS keeps 6 pairs of vectors, as plmc's liblbfgs. ``callback(iteration, f)``
    receives plmc's f."""
    w = np.asarray(weights, dtype=float)
    q = check_int(q, "q", minimum=2)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    s = np.asarray(states)
    if s.ndim != 2:
        raise ValueError(f"states must be (M, L), got shape {s.shape}")
    neff = float(w.sum())
    q_model = q - 1 if gap_ignore is True else q
    gamma, gamma_h = plmc_gammas(lambda_e, lambda_h, L=s.shape[1], q=q_model, neff=neff)
    lambda_g = check_nonnegative(lambda_g, "lambda_g")
    tol = 1e-3 * max(1.0, np.sqrt(s.shape[1])) / neff
    report = None if callback is None else (lambda k, f: callback(k, f * neff))
    est = PseudoLikelihoodPotts("l2", gamma, gamma_h=gamma_h, max_iter=max_iter or 10_000, tol=tol,
                                gap_ignore=gap_ignore, device=device, dtype=dtype, callback=report, history=6,
                                group_l1=lambda_g / neff)
    return est.fit(s, q, weights=w)


def plm_memory_bytes(M: int, L: int, q: int, *, itemsize: int = 8) -> float:
    """Estimated peak bytes of a PLM fit on M sequences × L sites with q modelled states: the
    (M, L·q) temporaries of the objective (2 of them) and indices, the dense (L·q)² coupling matrix
    with its gradient and L-BFGS's 6 pairs of history vectors and ~8 work vectors over the
    L·q + L(L−1)/2·q² parameters."""
    n_par = L * q + L * (L - 1) // 2 * q * q
    return float(M * L * (24 + 2 * q * itemsize) + 3 * (L * q) ** 2 * itemsize + 20 * n_par * itemsize)
