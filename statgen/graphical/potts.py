"""Potts pairwise models: the model object, coupling generators, exact enumeration.

Conventions (``shared/science/graphical.md``, Potts part)::

    E(s) = −Σ_i h_i(s_i) − Σ_{i<j} J_ij(s_i, s_j),      P(s) = exp(−E(s)) / Z,

with L sites, q states, ``h`` of shape (L, q) and ``J`` of shape (L, L, q, q) obeying
``J[i, j, a, b] = J[j, i, b, a]`` and ``J[i, i] = 0``. Internally the couplings are also used as
the flat symmetric matrix ``W[i*q + a, j*q + b] = J[i, j, a, b]`` of shape (L·q, L·q), so that
the local fields of many configurations are one sparse product ``onehot(s) @ W``.

Sampling (Gibbs / Metropolis over parallel torch chains) lives in ``potts_sampling``, log Z
estimation (annealed importance sampling) in ``potts_logz``, inference (pseudo-likelihood,
exact-gradient maximum likelihood, Boltzmann learning) in ``potts_inference`` and FASTA input in
``alignment``; all public names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from statgen._checks import as_array, check_int_states, check_nonnegative, check_positive

__all__ = [
    "PottsModel",
    "MAX_ENUMERATION",
    "zero_sum_gauge",
    "potts_couplings",
    "chain_edges",
    "lattice_edges",
    "erdos_renyi_edges",
    "complete_edges",
    "chain_potts",
    "lattice_potts",
    "erdos_renyi_potts",
    "complete_potts",
    "potts_predicted_gamma",
]

#: Largest number of configurations q**L that exact enumeration accepts.
MAX_ENUMERATION = 10**6
_CHUNK = 1 << 16  # configurations per enumeration chunk (bounds memory to ~ _CHUNK · L·q floats)


# --------------------------------------------------------------------------------------------
# flat <-> block layouts


def couplings_to_flat(J: np.ndarray) -> np.ndarray:
    """(L, L, q, q) couplings → flat (L·q, L·q) matrix ``W[i*q+a, j*q+b] = J[i, j, a, b]``."""
    L, _, q, _ = J.shape
    return np.ascontiguousarray(J.transpose(0, 2, 1, 3).reshape(L * q, L * q))


def flat_to_couplings(W: np.ndarray, L: int, q: int) -> np.ndarray:
    """Inverse of :func:`couplings_to_flat`."""
    return np.ascontiguousarray(W.reshape(L, q, L, q).transpose(0, 2, 1, 3))


def zero_sum_gauge(h: np.ndarray, J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero-sum (Ising) gauge: the same distribution with Σ_a J_ij(a, b) = Σ_b J_ij(a, b) = 0
    and Σ_a h_i(a) = 0.

    J'_ij(a, b) = J_ij(a, b) − J_ij(·, b) − J_ij(a, ·) + J_ij(·, ·) (· = mean over q states), and
    the removed single-site parts move into the fields:
    h'_i(a) = h_i(a) − h_i(·) + Σ_{j≠i} [J_ij(a, ·) − J_ij(·, ·)]. Energies change by a constant only.
    Among all gauges it minimizes Σ_{i<j} ||J_ij||²_F, which is why L2 penalties select it.
    """
    Jm_b = J.mean(axis=3, keepdims=True)  # J_ij(a, ·)
    Jm_a = J.mean(axis=2, keepdims=True)  # J_ij(·, b)
    Jm = J.mean(axis=(2, 3), keepdims=True)
    J0 = J - Jm_a - Jm_b + Jm
    h0 = h + (Jm_b - Jm)[..., 0].sum(axis=1)
    h0 = h0 - h0.mean(axis=1, keepdims=True)
    return h0, J0


