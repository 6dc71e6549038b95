"""Torus toy target: normalisation, forces, Metropolis sampler against quadrature."""

import math

import numpy as np
import pytest
import torch

from statgen.flows import TorusDensity

F64 = torch.float64


def test_log_z_converges_and_matches_closed_form_special_case():
    t = TorusDensity()
    # midpoint rule: a coarser grid agrees to the ring-resolution error
    assert t.log_z() == pytest.approx(TorusDensity().log_z(grid=1024), abs=5e-6)
    # one broad ring, w → large: p ~ const, so log Z → log(a) exactly (unit box area)
    flat = TorusDensity(weights=(2.0,), centers=(1.0,), width=1e6)
    assert flat.log_z(grid=64) == pytest.approx(math.log(2.0), abs=1e-9)


def test_density_formula_and_force_by_finite_differences():
    t = TorusDensity()
    x = torch.tensor([[0.5, 0.5], [0.1, 0.3], [0.77, 0.05]], dtype=F64)
    th = 2 * np.pi * x.numpy() - np.pi
    r = np.sqrt((np.cos(th**2 / 2) + 1).sum(-1))
    ref = np.log(sum(a * np.exp(-(r - m) ** 2 / (2 * 0.05**2))
                     for a, m in [(1.0, 1.0), (0.8, 2.0), (0.6, 1.5), (0.4, 2.5)]))
    np.testing.assert_allclose(-t.energy(x).numpy(), ref, rtol=1e-12)
    h = 1e-6
    fd = torch.stack([(t.unnormalized_log_prob(x + h * e) - t.unnormalized_log_prob(x - h * e)) / (2 * h)
                      for e in torch.eye(2, dtype=F64)], -1)
    assert float((t.force(x) - fd).abs().max()) < 1e-5 * float(fd.abs().max())


def test_metropolis_samples_match_quadrature():
    t = TorusDensity()
    x, acc = t.sample(20000, seed=3, steps=30)
    assert 0.3 < acc < 0.95 and x.min() >= 0 and x.max() <= 1
    m = 512
    u = (torch.arange(m, dtype=F64) + 0.5) / m
    g = torch.stack(torch.broadcast_tensors(u[:, None], u[None]), -1).reshape(-1, 2)
    p = t.log_prob(g).exp() / m**2
    for fn in (lambda v: np.cos(2 * np.pi * v[:, 0]), lambda v: np.sin(2 * np.pi * v[:, 1]) ** 2):
        exact = float((p * torch.as_tensor(fn(g.numpy()))).sum())
        vals = fn(x)
        assert abs(vals.mean() - exact) < 4 * vals.std() / math.sqrt(len(vals))
