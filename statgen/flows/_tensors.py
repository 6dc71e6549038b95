"""One conversion for every torch input of statgen.flows and statgen.md: a finite floating tensor,
with errors that name the argument."""

from __future__ import annotations

import torch


def as_float_tensor(x, name: str, *, dtype: torch.dtype | None = None, device=None, finite: bool = True,
                    convert: bool = True) -> torch.Tensor:
    """``x`` as a floating-point tensor (of ``dtype`` and on ``device`` when given), checked finite.

    Arrays and nested lists of numbers are converted (to ``dtype``, default float64) unless
    ``convert=False``; strings, ragged lists and integer tensors are refused with a ``TypeError``,
    NaN or infinite values with a ``ValueError``, both naming ``name``.
    """
    if not isinstance(x, torch.Tensor):
        if not convert or isinstance(x, str) or x is None:
            raise TypeError(f"{name} must be a floating-point torch tensor, got {type(x).__name__}"
                            + (f" {x!r}" if isinstance(x, str) else ""))
        try:
            x = torch.as_tensor(x, dtype=dtype or torch.float64, device=device)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"{name} must be a tensor or an array of numbers: {exc}") from exc
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if (dtype is not None and x.dtype != dtype) or (device is not None and x.device != torch.device(device)):
        x = x.to(dtype=dtype, device=device)
    if finite and not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x
