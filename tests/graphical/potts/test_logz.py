"""log Z by annealed importance sampling against exact enumeration."""

import numpy as np

from statgen.graphical import ais_log_partition, lattice_potts


def test_ais_log_partition_within_3_standard_errors():
    m = lattice_potts(2, 4, 3, 0.8, rng=np.random.default_rng(5), sigma_h=0.5)
    exact = m.log_partition()
    est = ais_log_partition(m, n_chains=400, n_temps=200, seed=1)
    assert 0 < est.stderr < 0.05
    assert abs(est.log_z - exact) < 3 * est.stderr
