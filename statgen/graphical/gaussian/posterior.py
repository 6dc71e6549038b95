"""Posterior fluctuations of Gaussian couplings around the L2 MAP, sampled with PyMC (NUTS).

The L2 MAP of :func:`statgen.graphical.map_l2` maximizes ``-F(J)`` with the per-site free energy

    F(J) = −α ℓ(J; C) + (γ/4) Tr(J²)/N,   ℓ(J; C) = ½ Tr(J C)/N − log Z(J),

(J symmetric with a free diagonal, μ(J) spherical). Here J is instead sampled from the posterior

    p(J) ∝ exp(−β F(J)),   β = β_norm N²,

so that β_norm = 1 is the exact Bayesian posterior of B = α N samples under the Gaussian prior
exp(−β_norm N γ Tr(J²)/4) (the total log-likelihood of the data is N B ℓ = α N² ℓ), and
β_norm → ∞ collapses on the MAP. The likelihood curves (train, test, gen, gen_true; per site, nats)
averaged over the posterior are then compared with the MAP curves of :func:`l2_path`
(Fanthomme, Rizzato, Cocco & Monasson 2022, J. Stat. Mech., arXiv:2112.01292, section on
posterior fluctuations).

Gradient: with Tr C = N, ∂ℓ/∂μ = [Tr P⁻¹ − Tr C]/(2N) vanishes on the constraint Tr P⁻¹ = N, so
∇_J ℓ = (C − P⁻¹)/(2N) is the gradient at fixed μ; μ(J) therefore enters the PyMC graph as a
constant-gradient (zero-gradient) operation and the NUTS gradients are exact.

PyMC is optional: ``pip install 'statgen[bayes]'``.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from statgen._checks import (
    as_array,
    check_bool,
    check_in_range,
    check_int,
    check_positive,
    check_symmetric,
)
from statgen._io import load_npz, save_npz_atomic
from statgen._progress import progress_bar
from statgen.graphical._paths import PathResult
from statgen.graphical.gaussian._linalg import check_covariance
from statgen.graphical.gaussian.l2 import check_gammas, map_l2
from statgen.graphical.gaussian.l2_path import l2_path
from statgen.graphical.gaussian.model import as_model
from statgen.graphical.gaussian.spherical import (
    _solve_mu,
    spherical_log_likelihood,
    spherical_log_partition,
)

__all__ = ["l2_free_energy", "sample_l2_posterior", "coupling_curves", "posterior_curves", "PosteriorCurves"]


def _pymc():
    try:
        import pymc as pm
        import pytensor.tensor as pt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("posterior sampling needs PyMC: pip install 'statgen[bayes]'") from exc
    return pm, pt


def _check_inputs(C, gamma, alpha, name_gamma="gamma"):
    C = check_covariance(C, "C")
    return C, check_positive(gamma, name_gamma), check_positive(alpha, "alpha")


def _check_nuts(beta_norm, draws, tune, chains, seed, target_accept, progress) -> dict:
    """The sampler settings, checked before PyMC is imported (its compilation takes seconds)."""
    return {"beta_norm": check_positive(beta_norm, "beta_norm"), "draws": check_int(draws, "draws", minimum=1),
            "tune": check_int(tune, "tune", minimum=0), "chains": check_int(chains, "chains", minimum=1),
            "seed": check_int(seed, "seed", minimum=0),
            "target_accept": check_in_range(target_accept, "target_accept", 0.0, 1.0, closed=False),
            "progress": check_bool(progress, "progress")}


def l2_free_energy(J, C, gamma: float, alpha: float) -> float:
    """Per-site F(J) = −α ℓ(J; C) + (γ/4) Tr(J²)/N (nats per site); its minimum is ``map_l2``."""
    C, gamma, alpha = _check_inputs(C, gamma, alpha)
    J = as_array(J, "J", shape=C.shape)
    return float(-alpha * spherical_log_likelihood(J, C) + 0.25 * gamma * np.sum(J * J) / C.shape[0])


def _mu_op():
    """pytensor Op: μ(J) of the spherical constraint; zero gradient (exact, see module docstring)."""
    import pytensor.tensor as pt
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    class SphericalMu(Op):
        __props__ = ()

        def make_node(self, J):
            J = pt.as_tensor_variable(J)
            return Apply(self, [J], [pt.dscalar()])

        def perform(self, node, inputs, outputs):
            outputs[0][0] = np.asarray(_solve_mu(np.linalg.eigvalsh(inputs[0])), dtype=np.float64)

        def grad(self, inputs, output_grads):
            return [pt.zeros_like(inputs[0])]

    return SphericalMu()


def _posterior_model(C, gamma: float, alpha: float, beta_norm: float):
    """The PyMC model of ``p(J) ∝ exp(−β_norm N² F(J))``: free vector ``theta`` = upper triangle of J.

    γ is a ``pm.Data`` container: one compiled model (and NUTS step) serves a whole γ path.
    """
    pm, pt = _pymc()
    C, gamma, alpha = _check_inputs(C, gamma, alpha)
    beta_norm = check_positive(beta_norm, "beta_norm")
    n = C.shape[0]
    iu = np.triu_indices(n)
    with pm.Model() as model:
        g = pm.Data("gamma", np.float64(gamma))
        theta = pm.Flat("theta", shape=iu[0].size, initval=np.zeros(iu[0].size))
        upper = pt.set_subtensor(pt.zeros((n, n))[iu], theta)
        J = upper + upper.T - pt.diag(pt.diag(upper))
        mu = _mu_op()(J)
        L = pt.linalg.cholesky(mu * pt.eye(n) - J)
        log_lik = 0.5 * pt.sum(J * C) / n - 0.5 * mu + pt.sum(pt.log(pt.diag(L))) / n  # ℓ(J; C)
        F = -alpha * log_lik + 0.25 * g * pt.sum(J * J) / n
        pm.Potential("posterior", -beta_norm * n * n * F)
    return model, n


@contextmanager
def _quiet_pymc():
    """Silence PyMC's per-run INFO log lines (the progress bars stay under ``progress``)."""
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():  # pip-installed pytensor warns once about its BLAS linkage
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
            yield
    finally:
        logger.setLevel(level)


