"""Transformers: boundary values, periodicity, monotonicity, log-derivative, smoothness, peer formulas."""

import math

import numpy as np
import pytest
import torch

from statgen.flows import evaluate_rq_spline

F64 = torch.float64
KINDS = ["smooth", "spline"]


def at(x_values, raw):
    """x of shape (n, dims) filled with the scalar ``x_values`` broadcast over the batch."""
    return torch.full(raw.shape[:-1], float(x_values), dtype=raw.dtype)


def deriv(tr, x, raw):
    return tr(x, raw)[1].exp()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", ["circle", "interval"])
def test_end_points_and_strict_monotonicity(transformer_factory, kind, domain):
    tr, raw = transformer_factory(kind, domain, scale=1.5, n=40)
    y0, _ = tr(at(0.0, raw), raw)
    y1, _ = tr(at(1.0, raw), raw)
    assert float(y0.abs().max()) < 1e-14 and float((y1 - 1).abs().max()) < 1e-14
    grid = torch.linspace(0, 1, 1001, dtype=F64)
    ys = torch.stack([tr(at(g, raw), raw)[0] for g in grid[::50]])  # coarse: sign of differences
    assert bool((ys[1:] > ys[:-1]).all())
    # fine grid for one element: strictly increasing, and F' > 0 everywhere
    r1 = raw[:1].expand(1001, -1, -1)
    y, log_d = tr(grid[:, None].expand(1001, raw.shape[1]), r1)
    assert bool((y[1:] > y[:-1]).all()) and bool(torch.isfinite(log_d).all())


def test_circle_lift_is_periodic(transformer_factory):
    # f(x + 1) = f(x) + 1 and f'(x + 1) = f'(x) for the smooth circle mixture, at arbitrary x
    tr, raw = transformer_factory("smooth", "circle", scale=1.5)
    x = torch.rand(raw.shape[:-1], dtype=F64, generator=torch.Generator().manual_seed(1))
    y, ld = tr(x, raw)
    for k in (1.0, -1.0, 2.0):
        yk, ldk = tr(x + k, raw)
        assert float((yk - y - k).abs().max()) < 1e-13
        assert float((ldk - ld).abs().max()) < 1e-11


def test_circle_spline_is_c1_across_the_wrap(transformer_factory):
    tr, raw = transformer_factory("spline", "circle", scale=1.5)
    d0, d1 = deriv(tr, at(0.0, raw), raw), deriv(tr, at(1.0, raw), raw)
    assert float((d0 / d1 - 1).abs().max()) < 1e-12


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", ["circle", "interval"])
def test_log_derivative_equals_autograd(transformer_factory, kind, domain):
    tr, raw = transformer_factory(kind, domain, scale=1.5, n=64)
    x = torch.rand(raw.shape[:-1], dtype=F64, generator=torch.Generator().manual_seed(2)).requires_grad_()
    y, log_d = tr(x, raw)
    (g,) = torch.autograd.grad(y.sum(), x)  # elementwise map: the gradient is the diagonal Jacobian
    assert float((g.log() - log_d.detach()).abs().max()) < 1e-8


def test_smooth_circle_matches_note_formula(transformer_factory):
    """Independent numpy evaluation of the science note's circle mixture from the raw parameters."""
    tr, raw = transformer_factory("smooth", "circle", dims=1, components=4, n=7, scale=1.2)
    K = 4
    r = raw[:, 0].numpy().reshape(7, 5, K)
    w = np.exp(r[:, 0]) / np.exp(r[:, 0]).sum(-1, keepdims=True)
    p = np.exp(r[:, 1]) / np.exp(r[:, 1]).sum(-1, keepdims=True)
    mu = np.cumsum(p, -1) - p / 2
    s = 1.0 + np.log1p(np.exp(r[:, 2]))
    alpha = 2.0 + 8.0 / (1 + np.exp(-r[:, 3]))
    c = 1e-6 + (1 - 1e-6) / (1 + np.exp(-r[:, 4]))

    def rho(u):
        u = np.asarray(u, float)
        with np.errstate(divide="ignore", over="ignore"):
            return np.where(u > 0, np.exp(alpha * (1 - np.where(u > 0, u, 1.0) ** -1.0)), 0.0)

    def sig(u):
        u = np.clip(u, 0.0, 1.0)
        return rho(u) / (rho(u) + rho(1 - u))

    mup = np.mod(mu - 1 / (2 * s), 1.0)
    for x in (0.0, 0.13, 0.5, 0.77, 0.999):
        f = sig(s * np.mod(x - mup, 1)) - sig(s * np.mod(-mup, 1)) + np.floor(x - mup) + (mup != 0)
        ref = (w * ((1 - c) * f + c * x)).sum(-1)
        got = tr(at(x, raw[:, :1]), raw[:, :1])[0][:, 0].numpy()
        np.testing.assert_allclose(got, ref, atol=1e-12)


