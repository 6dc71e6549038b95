"""Shared test inputs and checks of the Potts tests (imported, not collected)."""

import numpy as np
import pytest
import torch

from statgen.graphical import PottsModel


def dense_model(L, q, rng, scale=0.4, h_scale=0.7):
    """A dense, non-gauge-fixed model (symmetrized random blocks)."""
    J = rng.normal(0, scale, (L, L, q, q))
    J = 0.5 * (J + J.transpose(1, 0, 3, 2))
    J[np.arange(L), np.arange(L)] = 0
    return PottsModel(rng.normal(0, h_scale, (L, q)), J)


def fd_check(fun, x, rng, n_dir=6, eps=1e-6):
    """The gradient of ``fun(x) -> (value, grad)`` against central differences along random directions."""
    _, g = fun(x)
    for _ in range(n_dir):
        d = torch.as_tensor(rng.normal(size=x.shape), dtype=x.dtype)
        fd = (float(fun(x + eps * d)[0]) - float(fun(x - eps * d)[0])) / (2 * eps)
        assert float(g @ d) == pytest.approx(fd, rel=1e-6, abs=1e-8)


def coupling_errors(fit, true):
    """Max |J_fit − J_true| (zero-sum gauge) on the true edges and off them."""
    J = fit.gauge().J
    on = np.abs(true.J).sum((2, 3)) > 0
    err = np.abs(J - true.J).max((2, 3))
    return err[on].max(), err[~on].max()
