"""Fixed glibc malloc thresholds, for commands whose peak memory is part of what they promise
(``statgen potts plm``).

glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB) and its trim
threshold to twice that, so later blocks below that size come from the heap and, once freed, stay
resident: after the alignment's (M, L) int64 temporaries, ~14 MiB for the rest of an L = 100,
M = 10⁴ fit. Setting both thresholds with mallopt turns that adjustment off."""

from __future__ import annotations

import ctypes
import sys

__all__ = ["return_freed_memory"]

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def return_freed_memory(threshold: int = 128 * 1024) -> bool:
    """Serve blocks of ``threshold`` bytes or more by mmap and trim the heap above ``threshold`` free
    bytes, from now on in this process; False where the C library has no mallopt (not glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, int(threshold))) and bool(mallopt(M_TRIM_THRESHOLD, int(threshold)))
