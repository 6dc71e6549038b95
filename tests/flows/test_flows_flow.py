"""SmoothFlow: log-density vs autograd Jacobian and quadrature, forces vs finite differences,
sampling vs quadrature, implicit gradients through the inverse, validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.flows import SmoothFlow

F64 = torch.float64
DOMAINS3 = ["circle", "interval", "circle"]
# float() of a graph-attached scalar in asserts is intended here
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True")


def random_flow(domains, transformer="smooth", *, seed=0, scale=0.3, dtype=F64, **kwargs):
    """A flow whose (zero-initialised) output layers are perturbed, so it is far from the identity."""
    torch.manual_seed(seed)
    kw = dict(layers=3, components=5, hidden=(16,))
    kw.update(kwargs)
    flow = SmoothFlow(domains, transformer=transformer, dtype=dtype, **kw)
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(scale * torch.randn_like(p))
    return flow


def grid2(m, dtype=F64):
    u = (torch.arange(m, dtype=dtype) + 0.5) / m
    return torch.cartesian_prod(u, u)


@pytest.mark.parametrize("transformer", ["smooth", "spline"])
def test_log_prob_equals_log_det_of_autograd_jacobian(transformer):
    flow = random_flow(DOMAINS3, transformer)
    x = torch.rand(12, 3, dtype=F64, generator=torch.Generator().manual_seed(1))
    xr = x.clone().requires_grad_()
    z = flow(xr)[0]
    # samples are independent: the gradient of Σ_n z[n, j] is row j of every per-sample Jacobian
    rows = [torch.autograd.grad(z[:, j].sum(), xr, retain_graph=True)[0] for j in range(3)]
    ref = torch.linalg.slogdet(torch.stack(rows, dim=1))
    assert bool((ref.sign > 0).all())
    assert float((flow.log_prob(x).detach() - ref.logabsdet).abs().max()) < 1e-8


@pytest.mark.parametrize("transformer", ["smooth", "spline"])
def test_density_integrates_to_one_on_the_torus(transformer):
    flow = random_flow(["circle", "circle"], transformer, seed=2, layers=3, hidden=(8,))
    with torch.no_grad():
        p = flow.log_prob(grid2(160)).exp()
    assert float(p.mean()) == pytest.approx(1.0, abs=2e-3)  # midpoint rule on [0, 1]²


def test_force_is_minus_energy_gradient_by_finite_differences():
    flow = random_flow(DOMAINS3, seed=3)
    x = 0.05 + 0.9 * torch.rand(10, 3, dtype=F64, generator=torch.Generator().manual_seed(4))
    f = flow.force(x)
    h = 1e-6
    fd = torch.stack([-(flow.energy(x + h * e) - flow.energy(x - h * e)) / (2 * h) for e in torch.eye(3, dtype=F64)],
                     dim=-1).detach()
    assert float((f - fd).abs().max()) < 1e-6 * max(1.0, float(fd.abs().max()))


def test_smooth_flow_density_and_force_periodic_across_the_wrap():
    flow = random_flow(DOMAINS3, seed=5)
    x = torch.rand(8, 3, dtype=F64, generator=torch.Generator().manual_seed(6))
    x0, x1 = x.clone(), x.clone()
    x0[:, 0], x1[:, 0] = 0.0, 1.0
    with torch.no_grad():
        assert float((flow.log_prob(x0) - flow.log_prob(x1)).abs().max()) < 1e-10
    assert float((flow.force(x0) - flow.force(x1)).abs().max()) < 1e-8


@pytest.mark.parametrize("transformer", ["smooth", "spline"])
def test_inverse_round_trip_and_sample_log_prob(transformer):
    flow = random_flow(DOMAINS3, transformer, seed=7)
    x = torch.rand(500, 3, dtype=F64, generator=torch.Generator().manual_seed(8))
    with torch.no_grad():
        z, ld = flow(x)
        xb, ldi = flow.inverse(z)
        assert float((xb - x).abs().max()) < 1e-8
        assert float((ld + ldi).abs().max()) < 1e-6
        xs, lq = flow.sample_and_log_prob(300, generator=torch.Generator().manual_seed(9))
        assert float((lq - flow.log_prob(xs)).abs().max()) < 1e-6


def test_samples_follow_the_density():
    # Monte Carlo mean of cos 2πx₁ + x₂ under samples vs the quadrature value under exp(log_prob)
    flow = random_flow(["circle", "interval"], seed=10, layers=3, hidden=(8,), scale=0.5)
    with torch.no_grad():
        g = grid2(160)
        p = flow.log_prob(g).exp()
        test_fn = lambda v: torch.cos(2 * math.pi * v[:, 0]) + v[:, 1]  # noqa: E731
        exact = float((p * test_fn(g)).mean())
        s = flow.sample(5000, generator=torch.Generator().manual_seed(11))
        vals = test_fn(s)
    se = float(vals.std()) / math.sqrt(vals.numel())
    assert abs(float(vals.mean()) - exact) < 4 * se


def test_reverse_kl_gradient_through_the_inverse_matches_finite_differences():
    # d/dθ E_z[ h(F⁻¹(z; θ)) + log q(F⁻¹(z; θ)) ] with fixed z: implicit gradients vs central differences
    # tol 1e-13: the root's own error (tol / h) must stay below the finite-difference accuracy
    flow = random_flow(["circle", "interval"], seed=12, layers=2, hidden=(8,), tol=1e-13)
    z = torch.rand(16, 2, dtype=F64, generator=torch.Generator().manual_seed(13))

    def objective():
        x, ldi = flow.inverse(z)
        return (torch.sin(2 * math.pi * x[:, 0]) * x[:, 1] - ldi).mean()

    params = [p for p in flow.parameters() if p.requires_grad]
    grads = torch.autograd.grad(objective(), params)
    rng = np.random.default_rng(0)
    for _ in range(3):
        k = int(rng.integers(len(params)))
        i = int(rng.integers(params[k].numel()))
        h = 1e-5
        with torch.no_grad():
            flat = params[k].view(-1)
            flat[i] += h
            up = float(objective())
            flat[i] -= 2 * h
            down = float(objective())
            flat[i] += h
        assert float(grads[k].view(-1)[i]) == pytest.approx((up - down) / (2 * h), abs=1e-7, rel=1e-5)


def test_force_matching_gradient_matches_finite_differences():
    from statgen.flows import force_matching_loss

    flow = random_flow(["circle", "interval"], seed=14, layers=2, hidden=(8,))
    x = torch.rand(32, 2, dtype=F64, generator=torch.Generator().manual_seed(15))
    ref = torch.randn(32, 2, dtype=F64, generator=torch.Generator().manual_seed(16))
    w = flow.layers[0].conditioner.net[0].weight
    (g,) = torch.autograd.grad(force_matching_loss(flow, x, ref), w)
    h = 1e-6
    with torch.no_grad():
        w[1, 0] += h
        up = float(force_matching_loss(flow, x, ref))
        w[1, 0] -= 2 * h
        down = float(force_matching_loss(flow, x, ref))
        w[1, 0] += h
    assert float(g[1, 0]) == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


def test_float32_agrees_with_float64():
    f64 = random_flow(DOMAINS3, seed=17)
    f32 = random_flow(DOMAINS3, seed=17, dtype=torch.float32)
    f32.load_state_dict({k: v.float() for k, v in f64.state_dict().items()})
    x = torch.rand(100, 3, dtype=F64, generator=torch.Generator().manual_seed(18))
    assert float((f32.log_prob(x.float()).double() - f64.log_prob(x)).abs().max()) < 1e-4
    s = f32.sample(200, generator=torch.Generator().manual_seed(19))
    assert s.dtype == torch.float32 and float((f32.inverse(f32(s)[0])[0] - s).abs().max()) < 1e-4


def test_invalid_input_raises_value_error():
    flow = random_flow(DOMAINS3, seed=20, layers=2)
    good = torch.full((4, 3), 0.5, dtype=F64)
    for bad, msg in [(good[:, :2], "shape"), (good[0], "shape"), (good + 0.6, "box"), (good - 0.6, "box"),
                     (good.index_fill(1, torch.tensor([1]), float("nan")), "NaN"),
                     (good.index_fill(1, torch.tensor([0]), float("inf")), "NaN or infinite")]:
        for method in (flow.log_prob, flow.energy, flow.force, flow.inverse):
            with pytest.raises(ValueError, match=msg):
                method(bad)
    with pytest.raises(TypeError, match="tensor of shape"):
        flow.log_prob([["a", "b", "c"]])
    with pytest.raises(ValueError, match="domains"):
        SmoothFlow(["circle", "sphere"])
    with pytest.raises(ValueError, match="domains"):
        SmoothFlow("circle")
    with pytest.raises(ValueError, match="transformer"):
        SmoothFlow(["circle"], transformer="affine")
    with pytest.raises(ValueError, match="layers"):
        SmoothFlow(["circle"], layers=0)
    with pytest.raises(ValueError, match="couplings"):
        SmoothFlow(["circle", "interval"], couplings=[([0], [0])])
    with pytest.raises(ValueError, match="n must be"):
        flow.sample(-1)


@pytest.mark.gpu
def test_cuda_matches_cpu():
    flow = random_flow(DOMAINS3, seed=21)
    x = torch.rand(256, 3, dtype=F64, generator=torch.Generator().manual_seed(22))
    ref = flow.log_prob(x)
    gpu = flow.to("cuda")
    assert float((gpu.log_prob(x.cuda()).cpu() - ref).abs().max()) < 1e-10
    s = gpu.sample(1000, generator=torch.Generator(device="cuda").manual_seed(0))
    assert s.device.type == "cuda" and float((gpu.inverse(gpu(s)[0])[0] - s).abs().max()) < 1e-8


@settings(max_examples=12, deadline=None)
@given(domains=st.lists(st.sampled_from(["circle", "interval"]), min_size=1, max_size=4),
       transformer=st.sampled_from(["smooth", "spline"]), seed=st.integers(0, 2**16),
       scale=st.floats(0.0, 0.6))
def test_inverse_undoes_forward_for_random_flows(domains, transformer, seed, scale):
    """Property: x = F⁻¹(F(x)) and log|det| of the two directions cancel, for any layout and parameters."""
    flow = random_flow(domains, transformer, seed=seed, scale=scale, layers=2, components=3, hidden=(8,))
    x = torch.rand(64, len(domains), dtype=F64, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        z, ld = flow(x)
        x2, ld2 = flow.inverse(z)
    d = (x2 - x).abs()
    circ = torch.tensor([dom == "circle" for dom in domains])
    d[:, circ] = torch.minimum(d[:, circ], 1 - d[:, circ])  # a circle point at 0 may come back as 1
    assert float(d.max()) < 1e-8
    assert float((ld + ld2).abs().max()) < 1e-6