class _PosteriorSampler:
    """One compiled PyMC model + NUTS step for a fixed (C, α, β_norm); samples at any γ."""

    def __init__(self, C, alpha: float, beta_norm: float, target_accept: float = 0.85):
        pm, _ = _pymc()
        self.C, self.alpha = C, alpha
        self.model, self.n = _posterior_model(C, 1.0, alpha, beta_norm)
        with self.model, _quiet_pymc():
            self.step = pm.NUTS(target_accept=target_accept)

    def sample(self, gamma: float, *, draws: int, tune: int, chains: int, seed: int, progress: bool) -> np.ndarray:
        pm, _ = _pymc()
        n = self.n
        iu = np.triu_indices(n)
        start = map_l2(self.C, gamma, self.alpha)[0][iu]
        with self.model, _quiet_pymc():
            pm.set_data({"gamma": np.float64(gamma)})
            self.step.reset_tuning()  # fresh step size and mass-matrix adaptation at every γ
            trace = pm.sample(draws=int(draws), tune=int(tune), chains=int(chains), cores=1, step=self.step,
                              initvals={"theta": start}, random_seed=seed, progressbar=progress,
                              compute_convergence_checks=False, return_inferencedata=False)
        th = np.asarray(trace.get_values("theta", combine=True)).reshape(-1, iu[0].size)  # chain after chain
        out = np.zeros((th.shape[0], n, n))
        out[:, iu[0], iu[1]] = th
        out[:, iu[1], iu[0]] = th
        return out


