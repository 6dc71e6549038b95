"""Training losses for any density model with ``log_prob`` (flows, Boltzmann generators).

With p_θ the model density, x data, F_ref = −∇ₓU the reference forces and U the target energy
(all energies in k_BT, lengths in the model's coordinate unit):

    NLL = mean_i[−log p_θ(x_i)]                                          (nats per sample)
    FM  = mean_{i,j} (F_θ(x_i)_j − F_ref(x_i)_j)²,   F_θ = ∇ₓ log p_θ      ((k_BT/length)²)
    KL  = mean_{x~p_θ}[log p_θ(x) + U(x)] = KL(p_θ‖e^{−U}/Z) − log Z     (nats; reparameterized samples)

FM is the mean over samples *and* Cartesian (or box) components — the convention of Köhler,
Krämer & Noé (2021, arXiv:2110.00351) for the alanine-dipeptide force MSE, used for every model.
Its x-gradient F_θ keeps its graph (double backward), so FM is differentiable in θ.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from statgen._checks import check_int
from statgen.flows._validate import as_float_tensor

__all__ = ["nll_loss", "force_matching_loss", "nll_and_force_matching_loss", "reverse_kl_loss", "force_error"]


def check_model(model, *methods: str, name: str = "model") -> None:
    """TypeError naming ``name`` unless ``model`` has every one of ``methods``."""
    missing = [m for m in methods if not callable(getattr(model, m, None))]
    if missing:
        raise TypeError(f"{name} must be a density model with {', '.join(m + '()' for m in methods)} "
                        f"(e.g. statgen.flows.SmoothFlow or statgen.md.BoltzmannGenerator); "
                        f"{type(model).__name__} lacks {', '.join(missing)}")


def _model_dtype(model) -> torch.dtype | None:
    params = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
    return params[0].dtype if params else None


def _as_batch(model, x, name: str = "x") -> torch.Tensor:
    """x checked by the model (``model.check_input`` where it has one) or at least finite and non-empty."""
    if callable(getattr(model, "check_input", None)):
        x = model.check_input(x, name)
    else:
        x = as_float_tensor(x, name, dtype=_model_dtype(model))
        if x.ndim < 1:
            raise ValueError(f"{name} must have a batch dimension, got a scalar")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty: a loss needs at least one sample")
    return x


def _as_forces(forces, x: torch.Tensor, name: str = "forces") -> torch.Tensor:
    """forces with exactly the shape of x (no broadcasting), finite, in x's dtype and device."""
    forces = as_float_tensor(forces, name, dtype=x.dtype, device=x.device, finite=False)
    if forces.shape != x.shape:
        raise ValueError(f"{name} must have exactly the shape of x {tuple(x.shape)} (one force per coordinate), "
                         f"got {tuple(forces.shape)}")
    return as_float_tensor(forces, name)


def log_prob_and_force(model, x: torch.Tensor, *, create_graph: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(log p_θ(x), F_θ(x) = ∇ₓ log p_θ(x)) from one forward pass; ``create_graph`` keeps the graph of F_θ
    (double backward, for force matching). Unchecked: the training loop validates x once."""
    with torch.enable_grad():
        xr = x.detach().requires_grad_(True)
        log_p = model.log_prob(xr)
        (f,) = torch.autograd.grad(log_p.sum(), xr, create_graph=create_graph)
    return log_p, f


def nll_loss(model, x) -> torch.Tensor:
    """NLL = mean_i −log p_θ(x_i) (nats per sample)."""
    check_model(model, "log_prob")
    return -model.log_prob(_as_batch(model, x)).mean()


def nll_and_force_matching_loss(model, x, forces) -> tuple[torch.Tensor, torch.Tensor]:
    """(NLL, FM) from one forward pass: log p_θ(x) serves both terms, and its x-gradient F_θ keeps its
    graph (double backward) so FM = mean_{i,j} (F_θ − F_ref)² is differentiable in θ."""
    check_model(model, "log_prob")
    x = _as_batch(model, x)
    f_ref = _as_forces(forces, x)
    log_p, f = log_prob_and_force(model, x, create_graph=True)
    return -log_p.mean(), ((f - f_ref) ** 2).mean()


def force_matching_loss(model, x, forces) -> torch.Tensor:
    """FM = mean over samples and components of (F_θ(x) − F_ref(x))², F_θ = ∇ₓ log p_θ; differentiable in θ."""
    return nll_and_force_matching_loss(model, x, forces)[1]


def force_error(model, x, forces, *, batch_size: int = 8192) -> float:
    """mean over samples and components of (F_θ(x) − F_ref(x))², without a graph (evaluation), in batches."""
    check_model(model, "log_prob")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    x = _as_batch(model, x)
    f_ref = _as_forces(forces, x)
    total = 0.0
    for i in range(0, x.shape[0], batch_size):
        _, f = log_prob_and_force(model, x[i:i + batch_size], create_graph=False)
        total += float(((f - f_ref[i:i + batch_size]) ** 2).sum())
    return total / f_ref.numel()


def check_energy_fn(energy_fn) -> None:
    if not callable(energy_fn):
        raise TypeError(f"energy_fn must be a function U(x) -> (n,) in k_BT, got {energy_fn!r}")


def energy_of(energy_fn, x: torch.Tensor) -> torch.Tensor:
    """U(x) = energy_fn(x), checked to be finite with one value per sample."""
    u = energy_fn(x)
    if not isinstance(u, torch.Tensor) or u.shape != (x.shape[0],):
        raise ValueError(f"energy_fn must return a tensor of shape (n,) = ({x.shape[0]},) (one energy per sample), "
                         f"got {tuple(u.shape) if isinstance(u, torch.Tensor) else type(u).__name__}")
    if not bool(torch.isfinite(u).all()):
        raise ValueError(f"energy_fn returned NaN or infinite energies for {int((~torch.isfinite(u)).sum())} of "
                         f"{x.shape[0]} samples")
    return u


def reverse_kl_loss(model, energy_fn: Callable[[torch.Tensor], torch.Tensor], n: int, *,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """KL = mean_{x~p_θ}[log p_θ(x) + U(x)] = KL(p_θ‖e^{−U}/Z) − log Z over n samples x = F⁻¹(z), z ~ U;
    gradients by implicit differentiation of the inverse."""
    check_model(model, "sample_and_log_prob")
    check_energy_fn(energy_fn)
    n = check_int(n, "n", minimum=1)
    x, log_q = model.sample_and_log_prob(n, generator=generator)
    return (log_q + energy_of(energy_fn, x)).mean()
