"""Shared Potts fixtures."""

import numpy as np
import pytest

from statgen.graphical import chain_potts


@pytest.fixture(scope="session")
def planted():
    """Planted chain L = 6, q = 3, σ = 0.8 and 10⁴ exact samples."""
    m = chain_potts(6, 3, 0.8, rng=np.random.default_rng(0), sigma_h=0.5)
    return m, m.sample_exact(10_000, seed=2)
