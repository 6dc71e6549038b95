"""Symmetric pseudo-likelihood maximization (plmDCA-style) of Potts models, by L-BFGS.

Minimizes the per-sample objective

    F = −(1/M_eff) Σ_m w_m Σ_i log P(s_mi | s_m,−i) + (γ/α) r(J) + (γ_h/2) ||h||²,

P(s_i = a | s_−i) = softmax_a[h_i(a) + Σ_{j≠i} J_ij(a, s_j)], with the penalty convention of
:mod:`statgen.graphical.potts.inference.penalty`. The objective and its gradient are two sparse
products of cost M·L·(L·q) each (``embedding_bag`` over the rows of the flat couplings).

References
----------
M. Ekeberg, C. Lövkvist, Y. Lan, M. Weigt, E. Aurell, "Improved contact prediction in proteins:
using pseudolikelihoods to infer Potts models", Phys. Rev. E 87, 012707 (2013).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from statgen._checks import check_int, check_int_states, check_positive
from statgen.graphical.potts.inference._optimize import minimize
from statgen.graphical.potts.inference._problem import Problem, make_problem
from statgen.graphical.potts.inference.base import PenalizedPotts
from statgen.graphical.potts.model import PottsModel, check_model

__all__ = ["PseudoLikelihoodPotts", "fit_plm", "plm_objective"]

#: floats per (sample, site, state) the objective holds at once (fields, log-probabilities, residuals)
WORK = 3


def plm_value_grad(p: Problem, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric PLM objective and gradient.

    H = h + onehot(s) @ W (one embedding_bag over rows of W), conditional log-probabilities by
    log-softmax over the q states of each site, and the gradient onehotᵀ @ R (one embedding_bag
    over rows of R = w (softmax − onehot)): two sparse products of cost M·L·(L·q) each.

    Hot inner function: the estimator and :func:`plm_objective` check the data and θ's layout.
    """
    L, q = p.L, p.q
    pad = p.valid is not None  # ignored gaps: index L·q is the (skipped) padding row of W; their terms masked out
    h, Jp, W = p.unpack(x, pad=pad)
    M = p.idx.shape[0]
    start = torch.arange(L, device=x.device) * q
    H = F.embedding_bag(p.idx, W, mode="sum", padding_idx=L * q if pad else None)
    H += h
    H = H.view(M, L, q)
    H -= torch.logsumexp(H, 2, keepdim=True)  # in place: H holds log P(a | s_−i) from here on
    idx = torch.where(p.valid, p.idx, start) if pad else p.idx
    lp = H.gather(2, (idx - start)[..., None])[..., 0]
    mask = p.valid.to(H.dtype) if pad else torch.ones_like(lp)
    ll = (lp * mask).sum(1) if pad else lp.sum(1)  # (M,) pseudo-log-likelihood
    R = H.exp_()  # in place: softmax
    if pad:
        R *= mask[..., None]
    R = R.view(M, L * q)
    R.scatter_add_(1, idx, -mask)
    R *= p.w[:, None]
    members, offsets = p.transposed_bags()
    G = F.embedding_bag(members, R, offsets, mode="sum")
    pen, gh, gJ = p.penalty_value_grad(h, Jp)
    f = -(p.w @ ll) + pen
    return f, torch.cat([R.sum(0) + gh, (p.pair_grad(G) + gJ).reshape(-1)])


def plm_objective(model: PottsModel, s, *, penalty: str = "l2", gamma: float = 0.0, gamma_h: float = 0.0,
                  weights=None, l1_eps: float = 0.0, gap_ignore: bool = False, group_l1: float = 0.0) -> float:
    """Penalized negative symmetric pseudo-log-likelihood per sample (the quantity :func:`fit_plm` minimizes).

    With ``gap_ignore`` the states s are in [0, model.q] with 0 a gap that is not modelled (see
    :class:`PseudoLikelihoodPotts`)."""
    check_model(model)
    if gap_ignore is True:
        s = check_int_states(s, "s", model.q + 1)
    else:
        s = model.check_states(s)
    p = make_problem(s, model.q + (gap_ignore is True), penalty, gamma, gamma_h, weights, l1_eps, "cpu",
                     torch.float64, work_per_entry=WORK, gap_ignore=gap_ignore, group_l1=group_l1)
    return float(plm_value_grad(p, p.pack(model))[0])