def sample_l2_posterior(C, gamma: float, alpha: float, *, beta_norm: float = 1.0, draws: int = 500,
                        tune: int = 500, chains: int = 2, seed: int = 0, target_accept: float = 0.85,
                        progress: bool = False) -> np.ndarray:
    """Draw couplings from p(J) ∝ exp(−β_norm N² F(J)) with PyMC's NUTS.

    The N(N+1)/2 free entries (upper triangle with the diagonal) have a flat prior; the whole
    posterior is a ``pm.Potential``. Chains start at the MAP (:func:`map_l2`).

    Parameters
    ----------
    C : (N, N) training covariance (Tr C = N).
    gamma, alpha : L2 strength and sample ratio (> 0).
    beta_norm : inverse temperature per N² (1 = Bayesian posterior, ∞ = MAP).
    draws, tune, chains : NUTS settings (draws ≥ 1, tune ≥ 0, chains ≥ 1; chains run one after the
        other on one core).
    seed : random seed of the sampler (an int ≥ 0; PyMC's convention).
    target_accept : NUTS target acceptance rate in (0, 1).

    Returns
    -------
    J : (chains * draws, N, N) symmetric coupling samples.
    """
    C, gamma, alpha = _check_inputs(C, gamma, alpha)
    s = _check_nuts(beta_norm, draws, tune, chains, seed, target_accept, progress)
    sampler = _PosteriorSampler(C, alpha, s["beta_norm"], s["target_accept"])
    return sampler.sample(gamma, draws=s["draws"], tune=s["tune"], chains=s["chains"], seed=s["seed"],
                          progress=s["progress"])


def coupling_curves(J, C, *, C_true=None, J_true=None) -> dict[str, np.ndarray]:
    """Likelihood curves of a batch of coupling matrices J (S, N, N), vectorized (batched eigh).

    Per site, nats, spherical μ(J) of each sample: train = ℓ(J; C), test = ℓ(J; C_true),
    gen = ℓ(J; C_model) = ½⟨j_k/(μ − j_k)⟩ − log Z, gen_true = ℓ(J_true; C_model) with
    C_model = (μ I − J)⁻¹. Each value has shape (S,). ``test`` needs ``C_true`` and ``gen_true``
    needs ``J_true``.
    """
    J = as_array(J, "J", ndim=(2, 3))
    J = J[None] if J.ndim == 2 else J
    n = J.shape[-1]
    if J.shape[-2] != n or n == 0:
        raise ValueError(f"J must hold non-empty square matrices (S, N, N), got shape {J.shape}")
    for s in range(J.shape[0]):
        check_symmetric(J[s], "J" if J.shape[0] == 1 else f"J[{s}]")
    C = check_covariance(C, "C", n=n, psd=False)
    if C_true is not None:
        C_true = check_covariance(C_true, "C_true", n=n)
    model = None if J_true is None else as_model(J_true, n)
    lam, V = np.linalg.eigh(J)
    mu = np.asarray(_solve_mu(lam)).reshape(-1)
    log_z = np.asarray(spherical_log_partition(lam, mu)).reshape(-1)

    def tr(M):  # Tr(J M)/N per sample
        return np.einsum("sij,ij->s", J, M) / n

    out = {"train": 0.5 * tr(C) - log_z, "gen": 0.5 * np.mean(lam / (mu[:, None] - lam), axis=1) - log_z}
    if model is not None:
        # C_model = V diag(1/(μ − λ)) Vᵀ, so Tr(C_model J_true) = Σ_k (Vᵀ J_true V)_kk / (μ − λ_k)
        overlap = np.einsum("sik,ij,sjk->sk", V, model.J, V)
        out["gen_true"] = 0.5 * np.sum(overlap / (mu[:, None] - lam), axis=1) / n - model.log_partition()
    if C_true is not None:
        out["test"] = 0.5 * tr(C_true) - log_z
    return out


