"""Losses against hand-computed values: NLL, force matching (mean over samples and components),
reverse KL with a fixed generator; shapes that only broadcast are refused."""

import math

import pytest
import torch

from statgen.flows import (
    SmoothFlow,
    force_error,
    force_matching_loss,
    nll_and_force_matching_loss,
    nll_loss,
    reverse_kl_loss,
)

F64 = torch.float64


def new_flow(seed=0, layers=1, domains=("circle",)):
    torch.manual_seed(seed)
    return SmoothFlow(list(domains), layers=layers, components=8, hidden=(8,), dtype=F64)


def test_force_error_is_zero_for_own_forces():
    flow = new_flow(1)
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.3 * torch.randn_like(p))
    x = torch.rand(100, 1, dtype=F64)
    assert force_error(flow, x, flow.force(x)) < 1e-20
    assert force_error(flow, x, flow.force(x) + 2.0) == pytest.approx(4.0, rel=1e-12)


def random_flow(seed=1):
    flow = new_flow(seed, layers=2, domains=("circle", "interval", "circle"))
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return flow


def test_nll_and_force_matching_against_finite_differences():
    flow = random_flow()
    x = 0.05 + 0.9 * torch.rand(7, 3, dtype=F64, generator=torch.Generator().manual_seed(2))
    f_ref = torch.randn(7, 3, dtype=F64, generator=torch.Generator().manual_seed(3))
    h = 1e-6  # independent forces: central differences of log p
    with torch.no_grad():
        lp = flow.log_prob(x)
        fd = torch.stack([(flow.log_prob(x + h * e) - flow.log_prob(x - h * e)) / (2 * h)
                          for e in torch.eye(3, dtype=F64)], -1)
    want_fm = float(((fd - f_ref) ** 2).sum() / 21)  # mean over 7 samples x 3 components
    nll, fm = nll_and_force_matching_loss(flow, x, f_ref)
    assert float(nll.detach()) == pytest.approx(float(-lp.mean()), rel=1e-13)
    assert float(nll_loss(flow, x).detach()) == pytest.approx(float(-lp.mean()), rel=1e-13)
    assert float(fm.detach()) == pytest.approx(want_fm, rel=1e-6)
    assert float(force_matching_loss(flow, x, f_ref).detach()) == pytest.approx(float(fm.detach()), rel=1e-13)
    assert force_error(flow, x, f_ref, batch_size=3) == pytest.approx(float(fm.detach()), rel=1e-12)
    # FM keeps its graph: d FM / dθ exists and matches a finite difference in one parameter
    p = next(flow.parameters())
    (g,) = torch.autograd.grad(fm, p)
    with torch.no_grad():
        p.view(-1)[0] += h
        up = float(force_matching_loss(flow, x, f_ref).detach())
        p.view(-1)[0] -= 2 * h
        down = float(force_matching_loss(flow, x, f_ref).detach())
        p.view(-1)[0] += h
    assert float(g.view(-1)[0]) == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-7)


def test_reverse_kl_equals_its_definition_on_the_same_samples():
    flow = random_flow(4)

    def energy(v):
        return 3.0 * torch.cos(2 * math.pi * v[:, 0]) + v[:, 1] ** 2

    kl = reverse_kl_loss(flow, energy, 64, generator=torch.Generator().manual_seed(5))
    x, log_q = flow.sample_and_log_prob(64, generator=torch.Generator().manual_seed(5))
    assert float(kl.detach()) == pytest.approx(float((log_q + energy(x)).mean().detach()), rel=1e-12)
    with torch.no_grad():  # the samples' log q is the analytic log_prob at the root-found points
        assert float((flow.log_prob(x) - log_q).abs().max()) < 1e-8


def test_shapes_that_only_broadcast_are_refused():
    flow = random_flow()
    x = torch.full((6, 3), 0.5, dtype=F64)
    for bad in (torch.zeros(1, 3, dtype=F64), torch.zeros(6, 1, dtype=F64), torch.zeros(3, dtype=F64)):
        with pytest.raises(ValueError, match="forces must have exactly the shape of x"):
            force_matching_loss(flow, x, bad)
        with pytest.raises(ValueError, match="forces must have exactly the shape of x"):
            force_error(flow, x, bad)
    with pytest.raises(ValueError, match="energy_fn must return a tensor of shape"):
        reverse_kl_loss(flow, lambda v: v.sum(), 4)