class PottsModel:
    """Potts pairwise model E(s) = −Σ_i h_i(s_i) − Σ_{i<j} J_ij(s_i, s_j) (energies in units of k_B T).

    Parameters
    ----------
    h : (L, q) fields.
    J : (L, L, q, q) couplings, J[i, j, a, b] = J[j, i, b, a] and J[i, i] = 0.

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
        J = as_array(J, "J", shape=(L, L, q, q))
        scale = max(1.0, float(np.abs(J).max())) if J.size else 1.0
        asym = float(np.abs(J - J.transpose(1, 0, 3, 2)).max())
        if asym > 1e-10 * scale:
            raise ValueError(f"J must satisfy J[i, j, a, b] = J[j, i, b, a] (max violation {asym:.3g})")
        diag = float(np.abs(J[np.arange(L), np.arange(L)]).max())
        if diag > 0:
            raise ValueError(f"J must have zero diagonal blocks J[i, i] = 0 (max |J[i, i]| = {diag:.3g})")
        self.h = h
        self.J = J

    # ---------------------------------------------------------------- basic properties
    @property
    def L(self) -> int:
        return self.h.shape[0]

    @property
    def q(self) -> int:
        return self.h.shape[1]

    @property
    def W(self) -> np.ndarray:
        """Flat symmetric coupling matrix (L·q, L·q)."""
        return couplings_to_flat(self.J)

    @classmethod
    def from_flat(cls, h: np.ndarray, W: np.ndarray) -> PottsModel:
        h = np.asarray(h, dtype=np.float64)
        L, q = h.shape
        return cls(h, flat_to_couplings(np.asarray(W, dtype=np.float64), L, q))

    def __repr__(self) -> str:
        return f"PottsModel(L={self.L}, q={self.q})"

    def gauge(self, kind: str = "zero_sum") -> PottsModel:
        """The same distribution in the zero-sum gauge (see :func:`zero_sum_gauge`)."""
        if kind != "zero_sum":
            raise ValueError(f"kind must be 'zero_sum', got {kind!r}")
        return PottsModel(*zero_sum_gauge(self.h, self.J))

    def coupling_norms(self) -> np.ndarray:
        """(L, L) Frobenius norms ||J_ij||_F in the zero-sum gauge (the gauge-invariant strength)."""
        _, J0 = zero_sum_gauge(self.h, self.J)
        return np.sqrt(np.einsum("ijab,ijab->ij", J0, J0))

    def predicted_gamma(self) -> float:
        """γ* = 1 / mean_i Σ_j ||J_ij||²_F (zero-sum gauge): the Potts analogue of the Gaussian prediction."""
        return potts_predicted_gamma(self)

    # ---------------------------------------------------------------- energies, likelihoods
    def energy(self, s) -> np.ndarray:
        """Energies E(s) of configurations ``s`` (M, L) with states in [0, q); returns (M,)."""
        s = check_int_states(s, "s", self.q)
        if s.shape[1] != self.L:
            raise ValueError(f"s must have L = {self.L} columns, got {s.shape[1]}")
        return _energies(self.h, self.W, s)

    def log_partition(self) -> float:
        """Exact log Z = log Σ_s exp(−E(s)) by chunked enumeration; ValueError if q**L > 10**6."""
        lse = -np.inf
        for _, e in self._enumerate():
            lse = np.logaddexp(lse, _logsumexp(-e))
        return float(lse)

    def log_likelihood(self, s, *, weights=None, log_z: float | None = None) -> float:
        """Mean log-likelihood per sample, (1/Σw) Σ_m w_m [−E(s_m)] − log Z (exact log Z unless given)."""
        e = self.energy(s)
        w = _check_weights(weights, len(e))
        lz = self.log_partition() if log_z is None else float(log_z)
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
        return _index_to_states(np.arange(self.q**self.L), self.L, self.q)

    def entropy(self) -> float:
        """Exact entropy S = −Σ P log P (nats) by enumeration."""
        lz = self.log_partition()
        out = 0.0
        for _, e in self._enumerate():
            logp = -e - lz
            out -= float(np.exp(logp) @ logp)
        return out

    def sample_exact(self, n: int, *, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """``n`` independent exact samples (n, L) by inverse-CDF sampling of the enumerated distribution."""
        n = int(check_positive(n, "n"))
        rng = np.random.default_rng(seed)
        cdf = np.cumsum(self.probabilities())
        k = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        return _index_to_states(np.minimum(k, cdf.size - 1), self.L, self.q)

    # ---------------------------------------------------------------- MCMC (torch)
    def sample(self, n: int, *, sweeps: int = 100, seed: int | None = None, method: str = "gibbs",
               init=None, device=None, dtype=None, progress: bool = False) -> np.ndarray:
        """``n`` configurations (n, L) from ``n`` independent chains after ``sweeps`` sweeps.

        See :func:`statgen.graphical.potts_sampling.sample_chains` for the sweep (Gibbs or
        Metropolis, sites of one colour class of the interaction graph updated together).
        """
        from statgen.graphical.potts_sampling import sample_chains

        return sample_chains(self, n, sweeps=sweeps, seed=seed, method=method, init=init, device=device,
                             dtype=dtype, progress=progress)

    # ---------------------------------------------------------------- enumeration helpers
    def _check_enumerable(self) -> None:
        if self.q**self.L > MAX_ENUMERATION:
            raise ValueError(f"exact enumeration needs q**L <= {MAX_ENUMERATION}, got {self.q}**{self.L}; "
                             "use statgen.graphical.ais_log_partition for large models")

    def _enumerate(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (flat one-hot indices (C, L), energies (C,)) chunk by chunk over all configurations."""
        self._check_enumerable()
        W, hf = self.W, self.h.ravel()
        total = self.q**self.L
        for start in range(0, total, _CHUNK):
            s = _index_to_states(np.arange(start, min(total, start + _CHUNK)), self.L, self.q)
            idx = s + self.q * np.arange(self.L)
            yield idx, _energies_idx(hf, W, idx)


