"""Smooth ramp and smooth sigmoid against closed forms (numpy) and finite differences."""

import math

import numpy as np
import pytest
import torch

from statgen.flows import smooth_ramp, smooth_sigmoid, smooth_sigmoid_and_log_derivative

F64 = torch.float64


def ramp_np(u, a, b):
    u = np.asarray(u, float)
    out = np.zeros_like(u)
    m = u > 0
    out[m] = np.exp(a * (1.0 - u[m] ** (-b)))
    return out


@pytest.mark.parametrize("alpha,beta", [(1.0, 1.0), (2.0, 2.0), (5.0, 0.5), (10.0, 2.0)])
def test_ramp_matches_closed_form(alpha, beta):
    u = np.array([-0.3, 0.0, 0.05, 0.2, 0.5, 1.0, 1.7])
    got = smooth_ramp(torch.tensor(u, dtype=F64), alpha, beta).numpy()
    np.testing.assert_allclose(got, ramp_np(u, alpha, beta), rtol=1e-13, atol=np.exp(-60.0))  # cut below e^{-L}
    assert got[5] == pytest.approx(1.0, abs=1e-15)  # ρ(1) = 1


def test_ramp_is_flat_at_zero():
    # every derivative vanishes at 0: ρ(h) / h^k → 0 for any k (here k = 6)
    h = torch.tensor([0.1, 0.05, 0.025], dtype=F64)
    r = smooth_ramp(h, 1.0, 1.0) / h**6
    assert float(r[-1]) < 1e-7 and bool((r[1:] < r[:-1]).all())


@pytest.mark.parametrize("alpha,beta", [(2.0, 1.0), (3.0, 0.5), (10.0, 2.0)])
def test_smooth_sigmoid_closed_form_and_symmetry(alpha, beta):
    u = np.linspace(0.0, 1.0, 41)
    ref = ramp_np(u, alpha, beta) / (ramp_np(u, alpha, beta) + ramp_np(1 - u, alpha, beta))
    ut = torch.tensor(u, dtype=F64)
    s = smooth_sigmoid(ut, alpha, beta).numpy()
    np.testing.assert_allclose(s, ref, atol=1e-15)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[20] == pytest.approx(0.5, abs=1e-15)
    np.testing.assert_allclose(s + s[::-1], 1.0, atol=1e-14)  # σ(1 − u) = 1 − σ(u)
    out = smooth_sigmoid(torch.tensor([-1.0, -1e-9, 1.0 + 1e-9, 3.0], dtype=F64), alpha, beta)
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0]


def test_sigmoid_cut_keeps_steep_float32_sigmoid():
    # α = 10, β = 2 in float32: the logit a(u) is moderate near ½ although α u^{−β} is large
    u = torch.linspace(0.3, 0.7, 9)
    s = smooth_sigmoid(u, 10.0, 2.0).double().numpy()
    un = u.double().numpy()
    ref = ramp_np(un, 10, 2) / (ramp_np(un, 10, 2) + ramp_np(1 - un, 10, 2))
    np.testing.assert_allclose(s, ref, atol=2e-7)


@pytest.mark.parametrize("alpha,beta", [(2.0, 1.0), (7.0, 0.5), (4.0, 2.0)])
def test_log_derivative_matches_finite_differences(alpha, beta):
    u = torch.linspace(0.02, 0.98, 49, dtype=F64)
    _, log_d = smooth_sigmoid_and_log_derivative(u, alpha, beta)
    h = 1e-6
    fd = (smooth_sigmoid(u + h, alpha, beta) - smooth_sigmoid(u - h, alpha, beta)) / (2 * h)
    d = log_d.exp()
    # FD error ~ h² σ''' + ε/h ≈ 1e-10 (cancellation in σ ≈ 1 near u = 1)
    np.testing.assert_allclose(d.numpy(), fd.numpy(), rtol=1e-7, atol=1e-9)
    # σ' integrates to 1 over [0, 1] (Simpson on a fine grid)
    x = torch.linspace(0, 1, 4001, dtype=F64)
    dd = smooth_sigmoid_and_log_derivative(x, alpha, beta)[1].exp().numpy()
    w = np.ones(4001)
    w[1:-1:2], w[2:-1:2] = 4, 2
    assert (dd * w).sum() / 3 / 4000 == pytest.approx(1.0, abs=1e-9)


