"""Device, dtype and randomness of the torch Potts code, checked in one place.

Convention of the Potts family: torch code takes ``seed`` (an int ≥ 0, or None for fresh OS
entropy) or ``generator`` (a ``torch.Generator`` on the target device, advanced in place), never
both; ``device`` (default CPU) and a floating ``dtype`` (default float64). Same seed, device and
dtype → same numbers.
"""

from __future__ import annotations

import numpy as np
import torch

from statgen._checks import check_int


def resolve_device(device) -> torch.device:
    """A ``torch.device`` from None (CPU), a string or a device; unknown or unavailable devices are refused."""
    if device is None:
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda', got {device!r}: {exc}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} asks for CUDA, which is not available here (use device='cpu')")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'mps', got {device!r}")
    return dev


def resolve_dtype(dtype) -> torch.dtype:
    """A floating ``torch.dtype`` (default float64); strings and integer dtypes are refused."""
    if dtype is None:
        return torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype such as torch.float64 or torch.float32, got {dtype!r}")
    return dtype


def check_seed(seed) -> int | None:
    """None or an int ≥ 0 (a numpy integer is fine)."""
    return None if seed is None else check_int(seed, "seed", minimum=0)


def make_generator(seed=None, generator=None, device: torch.device | None = None) -> torch.Generator:
    """The ``torch.Generator`` that drives one computation: ``generator`` itself, or a new one seeded
    with ``seed`` (fresh OS entropy when both are None)."""
    device = torch.device("cpu") if device is None else device
    if generator is not None:
        if seed is not None:
            raise ValueError("give seed or generator, not both")
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {generator!r} ({type(generator).__name__})")
        if generator.device.type != device.type:
            raise ValueError(f"generator lives on {generator.device}, the computation on {device}")
        return generator
    seed = check_seed(seed)
    gen = torch.Generator(device=device)
    gen.manual_seed(int(np.random.SeedSequence().generate_state(1)[0]) if seed is None else seed)
    return gen


def torch_bytes(dtype: torch.dtype) -> int:
    return torch.finfo(dtype).bits // 8
