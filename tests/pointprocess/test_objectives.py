"""The fitting objectives against their definitions, computed independently."""

import numpy as np
import pytest

from statgen.pointprocess import LogLinear, NeymanScott, ThomasKernel, k_inhom
from statgen.pointprocess.objectives import MinimumContrastK, PalmLikelihood

W = np.array([[0.0, 1.0], [0.0, 1.0]])


def test_palm_likelihood_is_its_definition():
    """ℓ_P = Σ_{i≠j, r_ij ≤ R} log λ(x_j | x_i) − Σ_i ∫_{W ∩ b(x_i, R)} λ(u | x_i) du, with the pairs by
    brute force and the integrals on a 600² midpoint grid (error ≈ 1e-4 relative, from the disc edge)."""
    model = NeymanScott(LogLinear(4.0, [0.8, -0.5]), 5.0, ThomasKernel(0.04), W)
    x = np.random.default_rng(2).random((8, 2))
    x[1] = x[0] + [0.03, 0.01]
    x[5] = [0.02, 0.5]  # near the edge: W ∩ b(x_i, R) is clipped
    R = 0.15
    first = sum(np.log(model.conditional_intensity(x[j : j + 1], x[i : i + 1]))[0]
                for i in range(8) for j in range(8) if i != j and np.linalg.norm(x[i] - x[j]) <= R)
    t = (np.arange(600) + 0.5) / 600
    grid = np.stack(np.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
    second = 0.0
    for i in range(8):
        near = grid[np.linalg.norm(grid - x[i], axis=1) <= R]
        second += model.conditional_intensity(near, x[i : i + 1]).sum() / 600**2
    objective = PalmLikelihood(x, W, R, None)
    assert -objective(model) == pytest.approx(first - second, rel=2e-4)


def test_minimum_contrast_is_the_sum_of_squared_root_differences():
    model = NeymanScott(40.0, 5.0, ThomasKernel(0.05), W)
    x = model.simulate(rng=np.random.default_rng(3))
    lam = np.full(x.shape[0], float(x.shape[0]))
    obj = MinimumContrastK(x, W, 0.2, lam, q=0.5)
    r = np.linspace(0.01, 0.2, 20)
    expect_k = np.pi * r**2 + (1 - np.exp(-r**2 / (4 * 0.05**2))) / 40.0  # stationary Thomas K(r)
    direct = np.sum((k_inhom(x, W, r, lam) ** 0.5 - expect_k**0.5) ** 2)
    assert obj(model) == pytest.approx(direct, rel=1e-5)