# --- smoothness by one-sided finite differences of F' -----------------------------------------

def deriv_at(tr, xs, raw):
    """F'(x) for every x in the 1-D tensor ``xs``, shape (len(xs), n, dims), in one vectorized call."""
    m, (n, dims, p) = xs.numel(), raw.shape
    x = xs.to(raw.dtype)[:, None, None].expand(m, n, dims).reshape(m * n, dims)
    return deriv(tr, x, raw.unsqueeze(0).expand(m, n, dims, p).reshape(m * n, dims, p)).reshape(m, n, dims)


def one_sided(tr, raw, x0, side, h):
    """One-sided FD estimates of F''(x0) (2nd order) and F'''(x0) (1st order) from F' at x0 + side·(0..3)h."""
    d = deriv_at(tr, x0 + side * h * torch.arange(4, dtype=F64), raw)
    f2 = side * (-3 * d[0] + 4 * d[1] - d[2]) / (2 * h)
    f3 = (2 * d[0] - 5 * d[1] + 4 * d[2] - d[3]) / h**2
    return f2, f3


def scales(tr, raw):
    """max_x |F''| and max_x |F'''| per element (central differences on a grid)."""
    h = 1e-4
    xs = torch.linspace(0.01, 0.99, 99, dtype=F64)
    d = deriv_at(tr, (xs[:, None] + h * torch.tensor([-1.0, 0.0, 1.0], dtype=F64)).reshape(-1), raw)
    d = d.reshape(99, 3, *d.shape[1:])
    f2 = (d[:, 2] - d[:, 0]) / (2 * h)
    f3 = (d[:, 2] - 2 * d[:, 1] + d[:, 0]) / h**2
    return f2.abs().amax(0), f3.abs().amax(0)


def jumps(tr, raw, left_x, right_x, h, scale):
    """|one-sided limits of F'' and F''' at left_x⁻ and right_x⁺ differ|, relative to max |F''|, max |F'''|."""
    l2, l3 = one_sided(tr, raw, left_x, -1.0, h)
    r2, r3 = one_sided(tr, raw, right_x, +1.0, h)
    return (l2 - r2).abs() / scale[0], (l3 - r3).abs() / scale[1]


def test_smooth_circle_second_and_third_derivatives_continuous_across_wrap(transformer_factory):
    tr, raw = transformer_factory("smooth", "circle", dims=2, n=20, scale=1.0)
    sc = scales(tr, raw)
    j2, j3 = jumps(tr, raw, 1.0, 0.0, 5e-4, sc)   # left limit at 1⁻, right limit at 0⁺ (same point of the circle)
    j2b, j3b = jumps(tr, raw, 1.0, 0.0, 2.5e-4, sc)
    assert float(j2b.max()) < 1e-4 and float(j3b.max()) < 1e-3
    # the residual is truncation error of the stencils: it shrinks like h³ (factor 8 per halving)
    assert float(j2b.max()) < float(j2.max()) / 4 and float(j3b.max()) < float(j3.max()) / 4


@pytest.mark.parametrize("end", [0.0, 1.0])
def test_smooth_interval_derivatives_continuous_at_ends(transformer_factory, end):
    # the interval mixture extends as a C∞ function beyond [0, 1]: one-sided limits agree at the ends
    tr, raw = transformer_factory("smooth", "interval", dims=2, n=20, scale=1.0)
    sc = scales(tr, raw)
    j2, j3 = jumps(tr, raw, end, end, 5e-4, sc)
    j2b, j3b = jumps(tr, raw, end, end, 2.5e-4, sc)
    assert float(j2b.max()) < 1e-4 and float(j3b.max()) < 1e-3
    assert float(j2b.max()) < float(j2.max()) / 4 and float(j3b.max()) < float(j3.max()) / 4


def test_rq_spline_second_derivative_jumps_across_wrap(transformer_factory):
    tr, raw = transformer_factory("spline", "circle", dims=2, n=20, scale=1.0)
    sc = scales(tr, raw)
    j2, _ = jumps(tr, raw, 1.0, 0.0, 5e-4, sc)
    j2b, _ = jumps(tr, raw, 1.0, 0.0, 2.5e-4, sc)
    # O(1) jump relative to the largest |F''|, which does not shrink with h
    assert float(j2.median()) > 0.1 and float(j2b.median()) > 0.1
    assert abs(float(j2b.median()) / float(j2.median()) - 1) < 0.05


