r"""Inference of Potts models: pseudo-likelihood (PLM), exact maximum likelihood, Boltzmann learning.

Penalty convention (the Potts analogue of the Gaussian one in ``science/graphical.md``)
---------------------------------------------------------------------------------------
With M_eff = Σ_m w_m samples (weights normalised to mean 1 when none are given),
α = M_eff / L and the per-site, per-sample log-likelihood ℓ = (1/(M_eff L)) Σ_m w_m log P(s_m),
every estimator maximizes

    α ℓ(h, J) − (γ / L) r(J) − (α γ_h / (2L)) Σ_i ||h_i||²,

i.e., dividing by α, it minimizes the per-sample objective

    F = −(1/M_eff) Σ_m w_m log P(s_m) + (γ / α) r(J) + (γ_h / 2) Σ_i ||h_i||²,

    L2:  r(J) = ((q − 1)² / 2) Σ_{i<j} ||J_ij||²_F,
    L1:  r(J) = Σ_{i<j} Σ_{a,b} |J_ij(a, b)|.

For q = 2 the L2 term is (γ/(2L)) Σ_{i<j} ||J_ij||²_F, the Gaussian (γ/4) Tr(J²)/N =
(γ/(2N)) Σ_{i<j} J_ij² with the block norm in place of |J_ij|. (In Ising variables σ = ±1 a zero-sum
q = 2 block has ||J_ij||_F = 2|K_ij|, so γ_Potts = γ_Gauss/4 in both the penalty and the prediction.)
The factor (q − 1)² (the number of gauge-free directions of a coupling matrix) makes the
Bayes-optimal L2 strength for couplings that are isotropic Gaussian in the zero-sum subspace equal to
γ* = 1 / mean_i Σ_j ||J_ij||²_F (:func:`potts_predicted_gamma`), the analogue of 1/Σ_j J_ij²: the
prior exp(−γL (q−1)²/2 ||J_ij||²) has E||J_ij||² = 1/(γL) over the (q−1)² free directions, and
Σ_j over the L − 1 ≈ L partners of a dense graph gives 1/γ. Without the factor, γ_opt would sit near (q−1)²·γ*.
An L2 penalty with free fields selects the zero-sum gauge of J by itself. γ for L1 has the
units of 1/J, so 1/Σ J² is not a dimensional prediction there; the study reports it anyway.

For PLM, log P(s_m) is replaced by the symmetric pseudo-log-likelihood Σ_i log P(s_i | s_{−i}).

L1 is exact by default (``l1_eps=0``): J = u − v with u, v ≥ 0 turns γ Σ|J| into the linear
γ Σ (u + v), minimized by bound-constrained L-BFGS-B (scipy), which yields exact zeros. With
``l1_eps > 0`` the smooth surrogate |x| ≈ √(x² + ε²) − ε is minimized by torch L-BFGS instead
(stays on the device, but converges slowly for small ε).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from statgen._checks import check_int_states, check_nonnegative, check_positive
from statgen._progress import progress_bar
from statgen.graphical.potts import MAX_ENUMERATION, PottsModel, _index_to_states, flat_to_couplings
from statgen.graphical.potts_sampling import PottsChains

__all__ = ["fit_plm", "fit_ml", "fit_bm", "PseudoLikelihoodPotts", "MaximumLikelihoodPotts",
           "BoltzmannMachinePotts", "plm_objective", "ml_objective", "pair_frequencies",
           "connected_correlation_pearson", "BMHistory"]

PENALTIES = ("l1", "l2")


# --------------------------------------------------------------------------------------------
# shared set-up: data, parameter packing, penalties


@dataclass
class _Problem:
    """Data and parameter layout shared by all objectives (torch tensors on one device/dtype)."""

    L: int
    q: int
    idx: torch.Tensor  # (M, L) flat one-hot indices
    w: torch.Tensor  # (M,) weights normalised to sum 1
    m_eff: float
    pi: torch.Tensor  # (P,) pair rows i < j
    pj: torch.Tensor
    penalty: str
    gamma_eff: float  # γ/α · c: coefficient of the penalty in the per-sample objective
    gamma_h: float
    l1_eps: float
    device: torch.device
    dtype: torch.dtype
    split_l1: bool = False  # set while L-BFGS-B handles the exact L1 term itself
    _bags: tuple | None = field(default=None, repr=False)

    @property
    def n_params(self) -> int:
        return self.L * self.q + len(self.pi) * self.q * self.q

    def unpack(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """θ → (h (L·q,), J pairs (P, q, q), flat W (L·q, L·q))."""
        L, q = self.L, self.q
        h = x[: L * q]
        Jp = x[L * q:].view(-1, q, q)
        W4 = torch.zeros(L, L, q, q, device=x.device, dtype=x.dtype)
        W4[self.pi, self.pj] = Jp
        W4[self.pj, self.pi] = Jp.transpose(1, 2)
        return h, Jp, W4.permute(0, 2, 1, 3).reshape(L * q, L * q)

    def pair_grad(self, G: torch.Tensor) -> torch.Tensor:
        """Gradient w.r.t. the pair parameters from the gradient G w.r.t. a free flat W."""
        L, q = self.L, self.q
        G4 = G.view(L, q, L, q).permute(0, 2, 1, 3)
        return G4[self.pi, self.pj] + G4[self.pj, self.pi].transpose(1, 2)

    def penalty_value_grad(self, h: torch.Tensor, Jp: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        g = self.gamma_eff
        if self.penalty == "l2":
            val, gJ = 0.5 * g * (Jp * Jp).sum(), g * Jp
        elif self.split_l1:
            val, gJ = torch.zeros((), device=Jp.device, dtype=Jp.dtype), torch.zeros_like(Jp)
        elif self.l1_eps == 0:
            val, gJ = g * Jp.abs().sum(), g * torch.sign(Jp)
        else:
            r = torch.sqrt(Jp * Jp + self.l1_eps**2)
            val, gJ = g * (r - self.l1_eps).sum(), g * Jp / r
        return val + 0.5 * self.gamma_h * (h * h).sum(), self.gamma_h * h, gJ

    def transposed_bags(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(members, offsets): for each flat index r = i·q + a, the samples m with s_mi = a, so that
        onehotᵀ @ R is one embedding_bag over the rows of R."""
        if self._bags is None:
            flat = self.idx.reshape(-1)
            order = torch.argsort(flat, stable=True)
            members = order // self.L
            counts = torch.bincount(flat, minlength=self.L * self.q)
            offsets = torch.cumsum(counts, 0) - counts
            self._bags = (members, offsets)
        return self._bags

    def init_params(self) -> torch.Tensor:
        """θ₀: independent-site fields log f_i(a) (pseudocount 1/M_eff, zero-mean), couplings 0."""
        L, q = self.L, self.q
        f = torch.zeros(L * q, device=self.device, dtype=self.dtype)
        f.index_add_(0, self.idx.reshape(-1), self.w.repeat_interleave(L))
        f = f.view(L, q) + 1.0 / self.m_eff
        h = torch.log(f / f.sum(1, keepdim=True))
        h = h - h.mean(1, keepdim=True)
        x = torch.zeros(self.n_params, device=self.device, dtype=self.dtype)
        x[: L * q] = h.reshape(-1)
        return x

    def to_model(self, x: torch.Tensor) -> PottsModel:
        h, _, W = self.unpack(x.detach())
        L, q = self.L, self.q
        return PottsModel(h.view(L, q).cpu().double().numpy(),
                          flat_to_couplings(W.cpu().double().numpy(), L, q))


