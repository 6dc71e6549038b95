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

:func:`fit_plmc` has two backends: ``"native"`` (the default on the CPU: a compiled C kernel in
plmc's parameter layout, :mod:`statgen.graphical.potts.inference.plm_kernel`, minimized by the lean
float32/float64 L-BFGS of :mod:`statgen.graphical.potts.inference.lbfgs`, liblbfgs' algorithm as
plmc runs it; no torch) and ``"torch"`` (statgen's :class:`PseudoLikelihoodPotts`, for a GPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from statgen._checks import (
    check_bool,
    check_choice,
    check_int,
    check_int_states,
    check_memory,
    check_nonnegative,
)
from statgen.graphical.potts.dca.plmc_files import from_pair_blocks
from statgen.graphical.potts.inference.lbfgs import HISTORY, lbfgs, lbfgs_bytes
from statgen.graphical.potts.model import PottsModel, check_weights

__all__ = ["plmc_gammas", "plmc_objective", "fit_plmc", "plm_memory_bytes", "PlmcFit", "PLMC_BACKENDS"]

PLMC_BACKENDS = ("native", "torch")
#: ε of plmc's group term √(ε + ‖e_ij‖²) (REGULARIZATION_GROUP_EPS of its inference.c)
GROUP_EPS = 1e-3


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

    With ``gap_ignore`` the states are in [0, model.q] with 0 the gap (the model has no gap state).
    Evaluated in float64 by statgen's torch PLM objective (independent of the native kernel)."""
    from statgen.graphical.potts.inference.plm import plm_objective

    w = np.asarray(weights, dtype=float)
    gamma, gamma_h = plmc_gammas(lambda_e, lambda_h, L=model.L, q=model.q, neff=w.sum())
    lambda_g = check_nonnegative(lambda_g, "lambda_g")
    return float(w.sum()) * plm_objective(model, states, gamma=gamma, gamma_h=gamma_h, weights=w,
                                          gap_ignore=gap_ignore, group_l1=lambda_g / w.sum())


@dataclass
class PlmcFit:
    """A fit of plmc's problem in plmc's layout: fields ``h`` (L, q) and the coupling blocks ``e``
    (L(L−1)/2, q, q) of the pairs i < j in row order (``e[k][a, b]``: a the state of i, b of j),
    views of the one parameter vector; ``f`` plmc's objective at them, ``n_iter_`` the L-BFGS
    iterations, ``status`` why it stopped, ``neff`` = Σ w. ``objective_`` = f / N_eff (statgen's
    per-sample units) and ``model_`` (the float64 :class:`PottsModel`, built on first access:
    (L, L, q, q) doubles) match :class:`PseudoLikelihoodPotts`."""

    h: np.ndarray
    e: np.ndarray
    f: float
    n_iter_: int
    status: str
    neff: float
    _model: PottsModel | None = field(default=None, repr=False)

    @property
    def objective_(self) -> float:
        return self.f / self.neff

    @property
    def model_(self) -> PottsModel:
        if self._model is None:
            self._model = PottsModel(self.h.astype(float), from_pair_blocks(self.e, self.h.shape[0]))
        return self._model


def _init_fields(st: np.ndarray, w: np.ndarray, q: int) -> np.ndarray:
    """Independent-site start (as :class:`PseudoLikelihoodPotts`): h_i = log f_i, f_i the weighted
    frequencies of the modelled states plus 1/N_eff, normalised, then zero-mean; (L, q)."""
    L, M = st.shape
    f = np.zeros((L, q))
    for i in range(L):
        ok = st[i] < q  # state q: an ignored gap
        f[i] = np.bincount(st[i][ok], weights=w[ok], minlength=q)
    neff = w.sum()
    f = f / neff + 1.0 / neff
    h = np.log(f / f.sum(1, keepdims=True))
    return h - h.mean(1, keepdims=True)


def _numpy_dtype(dtype) -> np.dtype:
    """float32 / float64 from a numpy or torch dtype (or its name); None → float64."""
    if dtype is None:
        return np.dtype(np.float64)
    name = str(dtype).removeprefix("torch.") if "torch" in str(dtype) else np.dtype(dtype).name
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return np.dtype(name)