class PseudoLikelihoodPotts(PenalizedPotts):
    """Symmetric pseudo-likelihood maximization (plmDCA-style) with an L1 or L2 penalty, by L-BFGS.

    Minimizes F = −(1/M_eff) Σ_m w_m Σ_i log P(s_mi | s_m,−i) + (γ/α) r(J) + (γ_h/2)||h||²
    (penalty convention in :mod:`statgen.graphical.potts.inference.penalty`). Use float32
    (``dtype=torch.float32``) for speed on large alignments; float64 is the default.

    Parameters
    ----------
    penalty : "l2" or "l1".  gamma : γ ≥ 0.  gamma_h : field strength γ_h ≥ 0.
    l1_eps : 0 for exact L1 (L-BFGS-B on J = u − v), > 0 for the smoothed |x| (torch L-BFGS).
    max_iter : L-BFGS iterations ≥ 1.  tol : gradient tolerance > 0.
    edges : optional (E, 2) pairs to fit (others fixed at 0); all pairs by default.
    gap_ignore : state 0 is a gap that is not modelled (plmc's ``-g``): P(s_i | s_−i) runs over the
        q − 1 other states, only at non-gap sites, and a gap adds no coupling to the other sites'
        fields; the fitted model has q − 1 states (data state k is model state k − 1).
    device, dtype : torch placement.  progress : a bar over the iterations.
    callback : optional ``callback(iteration, objective)`` after each L-BFGS iteration (L2 and smoothed L1).
    history : L-BFGS memory (pairs of vectors kept; each costs 2 × the parameter count).
    group_l1 : c ≥ 0 of an added group penalty c Σ_{i<j} √(10⁻³ + ‖J_ij‖²_F) (plmc's ``-lg``; per sample).

    Attributes
    ----------
    model_ : the fitted PottsModel.  objective_ : final F.  n_iter_ : L-BFGS iterations.
    """

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 1e-3, l1_eps: float = 0.0,
                 max_iter: int = 500, tol: float = 1e-6, edges=None, gap_ignore: bool = False, device=None, dtype=None,
                 progress: bool = False, callback=None, history: int = 10, group_l1: float = 0.0):
        self.penalty, self.gamma, self.gamma_h, self.l1_eps = penalty, gamma, gamma_h, l1_eps
        self.callback, self.history, self.group_l1 = callback, history, group_l1
        self.gap_ignore = gap_ignore
        self.max_iter, self.tol, self.edges = max_iter, tol, edges
        self.device, self.dtype, self.progress = device, dtype, progress

    def fit(self, s, q: int | None = None, *, weights=None, init: PottsModel | None = None) -> PseudoLikelihoodPotts:
        """Fit to states s (M, L) in [0, q) with optional sample weights (M,) and a warm start ``init``."""
        max_iter = check_int(self.max_iter, "max_iter", minimum=1)
        tol = check_positive(self.tol, "tol")
        progress = self._progress()
        p = make_problem(s, q, self.penalty, self.gamma, self.gamma_h, weights, self.l1_eps, self.device, self.dtype,
                         self.edges, work_per_entry=WORK, gap_ignore=self.gap_ignore, group_l1=self.group_l1)
        x0 = p.check_init(init)
        x, self.objective_, self.n_iter_ = minimize(p, lambda x: plm_value_grad(p, x), x0, max_iter=max_iter,
                                                    tol=tol, desc="PLM", progress=progress,
                                                    callback=self.callback,
                                                    history=check_int(self.history, "history", minimum=1))
        self.model_ = p.to_model(x)
        return self


def fit_plm(s, q: int, *, penalty: str = "l2", gamma: float = 0.0, weights=None, **kwargs) -> PottsModel:
    """Fit a Potts model by symmetric pseudo-likelihood; keywords of :class:`PseudoLikelihoodPotts`."""
    return PseudoLikelihoodPotts(penalty, gamma, **kwargs).fit(s, q, weights=weights).model_
