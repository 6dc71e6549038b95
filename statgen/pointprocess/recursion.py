"""Product densities from cluster integrals: the subset recursion and brute-force partitions.

For a Neyman–Scott process, ρ⁽ⁿ⁾(y₁..yₙ) = Σ_{π partition of {1..n}} Π_{B∈π} K_B with
K_B = ∫ κ(c) α(c)^{|B|} Π_{i∈B} k(y_i − c) dc. Fixing the block of the largest element gives

    ρ(S) = Σ_{B ⊆ S, max S ∈ B} K_B ρ(S ∖ B),        ρ(∅) = 1,

which evaluates ρ on all 2ⁿ subsets in Σ_j 3^j = O(3ⁿ) operations (instead of the Bell
number of partitions). Subsets are bitmasks: bit i ↔ event i.

The recursion is vectorized: adding element j, the new values ρ({j} ∪ T), T ⊆ {0..j−1}, are a
subset convolution Σ_{B'⊆T} K_{{j}∪B'} ρ(T ∖ B') over the 3^j pairs (T, B'), accumulated with
``np.bincount``. The pair list for j elements is a prefix of the list for j + 1 elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import numpy as np

__all__ = ["subset_pairs", "subset_recursion", "set_partitions", "partition_sum", "mask_sums", "bell_number"]


@lru_cache(maxsize=4)
def subset_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (T, B) with B ⊆ T ⊆ {0..k−1} as two int arrays of length 3^k.

    Ordered so that the pairs over k' < k elements are the first 3^{k'} entries.
    """
    dt = np.int32 if k < 30 else np.int64
    T = np.zeros(1, dtype=dt)
    B = np.zeros(1, dtype=dt)
    for b in range(k):
        bit = dt(1 << b)
        T = np.concatenate([T, T | bit, T | bit])
        B = np.concatenate([B, B, B | bit])
    T.flags.writeable = False
    B.flags.writeable = False
    return T, B


def subset_recursion(K: np.ndarray) -> np.ndarray:
    """ρ on every subset from cluster integrals on every subset.

    Parameters
    ----------
    K : (2ⁿ,) array, K[mask] = K_B for the subset B encoded by ``mask`` (K[0] is ignored).

    Returns
    -------
    rho : (2ⁿ,) array with rho[mask] = Σ over set partitions of the subset of Π K_B; rho[0] = 1.
    """
    K = np.asarray(K, dtype=float)
    size = K.shape[0]
    n = size.bit_length() - 1
    if size != 1 << n:
        raise ValueError(f"K must have length 2**n, got {size}")
    rho = np.empty(size)
    rho[0] = 1.0
    if n == 0:
        return rho
    T_all, B_all = subset_pairs(n - 1)
    for j in range(n):
        top = 1 << j
        T, B = T_all[: 3**j], B_all[: 3**j]
        vals = K[top | B] * rho[T ^ B]
        rho[top : 2 * top] = np.bincount(T, weights=vals, minlength=top)
    return rho


def mask_sums(values: np.ndarray) -> np.ndarray:
    """Σ_{i∈B} values[i] for every bitmask B: (n, ...) -> (2ⁿ, ...), built by doubling."""
    values = np.asarray(values)
    out = np.zeros((1, *values.shape[1:]), dtype=values.dtype)
    for i in range(values.shape[0]):
        out = np.concatenate([out, out + values[i]])
    return out


def set_partitions(items: list) -> Iterator[list[list]]:
    """All set partitions of ``items`` (Bell(n) of them); for brute-force checks only."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in set_partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


def partition_sum(K: np.ndarray, n: int) -> float:
    """ρ⁽ⁿ⁾ = Σ over all set partitions of {0..n−1} of Π_B K_B, by explicit enumeration."""
    total = 0.0
    for part in set_partitions(list(range(n))):
        prod = 1.0
        for block in part:
            prod *= K[sum(1 << i for i in block)]
        total += prod
    return total


def bell_number(n: int) -> int:
    """Number of set partitions of n items (Bell triangle)."""
    row = [1]
    for _ in range(n):
        new = [row[-1]]
        for v in row:
            new.append(new[-1] + v)
        row = new
    return row[0]
