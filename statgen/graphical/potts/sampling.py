"""MCMC for Potts models: Gibbs and Metropolis sweeps over many parallel chains in torch.

A sweep visits every site once. Sites are grouped into colour classes of the interaction graph
(greedy colouring of {(i, j): J_ij ≠ 0}); sites of one class do not interact, so they are updated
together and the sweep equals a sequential sweep in class order (a chain or 2-D lattice needs 2
classes, a fully connected model L). Chains are a batch dimension: nothing loops over chains. The
local fields of one class are a sparse product of the one-hot states with a column slice of the
flat coupling matrix W (``torch.nn.functional.embedding_bag``): F_i(a) = h_i(a) + Σ_j J_ij(a, s_j).

Randomness: ``seed`` (int ≥ 0) or ``generator`` (``torch.Generator``), see
:mod:`statgen.graphical.potts._torch`. Runs on CPU and CUDA (``device``, ``dtype``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from statgen._checks import (
    as_array,
    check_bool,
    check_choice,
    check_int,
    check_int_states,
    check_memory,
)
from statgen._progress import progress_bar
from statgen.graphical.potts._torch import (
    make_generator,
    resolve_device,
    resolve_dtype,
    torch_bytes,
)
from statgen.graphical.potts.model import check_model

__all__ = ["color_classes", "PottsChains", "sample_chains", "METHODS"]

#: Single-site update rules of a sweep.
METHODS = ("gibbs", "metropolis")


def color_classes(adjacency) -> list[np.ndarray]:
    """Greedy colouring of a graph given by a symmetric (L, L) adjacency without self loops (non-zero =
    linked); returns the site lists per colour."""
    raw = as_array(adjacency, "adjacency", ndim=2)
    if raw.shape[0] != raw.shape[1] or raw.shape[0] == 0:
        raise ValueError(f"adjacency must be a non-empty square matrix, got shape {raw.shape}")
    A = raw != 0
    if not np.array_equal(A, A.T):
        raise ValueError("adjacency must be symmetric (an undirected graph)")
    if np.any(np.diag(A)):
        raise ValueError("adjacency must have a zero diagonal (no self loops)")
    L = A.shape[0]
    color = np.full(L, -1)
    for i in range(L):  # one-off set-up, O(L²)
        used = set(color[A[i] & (color >= 0)].tolist())
        c = 0
        while c in used:
            c += 1
        color[i] = c
    return [np.flatnonzero(color == c) for c in range(color.max() + 1)]


def chains_memory(n: int, L: int, q: int, dtype: torch.dtype, what: str, name: str = "n") -> None:
    """Refuse n chains that cannot fit: int64 states, and per class up to n × L × q fields and uniforms."""
    check_memory(n * L * (2 * 8.0 + 3 * q * torch_bytes(dtype)), f"{what}: {name}={n} chains of L={L} sites, q={q}")


class PottsChains:
    """A batch of ``n`` Potts configurations evolved by Gibbs or Metropolis sweeps.

    Parameters
    ----------
    L, q : sites (≥ 1) and states (≥ 2).
    n : number of parallel chains (≥ 1).
    classes : site lists updated together (from :func:`color_classes`): a partition of range(L);
        default one site each.
    seed, generator : randomness of the initial states and all updates (see module docstring).
    init : optional (n, L) initial states; uniform random otherwise.
    device, dtype : torch device and floating dtype of the parameters (default CPU, float64).

    Attributes
    ----------
    idx : (n, L) LongTensor of flat one-hot indices i·q + s_i (the state).
    gen : the ``torch.Generator`` in use.
    """

    def __init__(self, L: int, q: int, n: int, *, classes=None, seed: int | None = None, generator=None,
                 init=None, device=None, dtype=None):
        self.L, self.q = check_int(L, "L", minimum=1), check_int(q, "q", minimum=2)
        self.n = check_int(n, "n", minimum=1)
        self.device, self.dtype = resolve_device(device), resolve_dtype(dtype)
        chains_memory(self.n, self.L, self.q, self.dtype, "PottsChains")
        self.gen = make_generator(seed, generator, self.device)
        classes = [np.arange(L)[i:i + 1] for i in range(L)] if classes is None else _check_classes(classes, L)
        self.classes = [torch.as_tensor(np.asarray(c), dtype=torch.long, device=self.device) for c in classes]
        self._cols = [(c[:, None] * q + torch.arange(q, device=self.device)).reshape(-1) for c in self.classes]
        self.offset = torch.arange(L, device=self.device) * q
        if init is None:
            s = torch.randint(0, q, (self.n, L), generator=self.gen, device=self.device)
        else:
            s = torch.as_tensor(check_int_states(init, "init", q), device=self.device)
            if s.shape != (self.n, L):
                raise ValueError(f"init must have shape ({self.n}, {L}), got {tuple(s.shape)}")
        self.idx = s + self.offset
        self._params = None

    @property
    def states(self) -> torch.Tensor:
        """(n, L) LongTensor of states."""
        return self.idx - self.offset

    def set_params(self, h: torch.Tensor, W: torch.Tensor) -> None:
        """Set fields ``h`` (L·q,) and flat couplings ``W`` (L·q, L·q) (column slices cached per class)."""
        n = self.L * self.q
        if tuple(h.shape) != (n,):
            raise ValueError(f"h must have shape ({n},) (flat fields L·q), got {tuple(h.shape)}")
        if tuple(W.shape) != (n, n):
            raise ValueError(f"W must have shape ({n}, {n}) (flat couplings), got {tuple(W.shape)}")
        if not bool(torch.isfinite(h).all()):
            raise ValueError("h contains NaN or infinite values")
        if not bool(torch.isfinite(W).all()):
            raise ValueError("W contains NaN or infinite values")
        self.set_params_unchecked(h, W)

    def set_params_unchecked(self, h: torch.Tensor, W: torch.Tensor) -> None:
        """:meth:`set_params` without the checks (hot path of AIS and Boltzmann learning, whose
        parameters are built from checked ones)."""
        self._params = (h, [W[:, c].contiguous() for c in self._cols], [h[c] for c in self._cols])

    def sweep(self, n_sweeps: int = 1, *, method: str = "gibbs") -> None:
        """Run ``n_sweeps`` sweeps (``method`` 'gibbs' = heat bath, 'metropolis' = uniform proposal)."""
        check_choice(method, "method", METHODS)
        n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=0)
        if self._params is None:
            raise ValueError("call set_params(h, W) before sweep()")
        self._sweep(n_sweeps, method)

    def _sweep(self, n_sweeps: int, method: str) -> None:
        _, Wc, hc = self._params
        q, n = self.q, self.n
        for _ in range(n_sweeps):
            for sites, w, hh in zip(self.classes, Wc, hc, strict=True):
                fields = (F.embedding_bag(self.idx, w, mode="sum") + hh).view(n, len(sites), q)
                u = torch.rand((n, len(sites)), generator=self.gen, device=self.device, dtype=fields.dtype)
                if method == "gibbs":  # inverse CDF of softmax(fields): one uniform per site, no logs
                    c = torch.exp(fields - fields.amax(-1, keepdim=True)).cumsum(-1)
                    new = (u[..., None] * c[..., -1:] > c[..., :-1]).sum(-1)
                else:
                    cur = self.idx[:, sites] - self.offset[sites]
                    prop = (cur + torch.randint(1, q, cur.shape, generator=self.gen, device=self.device)) % q
                    d = fields.gather(2, prop[..., None]) - fields.gather(2, cur[..., None])
                    new = torch.where(torch.log(u) < d[..., 0], prop, cur)
                self.idx[:, sites] = new + self.offset[sites]

    def energy(self, h: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
        """Energies (n,) of the current states under fields ``h`` (L·q,) and couplings ``W``."""
        return energy_idx(self.idx, h, W)


def _check_classes(classes, L: int) -> list[np.ndarray]:
    try:
        out = [np.asarray(c, dtype=np.int64).reshape(-1) for c in classes]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"classes must be lists of site indices: {exc}") from None
    sites = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    if sites.size != L or not np.array_equal(np.sort(sites), np.arange(L)):
        raise ValueError(f"classes must partition the sites range({L}): each site in exactly one class")
    return out


def energy_idx(idx: torch.Tensor, h: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """E = −Σ_i h[idx_i] − ½ Σ_i (Σ_j W[idx_j, idx_i]) for flat one-hot indices ``idx`` (n, L).

    Hot inner function (AIS calls it at every temperature): the callers build idx, h and W themselves."""
    H = F.embedding_bag(idx, W, mode="sum")
    return -h[idx].sum(1) - 0.5 * H.gather(1, idx).sum(1)


def model_tensors(model, device=None, dtype=None) -> tuple[torch.Tensor, torch.Tensor]:
    """(h flat (L·q,), W (L·q, L·q)) of a PottsModel as torch tensors."""
    device, dtype = resolve_device(device), resolve_dtype(dtype)
    return (torch.as_tensor(model.h.ravel(), device=device, dtype=dtype),
            torch.as_tensor(model.flat_couplings(), device=device, dtype=dtype))


def model_classes(model) -> list[np.ndarray]:
    """Colour classes of a model's interaction graph."""
    return color_classes(np.abs(model.J).sum(axis=(2, 3)) > 0)


