"""The subset recursion against brute-force set partitions; Bell numbers."""

import numpy as np
import pytest

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
