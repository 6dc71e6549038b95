"""Exact penalized maximum likelihood (MAP) of small Potts models (q**L ≤ 10**6), by L-BFGS.

The gradient of −ℓ is exact: log Z and the model moments p_i(a), p_ij(a, b) come from enumerating
all q**L configurations (dense one-hot chunks, BLAS products). Same objective and penalty convention
as the pseudo-likelihood (:mod:`statgen.graphical.potts.inference.penalty`) with the true
log-likelihood; used to score paths exactly and as the reference of the other estimators.
"""

from __future__ import annotations

import numpy as np
import torch

from statgen._checks import check_int, check_positive
from statgen.graphical.potts.inference._optimize import minimize
from statgen.graphical.potts.inference._problem import Problem, make_problem
from statgen.graphical.potts.inference.base import PenalizedPotts
from statgen.graphical.potts.inference.moments import pair_frequencies
from statgen.graphical.potts.model import MAX_ENUMERATION, PottsModel, check_model, index_to_states

__all__ = ["MaximumLikelihoodPotts", "fit_ml", "ml_objective"]


class Enumeration:
    """All q**L configurations as flat one-hot indices, cached for repeated gradients; the dense
    one-hot matrices are cached too when they fit in ``cache_bytes``."""

    def __init__(self, L: int, q: int, device, dtype=torch.float64, chunk: int = 1 << 16,
                 cache_bytes: int = 1 << 27):
        if q**L > MAX_ENUMERATION:
            raise ValueError(f"exact likelihood needs q**L <= {MAX_ENUMERATION}, got {q}**{L}; "
                             "use the pseudo-likelihood (fit_plm) for larger models")
        k = np.arange(q**L)
        self.idx = torch.as_tensor(index_to_states(k, L, q) + q * np.arange(L), device=device)
        self.chunk, self.n, self.dtype = chunk, L * q, dtype
        size = q**L * L * q * torch.finfo(dtype).bits // 8
        self._X = [self._onehot(a) for a in range(0, len(self.idx), chunk)] if size <= cache_bytes else None

    def _onehot(self, a: int) -> torch.Tensor:
        ix = self.idx[a:a + self.chunk]
        return torch.zeros(len(ix), self.n, device=ix.device, dtype=self.dtype).scatter_(1, ix, 1.0)

    def chunks(self):
        """Dense one-hot chunks X (C, L·q)."""
        for c, a in enumerate(range(0, len(self.idx), self.chunk)):
            yield self._X[c] if self._X is not None else self._onehot(a)


def ml_value_grad(p: Problem, enum: Enumeration, data_mom: tuple, x: torch.Tensor):
    """−(1/M) Σ w log P + penalty and its gradient, with log Z and the model moments by enumeration:
    E = −X h − ½ rowsum((X W) ∘ X), m1 = Xᵀ P, m2 = Xᵀ diag(P) X (dense one-hot X, BLAS products).

    Hot inner function: the estimator and :func:`ml_objective` check the data."""
    h, Jp, W = p.unpack(x)
    f1, f2 = data_mom
    E = torch.cat([-(X @ h) - 0.5 * ((X @ W) * X).sum(1) for X in enum.chunks()])
    logz = torch.logsumexp(-E, 0)
    prob = torch.exp(-E - logz)
    n = p.L * p.q
    m1 = torch.zeros(n, device=x.device, dtype=x.dtype)
    m2 = torch.zeros(n, n, device=x.device, dtype=x.dtype)
    a = 0
    for X in enum.chunks():
        pr = prob[a:a + len(X)]
        a += len(X)
        m1 += pr @ X
        m2 += X.T @ (X * pr[:, None])
    # −ℓ = ⟨E⟩_data + log Z; d/dh = m1 − f1, d/dW (free, ½-counted) = ½ (m2 − f2)
    e_data = -(h @ f1) - 0.5 * (W * f2).sum()
    pen, gh, gJ = p.penalty_value_grad(h, Jp)
    g = torch.cat([m1 - f1 + gh, (p.pair_grad(0.5 * (m2 - f2)) + gJ).reshape(-1)])
    return e_data + logz + pen, g


def ml_objective(model: PottsModel, s, *, penalty: str = "l2", gamma: float = 0.0, gamma_h: float = 0.0,
                 weights=None, l1_eps: float = 0.0) -> float:
    """Penalized negative log-likelihood per sample (exact; the quantity :func:`fit_ml` minimizes)."""
    check_model(model)
    s = model.check_states(s)
    p = make_problem(s, model.q, penalty, gamma, gamma_h, weights, l1_eps, "cpu", torch.float64)
    enum = Enumeration(p.L, p.q, p.device, p.dtype)
    mom = pair_frequencies(p.idx, p.w, p.L * p.q)
    return float(ml_value_grad(p, enum, mom, p.pack(model))[0])


class MaximumLikelihoodPotts(PenalizedPotts):
    """Exact penalized maximum likelihood (MAP) by L-BFGS with gradients from exact enumeration
    (q**L ≤ 10**6). Same objective, penalty convention and parameters as
    :class:`PseudoLikelihoodPotts` with the true log-likelihood (no ``edges``).

    Attributes
    ----------
    model_ : the fitted PottsModel.  objective_ : final objective.  n_iter_ : L-BFGS iterations.
    """

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 1e-3, l1_eps: float = 0.0,
                 max_iter: int = 500, tol: float = 1e-8, device=None, dtype=None, progress: bool = False):
        self.penalty, self.gamma, self.gamma_h, self.l1_eps = penalty, gamma, gamma_h, l1_eps
        self.max_iter, self.tol = max_iter, tol
        self.device, self.dtype, self.progress = device, dtype, progress

    def fit(self, s, q: int | None = None, *, weights=None, init: PottsModel | None = None) -> MaximumLikelihoodPotts:
        """Fit to states s (M, L) in [0, q) with optional sample weights (M,) and a warm start ``init``."""
        max_iter = check_int(self.max_iter, "max_iter", minimum=1)
        tol = check_positive(self.tol, "tol")
        progress = self._progress()
        p = make_problem(s, q, self.penalty, self.gamma, self.gamma_h, weights, self.l1_eps, self.device, self.dtype)
        enum = Enumeration(p.L, p.q, p.device, p.dtype)
        mom = pair_frequencies(p.idx, p.w, p.L * p.q)
        x0 = p.check_init(init)
        x, self.objective_, self.n_iter_ = minimize(p, lambda x: ml_value_grad(p, enum, mom, x), x0,
                                                    max_iter=max_iter, tol=tol, desc="ML", progress=progress)
        self.model_ = p.to_model(x)
        return self


def fit_ml(s, q: int, *, penalty: str = "l2", gamma: float = 0.0, weights=None, **kwargs) -> PottsModel:
    """Exact penalized maximum likelihood for small systems; keywords of :class:`MaximumLikelihoodPotts`."""
    return MaximumLikelihoodPotts(penalty, gamma, **kwargs).fit(s, q, weights=weights).model_
