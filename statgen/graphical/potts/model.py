"""The Potts model object: energies, exact enumeration, gauge, exact and MCMC sampling.

    E(s) = −Σ_i h_i(s_i) − Σ_{i<j} J_ij(s_i, s_j),      P(s) = exp(−E(s)) / Z,

with L sites, q states, h of shape (L, q) and J of shape (L, L, q, q) obeying
J[i, j, a, b] = J[j, i, b, a] and J[i, i] = 0. Internally the couplings are also used as the flat
symmetric matrix W[i·q + a, j·q + b] = J[i, j, a, b] of shape (L·q, L·q), so that the local fields
of many configurations are one sparse product onehot(s) @ W. Energies are in units of k_B T.

numpy only; :meth:`PottsModel.sample` imports the torch sampler when called.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from statgen._checks import as_array, check_choice, check_int, check_int_states, check_memory
from statgen.graphical.potts.gauge import check_fields_couplings, coupling_norms, gauge_arrays

__all__ = ["PottsModel", "MAX_ENUMERATION", "potts_predicted_gamma"]

#: Largest number of configurations q**L that exact enumeration accepts.
MAX_ENUMERATION = 10**6
_CHUNK = 1 << 16  # configurations per enumeration chunk (bounds memory to ~ _CHUNK · L·q floats)


def couplings_to_flat(J: np.ndarray) -> np.ndarray:
    """(L, L, q, q) couplings → flat (L·q, L·q) matrix W[i·q + a, j·q + b] = J[i, j, a, b]."""
    L, _, q, _ = J.shape
    return np.ascontiguousarray(J.transpose(0, 2, 1, 3).reshape(L * q, L * q))


def flat_to_couplings(W: np.ndarray, L: int, q: int) -> np.ndarray:
    """Inverse of :func:`couplings_to_flat`."""
    return np.ascontiguousarray(W.reshape(L, q, L, q).transpose(0, 2, 1, 3))


def check_model(model, name: str = "model") -> PottsModel:
    if not isinstance(model, PottsModel):
        raise TypeError(f"{name} must be a PottsModel, got {type(model).__name__}")
    return model


class PottsModel:
    """Potts pairwise model E(s) = −Σ_i h_i(s_i) − Σ_{i<j} J_ij(s_i, s_j) (energies in units of k_B T).

    Parameters
    ----------
    h : (L, q) fields, L ≥ 1, q ≥ 2.
    J : (L, L, q, q) couplings, J[i, j, a, b] = J[j, i, b, a] and J[i, i] = 0.

    Attributes
    ----------
    h, J : the parameters.  L, q : sites and states.  W : the same couplings as the flat symmetric
    (L·q, L·q) matrix (a view computed on access; :meth:`flat_couplings` is the same).

    Randomness: :meth:`sample_exact` (numpy) and :meth:`sample` (torch MCMC) take ``seed``
    (an int ≥ 0); :meth:`sample` also accepts a ``generator`` (``torch.Generator``).

    Examples
    --------
    ::

        m = chain_potts(8, 3, sigma=0.6, rng=np.random.default_rng(0))
        s = m.sample(1000, sweeps=50, seed=1)
        m.log_likelihood(s)  # mean log-likelihood per sample, exact log Z
    """

    def __init__(self, h, J):
        h = as_array(h, "h", ndim=2)
        L, q = h.shape
        if L < 1 or q < 2:
            raise ValueError(f"h must have shape (L >= 1, q >= 2), got {h.shape}")
        check_memory(3 * 8.0 * L * L * q * q, f"PottsModel with L={L}, q={q} ((L, L, q, q) couplings)")
        h, J = check_fields_couplings(h, J)
        scale = max(1.0, float(np.abs(J).max())) if J.size else 1.0
        asym = float(np.abs(J - J.transpose(1, 0, 3, 2)).max())
        if asym > 1e-10 * scale:
            raise ValueError(f"J must satisfy J[i, j, a, b] = J[j, i, b, a] (max violation {asym:.3g})")
        diag = float(np.abs(J[np.arange(L), np.arange(L)]).max())
        if diag > 0:
            raise ValueError(f"J must have zero diagonal blocks J[i, i] = 0 (max |J[i, i]| = {diag:.3g})")
        self.h = h
        self.J = J

    # ---------------------------------------------------------------- layouts, gauge
    @property
    def L(self) -> int:
        return self.h.shape[0]

    @property
    def q(self) -> int:
        return self.h.shape[1]

    @property
    def W(self) -> np.ndarray:
        """Flat symmetric coupling matrix (L·q, L·q); same as :meth:`flat_couplings`."""
        return couplings_to_flat(self.J)

    def flat_couplings(self) -> np.ndarray:
        """The couplings as the flat symmetric matrix W[i·q + a, j·q + b] = J[i, j, a, b], (L·q, L·q)."""
        return couplings_to_flat(self.J)

    @classmethod
    def from_flat(cls, h, W) -> PottsModel:
        """The model with fields h (L, q) and flat couplings W (L·q, L·q)."""
        h = as_array(h, "h", ndim=2)
        L, q = h.shape
        W = as_array(W, "W", shape=(L * q, L * q))
        return cls(h, flat_to_couplings(W, L, q))

    def __repr__(self) -> str:
        return f"PottsModel(L={self.L}, q={self.q})"

    def gauge(self, kind: str = "zero_sum") -> PottsModel:
        """The same distribution in the zero-sum gauge (see :func:`statgen.graphical.zero_sum_gauge`)."""
        check_choice(kind, "kind", ("zero_sum",))
        return PottsModel(*gauge_arrays(self.h, self.J))

    def coupling_norms(self) -> np.ndarray:
        """(L, L) Frobenius norms ||J_ij||_F in the zero-sum gauge (the gauge-invariant strength)."""
        return coupling_norms(self.J)

    def predicted_gamma(self) -> float:
        """γ* = 1 / mean_i Σ_j ||J_ij||²_F (zero-sum gauge): see :func:`potts_predicted_gamma`."""
        return potts_predicted_gamma(self)

    # ---------------------------------------------------------------- energies, likelihoods
    def check_states(self, s, name: str = "s") -> np.ndarray:
        """``s`` as (M, L) int64 states in [0, q)."""
        s = check_int_states(s, name, self.q)
        if s.shape[1] != self.L:
            raise ValueError(f"{name} must have L = {self.L} columns, got {s.shape[1]}")
        return s

    def energy(self, s) -> np.ndarray:
        """Energies E(s) of configurations s (M, L) with states in [0, q); returns (M,)."""
        return _energies(self.h, self.flat_couplings(), self.check_states(s))

    def log_partition(self) -> float:
        """Exact log Z = log Σ_s exp(−E(s)) by chunked enumeration; ValueError if q**L > 10**6."""
        lse = -np.inf
        for _, e in self._enumerate():
            lse = np.logaddexp(lse, _logsumexp(-e))
        return float(lse)

    def log_likelihood(self, s, *, weights=None, log_z: float | None = None) -> float:
        """Mean log-likelihood per sample, (1/Σw) Σ_m w_m [−E(s_m)] − log Z (exact log Z unless given)."""
        e = self.energy(s)
        w = check_weights(weights, len(e))
        lz = self.log_partition() if log_z is None else float(as_array(log_z, "log_z", ndim=0))
        return float(-(w @ e) / w.sum() - lz)

    def marginals(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact one- and two-site marginals by enumeration: P_i(a) (L, q) and P_ij(a, b) (L, L, q, q)."""
        L, q = self.L, self.q
        lz = self.log_partition()
        p1 = np.zeros(L * q)
        p2 = np.zeros((L * q, L * q))
        for idx, e in self._enumerate():
            p = np.exp(-e - lz)
            X = _onehot_flat(idx, L * q)
            p1 += p @ X
            p2 += X.T @ (X * p[:, None])
        return p1.reshape(L, q), flat_to_couplings(p2, L, q)

    def probabilities(self) -> np.ndarray:
        """Exact P(s) of all q**L configurations, in the order of :meth:`configurations` (index base q)."""
        e = np.concatenate([e for _, e in self._enumerate()])
        return np.exp(-e - _logsumexp(-e))

    def configurations(self) -> np.ndarray:
        """All q**L configurations (q**L, L), site 0 the most significant base-q digit."""
        self._check_enumerable()
        return index_to_states(np.arange(self.q**self.L), self.L, self.q)

    def entropy(self) -> float:
        """Exact entropy S = −Σ P log P (nats) by enumeration."""
        lz = self.log_partition()
        out = 0.0
        for _, e in self._enumerate():
            logp = -e - lz
            out -= float(np.exp(logp) @ logp)
        return out

    # ---------------------------------------------------------------- sampling
    def sample_exact(self, n: int, *, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """``n`` independent exact samples (n, L) by inverse-CDF sampling of the enumerated distribution.

        ``seed``: an int ≥ 0, a ``numpy.random.Generator``, or None (fresh entropy).
        """
        n = check_int(n, "n", minimum=1)
        if seed is not None and not isinstance(seed, np.random.Generator):
            seed = check_int(seed, "seed", minimum=0)
        self._check_enumerable()
        check_memory(8.0 * n * (2 * self.L + 3), f"sample_exact(n={n}) of L={self.L} sites")
        rng = np.random.default_rng(seed)
        cdf = np.cumsum(self.probabilities())
        k = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        return index_to_states(np.minimum(k, cdf.size - 1), self.L, self.q)

    def sample(self, n: int, *, sweeps: int = 100, seed: int | None = None, generator=None,
               method: str = "gibbs", init=None, device=None, dtype=None, progress: bool = False) -> np.ndarray:
        """``n`` configurations (n, L) from ``n`` independent MCMC chains after ``sweeps`` sweeps.

        See :func:`statgen.graphical.sample_chains` (Gibbs or Metropolis, the sites of one colour
        class of the interaction graph updated together; ``seed`` or a ``torch.Generator``).
        """
        from statgen.graphical.potts.sampling import sample_chains

        return sample_chains(self, n, sweeps=sweeps, seed=seed, generator=generator, method=method, init=init,
                             device=device, dtype=dtype, progress=progress)

    # ---------------------------------------------------------------- enumeration helpers
    def is_enumerable(self) -> bool:
        """Whether q**L ≤ :data:`MAX_ENUMERATION` (exact log Z, marginals, sampling)."""
        return self.q**self.L <= MAX_ENUMERATION

    def _check_enumerable(self) -> None:
        if not self.is_enumerable():
            raise ValueError(f"exact enumeration needs q**L <= {MAX_ENUMERATION}, got {self.q}**{self.L}; "
                             "use statgen.graphical.ais_log_partition for large models")

    def _enumerate(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (flat one-hot indices (C, L), energies (C,)) chunk by chunk over all configurations."""
        self._check_enumerable()
        W, hf = self.flat_couplings(), self.h.ravel()
        total = self.q**self.L
        for start in range(0, total, _CHUNK):
            s = index_to_states(np.arange(start, min(total, start + _CHUNK)), self.L, self.q)
            idx = s + self.q * np.arange(self.L)
            yield idx, _energies_idx(hf, W, idx)


def potts_predicted_gamma(model: PottsModel) -> float:
    """γ* = 1 / mean_i Σ_j ||J_ij||²_F with J in the zero-sum gauge.

    With the penalty convention of :func:`statgen.graphical.fit_plm` (per-site, per-sample objective
    α ℓ − (γ/L)·((q−1)²/2) Σ_{i<j} ||J_ij||²_F, α = M/L) this is the Bayes-optimal L2 strength for
    isotropic Gaussian couplings in the zero-sum subspace, the exact analogue of the Gaussian
    γ* = 1/Σ_j J_ij². ValueError for a model without couplings (γ* would be infinite).
    """
    check_model(model)
    s2 = float((model.coupling_norms() ** 2).sum(axis=1).mean())
    if s2 == 0:
        raise ValueError("the model has no couplings (all ||J_ij||_F = 0 in the zero-sum gauge): "
                         "the predicted gamma is infinite")
    return 1.0 / s2


def check_weights(weights, m: int) -> np.ndarray:
    """Sample weights (m,), finite, ≥ 0, with a positive sum; ones when None."""
    if weights is None:
        return np.ones(m)
    w = as_array(weights, "weights", shape=(m,))
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return w


def _logsumexp(x: np.ndarray) -> float:
    m = float(np.max(x))
    return m + float(np.log(np.sum(np.exp(x - m))))


def index_to_states(k: np.ndarray, L: int, q: int) -> np.ndarray:
    """Configuration indices k (base q, site 0 the most significant digit) → states (len(k), L)."""
    powers = q ** np.arange(L - 1, -1, -1, dtype=np.int64)
    return (k[:, None] // powers) % q


def _onehot_flat(idx: np.ndarray, n: int) -> np.ndarray:
    X = np.zeros((idx.shape[0], n))
    np.put_along_axis(X, idx, 1.0, axis=1)
    return X


def _energies(h: np.ndarray, W: np.ndarray, s: np.ndarray) -> np.ndarray:
    L, q = h.shape
    return _energies_idx(h.ravel(), W, s + q * np.arange(L))


def _energies_idx(hf: np.ndarray, W: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """E = −Σ_i h[idx_i] − ½ Σ_{i,j} W[idx_i, idx_j], chunked; dense one-hot product when L·q is small."""
    M, L = idx.shape
    n = W.shape[0]
    out = np.empty(M)
    dense = n <= 4 * L  # q <= 4: one-hot @ W is cheaper than per-pair gathers
    step = max(1, 4_000_000 // (n * L if dense else L * L))
    for a in range(0, M, step):
        ix = idx[a:a + step]
        if dense:
            X = _onehot_flat(ix, n)
            pair = 0.5 * np.einsum("mk,mk->m", X @ W, X)
        else:
            pair = 0.5 * W[ix[:, :, None], ix[:, None, :]].sum(axis=(1, 2))
        out[a:a + step] = -hf[ix].sum(axis=1) - pair
    return out
