"""Coupling generators and the named-graph factory: scaling, structure and statistics."""

import numpy as np
import pytest

from statgen.graphical import (
    band_couplings,
    erdos_renyi_couplings,
    gaussian_couplings,
    lattice_couplings,
    predicted_gamma,
    ring_couplings,
    sk_couplings,
)


def test_generators_symmetric_zero_diagonal_and_scaled():
    rng = np.random.default_rng(0)
    mats = {
        "sk": sk_couplings(400, 0.5, rng=rng),
        "ring": ring_couplings(50, 0.3),
        "band": band_couplings(200, 5, 0.5, rng=rng),
        "er": erdos_renyi_couplings(200, 6.0, 0.5, rng=rng),
        "lattice": lattice_couplings(7, 0.2),
    }
    for name, J in mats.items():
        np.testing.assert_array_equal(J, J.T, err_msg=name)
        np.testing.assert_array_equal(np.diag(J), 0.0, err_msg=name)
    row2 = {k: np.sum(J * J, axis=1) for k, J in mats.items()}
    np.testing.assert_allclose(row2["ring"], 2 * 0.3**2, rtol=1e-14)
    np.testing.assert_allclose(row2["lattice"], 4 * 0.2**2, rtol=1e-14)
    # rescaled generators: mean_i sum_j J_ij^2 = sigma^2 exactly, whatever the width / degree
    assert row2["band"].mean() == pytest.approx(0.25, rel=1e-12)
    assert row2["er"].mean() == pytest.approx(0.25, rel=1e-12)
    # band structure: nothing beyond the (periodic) width
    i, j = np.nonzero(mats["band"])
    d = np.abs(i - j)
    assert np.all(np.minimum(d, 200 - d) <= 5)
    # ER mean degree 6 (binomial, 200 * 199 / 2 pairs): within 5 standard errors
    deg = np.count_nonzero(mats["er"], axis=1).mean()
    assert abs(deg - 6.0) < 5 * np.sqrt(2 * 6.0 / 200)
    # SK entries have variance sigma^2/N: chi-square estimate over 79800 entries
    off = mats["sk"][np.triu_indices(400, 1)]
    assert np.var(off) * 400 / 0.25 == pytest.approx(1.0, abs=5 * np.sqrt(2 / off.size))
    assert predicted_gamma(mats["ring"]) == pytest.approx(1 / 0.18, rel=1e-14)
    assert predicted_gamma(mats["band"]) == pytest.approx(4.0, rel=1e-12)


def test_gaussian_couplings_dispatches_to_the_generators():
    for graph, params, direct in [
        ("sk", {"sigma": 0.5}, lambda rng: sk_couplings(49, 0.5, rng=rng)),
        ("ring", {"j": 0.3}, lambda rng: ring_couplings(49, 0.3)),
        ("band", {"width": 3, "sigma": 0.4}, lambda rng: band_couplings(49, 3, 0.4, rng=rng)),
        (
            "erdos_renyi",
            {"degree": 4.0, "sigma": 0.4},
            lambda rng: erdos_renyi_couplings(49, 4.0, 0.4, rng=rng),
        ),
        ("lattice", {"j": 0.2}, lambda rng: lattice_couplings(7, 0.2)),
    ]:
        J = gaussian_couplings(graph, 49, rng=np.random.default_rng(13), **params)
        np.testing.assert_array_equal(J, direct(np.random.default_rng(13)), err_msg=graph)
    with pytest.raises(ValueError, match="graph"):
        gaussian_couplings("tree", 49, rng=np.random.default_rng(0), sigma=0.5)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_couplings("sk", 49, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="n must be a perfect square"):
        gaussian_couplings("lattice", 50, rng=np.random.default_rng(0), j=0.2)
