"""Identity counts of the sequence reweighting as a compiled (numba) loop; imported only when weights are computed on the CPU."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["identity_counts"]


@njit(parallel=True, cache=True)
def identity_counts(s, need):
    """counts[m] = #{m′ : Σ_t [s_mt = s_m′t] ≥ need} for (M, L) states s (the sequence itself included)."""
    M, L = s.shape
    out = np.zeros(M, dtype=np.int64)
    for m in prange(M):
        c = 0
        for n in range(M):
            ident = 0
            for t in range(L):
                ident += s[m, t] == s[n, t]
            c += ident >= need
        out[m] = c
    return out