def fit_plmc(states, weights, q: int, *, lambda_e: float = 100.0, lambda_h: float = 0.01, lambda_g: float = 0.0,
             max_iter: int = 0, gap_ignore: bool = False, device=None, dtype=None,
             callback=None, backend: str | None = None, threads: int | None = None):
    """Fit plmc's problem (module docstring) by L-BFGS with 6 pairs of history vectors, as plmc.

    ``q``: the states of the data (21 for proteins; the model has q − 1 with ``gap_ignore``).
    ``max_iter``: L-BFGS iterations (0: until converged, as plmc). ``callback(iteration, f)``
    receives plmc's f after each iteration. ``dtype``: float32 or float64 (numpy or torch; default
    float64). ``backend``: ``"native"`` (CPU, the default without a ``device``; needs a C compiler,
    see :mod:`statgen._native`) or ``"torch"`` (default with one); ``threads``: the native backend's
    threads (None: OpenMP's default).

    Returns, for ``"native"``, a :class:`PlmcFit` (stops as plmc: ‖∇f‖ < 10⁻³ max(1, ‖θ‖), liblbfgs'
    More–Thuente line search); for ``"torch"`` the fitted :class:`PseudoLikelihoodPotts`, whose
    L-BFGS stops when max |∇F| < 10⁻³ max(1, √L)/N_eff and uses torch's strong-Wolfe search. Both
    have ``model_``, ``objective_`` (plmc's f / N_eff) and ``n_iter_``."""
    q = check_int(q, "q", minimum=2)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    s = np.asarray(states)
    if s.ndim != 2:
        raise ValueError(f"states must be (M, L), got shape {s.shape}")
    w = check_weights(weights, s.shape[0])
    neff = float(w.sum())
    gap_ignore = check_bool(gap_ignore, "gap_ignore")
    if gap_ignore and q < 3:
        raise ValueError(f"gap_ignore needs q >= 3 (the gap state 0 and >= 2 modelled states), got q={q}")
    q_model = q - 1 if gap_ignore else q
    lambda_e = check_nonnegative(lambda_e, "lambda_e")
    lambda_h = check_nonnegative(lambda_h, "lambda_h")
    gamma, gamma_h = plmc_gammas(lambda_e, lambda_h, L=s.shape[1], q=q_model, neff=neff)
    lambda_g = check_nonnegative(lambda_g, "lambda_g")
    if backend is None:
        backend = "native" if device is None or str(device) == "cpu" else "torch"
    backend = check_choice(backend, "backend", PLMC_BACKENDS)
    if backend == "native":
        return _fit_native(s, w, q, lambda_e=lambda_e, lambda_h=lambda_h, lambda_g=lambda_g, max_iter=max_iter,
                          gap_ignore=gap_ignore, dtype=_numpy_dtype(dtype), callback=callback, threads=threads)
    from statgen.graphical.potts.inference.plm import PseudoLikelihoodPotts

    tol = 1e-3 * max(1.0, np.sqrt(s.shape[1])) / neff
    report = None if callback is None else (lambda k, f: callback(k, f * neff))
    est = PseudoLikelihoodPotts("l2", gamma, gamma_h=gamma_h, max_iter=max_iter or 10_000, tol=tol,
                                gap_ignore=gap_ignore, device=device, dtype=dtype, callback=report, history=HISTORY,
                                group_l1=lambda_g / neff)
    return est.fit(s, q, weights=w)


def _fit_native(s, w, q, *, lambda_e, lambda_h, lambda_g, max_iter, gap_ignore, dtype, callback, threads) -> PlmcFit:
    from statgen.graphical.potts.inference import plm_kernel

    s = check_int_states(s, "states", q)
    M, L = s.shape
    if L < 2:
        raise ValueError(f"states must have L >= 2 sites, got {L}")
    qm = q - 1 if gap_ignore else q
    check_memory(plm_memory_bytes(M, L, qm, itemsize=dtype.itemsize),
                 f"fit_plmc on {M} sequences x {L} sites, q={qm}, {dtype.name}")
    if threads is not None:
        threads = check_int(threads, "threads", minimum=1)
    d = plm_kernel.plmc_data(s, w, q, gap_ignore=gap_ignore, dtype=dtype)
    del s  # the int64 copy: the kernel reads d.st
    plm_kernel.set_threads(threads)
    nh = L * qm
    x = np.zeros(d.n_params, dtype=dtype)
    x[:nh] = _init_fields(d.st, w, qm).ravel()
    P = L * (L - 1) // 2

    def fun(xv, g):
        f = plm_kernel.value_grad(d, xv, g, lambda_h, lambda_e)
        if lambda_g > 0:  # plmc's -lg: λ_g Σ_{i<j} √(ε + ‖e_ij‖²)
            E, G = xv[nh:].reshape(P, qm * qm), g[nh:].reshape(P, qm * qm)
            r = np.sqrt(GROUP_EPS + np.einsum("ij,ij->i", E, E, dtype=np.float64))
            f += lambda_g * float(r.sum())
            G += (lambda_g / r).astype(dtype)[:, None] * E
        return f

    report = None if callback is None else (lambda it, f, *_: callback(it, f))
    res = lbfgs(fun, x, max_iter=max_iter, callback=report, dot=plm_kernel.dot, dots=plm_kernel.dots,
                combine=plm_kernel.combine, axpy=plm_kernel.axpy)
    return PlmcFit(x[:nh].reshape(L, qm), x[nh:].reshape(P, qm, qm), res.f, res.n_iter, res.status, float(w.sum()))


def plm_memory_bytes(M: int, L: int, q: int, *, itemsize: int = 8, backend: str = "native") -> float:
    """Estimated peak bytes of a fit of plmc's problem on M sequences × L sites with q modelled
    states, beyond the interpreter and its libraries.

    ``"native"``: L-BFGS's x, g and 6 pairs over n = L·q + L(L−1)/2·q² parameters, the kernel's
    (L, BLOCK, ⌈q/8⌉·8) residual buffer and its (L, M) uint8 states. ``"torch"``: the (M, L·q)
    temporaries of the objective (2 of them) and indices, the dense (L·q)² coupling matrix with its
    gradient, and torch L-BFGS's 6 pairs and ~8 work vectors."""
    n_par = L * q + L * (L - 1) // 2 * q * q
    if check_choice(backend, "backend", PLMC_BACKENDS) == "native":
        from statgen.graphical.potts.inference.plm_kernel import BLOCK

        qp = -(-q // 8) * 8
        return lbfgs_bytes(n_par, itemsize) + L * min(BLOCK, M) * qp * itemsize + M * L * 1.0 + 16.0 * M
    return float(M * L * (24 + 2 * q * itemsize) + 3 * (L * q) ** 2 * itemsize + 20 * n_par * itemsize)