def test_gradients_finite_everywhere():
    u = torch.tensor([-0.5, 0.0, 1e-12, 0.3, 1.0 - 1e-12, 1.0, 2.0], dtype=F64, requires_grad=True)
    alpha = torch.tensor(3.0, dtype=F64, requires_grad=True)
    s, log_d = smooth_sigmoid_and_log_derivative(u, alpha, 1.5)
    g = torch.autograd.grad((s + log_d).sum(), (u, alpha), create_graph=True)
    gg = torch.autograd.grad(g[0].sum(), u)[0]
    assert all(bool(torch.isfinite(t).all()) for t in (s, log_d, *g, gg))


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_linear_slope_matches_log_derivative(beta):
    # σ'(u)/(αβ) in linear space (root finding) against exp(log σ')/(αβ) of the graph path
    from statgen.flows.ramps import smooth_sigmoid_and_slope

    u = torch.linspace(-0.2, 1.2, 2801, dtype=torch.float64)
    alpha = torch.full_like(u, 3.0)
    sig, log_d = smooth_sigmoid_and_log_derivative(u, alpha, beta)
    sig_l, slope = smooth_sigmoid_and_slope(u, alpha, beta)
    assert float((sig_l - sig).abs().max()) < 1e-15 + math.exp(-60)
    inside = log_d > -100
    rel = (slope[inside] * alpha[inside] * beta / log_d[inside].exp() - 1).abs()
    assert float(rel.max()) < 1e-12
    # beyond the log path's cut-off σ' is e^{−60}·a'(u): negligible next to a mixture's identity term c ≥ 1e-6
    assert float(slope[~inside].abs().max()) * 3.0 * beta < 1e-20


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_masked_linear_derivative_matches_log_derivative_and_finite_differences(beta, dtype):
    # the mixtures' hot path: σ, σ' in linear space with the cut-off mask, against exp(log σ') and FD of σ
    from statgen.flows.ramps import _smooth_sigmoid_and_derivative, ramp_cutoff

    u = torch.linspace(-0.2, 1.2, 2801, dtype=dtype)
    alpha = torch.full_like(u, 3.0)
    sig, log_d = smooth_sigmoid_and_log_derivative(u, alpha, beta)  # same dtype, same cut-off L
    sig_l, d = _smooth_sigmoid_and_derivative(u, alpha, beta)
    eps = torch.finfo(dtype).eps
    assert float((sig_l - sig).abs().max()) < 4 * eps
    inside = log_d > -1.5 * ramp_cutoff(dtype)  # the log path's constant −2L marks the cut-off
    rel = (d[inside].double() / log_d[inside].double().exp() - 1).abs()
    assert float(rel.max()) < 100 * eps
    assert float(d[~inside].abs().max()) == 0.0  # σ' = 0 beyond the cut-off (log path: e^{−2L})
    assert torch.equal(_smooth_sigmoid_and_derivative(u, alpha, beta, with_derivative=False)[0], sig_l)
    if dtype == torch.float64:  # central differences of σ (error ~1e-10) need float64
        h = 1e-6
        uf = torch.linspace(0.02, 0.98, 49, dtype=torch.float64)
        fd = (smooth_sigmoid(uf + h, 3.0, beta) - smooth_sigmoid(uf - h, 3.0, beta)) / (2 * h)
        np.testing.assert_allclose(_smooth_sigmoid_and_derivative(uf, 3.0, beta)[1].numpy(), fd.numpy(),
                                   rtol=1e-7, atol=1e-9)


def test_masked_linear_derivative_has_finite_gradients_of_second_order():
    # force matching differentiates σ' twice (x, then the parameters): finite at the cut-offs and beyond
    from statgen.flows.ramps import _smooth_sigmoid_and_derivative

    for dtype in (torch.float64, torch.float32):
        u = torch.tensor([-0.5, 0.0, 1e-12, 1e-3, 0.3, 0.5, 1 - 1e-3, 1.0 - 1e-7, 1.0, 2.0], dtype=dtype,
                         requires_grad=True)
        alpha = torch.tensor(3.0, dtype=dtype, requires_grad=True)
        s, d = _smooth_sigmoid_and_derivative(u, alpha, 1.0)
        g = torch.autograd.grad((s + d).sum(), (u, alpha), create_graph=True)
        gg = torch.autograd.grad(g[0].sum(), (u, alpha))
        assert all(bool(torch.isfinite(t).all()) for t in (s, d, *g, *gg))
        # dσ/du is σ' itself (autograd through r = 1/(1 + e) against the closed form)
        s, d = _smooth_sigmoid_and_derivative(u, alpha, 1.0)
        gs = torch.autograd.grad(s.sum(), u)[0]
        np.testing.assert_allclose(gs.detach().double().numpy(), d.detach().double().numpy(),
                                   rtol=100 * torch.finfo(dtype).eps, atol=0)