@dataclass(frozen=True)
class PosteriorCurves(PathResult):
    """Posterior-averaged and MAP likelihood curves along a γ grid (per site, nats).

    ``mean[k]``, ``sd[k]`` (G,): posterior mean and standard deviation of curve ``k`` in
    {train, test, gen, gen_true}; ``map[k]`` (G,): the MAP curve of :func:`l2_path` on the same C.
    ``j_sd`` (G,): posterior standard deviation of the off-diagonal couplings (mean over pairs),
    ``j_map_dist`` (G,): RMS distance of the posterior mean J from the MAP J (off-diagonal).
    """

    gammas: np.ndarray
    alpha: float
    beta_norm: float
    n: int
    mean: dict = field(metadata={"suffix": "post"})
    sd: dict = field(metadata={"suffix": "post_sd"})
    map: dict = field(metadata={"suffix": "map"})
    j_sd: np.ndarray
    j_map_dist: np.ndarray


def posterior_curves(C, gammas, alpha: float, *, J_true, beta_norm: float = 1.0, draws: int = 500,
                     tune: int = 500, chains: int = 2, seed: int = 0, checkpoint_dir=None,
                     progress: bool = False) -> PosteriorCurves:
    """Sample the posterior at every γ and average the likelihood curves; compare with the MAP.

    One PyMC model is compiled for the whole path (γ is a data container).

    Parameters
    ----------
    C : (N, N) training covariance (Tr C = N).
    gammas : (G,) L2 strengths.
    alpha : sample ratio B/N.
    J_true : true couplings or :class:`SphericalGaussian` (for test and gen_true).
    beta_norm, draws, tune, chains, seed : see :func:`sample_l2_posterior` (seed + i at the i-th γ).
    checkpoint_dir : optional directory; the summary at each γ is written there atomically and
        reused on a rerun (an interrupted path resumes at the next γ).
    """
    from pathlib import Path

    g = check_gammas(gammas)
    C, _, alpha = _check_inputs(C, g[0], alpha)
    model = as_model(J_true, C.shape[0])
    s = _check_nuts(beta_norm, draws, tune, chains, seed, 0.85, progress)
    keys = ("train", "test", "gen", "gen_true")
    off = ~np.eye(C.shape[0], dtype=bool)
    sampler = None
    rows = []
    with progress_bar(total=g.size, desc=f"posterior N={C.shape[0]}", progress=s["progress"]) as bar:
        for i, gamma in enumerate(g):
            ckpt = None if checkpoint_dir is None else Path(checkpoint_dir) / f"gamma-{i:03d}.npz"
            if ckpt is not None and ckpt.exists():
                rows.append(load_npz(ckpt, what="posterior checkpoint",
                                     required=[*(f"{k}_{m}" for k in keys for m in ("mean", "sd")), "j_sd",
                                               "j_map_dist"]))
                bar.update(1)
                continue
            if sampler is None:
                sampler = _PosteriorSampler(C, alpha, s["beta_norm"])
            Js = sampler.sample(gamma, draws=s["draws"], tune=s["tune"], chains=s["chains"], seed=s["seed"] + i,
                                progress=False)
            cv = coupling_curves(Js, C, C_true=model.covariance(), J_true=model)
            J_map, _ = map_l2(C, gamma, alpha)
            row = {f"{k}_mean": np.asarray(cv[k].mean()) for k in keys}
            row.update({f"{k}_sd": np.asarray(cv[k].std()) for k in keys})
            row["j_sd"] = np.asarray(np.mean(Js.std(axis=0)[off]))
            row["j_map_dist"] = np.asarray(np.sqrt(np.mean((Js.mean(axis=0) - J_map)[off] ** 2)))
            if ckpt is not None:
                ckpt.parent.mkdir(parents=True, exist_ok=True)
                save_npz_atomic(ckpt, row)
            rows.append(row)
            bar.update(1)
    path = l2_path(C, g, alpha, J_true=model)
    stack = lambda key: np.array([float(r[key]) for r in rows])  # noqa: E731
    return PosteriorCurves(gammas=g, alpha=alpha, beta_norm=s["beta_norm"], n=C.shape[0],
                           mean={k: stack(f"{k}_mean") for k in keys}, sd={k: stack(f"{k}_sd") for k in keys},
                           map={k: np.asarray(getattr(path, k)) for k in keys}, j_sd=stack("j_sd"),
                           j_map_dist=stack("j_map_dist"))