def sample_chains(model, n: int, *, sweeps: int = 100, seed: int | None = None, generator=None,
                  method: str = "gibbs", init=None, device=None, dtype=None, progress: bool = False) -> np.ndarray:
    """Final states (n, L) of ``n`` independent chains run ``sweeps`` sweeps from uniform random (or
    ``init``) states. Same seed, device and dtype → same samples.

    Parameters
    ----------
    model : PottsModel.  n : chains ≥ 1.  sweeps : ≥ 0 (0 returns the starting states).
    seed, generator : randomness (an int ≥ 0, or a ``torch.Generator``; not both).
    method : "gibbs" (heat bath) or "metropolis" (uniform proposal of a different state).
    init : optional (n, L) starting states.  device, dtype : torch placement (default CPU, float64).
    progress : show a progress bar over sweeps.
    """
    check_model(model)
    sweeps = check_int(sweeps, "sweeps", minimum=0)
    check_choice(method, "method", METHODS)
    progress = check_bool(progress, "progress")
    chains = PottsChains(model.L, model.q, n, classes=model_classes(model), seed=seed, generator=generator,
                         init=init, device=device, dtype=dtype)
    chains.set_params(*model_tensors(model, chains.device, chains.dtype))
    for _ in progress_bar(range(sweeps), desc="sweeps", progress=progress):
        chains._sweep(1, method)
    return chains.states.cpu().numpy()