def _problem(s, q: int, penalty: str, gamma: float, gamma_h: float, weights, l1_eps: float, device, dtype,
             edges=None) -> _Problem:
    q = int(check_positive(q, "q"))
    s = check_int_states(s, "s", q)
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
    gamma = check_nonnegative(gamma, "gamma")
    gamma_h = check_nonnegative(gamma_h, "gamma_h")
    l1_eps = check_nonnegative(l1_eps, "l1_eps")
    M, L = s.shape
    if weights is None:
        w = np.ones(M)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (M,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be a non-negative ({M},) array with a positive sum")
    m_eff = float(w.sum())
    alpha = m_eff / L
    c = (q - 1) ** 2 if penalty == "l2" else 1.0
    device = torch.device(device or "cpu")
    dtype = dtype or torch.float64
    if edges is None:
        pi, pj = np.triu_indices(L, 1)
    else:
        e = np.sort(np.asarray(edges, dtype=np.int64).reshape(-1, 2), axis=1)
        pi, pj = e[:, 0], e[:, 1]
    t = lambda a: torch.as_tensor(a, device=device)  # noqa: E731
    return _Problem(L, q, t(s + q * np.arange(L)), torch.as_tensor(w / m_eff, device=device, dtype=dtype), m_eff,
                    t(pi), t(pj), penalty, gamma / alpha * c, gamma_h, l1_eps, device, dtype)


def _minimize(p: _Problem, fun, x0: torch.Tensor, *, max_iter: int, tol: float) -> tuple[torch.Tensor, float, int]:
    """L-BFGS on the penalized objective; exact L1 (``l1_eps == 0``) goes through :func:`_lbfgsb_l1`."""
    if p.penalty == "l1" and p.l1_eps == 0:
        return _lbfgsb_l1(p, fun, x0, max_iter=max_iter, tol=tol)
    return _lbfgs(fun, x0, max_iter=max_iter, tol=tol)


def _lbfgsb_l1(p: _Problem, fun, x0: torch.Tensor, *, max_iter: int, tol: float) -> tuple[torch.Tensor, float, int]:
    """Exact L1 by the split J = u − v, u, v ≥ 0: minimize f(h, u − v) + γ_eff Σ (u + v) with L-BFGS-B."""
    from scipy.optimize import minimize

    nh = p.L * p.q
    x0n = x0.detach().cpu().double().numpy()
    J0 = x0n[nh:]
    z0 = np.concatenate([x0n[:nh], np.maximum(J0, 0), np.maximum(-J0, 0)])
    nj = J0.size
    g = p.gamma_eff

    def f(z):
        x = torch.as_tensor(np.concatenate([z[:nh], z[nh:nh + nj] - z[nh + nj:]]), device=p.device, dtype=p.dtype)
        val, grad = fun(x)
        gr = grad.detach().cpu().double().numpy()
        gJ = gr[nh:]
        return float(val) + g * z[nh:].sum(), np.concatenate([gr[:nh], gJ + g, g - gJ])

    bounds = [(None, None)] * nh + [(0.0, None)] * (2 * nj)
    p.split_l1 = True
    try:
        res = minimize(f, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-13, "maxcor": 20})
    finally:
        p.split_l1 = False
    z = res.x
    x = torch.as_tensor(np.concatenate([z[:nh], z[nh:nh + nj] - z[nh + nj:]]), device=p.device, dtype=p.dtype)
    return x, float(fun(x)[0]), int(res.nit)


