"""The subset recursion against brute-force set partitions; Bell numbers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.pointprocess import bell_number, partition_sum, set_partitions, subset_recursion


def test_bell_numbers_and_partition_enumeration():
    assert [bell_number(n) for n in (5, 10, 15)] == [52, 115975, 1382958545]
    assert sum(1 for _ in set_partitions(list(range(6)))) == 203


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_subset_recursion_equals_partition_enumeration(n):
    K = np.random.default_rng(n).random(1 << n) * 3
    rho = subset_recursion(K)
    assert rho[-1] == pytest.approx(partition_sum(K, n), rel=1e-12)
    # every sub-mask too
    for mask in (1, (1 << n) - 2, (1 << n) >> 1):
        members = [i for i in range(n) if mask >> i & 1]
        sub = np.array([K[sum(1 << members[j] for j in range(len(members)) if m >> j & 1)]
                        for m in range(1 << len(members))])
        assert rho[mask] == pytest.approx(partition_sum(sub, len(members)), rel=1e-12)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(n=st.integers(0, 6), seed=st.integers(0, 2**32 - 1))
def test_subset_recursion_is_the_partition_sum_for_any_cluster_integrals(n, seed):
    """ρ(S) = Σ_{partitions of S} Π K_B, for K of any sign and size (the recursion is pure algebra)."""
    K = np.random.default_rng(seed).normal(size=1 << n)
    rho = subset_recursion(K)
    assert rho[0] == 1.0
    assert rho[-1] == pytest.approx(partition_sum(K, n), rel=1e-10, abs=1e-12)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(n=st.integers(0, 40))
def test_bell_numbers_satisfy_the_binomial_recurrence(n):
    # B(n+1) = Σ_k C(n, k) B(k)
    assert bell_number(n + 1) == sum(math.comb(n, k) * bell_number(k) for k in range(n + 1))


def test_runaway_enumerations_and_bad_sizes_are_refused_with_the_count():
    with pytest.raises(ValueError, match=r"n=13 has Bell\(13\) = 2\.764e\+07 set partitions"):
        partition_sum(np.ones(1 << 13), 13)
    with pytest.raises(ValueError, match=r"n=30 has Bell\(30\) = 8\.467e\+23"):
        partition_sum(np.ones(4), 30)  # refused on the count before K's length is looked at
    with pytest.raises(ValueError, match="n must be >= 0, got -1"):
        bell_number(-1)
    with pytest.raises(ValueError, match="n must be <= 1000"):
        bell_number(10**6)
    with pytest.raises(TypeError, match="items must be a list, tuple or range"):
        list(set_partitions(None))
    with pytest.raises(ValueError, match="K contains NaN"):
        subset_recursion([1.0, np.nan])
    with pytest.raises(ValueError, match=r"K must have length 2\*\*n .* got length 3"):
        subset_recursion([1.0, 2.0, 3.0])
    with pytest.raises(MemoryError, match=r"subset recursion over 3\*\*20 pairs"):
        subset_recursion(np.ones(1 << 21))
