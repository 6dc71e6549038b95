"""MCMC for Potts models: Gibbs and Metropolis sweeps over many parallel chains in torch.

A sweep visits every site once. Sites are grouped into colour classes of the interaction graph
(greedy colouring of {(i, j): J_ij ≠ 0}); sites of one class do not interact, so they are
updated together and the sweep equals a sequential sweep in class order (a chain or 2-D
lattice needs 2 classes, a fully connected model L). Chains are a batch dimension: nothing
loops over chains. The local fields of one class are a sparse product of the one-hot states
with a column slice of the flat coupling matrix W (``torch.nn.functional.embedding_bag``),
F_i(a) = h_i(a) + Σ_j J_ij(a, s_j).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from statgen._checks import check_int_states, check_positive
from statgen._progress import progress_bar

__all__ = ["color_classes", "PottsChains", "sample_chains"]


def color_classes(adjacency: np.ndarray) -> list[np.ndarray]:
    """Greedy colouring of a graph given by a boolean (L, L) adjacency; returns the site lists per colour."""
    A = np.asarray(adjacency, dtype=bool)
    L = A.shape[0]
    color = np.full(L, -1)
    for i in range(L):  # one-off set-up, O(L²)
        used = set(color[A[i] & (color >= 0)].tolist())
        c = 0
        while c in used:
            c += 1
        color[i] = c
    return [np.flatnonzero(color == c) for c in range(color.max() + 1)]


def _resolve(device, dtype) -> tuple[torch.device, torch.dtype]:
    return torch.device(device or "cpu"), dtype or torch.float64


class PottsChains:
    """A batch of ``n`` Potts configurations evolved by Gibbs or Metropolis sweeps.

    Parameters
    ----------
    L, q : sites and states.
    n : number of parallel chains.
    classes : site lists updated together (from :func:`color_classes`); default one site each.
    seed : seeds the ``torch.Generator`` that drives initial states and all updates.
    init : optional (n, L) initial states; uniform random otherwise.
    device, dtype : torch device and floating dtype of the parameters (default CPU, float64).

    Attributes
    ----------
    idx : (n, L) LongTensor of flat one-hot indices i·q + s_i (the state).
    """

    def __init__(self, L: int, q: int, n: int, *, classes=None, seed: int | None = None, init=None,
                 device=None, dtype=None):
        self.L, self.q, self.n = int(L), int(q), int(check_positive(n, "n"))
        self.device, self.dtype = _resolve(device, dtype)
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(int(np.random.SeedSequence(seed).generate_state(1)[0]) if seed is None else int(seed))
        classes = [np.arange(L)[i:i + 1] for i in range(L)] if classes is None else classes
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
        self._params = (h, [W[:, c].contiguous() for c in self._cols], [h[c] for c in self._cols])

    def sweep(self, n_sweeps: int = 1, *, method: str = "gibbs") -> None:
        """Run ``n_sweeps`` sweeps (``method`` 'gibbs' = heat bath, 'metropolis' = uniform proposal)."""
        if method not in ("gibbs", "metropolis"):
            raise ValueError(f"method must be 'gibbs' or 'metropolis', got {method!r}")
        if self._params is None:
            raise ValueError("call set_params(h, W) before sweep()")
        _, Wc, hc = self._params
        q, n = self.q, self.n
        for _ in range(int(n_sweeps)):
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


def energy_idx(idx: torch.Tensor, h: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """E = −Σ_i h[idx_i] − ½ Σ_i (Σ_j W[idx_j, idx_i]) for flat one-hot indices ``idx`` (n, L)."""
    H = F.embedding_bag(idx, W, mode="sum")
    return -h[idx].sum(1) - 0.5 * H.gather(1, idx).sum(1)


def model_tensors(model, device=None, dtype=None) -> tuple[torch.Tensor, torch.Tensor]:
    """(h flat (L·q,), W (L·q, L·q)) of a PottsModel as torch tensors."""
    device, dtype = _resolve(device, dtype)
    return (torch.as_tensor(model.h.ravel(), device=device, dtype=dtype),
            torch.as_tensor(model.W, device=device, dtype=dtype))


def model_classes(model) -> list[np.ndarray]:
    """Colour classes of a model's interaction graph."""
    A = np.abs(model.J).sum(axis=(2, 3)) > 0
    return color_classes(A)


def sample_chains(model, n: int, *, sweeps: int = 100, seed: int | None = None, method: str = "gibbs",
                  init=None, device=None, dtype=None, progress: bool = False) -> np.ndarray:
    """Final states (n, L) of ``n`` independent chains run ``sweeps`` sweeps from uniform random
    (or ``init``) states. Same seed, device and dtype → same samples."""
    sweeps = int(sweeps)
    if sweeps < 0:
        raise ValueError(f"sweeps must be >= 0, got {sweeps}")
    chains = PottsChains(model.L, model.q, n, classes=model_classes(model), seed=seed, init=init,
                         device=device, dtype=dtype)
    chains.set_params(*model_tensors(model, chains.device, chains.dtype))
    for _ in progress_bar(range(sweeps), desc="sweeps", progress=progress):
        chains.sweep(1, method=method)
    return chains.states.cpu().numpy()
