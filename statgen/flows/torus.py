"""The 2-D torus toy of Köhler, Krämer & Noé (2021): target density, Metropolis data, one experiment.

Box coordinates x ∈ [0, 1]² map to angles θ = 2πx − π ∈ [−π, π]². With
r(θ) = sqrt(cos(θ₁²/2) + 1 + cos(θ₂²/2) + 1) ∈ [0, 2] the target is

    p(x) ∝ Σ_k a_k exp(−(r − m_k)² / (2 w²)),   (a, m) = (1, 1.0), (0.8, 2.0), (0.6, 1.5), (0.4, 2.5),

w = 0.05, and U(x) = −log p(x) in k_BT. Forces F = −∇ₓU are per box unit (2π × per radian).
Inputs x must be finite and inside the box (checked); ``sample`` and ``log_z`` refuse sizes that
cannot fit in memory (or, for ``log_z``, grids beyond 16384², about 10⁹ evaluations).
Note: U is continuous across the wrap θ = ±π but its θ-gradient is not (θ² is even, not periodic),
so the reference force field jumps there where rings cross the boundary; a periodic C∞ flow
must smooth that jump, a non-periodic (interval) flow need not.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import torch

from statgen._checks import (
    as_array,
    check_choice,
    check_int,
    check_memory,
    check_nonnegative,
    check_positive,
)
from statgen._progress import progress_bar
from statgen.flows._validate import check_dtype
from statgen.flows.conditioners import check_hidden
from statgen.flows.coupling import TRANSFORMERS
from statgen.flows.flow import SmoothFlow, check_points
from statgen.flows.losses import force_error
from statgen.flows.training import train_flow
from statgen.flows.transformers import DOMAINS

__all__ = ["TorusDensity", "run_torus_experiment", "epoch_means", "pretrained_torus_results"]

STUDY_RESULTS = "torus_study_full.npz"

MAX_GRID = 16384  # log_z: grid² evaluations (2.7e8 at the cap take about a minute)
_LOG_Z: dict[tuple, float] = {}  # log Z by (weights, centers, width, grid), shared by equal densities in a process


class TorusDensity:
    """Ring density on the torus [0, 1]², p ∝ Σ_k a_k exp(−(r(x) − m_k)² / (2 w²)).

    Parameters
    ----------
    weights, centers : a_k and m_k (defaults: the four rings of Köhler, Krämer & Noé 2021, Sec. 5.1).
    width : w, the ring width in r.
    """

    def __init__(self, weights=(1.0, 0.8, 0.6, 0.4), centers=(1.0, 2.0, 1.5, 2.5), width: float = 0.05):
        self.weights = as_array(weights, "weights", ndim=1)
        if not self.weights.size or (self.weights <= 0).any():
            raise ValueError(f"weights must be a non-empty 1-D array of positive numbers, got {self.weights}")
        self.centers = as_array(centers, "centers", ndim=1)
        if self.centers.shape != self.weights.shape:
            raise ValueError(f"centers must match weights in length ({len(self.weights)}), got {len(self.centers)}")
        self.width = check_positive(width, "width")

    @staticmethod
    def _x(x) -> torch.Tensor:
        return check_points(x, 2, "x", dtype=None if isinstance(x, torch.Tensor) else torch.float64)

    def unnormalized_log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log p̃(x) = logsumexp_k(log a_k − (r − m_k)² / (2w²)), x of shape (n, 2) in [0, 1]²."""
        return self._unnormalized_log_prob(self._x(x))

    def _unnormalized_log_prob(self, x: torch.Tensor) -> torch.Tensor:
        theta = 2 * math.pi * x - math.pi
        r2 = (torch.cos(0.5 * theta * theta) + 1.0).sum(-1)
        r = torch.sqrt(r2.clamp_min(1e-300 if x.dtype == torch.float64 else 1e-30))
        a = torch.as_tensor(np.log(self.weights), dtype=x.dtype, device=x.device)
        m = torch.as_tensor(self.centers, dtype=x.dtype, device=x.device)
        return torch.logsumexp(a - (r[:, None] - m) ** 2 / (2 * self.width**2), dim=-1)

    def log_z(self, grid: int = 2048) -> float:
        """log ∫ p̃ over [0, 1]² by the midpoint rule on a grid×grid mesh (cached per grid)."""
        grid = check_int(grid, "grid", minimum=1, maximum=MAX_GRID)
        key = (tuple(self.weights.tolist()), tuple(self.centers.tolist()), self.width, grid)
        if key not in _LOG_Z:
            u = (torch.arange(grid, dtype=torch.float64) + 0.5) / grid
            vals = torch.cat([self._unnormalized_log_prob(torch.stack(torch.broadcast_tensors(u[i:i + 64, None],
                                                                                             u[None]), -1).reshape(-1, 2))
                              for i in range(0, grid, 64)])
            _LOG_Z[key] = float(torch.logsumexp(vals, 0)) - 2 * math.log(grid)
        return _LOG_Z[key]

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Normalized log p(x) (per unit box area)."""
        return self.unnormalized_log_prob(x) - self.log_z()

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        """U(x) = −log p̃(x) in k_BT (unnormalized: U + log Z = −log p)."""
        return -self.unnormalized_log_prob(x)

    def force(self, x: torch.Tensor) -> torch.Tensor:
        """F(x) = −∇ₓU(x) = ∇ₓ log p(x), k_BT per box unit, shape (n, 2)."""
        x = self._x(x)
        with torch.enable_grad():
            xr = x.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(self._unnormalized_log_prob(xr).sum(), xr)
        return g

    def sample(self, n: int, *, seed: int, steps: int = 200, step_size: float = 0.02, grid: int = 1024,
               progress: bool = False) -> tuple[np.ndarray, float]:
        """n points by Metropolis random walk on the torus, n chains in parallel (vectorized).

        The rings are separated by gaps of ~10 w where p is ~e^{−12}, which local moves do not
        cross; so every chain starts from an equilibrium draw of the grid-discretized density
        (a cell with probability ∝ p̃ at its centre, uniform inside it) and then takes ``steps``
        Metropolis steps (Gaussian proposals of std ``step_size``, wrapped mod 1), which remove the
        discretization and decorrelate the points. Returns (points (n, 2), acceptance rate).
        """
        n = check_int(n, "n", minimum=1)
        steps = check_int(steps, "steps", minimum=0)
        grid = check_int(grid, "grid", minimum=1)
        seed = check_int(seed, "seed", minimum=0)
        check_positive(step_size, "step_size")
        check_memory(grid * grid * 8 * 12, f"grid={grid} ({grid}² cells)")
        check_memory(n * 8 * 24, f"n={n}")
        gen = torch.Generator().manual_seed(seed)
        u = (torch.arange(grid, dtype=torch.float64) + 0.5) / grid
        cells = torch.stack(torch.broadcast_tensors(u[:, None], u[None]), -1).reshape(-1, 2)
        lp = self._unnormalized_log_prob(cells)
        idx = torch.multinomial(torch.exp(lp - lp.max()), n, replacement=True, generator=gen)
        x = cells[idx] + (torch.rand(n, 2, generator=gen, dtype=torch.float64) - 0.5) / grid
        x = torch.remainder(x, 1.0)
        lx = self._unnormalized_log_prob(x)
        accepted = 0
        for _ in progress_bar(range(steps), desc="metropolis", progress=progress):
            prop = torch.remainder(x + step_size * torch.randn(x.shape, generator=gen, dtype=x.dtype), 1.0)
            lprop = self._unnormalized_log_prob(prop)
            acc = torch.log(torch.rand(x.shape[0], generator=gen, dtype=x.dtype)) < lprop - lx
            x = torch.where(acc[:, None], prop, x)
            lx = torch.where(acc, lprop, lx)
            accepted += int(acc.sum())
        return x.numpy(), accepted / max(1, steps * n)


def _grid(m: int) -> torch.Tensor:
    """Midpoints of an m×m mesh of [0, 1]², shape (m², 2), row-major in (x₁, x₂)."""
    u = (torch.arange(m, dtype=torch.float64) + 0.5) / m
    return torch.stack(torch.broadcast_tensors(u[:, None], u[None]), -1).reshape(-1, 2)


def _batched(fn, x: torch.Tensor, size: int = 16384) -> torch.Tensor:
    return torch.cat([fn(x[i:i + size]) for i in range(0, x.shape[0], size)])


def epoch_means(history: dict[str, np.ndarray], key: str) -> np.ndarray:
    """Per-epoch means of a per-step history entry of :class:`~statgen.flows.FlowTrainer` (epochs in order)."""
    epochs = np.asarray(history["epoch"], dtype=int)
    values = np.asarray(history[key], dtype=float)
    if not epochs.size:
        return np.zeros(0)
    return np.array([values[epochs == e].mean() for e in range(int(epochs.max()) + 1)])


def run_torus_experiment(*, domain: str, transformer: str, w_fm: float, n_train: int, n_test: int,
                         layers: int, components: int, hidden, epochs: int, batch_size: int, lr: float,
                         seed: int = 0, metropolis_steps: int = 200, density_grid: int = 128,
                         force_grid: int = 24, kl_grid: int = 256, workdir: str | os.PathLike | None = None,
                         progress: bool = False, dtype: torch.dtype = torch.float32,
                         device: str | torch.device | None = None) -> dict[str, np.ndarray]:
    """Train one flow on Metropolis samples of :class:`TorusDensity` and evaluate it.

    ``domain`` is "circle" (periodic flow on the torus) or "interval" (non-periodic flow on the
    square); ``transformer`` "smooth" or "spline"; ``w_fm`` the force-matching weight (0: NLL only;
    the force term is the mean over samples and both coordinates, see :mod:`statgen.flows.losses`).
    Training data (``n_train``) and held-out data (``n_test``) are independent Metropolis runs; the
    training checkpoint is ``workdir/flow.pt`` (resumable). Every argument is checked before any work.

    Returns
    -------
    dict with scalars ``test_nll`` (held-out −log q, nats), ``test_nll_true`` (−log p on the same
    points: the entropy estimate), ``kl`` (∫ p log p/q by quadrature), ``kl_reverse`` (∫ q log q/p),
    ``force_mse`` (held-out mean over points and components of (F_q − F_p)², (k_BT per box unit)²),
    ``force_mse_true_scale`` (the same mean of F_p², for scale); grids ``log_q`` / ``log_p``
    (density_grid²), ``force_q`` / ``force_p`` (force_grid², 2); per-epoch means ``history_loss``,
    ``history_nll``, ``history_force_mse``; ``acceptance``.
    """
    check_choice(domain, "domain", DOMAINS)
    check_choice(transformer, "transformer", TRANSFORMERS)
    w_fm = check_nonnegative(w_fm, "w_fm")
    n_train = check_int(n_train, "n_train", minimum=1)
    n_test = check_int(n_test, "n_test", minimum=1)
    check_memory((n_train + n_test) * 8 * 24, f"n_train={n_train}, n_test={n_test}")
    for name, v, lo in (("layers", layers, 1), ("components", components, 1), ("epochs", epochs, 0),
                        ("batch_size", batch_size, 1), ("seed", seed, 0), ("metropolis_steps", metropolis_steps, 0),
                        ("density_grid", density_grid, 1), ("force_grid", force_grid, 1), ("kl_grid", kl_grid, 1)):
        check_int(v, name, minimum=lo)
    check_positive(lr, "lr")
    hidden = check_hidden(hidden)
    check_dtype(dtype)
    target = TorusDensity()
    x_train, acc = target.sample(n_train, seed=2 * seed, steps=metropolis_steps, progress=progress)
    x_test, _ = target.sample(n_test, seed=2 * seed + 1, steps=metropolis_steps, progress=progress)
    f_train = target.force(torch.as_tensor(x_train)).numpy() if w_fm > 0 else None
    torch.manual_seed(seed)
    flow = SmoothFlow([domain, domain], layers=layers, components=components, hidden=hidden,
                      transformer=transformer, dtype=dtype, device=device)
    ckpt = Path(workdir) / "flow.pt" if workdir is not None else None
    hist = train_flow(flow, x_train, forces=f_train, w_nll=1.0, w_fm=w_fm, epochs=epochs, batch_size=batch_size,
                      lr=lr, seed=seed, checkpoint=ckpt, progress=progress)
    flow.eval()
    dt = flow.dtype

    def log_q(x):
        with torch.no_grad():
            return flow.log_prob(check_points(x.to(dt), 2)).double()

    xt = torch.as_tensor(x_test)
    lq_test, lp_test = _batched(log_q, xt), target.log_prob(xt)
    g = _grid(kl_grid)
    lq, lp = _batched(log_q, g), target.log_prob(g)
    kl = float((lp.exp() * (lp - lq)).mean())
    kl_rev = float((lq.exp() * (lq - lp)).mean())
    fp_test = target.force(xt)
    fmse = force_error(flow, xt.to(dt), fp_test.to(dt))
    gd, gf = _grid(density_grid), _grid(force_grid)
    return {
        "test_nll": np.asarray(float(-lq_test.mean())), "test_nll_true": np.asarray(float(-lp_test.mean())),
        "kl": np.asarray(kl), "kl_reverse": np.asarray(kl_rev), "force_mse": np.asarray(fmse),
        "force_mse_true_scale": np.asarray(float((fp_test**2).mean())),
        "log_q": _batched(log_q, gd).reshape(density_grid, density_grid).numpy(),
        "log_p": target.log_prob(gd).reshape(density_grid, density_grid).numpy(),
        "force_q": flow.force(gf.to(dt)).double().reshape(force_grid, force_grid, 2).detach().numpy(),
        "force_p": target.force(gf).reshape(force_grid, force_grid, 2).numpy(),
        "history_loss": epoch_means(hist, "loss"), "history_nll": epoch_means(hist, "nll"),
        "history_force_mse": epoch_means(hist, "force_mse"),
        "acceptance": np.asarray(acc),
    }


def pretrained_torus_results() -> dict[str, np.ndarray]:
    """The combined output of the full torus study (``statgen study run torus``, ``studies/torus.toml``
    [full]) shipped with the package: the keys of ``studies/torus.py`` (per-variant metrics, density and
    force grids, training curves) plus ``n_train`` and ``provenance`` (a string naming the command and
    date). The quick figures render from it, since a one-minute run cannot show the full run's findings.
    Read with ``numpy.load(allow_pickle=False)``."""
    from statgen._io import load_package_npz

    return load_package_npz("statgen.flows", STUDY_RESULTS, what="statgen torus study results")
