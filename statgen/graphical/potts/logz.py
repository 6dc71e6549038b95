"""log Z of large Potts models by annealed importance sampling (AIS), with an error bar.

Path: E_β(s) = (1 − β) E_0(s) + β E(s), β from 0 to 1, where E_0(s) = −Σ_i h⁰_i(s_i) is an
independent-site reference with exactly known log Z_0 = Σ_i log Σ_a exp h⁰_i(a) that can be
sampled exactly. Each chain starts from an exact draw of P_0, accumulates
log w += −(β_k − β_{k−1}) [E(s) − E_0(s)] and then makes ``sweeps_per_temp`` Gibbs sweeps at
β_k (Neal 2001). Then Z/Z_0 = E[w]; the estimate is log Z_0 + log mean(w) and its standard
error is the delta-method std(w) / (mean(w) √n) over n independent chains.

References
----------
R. M. Neal, "Annealed importance sampling", Statistics and Computing 11, 125 (2001).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from statgen._checks import as_array, check_bool, check_int
from statgen._progress import progress_bar
from statgen.graphical.potts._torch import resolve_dtype
from statgen.graphical.potts.model import check_model
from statgen.graphical.potts.sampling import (
    PottsChains,
    chains_memory,
    energy_idx,
    model_classes,
    model_tensors,
)

__all__ = ["LogZEstimate", "ais_log_partition"]


@dataclass(frozen=True)
class LogZEstimate:
    """An estimate of log Z: ``log_z`` ± ``stderr`` (one standard error), ``ess`` = effective sample size."""

    log_z: float
    stderr: float
    ess: float


def ais_log_partition(model, *, n_chains: int = 1000, n_temps: int = 1000, sweeps_per_temp: int = 1,
                      reference_fields=None, seed: int | None = None, generator=None, device=None, dtype=None,
                      progress: bool = False) -> LogZEstimate:
    """Annealed importance sampling estimate of log Z for a :class:`PottsModel`.

    Parameters
    ----------
    model : the PottsModel.
    n_chains : independent AIS chains (run in parallel), ≥ 2 (the error bar needs two).
    n_temps : number of intermediate β (linearly spaced in (0, 1]), ≥ 1.
    sweeps_per_temp : Gibbs sweeps after each β step, ≥ 0.
    reference_fields : (L, q) fields h⁰ of the independent-site reference; default the model's
        fields in the zero-sum gauge (good whenever couplings are moderate).
    seed, generator, device, dtype : torch randomness (an int ≥ 0 or a ``torch.Generator``) and placement.
    """
    check_model(model)
    n_chains = check_int(n_chains, "n_chains", minimum=2)
    n_temps = check_int(n_temps, "n_temps", minimum=1)
    sweeps_per_temp = check_int(sweeps_per_temp, "sweeps_per_temp", minimum=0)
    progress = check_bool(progress, "progress")
    m0 = model.gauge()
    h0 = m0.h if reference_fields is None else as_array(reference_fields, "reference_fields", shape=(model.L, model.q))
    L, q = model.L, model.q
    chains_memory(n_chains, L, q, resolve_dtype(dtype), "ais_log_partition", "n_chains")
    chains = PottsChains(L, q, n_chains, classes=model_classes(model), seed=seed, generator=generator,
                         device=device, dtype=dtype)
    dev, dt = chains.device, chains.dtype
    h, W = model_tensors(model, dev, dt)
    hr = torch.as_tensor(h0.ravel(), device=dev, dtype=dt)
    # exact draw from the reference: independent sites with probabilities softmax(h0_i)
    p0 = torch.softmax(hr.view(L, q), dim=1)
    s0 = torch.multinomial(p0, n_chains, replacement=True, generator=chains.gen).T
    chains.idx = s0 + chains.offset
    log_z0 = float(torch.logsumexp(hr.view(L, q), dim=1).sum())
    logw = torch.zeros(n_chains, device=dev, dtype=dt)
    betas = np.linspace(0.0, 1.0, n_temps + 1)
    for k in progress_bar(range(1, n_temps + 1), desc="AIS", progress=progress):
        db = betas[k] - betas[k - 1]
        logw -= db * (energy_idx(chains.idx, h, W) + hr[chains.idx].sum(1))
        b = betas[k]
        chains.set_params_unchecked((1 - b) * hr + b * h, b * W)
        chains._sweep(sweeps_per_temp, "gibbs")
    lw = logw.double().cpu().numpy()
    mx = lw.max()
    w = np.exp(lw - mx)
    mean = w.mean()
    stderr = float(w.std(ddof=1) / (mean * np.sqrt(n_chains)))
    ess = float(w.sum() ** 2 / (w**2).sum())
    return LogZEstimate(float(log_z0 + mx + np.log(mean)), stderr, ess)
