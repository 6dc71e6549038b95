"""Single-sample (alpha = 1/N) theory of gamma_opt against the exact optimum."""

import numpy as np
import pytest

from statgen.graphical import (
    empirical_covariance,
    l2_path,
    small_alpha_gamma,
)
from tests.graphical.gaussian.helpers import GAMMAS
from tests.graphical.gaussian.helpers import sk_model as _sk_model


@pytest.mark.parametrize(("sigma", "rtol"), [(0.5, 0.03), (2.0, 0.1)])
def test_small_alpha_prediction_against_exact_optimum(sigma, rtol):
    """B = 1: N theta/(N theta - 1) (sigma < 1) and (1 - theta)^2 (sigma > 1) vs the exact gamma_opt."""
    rng = np.random.default_rng(11)
    n = 300
    model = _sk_model(n, sigma, 11)
    u = model.sample(1, rng=rng)[0]
    path = l2_path(empirical_covariance(u[None]), GAMMAS, 1 / n, J_true=model)
    uh = u / np.linalg.norm(u)
    theta = uh @ model.covariance() @ uh / n
    pred = small_alpha_gamma(model.covariance(), u)
    branch = n * theta / (n * theta - 1) if sigma < 1 else (1 - theta) ** 2
    assert pred == pytest.approx(branch, rel=1e-14)
    assert pred == pytest.approx(path.gamma_opt, rel=rtol)
