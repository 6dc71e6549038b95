"""Product densities from cluster integrals: the subset recursion and brute-force partitions.

For a Neyman–Scott process, ρ⁽ⁿ⁾(y₁..yₙ) = Σ_{π partition of {1..n}} Π_{B∈π} K_B with
K_B = ∫ κ(c) α(c)^{|B|} Π_{i∈B} k(y_i − c) dc. Fixing the block of the largest element gives

    ρ(S) = Σ_{B ⊆ S, max S ∈ B} K_B ρ(S ∖ B),        ρ(∅) = 1,

which evaluates ρ on all 2ⁿ subsets in Σ_j 3^j = O(3ⁿ) operations (instead of the Bell
number of partitions). Subsets are bitmasks: bit i ↔ event i.

The recursion is vectorized: adding element j, the new values ρ({j} ∪ T), T ⊆ {0..j−1}, are a
subset convolution Σ_{B'⊆T} K_{{j}∪B'} ρ(T ∖ B') over the 3^j pairs (T, B'), accumulated with
``np.bincount``. The pair list for j elements is a prefix of the list for j + 1 elements.

References
----------
Björklund, A., Husfeldt, T., Kaski, P., Koivisto, M. (2007). Fourier meets Möbius: fast subset
convolution. STOC '07, 67–74. doi:10.1145/1250790.1250801 (subset convolutions and their cost).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np

from statgen._checks import as_array, check_int
from statgen.pointprocess._args import check_memory

__all__ = ["subset_pairs", "subset_recursion", "set_partitions", "partition_sum", "mask_sums", "bell_number",
           "check_subset_memory"]

MAX_BELL_N = 1000  # bell_number(1000) takes ~0.3 s (O(n²) big-integer additions); 4000 takes ~30 s


def check_subset_memory(n: int, bytes_per_subset: float, what: str) -> None:
    """Refuse (MemoryError with the estimate) a computation over the 2ⁿ subsets of n events that needs
    ``bytes_per_subset`` bytes for each subset, before allocating anything."""
    if n > 62:
        raise MemoryError(f"{what}: 2**{n} subsets cannot be enumerated (more than 2**62); reduce the number "
                          f"of events")
    check_memory(float(bytes_per_subset) * 2.0**n, f"{what} ({n} events: 2**{n} = {2**n:.3g} subsets)")


@lru_cache(maxsize=4)
def subset_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (T, B) with B ⊆ T ⊆ {0..k−1} as two int arrays of length 3^k (read-only).

    Ordered so that the pairs over k' < k elements are the first 3^{k'} entries.
    """
    k = check_int(k, "k", minimum=0, maximum=38)
    check_memory(3.0**k * 8 * 3, f"k={k}: the 3**{k} = {3.0**k:.3g} subset pairs")
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

    Cost 3ⁿ⁻¹ pairs (memory about 40 · 3ⁿ⁻¹ bytes, refused beforehand when it cannot fit).
    """
    K = as_array(K, "K", ndim=1)
    size = K.shape[0]
    n = size.bit_length() - 1
    if size == 0 or size != 1 << n:
        raise ValueError(f"K must have length 2**n (one entry per subset of n events), got length {size}")
    if n > 1:
        check_memory(40.0 * 3.0 ** (n - 1), f"K of length 2**{n}: the subset recursion over 3**{n - 1} pairs")
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
    """Σ_{i∈B} values[i] for every bitmask B: (n, ...) → (2ⁿ, ...), built by doubling.

    Inner helper of the engines: unchecked (its callers check the number of events).
    """
    values = np.asarray(values)
    out = np.zeros((1, *values.shape[1:]), dtype=values.dtype)
    for i in range(values.shape[0]):
        out = np.concatenate([out, out + values[i]])
    return out


def set_partitions(items: Sequence) -> Iterator[list[list]]:
    """All set partitions of ``items`` (a list, tuple or range; Bell(n) of them, generated lazily);
    for brute-force checks only."""
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(f"items must be a list, tuple or range of items, got {type(items).__name__}")
    return _partitions(list(items))


def _partitions(items: list) -> Iterator[list[list]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


def partition_sum(K: np.ndarray, n: int, *, max_partitions: int = 10**6) -> float:
    """ρ⁽ⁿ⁾ = Σ over all set partitions π of {0..n−1} of Π_{B∈π} K_B, by explicit enumeration.

    ``K`` is indexed by bitmask (length ≥ 2ⁿ). The enumeration costs Bell(n) products (about
    12 µs each): it is refused when Bell(n) exceeds ``max_partitions`` (n ≥ 12 by default); use
    :func:`subset_recursion` for the same number in O(3ⁿ).
    """
    n = check_int(n, "n", minimum=0, maximum=MAX_BELL_N)
    max_partitions = check_int(max_partitions, "max_partitions", minimum=1)
    count = bell_number(n)
    if count > max_partitions:
        raise ValueError(f"n={n} has Bell({n}) = {count:.3e} set partitions, more than max_partitions="
                         f"{max_partitions}; use subset_recursion (O(3**n)) instead")
    K = as_array(K, "K", ndim=1)
    if K.shape[0] < 1 << n:
        raise ValueError(f"K must have at least 2**n = {1 << n} entries (one per subset), got {K.shape[0]}")
    total = 0.0
    for part in _partitions(list(range(n))):
        prod = 1.0
        for block in part:
            prod *= K[sum(1 << i for i in block)]
        total += prod
    return total


def bell_number(n: int) -> int:
    """Number of set partitions of n items, 0 ≤ n ≤ 1000 (Bell triangle, exact integer)."""
    n = check_int(n, "n", minimum=0, maximum=MAX_BELL_N)
    row = [1]
    for _ in range(n):
        new = [row[-1]]
        for v in row:
            new.append(new[-1] + v)
        row = new
    return row[0]
