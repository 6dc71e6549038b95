"""Bad input to the Gaussian functions raises naming the argument (the fuzz cases cover the rest)."""

import numpy as np
import pytest

from statgen.graphical import (
    band_couplings,
    l1_path,
    l2_path,
    map_l1,
    map_l2,
    spherical_mu,
)
from tests.graphical.gaussian.helpers import GAMMAS
from tests.graphical.gaussian.helpers import sk_model as _sk_model
from tests.graphical.gaussian.helpers import sk_problem as _problem


def test_bad_inputs_raise_naming_the_argument():
    rng = np.random.default_rng(12)
    C = _sk_model(8, 0.5, 12).sample_covariance(20, rng=rng)
    nonsym = C.copy()
    nonsym[0, 1] += 0.1
    nan = C.copy()
    nan[2, 3] = nan[3, 2] = np.nan
    nonpsd = C - 2 * np.eye(8) * np.linalg.eigvalsh(C).max()
    for bad in (nonsym, nan, nonpsd, C[:, :5], C[None]):
        with pytest.raises(ValueError, match=r"\bC\b"):
            map_l2(bad, 1.0, 1.0)
        with pytest.raises(ValueError, match=r"\bC\b"):
            l2_path(bad, GAMMAS, 1.0)
    for g in (0.0, -1.0):
        with pytest.raises(ValueError, match="gamma"):
            map_l2(C, g, 1.0)
        with pytest.raises(ValueError, match="gammas"):
            l2_path(C, [1.0, g], 1.0)
    for a in (0.0, -2.0):
        with pytest.raises(ValueError, match="alpha"):
            map_l2(C, 1.0, a)
        with pytest.raises(ValueError, match="alpha"):
            l2_path(C, GAMMAS, a)
    with pytest.raises(ValueError, match="C_true"):
        l2_path(C, GAMMAS, 1.0, C_true=nonsym)
    with pytest.raises(ValueError, match="C_test"):
        l2_path(C, GAMMAS, 1.0, C_test=np.eye(5))
    with pytest.raises(ValueError, match="J_true"):
        l2_path(C, GAMMAS, 1.0, J_true=np.eye(5))
    with pytest.raises(ValueError, match="eigenvalues"):
        spherical_mu([])
    with pytest.raises(ValueError, match="width"):
        band_couplings(10, 5, 0.5, rng=rng)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(C=np.array([[1.0, 0.2], [0.1, 1.0]]), lam=0.1), "C"),
        (dict(C=np.array([[1.0, 2.0], [2.0, 1.0]]), lam=0.1), "C"),
        (dict(C=np.ones((2, 3)), lam=0.1), "C"),
        (dict(C=np.array([[1.0, np.nan], [np.nan, 1.0]]), lam=0.1), "C"),
        (dict(C=np.eye(2), lam=0.0), "lam"),
        (dict(C=np.eye(2), lam=-1.0), "lam"),
        (dict(C=np.eye(2), lam=0.1, P_init=np.ones((3, 3)) + np.eye(3)), "P_init"),
        (dict(C=np.eye(2), lam=0.1, solver="newton"), "solver"),
    ],
)
def test_map_l1_validation(kwargs, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        map_l1(**kwargs)


def test_path_validation():
    _, C = _problem(n=5)
    with pytest.raises(ValueError, match="gammas"):
        l1_path(C, [0.1, -1.0], 1.0)
    with pytest.raises(ValueError, match="alpha"):
        l1_path(C, [0.1], 0.0)
    with pytest.raises(ValueError, match="C_true"):
        l1_path(C, [0.1], 1.0, C_true=np.eye(4))