def _lbfgs(fun: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]], x0: torch.Tensor, *, max_iter: int,
           tol: float, history: int = 10) -> tuple[torch.Tensor, float, int]:
    """Minimize fun (value, grad) by torch L-BFGS with strong-Wolfe line search; returns (x, f, iterations)."""
    x = x0.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([x], lr=1.0, max_iter=max_iter, max_eval=int(1.5 * max_iter) + 10,
                            tolerance_grad=tol, tolerance_change=1e-12, history_size=history,
                            line_search_fn="strong_wolfe")
    last = {}

    def closure():
        with torch.no_grad():
            f, g = fun(x.detach())
        x.grad = g
        last["f"] = float(f)
        return f

    opt.step(closure)
    n_iter = int(opt.state[opt._params[0]].get("n_iter", 0))
    with torch.no_grad():
        f, _ = fun(x.detach())
    return x.detach(), float(f), n_iter


# --------------------------------------------------------------------------------------------
# pseudo-likelihood


def _plm_value_grad(p: _Problem, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric PLM objective and gradient.

    H = h + onehot(s) @ W (one embedding_bag over rows of W), conditional log-probabilities by
    log-softmax over the q states of each site, and the gradient onehotᵀ @ R (one embedding_bag
    over rows of R = w (softmax − onehot)): two sparse products of cost M·L·(L·q) each.
    """
    L, q = p.L, p.q
    h, Jp, W = p.unpack(x)
    M = p.idx.shape[0]
    H = (F.embedding_bag(p.idx, W, mode="sum") + h).view(M, L, q)
    logp = torch.log_softmax(H, dim=2)
    site = p.idx - torch.arange(L, device=x.device) * q
    ll = logp.gather(2, site[..., None])[..., 0].sum(1)  # (M,) pseudo-log-likelihood
    R = torch.exp(logp)
    R.view(M, L * q).scatter_add_(1, p.idx, -torch.ones_like(p.idx, dtype=R.dtype))
    R = R.view(M, L * q) * p.w[:, None]
    members, offsets = p.transposed_bags()
    G = F.embedding_bag(members, R, offsets, mode="sum")
    pen, gh, gJ = p.penalty_value_grad(h, Jp)
    f = -(p.w @ ll) + pen
    return f, torch.cat([R.sum(0) + gh, (p.pair_grad(G) + gJ).reshape(-1)])


def plm_objective(model: PottsModel, s, *, penalty: str = "l2", gamma: float = 0.0, gamma_h: float = 0.0,
                  weights=None, l1_eps: float = 0.0) -> float:
    """Penalized negative symmetric pseudo-log-likelihood per sample (the quantity :func:`fit_plm` minimizes)."""
    p = _problem(s, model.q, penalty, gamma, gamma_h, weights, l1_eps, "cpu", torch.float64)
    if s is not None and np.asarray(s).shape[1] != model.L:
        raise ValueError(f"s must have L = {model.L} columns")
    return float(_plm_value_grad(p, _pack(p, model))[0])


def _pack(p: _Problem, model: PottsModel) -> torch.Tensor:
    Jp = torch.as_tensor(model.J, device=p.device, dtype=p.dtype)[p.pi, p.pj]
    return torch.cat([torch.as_tensor(model.h.ravel(), device=p.device, dtype=p.dtype), Jp.reshape(-1)])


class _PenalizedEstimator:
    """Shared configuration of the estimators (scikit-learn style: settings here, learned state in ``model_``)."""

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 1e-3, l1_eps: float = 0.0,
                 device=None, dtype=None, progress: bool = False):
        if penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
        self.penalty, self.gamma, self.gamma_h, self.l1_eps = penalty, gamma, gamma_h, l1_eps
        self.device, self.dtype, self.progress = device, dtype, progress

    def _check_q(self, s, q):
        if q is None:
            q = int(np.max(np.asarray(s))) + 1
        return int(q)

    def score(self, s, weights=None, *, log_z: float | None = None) -> float:
        """Mean log-likelihood per sample of ``s`` under ``model_`` (exact log Z unless given)."""
        return self.model_.log_likelihood(s, weights=weights, log_z=log_z)


class PseudoLikelihoodPotts(_PenalizedEstimator):
    """Symmetric pseudo-likelihood maximization (plmDCA-style) with an L1 or L2 penalty, by L-BFGS.

    Minimizes F = −(1/M_eff) Σ_m w_m Σ_i log P(s_mi | s_m,−i) + (γ/α) r(J) + (γ_h/2)||h||²
    (penalty convention in the module docstring). Use float32 (``dtype=torch.float32``) for speed on
    large alignments; float64 is the default.

    Attributes
    ----------
    model_ : the fitted PottsModel.  objective_ : final F.  n_iter_ : L-BFGS iterations.
    """

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 1e-3, l1_eps: float = 0.0,
                 max_iter: int = 500, tol: float = 1e-6, edges=None, device=None, dtype=None, progress: bool = False):
        super().__init__(penalty, gamma, gamma_h=gamma_h, l1_eps=l1_eps, device=device, dtype=dtype, progress=progress)
        self.max_iter, self.tol, self.edges = max_iter, tol, edges

    def fit(self, s, q: int | None = None, *, weights=None, init: PottsModel | None = None) -> PseudoLikelihoodPotts:
        q = self._check_q(s, q)
        p = _problem(s, q, self.penalty, self.gamma, self.gamma_h, weights, self.l1_eps, self.device, self.dtype,
                     self.edges)
        x0 = p.init_params() if init is None else _pack(p, init)
        x, self.objective_, self.n_iter_ = _minimize(p, lambda x: _plm_value_grad(p, x), x0, max_iter=self.max_iter,
                                                  tol=self.tol)
        self.model_ = p.to_model(x)
        return self


def fit_plm(s, q: int, *, penalty: str = "l2", gamma: float = 0.0, weights=None, **kwargs) -> PottsModel:
    """Fit a Potts model by symmetric pseudo-likelihood; see :class:`PseudoLikelihoodPotts`."""
    return PseudoLikelihoodPotts(penalty, gamma, **kwargs).fit(s, q, weights=weights).model_


# --------------------------------------------------------------------------------------------
# exact maximum likelihood (small systems)


class _Enumeration:
    """All q**L configurations as flat one-hot indices, cached for repeated gradients; the dense
    one-hot matrices are cached too when they fit in ``cache_bytes``."""

    def __init__(self, L: int, q: int, device, dtype=torch.float64, chunk: int = 1 << 16,
                 cache_bytes: int = 1 << 27):
        if q**L > MAX_ENUMERATION:
            raise ValueError(f"exact likelihood needs q**L <= {MAX_ENUMERATION}, got {q}**{L}")
        k = np.arange(q**L)
        self.idx = torch.as_tensor(_index_to_states(k, L, q) + q * np.arange(L), device=device)
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


def _ml_value_grad(p: _Problem, enum: _Enumeration, data_mom: tuple, x: torch.Tensor):
    """−(1/M) Σ w log P + penalty and its gradient, with log Z and the model moments by enumeration:
    E = −X h − ½ rowsum((X W) ∘ X), m1 = Xᵀ P, m2 = Xᵀ diag(P) X (dense one-hot X, BLAS products)."""
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


def pair_frequencies(idx: torch.Tensor, w: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Weighted one- and two-site frequencies (flat (n,), (n, n)) of flat one-hot indices ``idx``."""
    X = torch.zeros(idx.shape[0], n, device=idx.device, dtype=w.dtype).scatter_(1, idx, 1.0)
    return w @ X, X.T @ (X * w[:, None])


def ml_objective(model: PottsModel, s, *, penalty: str = "l2", gamma: float = 0.0, gamma_h: float = 0.0,
                 weights=None, l1_eps: float = 0.0) -> float:
    """Penalized negative log-likelihood per sample (exact; the quantity :func:`fit_ml` minimizes)."""
    p = _problem(s, model.q, penalty, gamma, gamma_h, weights, l1_eps, "cpu", torch.float64)
    enum = _Enumeration(p.L, p.q, p.device, p.dtype)
    mom = pair_frequencies(p.idx, p.w, p.L * p.q)
    return float(_ml_value_grad(p, enum, mom, _pack(p, model))[0])


class MaximumLikelihoodPotts(_PenalizedEstimator):
    """Exact penalized maximum likelihood (MAP) by L-BFGS with gradients from exact enumeration
    (q**L <= 10**6). Same objective and penalty convention as :class:`PseudoLikelihoodPotts` with
    the true log-likelihood."""

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 1e-3, l1_eps: float = 0.0,
                 max_iter: int = 500, tol: float = 1e-8, device=None, dtype=None, progress: bool = False):
        super().__init__(penalty, gamma, gamma_h=gamma_h, l1_eps=l1_eps, device=device, dtype=dtype, progress=progress)
        self.max_iter, self.tol = max_iter, tol

    def fit(self, s, q: int | None = None, *, weights=None, init: PottsModel | None = None) -> MaximumLikelihoodPotts:
        q = self._check_q(s, q)
        p = _problem(s, q, self.penalty, self.gamma, self.gamma_h, weights, self.l1_eps, self.device, self.dtype)
        enum = _Enumeration(p.L, p.q, p.device, p.dtype)
        mom = pair_frequencies(p.idx, p.w, p.L * p.q)
        x0 = p.init_params() if init is None else _pack(p, init)
        x, self.objective_, self.n_iter_ = _minimize(p, lambda x: _ml_value_grad(p, enum, mom, x), x0,
                                                  max_iter=self.max_iter, tol=self.tol)
        self.model_ = p.to_model(x)
        return self