def test_rq_spline_second_derivative_jumps_at_interior_knot(transformer_factory):
    tr, raw = transformer_factory("spline", "interval", dims=1, n=10, scale=1.0)
    xk, _, _ = tr.prepare(raw)
    knot = xk[..., 3]  # (n, 1): an interior knot of every element
    h = 1e-5
    d = [deriv(tr, knot + k * h, raw) for k in (-2, -1, 1, 2)]
    left, right = (d[1] - d[0]) / h, (d[3] - d[2]) / h
    s2, _ = scales(tr, raw)
    assert float(((left - right).abs() / s2).median()) > 0.05


# --- rational-quadratic spline against zuko (peer tool) ---------------------------------------

def test_rq_spline_matches_zuko():
    zuko = pytest.importorskip("zuko")
    g = torch.Generator().manual_seed(3)
    K, B, n = 6, 3.0, 200
    t = zuko.transforms.MonotonicRQSTransform(torch.randn(n, K, generator=g, dtype=F64),
                                              torch.randn(n, K, generator=g, dtype=F64),
                                              torch.randn(n, K - 1, generator=g, dtype=F64), bound=B)
    x01 = torch.rand(n, generator=g, dtype=F64) * 0.999 + 0.0005
    xz = 2 * B * x01 - B
    yz, ladj = t.call_and_ladj(xz)
    xk, yk = (t.horizontal + B) / (2 * B), (t.vertical + B) / (2 * B)  # same spline on [0, 1]
    y, log_d = evaluate_rq_spline(x01, xk, yk, t.derivatives)
    np.testing.assert_allclose(2 * B * y - B, yz, atol=1e-12)
    np.testing.assert_allclose(log_d, ladj, atol=1e-10)
    xi, neg = evaluate_rq_spline(y, xk, yk, t.derivatives, inverse=True)
    np.testing.assert_allclose(2 * B * xi - B, t.inv(yz), atol=1e-10)
    np.testing.assert_allclose(neg, -ladj, atol=1e-9)


# --- parameters --------------------------------------------------------------------------------

def test_trainable_beta_range_and_per_dimension_parameters(transformer_factory):
    tr, raw = transformer_factory("smooth", "interval", dims=3, beta="trainable")
    with torch.no_grad():
        tr.beta_raw.copy_(torch.tensor([-50.0, 0.0, 50.0]))
    np.testing.assert_allclose(tr.beta().detach().numpy(), [0.5, 1.25, 2.0], atol=1e-12)
    # every dimension uses its own slice of the conditioner output: dims=3 equals three dims=1 maps
    x = torch.rand(raw.shape[:-1], dtype=F64, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        y, ld = tr(x, raw)
    for j in range(3):
        from statgen.flows import SmoothMixtureTransformer

        t1 = SmoothMixtureTransformer("interval", 1, 6, beta=float(tr.beta()[j].detach())).double()
        y1, ld1 = t1(x[:, j:j + 1], raw[:, j:j + 1])
        assert float((y1[:, 0] - y[:, j]).abs().max()) < 1e-14
        assert float((ld1[:, 0] - ld[:, j]).abs().max()) < 1e-12


def test_invalid_transformer_arguments():
    from statgen.flows import RQSplineTransformer, SmoothMixtureTransformer

    with pytest.raises(ValueError, match="domain"):
        SmoothMixtureTransformer("sphere", 2)
    with pytest.raises(ValueError, match="components"):
        SmoothMixtureTransformer("circle", 2, 0)
    with pytest.raises(ValueError, match="s_min"):
        SmoothMixtureTransformer("circle", 2, s_min=0.5)
    with pytest.raises(ValueError, match="beta"):
        SmoothMixtureTransformer("circle", 2, beta=-1.0)
    with pytest.raises(ValueError, match="bins"):
        RQSplineTransformer("interval", 2, 0)
    assert math.isfinite(SmoothMixtureTransformer("circle", 1).params_per_dim)


def test_fixed_beta_follows_a_loaded_state_dict(transformer_factory):
    # β = 2 loaded into a β = 1 transformer must evaluate as the β = 2 one does
    tr2, raw = transformer_factory("smooth", "interval", dims=2, n=20, beta=2.0)
    tr1, _ = transformer_factory("smooth", "interval", dims=2, n=20, beta=1.0)
    x = torch.rand(raw.shape[:-1], generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    assert float((tr1(x, raw)[0] - tr2(x, raw)[0]).abs().max()) > 1e-3
    tr1.load_state_dict(tr2.state_dict())
    for a, b in zip(tr1(x, raw), tr2(x, raw), strict=True):
        assert float((a - b).abs().max()) == 0.0
