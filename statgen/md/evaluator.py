"""Energies and forces of a learned density for MD, batched and with little per-call overhead.

For positions x (R, N, 3) in nm of R configurations, :class:`EnergyForce` returns
U(x)/k_BT = −log p(x) (R,) and F = −∇ₓU/k_BT (R, N, 3) in k_BT/nm. It is the hot path of the
flow potential (:mod:`statgen.md.potential`), evaluated once per MD step for all replicas:

- no input checks, no host synchronisation and no data-dependent shapes between the positions
  and the energy (the checks of :meth:`BoltzmannGenerator.energy` run ``isfinite(...).all()``
  on the host; the flow's conditioners index with precomputed index tensors, not boolean masks);
- one autograd backward for the whole batch (the R energies are independent, so the gradient of
  their sum is every replica's own gradient);
- optionally ``torch.compile`` (``method="compile"``): the forward graph and its backward are
  compiled once per batch shape (tens of seconds per shape, cached on disk by torch), after which
  a call costs a few kernel launches instead of thousands of eager operations.

The result equals the autograd path of :meth:`BoltzmannGenerator.force` to rounding (float64:
1e-12 relative in the tests).
"""

from __future__ import annotations

import torch

from statgen._checks import check_choice

__all__ = ["EnergyForce", "METHODS"]

#: evaluation methods of :class:`EnergyForce`.
METHODS = ("eager", "compile")


def _check_energy_model(model, name: str = "model") -> None:
    if not callable(getattr(model, "energy", None)):
        raise TypeError(f"{name} must have an energy(x) method returning -log p(x) in k_BT "
                        f"(e.g. statgen.md.BoltzmannGenerator), got {type(model).__name__}")


def model_dtype_device(model) -> tuple[torch.dtype, torch.device]:
    """(dtype, device) of a model's first parameter; float64 on the CPU for parameter-free models."""
    params = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
    if params:
        return params[0].dtype, params[0].device
    return torch.float64, torch.device("cpu")


class EnergyForce:
    """x (R, N, 3) nm ↦ (U/k_BT (R,), F = −∇U/k_BT (R, N, 3) k_BT/nm) of ``model``, detached.

    Parameters
    ----------
    model : object with ``energy(x)`` (−log p in k_BT, shape (R,)); a model with an unchecked
        ``_energy`` (:class:`statgen.md.BoltzmannGenerator`) is evaluated through it.
    method : "eager" (default) or "compile" (``torch.compile`` of the energy; its backward is
        compiled by AOTAutograd; the first call per batch shape compiles).

    The positions must already be a tensor of the model's dtype and device (see :attr:`dtype`,
    :attr:`device`); non-finite energies are returned as they are (the caller decides).
    """

    def __init__(self, model, *, method: str = "eager"):
        _check_energy_model(model)
        self.method = check_choice(method, "method", METHODS)
        self.model = model
        self.dtype, self.device = model_dtype_device(model)
        fn = getattr(model, "_energy", None)
        self._fn = fn if callable(fn) else model.energy
        if self.method == "compile":
            self._fn = torch.compile(self._fn, dynamic=False, fullgraph=callable(fn))

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.enable_grad():
            xr = x.detach().requires_grad_(True)
            e = self._fn(xr)
            if not isinstance(e, torch.Tensor) or e.shape != xr.shape[:1]:
                raise ValueError(f"model.energy must return one energy per configuration, shape ({len(xr)},), got "
                                 f"{tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__}")
            (g,) = torch.autograd.grad(e.sum(), xr)
        return e.detach(), -g