def fit_ml(s, q: int, *, penalty: str = "l2", gamma: float = 0.0, weights=None, **kwargs) -> PottsModel:
    """Exact penalized maximum likelihood for small systems; see :class:`MaximumLikelihoodPotts`."""
    return MaximumLikelihoodPotts(penalty, gamma, **kwargs).fit(s, q, weights=weights).model_


# --------------------------------------------------------------------------------------------
# Boltzmann machine learning


def connected_correlation_pearson(f1, f2, p1, p2, L: int, q: int) -> float:
    """Pearson correlation between data and model connected correlations
    C_ij(a, b) = f_ij(a, b) − f_i(a) f_j(b) over all i < j and a, b (adabmDCA's convergence measure)."""
    iu, ju = torch.triu_indices(L, L, 1, device=f1.device)

    def conn(m1, m2):
        C = (m2 - torch.outer(m1, m1)).view(L, q, L, q).permute(0, 2, 1, 3)
        return C[iu, ju].reshape(-1)

    return float(torch.corrcoef(torch.stack([conn(f1, f2), conn(p1, p2)]))[0, 1])


@dataclass
class BMHistory:
    """Training log of Boltzmann learning: per epoch, the Pearson of connected correlations and wall time (s)."""

    epochs: list = field(default_factory=list)
    pearson: list = field(default_factory=list)
    seconds: list = field(default_factory=list)