def _check_weights(weights, m: int) -> np.ndarray:
    if weights is None:
        return np.ones(m)
    w = as_array(weights, "weights", shape=(m,))
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return w


def _logsumexp(x: np.ndarray) -> float:
    m = float(np.max(x))
    return m + float(np.log(np.sum(np.exp(x - m))))


def _index_to_states(k: np.ndarray, L: int, q: int) -> np.ndarray:
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


# --------------------------------------------------------------------------------------------
# coupling generators


def chain_edges(L: int, *, periodic: bool = False) -> np.ndarray:
    """Edges (i, i+1) of an open (or periodic) chain, shape (E, 2)."""
    L = int(check_positive(L, "L"))
    e = [(i, i + 1) for i in range(L - 1)]
    if periodic and L > 2:
        e.append((0, L - 1))
    return np.array(e, dtype=np.int64).reshape(-1, 2)


def lattice_edges(rows: int, cols: int, *, periodic: bool = False) -> np.ndarray:
    """Nearest-neighbour edges of a rows × cols square lattice (site = r * cols + c), shape (E, 2)."""
    rows, cols = int(check_positive(rows, "rows")), int(check_positive(cols, "cols"))
    site = np.arange(rows * cols).reshape(rows, cols)
    e = [np.stack([site[:, :-1].ravel(), site[:, 1:].ravel()], 1),
         np.stack([site[:-1, :].ravel(), site[1:, :].ravel()], 1)]
    if periodic and cols > 2:
        e.append(np.stack([site[:, -1], site[:, 0]], 1))
    if periodic and rows > 2:
        e.append(np.stack([site[-1, :], site[0, :]], 1))
    return np.sort(np.concatenate(e), axis=1)


def erdos_renyi_edges(L: int, mean_degree: float, *, rng: np.random.Generator) -> np.ndarray:
    """Edges of an Erdős–Rényi graph G(L, p) with p = mean_degree / (L − 1), shape (E, 2)."""
    L = int(check_positive(L, "L"))
    p = check_nonnegative(mean_degree, "mean_degree") / max(L - 1, 1)
    if p > 1:
        raise ValueError(f"mean_degree must be <= L - 1 = {L - 1}, got {mean_degree}")
    i, j = np.triu_indices(L, 1)
    keep = rng.random(i.size) < p
    return np.stack([i[keep], j[keep]], 1)


def complete_edges(L: int) -> np.ndarray:
    """All L(L−1)/2 edges of the complete graph, shape (E, 2)."""
    i, j = np.triu_indices(int(check_positive(L, "L")), 1)
    return np.stack([i, j], 1)


