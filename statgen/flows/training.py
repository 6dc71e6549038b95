"""Training of flows: maximum likelihood (NLL), force matching and reverse KL, with checkpoints.

Loss (per batch, all energies in k_BT):

    L = w_nll · mean_i[−log p(x_i)]
      + w_fm  · mean_i |F_θ(x_i) − F_ref(x_i)|²              (F_θ = ∇ₓ log p, squared norm over coordinates)
      + w_kl  · mean_{x~q_θ}[log q_θ(x) + U(x)]             (reverse KL up to log Z; samples by root finding)

Checkpoints (model, optimizer, position, history) are written atomically (temporary file and
rename) every ``checkpoint_every`` steps and at the end of every epoch; calling
:func:`train_flow` again with the same ``checkpoint`` path resumes where it stopped and
reproduces the uninterrupted run (batches are drawn from a per-epoch seeded permutation).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from statgen._io import atomic_write
from statgen._checks import check_nonnegative, check_positive
from statgen._progress import progress_bar
from statgen.flows.flow import SmoothFlow, check_points

__all__ = ["nll_loss", "force_matching_loss", "nll_and_force_matching_loss", "reverse_kl_loss", "train_flow",
           "save_checkpoint_atomic", "force_error"]


def nll_loss(flow: SmoothFlow, x: torch.Tensor) -> torch.Tensor:
    """mean_i −log p(x_i) (nats per sample)."""
    return -flow._forward(x)[1].mean()


def nll_and_force_matching_loss(flow: SmoothFlow, x: torch.Tensor, forces: torch.Tensor
                                ) -> tuple[torch.Tensor, torch.Tensor]:
    """(NLL, force-matching loss) from one forward pass: log p_θ(x) serves both terms, and its
    x-gradient F_θ keeps its graph (double backward) so the force term is differentiable in θ."""
    with torch.enable_grad():
        xr = x.detach().requires_grad_(True)
        log_p = flow._forward(xr)[1]
        (f,) = torch.autograd.grad(log_p.sum(), xr, create_graph=True)
    return -log_p.mean(), ((f - forces) ** 2).sum(-1).mean()


def force_matching_loss(flow: SmoothFlow, x: torch.Tensor, forces: torch.Tensor) -> torch.Tensor:
    """mean_i Σ_j (F_θ(x_i)_j − F_ref(x_i)_j)², F_θ = ∇ₓ log p_θ; differentiable in θ (double backward)."""
    return nll_and_force_matching_loss(flow, x, forces)[1]


def force_error(flow: SmoothFlow, x: torch.Tensor, forces: torch.Tensor, *, batch_size: int = 8192) -> float:
    """mean_i |F_θ(x_i) − F_ref(x_i)|² without a graph (evaluation)."""
    total = 0.0
    for i in range(0, x.shape[0], batch_size):
        f = flow.force(x[i:i + batch_size])
        total += float(((f - forces[i:i + batch_size].to(f)) ** 2).sum())
    return total / max(1, x.shape[0])


def reverse_kl_loss(flow: SmoothFlow, energy_fn: Callable[[torch.Tensor], torch.Tensor], n: int, *,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """mean_{x~q}[log q(x) + U(x)] = KL(q‖p) − log Z, x = F⁻¹(z), z ~ U; gradients by implicit differentiation."""
    x, log_q = flow.sample_and_log_prob(n, generator=generator)
    return (log_q + energy_fn(x)).mean()


def save_checkpoint_atomic(path: str | os.PathLike, state: dict) -> None:
    """torch.save to a temporary file in the same directory, then an atomic rename."""
    with atomic_write(path) as fh:
        torch.save(state, fh)


def train_flow(flow: SmoothFlow, data, *, forces=None, w_nll: float = 1.0, w_fm: float = 0.0, w_kl: float = 0.0,
               energy_fn: Callable[[torch.Tensor], torch.Tensor] | None = None, kl_batch: int | None = None,
               epochs: int = 10, batch_size: int = 128, lr: float = 5e-4, weight_decay: float = 0.0,
               clip_grad: float | None = None, seed: int = 0, checkpoint: str | os.PathLike | None = None,
               checkpoint_every: int = 500, progress: bool = True) -> dict[str, np.ndarray]:
    """Train ``flow`` with Adam on ``w_nll·NLL + w_fm·force matching + w_kl·reverse KL``.

    Parameters
    ----------
    flow : the model (trained in place).
    data : (N, d) points in the box (tensor or array).
    forces : (N, d) reference forces F = −∇U at ``data`` in k_BT per box unit (needed if w_fm > 0).
    energy_fn : U(x) in k_BT, differentiable torch function (needed if w_kl > 0).
    kl_batch : samples per reverse-KL estimate (default ``batch_size``).
    checkpoint : file path; resumes from it when it exists.
    seed : seeds the per-epoch batch permutation and the KL samples.

    Returns
    -------
    history : per-epoch means ``{"epoch", "loss", "nll", "fm", "kl"}`` (NaN where a term is off).
    """
    for name, w in (("w_nll", w_nll), ("w_fm", w_fm), ("w_kl", w_kl)):
        check_nonnegative(w, name)
    check_positive(lr, "lr")
    if int(epochs) < 0 or int(batch_size) < 1:
        raise ValueError(f"epochs must be >= 0 and batch_size >= 1, got {epochs}, {batch_size}")
    dev, dt = flow.device, flow.dtype
    x_all = check_points(data, flow.dim, "data", dtype=dt)
    f_all = None
    if w_fm > 0:
        if forces is None:
            raise ValueError("forces must be given when w_fm > 0")
        f_all = torch.as_tensor(forces, dtype=dt)
        if f_all.shape != x_all.shape or not bool(torch.isfinite(f_all).all()):
            raise ValueError(f"forces must be finite with the shape of data {tuple(x_all.shape)}, "
                             f"got {tuple(f_all.shape)}")
    if w_kl > 0 and energy_fn is None:
        raise ValueError("energy_fn must be given when w_kl > 0")
    n = x_all.shape[0]
    steps_per_epoch = max(1, -(-n // int(batch_size)))
    opt = torch.optim.Adam(flow.parameters(), lr=lr, weight_decay=weight_decay)
    epoch, step = 0, 0
    history: dict[str, list[float]] = {k: [] for k in ("epoch", "loss", "nll", "fm", "kl")}
    if checkpoint is not None and Path(checkpoint).exists():
        state = torch.load(checkpoint, map_location=dev, weights_only=False)
        flow.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        epoch, step, history = state["epoch"], state["step"], state["history"]
        running = state["running"]
    else:
        running = [0.0, 0.0, 0.0, 0.0]

    def save():
        if checkpoint is not None:
            save_checkpoint_atomic(checkpoint, {"model": flow.state_dict(), "optimizer": opt.state_dict(),
                                                "epoch": epoch, "step": step, "history": history,
                                                "running": running})

    total = int(epochs) * steps_per_epoch
    kl_gen = torch.Generator(device=dev)
    flow.train()
    with progress_bar(total=total, initial=min(total, epoch * steps_per_epoch + step), desc="train flow",
                      progress=progress) as bar:
        while epoch < int(epochs):
            perm = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed) * 100_003 + epoch))
            while step < steps_per_epoch:
                idx = perm[step * batch_size:(step + 1) * batch_size]
                xb = x_all[idx].to(dev)
                loss = xb.new_zeros(())
                terms = [float("nan")] * 3
                if w_fm > 0:  # one forward pass serves both terms
                    t_nll, t = nll_and_force_matching_loss(flow, xb, f_all[idx].to(dev))
                    loss, terms[1] = loss + w_fm * t, float(t.detach())
                else:
                    t_nll = nll_loss(flow, xb) if w_nll > 0 else None
                if w_nll > 0:
                    loss, terms[0] = loss + w_nll * t_nll, float(t_nll.detach())
                if w_kl > 0:
                    kl_gen.manual_seed(int(seed) * 1_000_003 + epoch * steps_per_epoch + step)
                    t = reverse_kl_loss(flow, energy_fn, int(kl_batch or batch_size), generator=kl_gen)
                    loss, terms[2] = loss + w_kl * t, float(t.detach())
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if clip_grad is not None:
                    torch.nn.utils.clip_grad_norm_(flow.parameters(), clip_grad)
                opt.step()
                running = [running[0] + float(loss.detach())] + [r + t for r, t in zip(running[1:], terms)]
                step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss.detach()):.4g}")
                if checkpoint_every and step % int(checkpoint_every) == 0 and step < steps_per_epoch:
                    save()
            for key, r in zip(("loss", "nll", "fm", "kl"), running):
                history[key].append(r / steps_per_epoch)
            history["epoch"].append(epoch)
            epoch, step, running = epoch + 1, 0, [0.0, 0.0, 0.0, 0.0]
            save()
    flow.eval()
    return {k: np.asarray(v, dtype=float) for k, v in history.items()}