class BoltzmannMachinePotts(_PenalizedEstimator):
    """Boltzmann-machine learning (bmDCA / adabmDCA style) with persistent Gibbs chains.

    Each epoch: ``sweeps`` sweeps of ``n_chains`` persistent chains, model moments p_i, p_ij from
    the chains, then one gradient-ascent step on the penalized per-sample log-likelihood,
    h += lr (f_i − p_i − γ_h h), J += lr (f_ij − p_ij − ∂(γ/α) r/∂J); for L1 the step is proximal
    (soft thresholding J ← sign(J) max(|J| − lr γ_eff, 0)). Stops when the Pearson correlation of
    connected correlations (data vs chains) reaches ``target_pearson`` or after ``max_epochs``.
    Data frequencies get a pseudocount ``pseudocount`` (default 1/M_eff) so unseen states stay finite.

    Attributes
    ----------
    model_ : fitted PottsModel.  history_ : :class:`BMHistory`.  pearson_ : final Pearson.
    chains_ : final (n_chains, L) chain states.
    """

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 0.0, lr: float = 0.05,
                 n_chains: int = 1000, sweeps: int = 10, target_pearson: float = 0.95, max_epochs: int = 10000,
                 pseudocount: float | None = None, method: str = "gibbs", seed: int | None = None,
                 device=None, dtype=None, progress: bool = False, check_every: int = 1):
        super().__init__(penalty, gamma, gamma_h=gamma_h, device=device, dtype=dtype, progress=progress)
        self.lr, self.n_chains, self.sweeps = check_positive(lr, "lr"), int(n_chains), int(sweeps)
        self.target_pearson, self.max_epochs = float(target_pearson), int(max_epochs)
        self.pseudocount, self.method, self.seed, self.check_every = pseudocount, method, seed, int(check_every)

    def fit(self, s, q: int | None = None, *, weights=None, init: PottsModel | None = None) -> BoltzmannMachinePotts:
        import time

        q = self._check_q(s, q)
        p = _problem(s, q, self.penalty, self.gamma, self.gamma_h, weights, 1e-3, self.device, self.dtype)
        L, n = p.L, p.L * p.q
        f1, f2 = pair_frequencies(p.idx, p.w, n)
        lam = 1.0 / p.m_eff if self.pseudocount is None else check_nonnegative(self.pseudocount, "pseudocount")
        f1 = (1 - lam) * f1 + lam / q
        f2 = (1 - lam) * f2 + lam / q**2
        diag = torch.block_diag(*[torch.ones(q, q, device=p.device, dtype=p.dtype)] * L).bool()
        f2 = torch.where(diag, torch.diag_embed(f1), f2)  # f_ii(a, b) = δ_ab f_i(a) exactly
        mask = (~diag).to(p.dtype)
        if init is None:
            h = torch.log(f1.view(L, q))
            h = (h - h.mean(1, keepdim=True)).reshape(-1)
            W = torch.zeros(n, n, device=p.device, dtype=p.dtype)
        else:
            h = torch.as_tensor(init.h.ravel(), device=p.device, dtype=p.dtype)
            W = torch.as_tensor(init.W, device=p.device, dtype=p.dtype)
        # learned couplings are dense: a sweep is sequential over sites (one class per site)
        chains = PottsChains(L, q, self.n_chains, seed=self.seed, device=p.device, dtype=p.dtype)
        g_eff, lr = p.gamma_eff, self.lr
        ones = torch.full((self.n_chains,), 1.0 / self.n_chains, device=p.device, dtype=p.dtype)
        hist = BMHistory()
        t0 = time.perf_counter()
        pearson = float("nan")
        bar = progress_bar(range(1, self.max_epochs + 1), desc="BM", progress=self.progress)
        for epoch in bar:
            chains.set_params(h, W)
            chains.sweep(self.sweeps, method=self.method)
            p1, p2 = pair_frequencies(chains.idx, ones, n)
            if epoch % self.check_every == 0 or epoch == self.max_epochs:
                pearson = connected_correlation_pearson(f1, f2, p1, p2, L, q)
                hist.epochs.append(epoch)
                hist.pearson.append(pearson)
                hist.seconds.append(time.perf_counter() - t0)
                if pearson >= self.target_pearson:
                    break
            h = h + lr * (f1 - p1 - p.gamma_h * h)
            if self.penalty == "l2":
                W = W + lr * mask * (f2 - p2 - g_eff * W)
            else:
                W = W + lr * mask * (f2 - p2)
                W = torch.sign(W) * torch.clamp(W.abs() - lr * g_eff, min=0.0)
        self.history_, self.pearson_, self.n_iter_ = hist, pearson, epoch
        self.chains_ = chains.states.cpu().numpy()
        self.model_ = PottsModel(h.view(L, q).cpu().double().numpy(),
                                 flat_to_couplings(W.cpu().double().numpy(), L, q))
        return self


def fit_bm(s, q: int, *, penalty: str = "l2", gamma: float = 0.0, weights=None, **kwargs) -> PottsModel:
    """Fit a Potts model by Boltzmann-machine learning; see :class:`BoltzmannMachinePotts`."""
    return BoltzmannMachinePotts(penalty, gamma, **kwargs).fit(s, q, weights=weights).model_