def potts_couplings(L: int, q: int, edges, sigma: float, *, rng: np.random.Generator,
                    sigma_h: float = 0.0) -> PottsModel:
    """Random Potts model on a graph: each edge carries a zero-sum Gaussian coupling matrix.

    For every edge (i, j), G ~ N(0, 1)^{q×q} is projected on the zero-sum subspace (double
    centering, (q−1)² free directions) and scaled so that each free direction has variance σ²:
    E ||J_ij||²_F = σ² (q−1)². Fields: zero-sum Gaussian with per-direction std ``sigma_h``.
    """
    L, q = int(check_positive(L, "L")), int(check_positive(q, "q"))
    sigma, sigma_h = check_nonnegative(sigma, "sigma"), check_nonnegative(sigma_h, "sigma_h")
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if edges.size and (edges.min() < 0 or edges.max() >= L or np.any(edges[:, 0] == edges[:, 1])):
        raise ValueError("edges must hold pairs of distinct sites in [0, L)")
    G = rng.standard_normal((len(edges), q, q))
    G = G - G.mean(1, keepdims=True) - G.mean(2, keepdims=True) + G.mean((1, 2), keepdims=True)
    G *= sigma  # an orthogonal projection keeps unit variance along each of its (q−1)² directions
    J = np.zeros((L, L, q, q))
    J[edges[:, 0], edges[:, 1]] = G
    J[edges[:, 1], edges[:, 0]] = G.transpose(0, 2, 1)
    hg = rng.standard_normal((L, q))
    h = (hg - hg.mean(1, keepdims=True)) * sigma_h
    return PottsModel(h, J)


def chain_potts(L: int, q: int, sigma: float, *, rng: np.random.Generator, sigma_h: float = 0.0,
                periodic: bool = False) -> PottsModel:
    """Random zero-sum Potts couplings on a chain (see :func:`potts_couplings`)."""
    return potts_couplings(L, q, chain_edges(L, periodic=periodic), sigma, rng=rng, sigma_h=sigma_h)


def lattice_potts(rows: int, cols: int, q: int, sigma: float, *, rng: np.random.Generator,
                  sigma_h: float = 0.0, periodic: bool = False) -> PottsModel:
    """Random zero-sum Potts couplings on a 2-D square lattice (see :func:`potts_couplings`)."""
    return potts_couplings(rows * cols, q, lattice_edges(rows, cols, periodic=periodic), sigma, rng=rng,
                           sigma_h=sigma_h)


def erdos_renyi_potts(L: int, q: int, sigma: float, *, mean_degree: float, rng: np.random.Generator,
                      sigma_h: float = 0.0) -> PottsModel:
    """Random zero-sum Potts couplings on an Erdős–Rényi graph (see :func:`potts_couplings`)."""
    return potts_couplings(L, q, erdos_renyi_edges(L, mean_degree, rng=rng), sigma, rng=rng, sigma_h=sigma_h)


def complete_potts(L: int, q: int, sigma: float, *, rng: np.random.Generator, sigma_h: float = 0.0) -> PottsModel:
    """Random zero-sum Potts couplings on the complete graph (SK-like; pass sigma ∝ 1/√L)."""
    return potts_couplings(L, q, complete_edges(L), sigma, rng=rng, sigma_h=sigma_h)


def potts_predicted_gamma(model: PottsModel) -> float:
    """γ* = 1 / mean_i Σ_j ||J_ij||²_F with J in the zero-sum gauge.

    With the penalty convention of :func:`statgen.graphical.fit_plm` (per-site, per-sample
    objective α ℓ − (γ/L)·((q−1)²/2) Σ_{i<j} ||J_ij||²_F, α = M/L) this is the Bayes-optimal L2
    strength for isotropic Gaussian couplings in the zero-sum subspace, the exact analogue of the
    Gaussian γ* = 1/Σ_j J_ij².
    """
    n2 = model.coupling_norms() ** 2
    return float(1.0 / n2.sum(axis=1).mean())


# re-exports of the other Potts submodules (imported last: they import this module)
from statgen.graphical import alignment as _alignment  # noqa: E402
from statgen.graphical import potts_inference as _potts_inference  # noqa: E402
from statgen.graphical import potts_logz as _potts_logz  # noqa: E402
from statgen.graphical import potts_path as _potts_path  # noqa: E402
from statgen.graphical import potts_sampling as _potts_sampling  # noqa: E402
from statgen.graphical.alignment import *  # noqa: E402, F403
from statgen.graphical.potts_inference import *  # noqa: E402, F403
from statgen.graphical.potts_logz import *  # noqa: E402, F403
from statgen.graphical.potts_path import *  # noqa: E402, F403
from statgen.graphical.potts_sampling import *  # noqa: E402, F403

__all__ += [*_alignment.__all__, *_potts_sampling.__all__, *_potts_logz.__all__, *_potts_inference.__all__,
            *_potts_path.__all__]
