"""Boltzmann-machine learning of Potts models (bmDCA / adabmDCA style) with persistent Gibbs chains.

Each epoch: ``sweeps`` sweeps of ``n_chains`` persistent chains, model moments p_i, p_ij from the
chains, then one gradient-ascent step on the penalized per-sample log-likelihood
(convention of :mod:`statgen.graphical.potts.inference.penalty`),

    h += lr (f_i − p_i − γ_h h),   J += lr (f_ij − p_ij − ∂(γ/α) r/∂J);

for L1 the step is proximal (soft thresholding J ← sign(J) max(|J| − lr γ_eff, 0)). Stops when the
Pearson correlation of connected correlations (data vs chains) reaches ``target_pearson`` or after
``max_epochs``.

References
----------
M. Figliuzzi, P. Barrat-Charlaix, M. Weigt, "How pairwise coevolutionary models capture the
collective residue variability in proteins", Mol. Biol. Evol. 35, 1018 (2018).
A. P. Muntoni, A. Pagnani, M. Weigt, F. Zamponi, "adabmDCA: adaptive Boltzmann machine learning for
biological sequences", BMC Bioinformatics 22, 528 (2021).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from statgen._checks import check_choice, check_in_range, check_int, check_positive
from statgen._progress import progress_bar
from statgen.graphical.potts._torch import check_seed
from statgen.graphical.potts.inference._problem import make_problem
from statgen.graphical.potts.inference.base import PenalizedPotts
from statgen.graphical.potts.inference.moments import _pair_frequencies, _pearson
from statgen.graphical.potts.model import PottsModel, flat_to_couplings
from statgen.graphical.potts.sampling import METHODS, PottsChains, chains_memory

__all__ = ["BoltzmannMachinePotts", "fit_bm", "BMHistory"]


@dataclass
class BMHistory:
    """Training log of Boltzmann learning: per checked epoch, the Pearson of connected correlations and
    the wall time (s)."""

    epochs: list = field(default_factory=list)
    pearson: list = field(default_factory=list)
    seconds: list = field(default_factory=list)


class BoltzmannMachinePotts(PenalizedPotts):
    """Boltzmann-machine learning (bmDCA / adabmDCA style) with persistent Gibbs chains.

    See the module docstring for the update. Data frequencies get a pseudocount ``pseudocount``
    (default 1/M_eff) so unseen states stay finite.

    Parameters
    ----------
    penalty, gamma, gamma_h : penalty (convention of :mod:`~statgen.graphical.potts.inference.penalty`).
    lr : learning rate > 0.  n_chains : persistent chains ≥ 2.  sweeps : sweeps per epoch ≥ 1.
    target_pearson : stop when the Pearson reaches it, in [−1, 1].  max_epochs : ≥ 1.
    pseudocount : in [0, 1), or None for 1/M_eff.  method : "gibbs" or "metropolis".
    seed : an int ≥ 0 for the chains (or None).  check_every : epochs between Pearson checks, ≥ 1.
    device, dtype : torch placement.  progress : a bar over epochs.

    Attributes
    ----------
    model_ : fitted PottsModel.  history_ : :class:`BMHistory`.  pearson_ : final Pearson.
    n_iter_ : epochs run.  chains_ : final (n_chains, L) chain states.
    """

    def __init__(self, penalty: str = "l2", gamma: float = 0.0, *, gamma_h: float = 0.0, lr: float = 0.05,
                 n_chains: int = 1000, sweeps: int = 10, target_pearson: float = 0.95, max_epochs: int = 10000,
                 pseudocount: float | None = None, method: str = "gibbs", seed: int | None = None,
                 device=None, dtype=None, progress: bool = False, check_every: int = 1):
        self.penalty, self.gamma, self.gamma_h = penalty, gamma, gamma_h
        self.lr, self.n_chains, self.sweeps = lr, n_chains, sweeps
        self.target_pearson, self.max_epochs = target_pearson, max_epochs
        self.pseudocount, self.method, self.seed, self.check_every = pseudocount, method, seed, check_every
        self.device, self.dtype, self.progress = device, dtype, progress

    def _settings(self) -> dict:
        return {"lr": check_positive(self.lr, "lr"), "n_chains": check_int(self.n_chains, "n_chains", minimum=2),
                "sweeps": check_int(self.sweeps, "sweeps", minimum=1),
                "target_pearson": check_in_range(self.target_pearson, "target_pearson", -1.0, 1.0),
                "max_epochs": check_int(self.max_epochs, "max_epochs", minimum=1),
                "pseudocount": self._pseudocount(),
                "method": check_choice(self.method, "method", METHODS), "seed": check_seed(self.seed),
                "check_every": check_int(self.check_every, "check_every", minimum=1), "progress": self._progress()}

    def _pseudocount(self) -> float | None:
        if self.pseudocount is None:
            return None
        pc = check_in_range(self.pseudocount, "pseudocount", 0.0, 1.0)
        if pc == 1.0:
            raise ValueError("pseudocount must be < 1 (1 replaces the data by the uniform distribution), got 1")
        return pc

    def fit(self, s, q: int | None = None, *, weights=None, init: PottsModel | None = None) -> BoltzmannMachinePotts:
        """Fit to states s (M, L) in [0, q) with optional sample weights (M,) and a warm start ``init``."""
        cfg = self._settings()
        p = make_problem(s, q, self.penalty, self.gamma, self.gamma_h, weights, 1e-3, self.device, self.dtype)
        q = p.q
        L, n = p.L, p.L * p.q
        chains_memory(cfg["n_chains"], L, q, p.dtype, "BoltzmannMachinePotts", "n_chains")
        init_theta = p.check_init(init)  # checks init's (L, q)
        f1, f2 = _pair_frequencies(p.idx, p.w, n)
        lam = 1.0 / p.m_eff if cfg["pseudocount"] is None else cfg["pseudocount"]
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
            h, _, W = p.unpack(init_theta)
        # learned couplings are dense: a sweep is sequential over sites (one class per site)
        chains = PottsChains(L, q, cfg["n_chains"], seed=cfg["seed"], device=p.device, dtype=p.dtype)
        g_eff, lr = p.gamma_eff, cfg["lr"]
        ones = torch.full((cfg["n_chains"],), 1.0 / cfg["n_chains"], device=p.device, dtype=p.dtype)
        hist = BMHistory()
        t0 = time.perf_counter()
        pearson = float("nan")
        max_epochs, check_every = cfg["max_epochs"], cfg["check_every"]
        for epoch in progress_bar(range(1, max_epochs + 1), desc="BM", progress=cfg["progress"]):
            chains.set_params_unchecked(h, W)
            chains._sweep(cfg["sweeps"], cfg["method"])
            p1, p2 = _pair_frequencies(chains.idx, ones, n)
            if epoch % check_every == 0 or epoch == max_epochs:
                pearson = _pearson(f1, f2, p1, p2, L, q)
                hist.epochs.append(epoch)
                hist.pearson.append(pearson)
                hist.seconds.append(time.perf_counter() - t0)
                if pearson >= cfg["target_pearson"]:
                    break
            h = h + lr * (f1 - p1 - p.gamma_h * h)
            if p.penalty == "l2":
                W = W + lr * mask * (f2 - p2 - g_eff * W)
            else:
                W = W + lr * mask * (f2 - p2)
                W = torch.sign(W) * torch.clamp(W.abs() - lr * g_eff, min=0.0)
        self.history_, self.pearson_, self.n_iter_ = hist, pearson, epoch
        self.chains_ = chains.states.cpu().numpy()
        self.model_ = PottsModel(h.view(L, q).cpu().double().numpy(), flat_to_couplings(W.cpu().double().numpy(), L, q))
        return self


def fit_bm(s, q: int, *, penalty: str = "l2", gamma: float = 0.0, weights=None, **kwargs) -> PottsModel:
    """Fit a Potts model by Boltzmann-machine learning; keywords of :class:`BoltzmannMachinePotts`."""
    return BoltzmannMachinePotts(penalty, gamma, **kwargs).fit(s, q, weights=weights).model_
