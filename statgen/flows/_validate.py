"""Input checks shared by statgen.flows and statgen.md: a finite floating tensor, a floating dtype,
an ordered pair of numbers; errors name the argument."""

from __future__ import annotations

import math

import numpy as np
import torch


def check_dtype(dtype, name: str = "dtype"):
    """``dtype`` after checking it is None or a floating-point torch dtype."""
    if dtype is None:
        return None
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"{name} must be a torch floating dtype (e.g. torch.float64) or None, got {dtype!r}")
    if not dtype.is_floating_point:
        raise ValueError(f"{name} must be a floating-point torch dtype, got {dtype}")
    return dtype


def check_pair(pair, name: str, *, positive: bool = False, allow_equal: bool = False) -> tuple[float, float]:
    """(lo, hi) as floats after checking two finite numbers with lo < hi (lo <= hi with ``allow_equal``;
    lo > 0 with ``positive``)."""
    try:
        lo, hi = (float(v) for v in pair)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be two numbers (lo, hi), got {pair!r}") from exc
    ok = math.isfinite(lo) and math.isfinite(hi) and (lo <= hi if allow_equal else lo < hi) and (lo > 0 or not positive)
    if not ok:
        raise ValueError(f"{name} must be finite with {'0 < ' if positive else ''}lo {'<=' if allow_equal else '<'} hi, "
                         f"got {pair!r}")
    return lo, hi


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
        if isinstance(x, np.ndarray):
            x = np.ascontiguousarray(x)  # a reversed or strided view (x[::-1]): torch refuses negative strides
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
