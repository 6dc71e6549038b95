"""Root-finding inverse: round trips at the stated tolerance, implicit gradients of order 1 and 2."""

import pytest
import torch

from statgen.flows import RootFindingError, default_tolerance, implicit_inverse, solve_monotone

F64 = torch.float64


@pytest.mark.parametrize("domain", ["circle", "interval"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_round_trip_within_tolerance(transformer_factory, domain, dtype):
    tr, raw = transformer_factory("smooth", domain, dims=3, n=4000, scale=1.5, dtype=dtype)
    g = torch.Generator().manual_seed(5)
    x = torch.rand(raw.shape[:-1], generator=g, dtype=dtype)
    y, ld = tr(x, raw)
    xb, neg = tr.inverse(y, raw)
    tol = default_tolerance(dtype)
    assert tol == (1e-10 if dtype == F64 else 1e-6)
    # |x̂ − x| ≤ tol, plus the conditioning of y = F(x) itself in this precision: ε|y| / F'(x)
    bound = tol + 4 * torch.finfo(dtype).eps / ld.exp()
    assert bool(((xb - x).abs() <= bound).all())
    assert float((neg + ld).abs().max()) < (1e-7 if dtype == F64 else 1e-3)


def test_inverse_of_ends_and_exact_hits(transformer_factory):
    tr, raw = transformer_factory("smooth", "interval", dims=2, n=10, scale=1.0)
    for v in (0.0, 1.0):
        xb, _ = tr.inverse(torch.full(raw.shape[:-1], v, dtype=F64), raw)
        assert float((xb - v).abs().max()) < 1e-10


def test_rq_spline_inverse_round_trip(transformer_factory):
    tr, raw = transformer_factory("spline", "circle", dims=3, n=2000, scale=1.5)
    x = torch.rand(raw.shape[:-1], generator=torch.Generator().manual_seed(6), dtype=F64)
    y, ld = tr(x, raw)
    xb, neg = tr.inverse(y, raw)
    assert bool(((xb - x).abs() <= 1e-12 + 4e-16 / ld.exp()).all())


def test_root_finding_error_names_the_failure(transformer_factory):
    tr, raw = transformer_factory("smooth", "circle", dims=2, n=50, scale=1.5)
    y = torch.rand(raw.shape[:-1], generator=torch.Generator().manual_seed(7), dtype=F64)
    with pytest.raises(RootFindingError, match="did not converge.*max_iter=2"):
        solve_monotone(tr.evaluate, y, tr.prepare(raw), max_iter=2)
    x, it = solve_monotone(tr.evaluate, y, tr.prepare(raw))
    assert it < 100 and float((tr.evaluate(x, *tr.prepare(raw))[0] - y).abs().max()) < 1e-9


def test_solver_on_a_closed_form_inverse():
    # F(x) = (x + a x²) / (1 + a) on [0, 1], a ∈ [0, 5): x = (−1 + sqrt(1 + 4a(1 + a) y)) / (2a)
    g = torch.Generator().manual_seed(8)
    a = 5 * torch.rand(1000, 1, generator=g, dtype=F64) + 1e-3
    y = torch.rand(1000, generator=g, dtype=F64)

    def evaluate(x, a):
        a = a[..., 0]
        return (x + a * x * x) / (1 + a), torch.log((1 + 2 * a * x) / (1 + a))

    x, _ = solve_monotone(evaluate, y, (a,))
    exact = (-1 + torch.sqrt(1 + 4 * a[:, 0] * (1 + a[:, 0]) * y)) / (2 * a[:, 0])
    assert float((x - exact).abs().max()) < 1e-10


def _small_problem(domain, n=2, dims=1, seed=9):
    from statgen.flows import SmoothMixtureTransformer

    tr = SmoothMixtureTransformer(domain, dims, 2).double()
    g = torch.Generator().manual_seed(seed)
    raw = torch.randn(n, dims, tr.params_per_dim, generator=g, dtype=F64).requires_grad_()
    y = (0.05 + 0.9 * torch.rand(n, dims, generator=g, dtype=F64)).requires_grad_()
    return tr, raw, y


@pytest.mark.parametrize("domain", ["circle", "interval"])
def test_gradcheck_and_gradgradcheck_of_inverse(domain):
    tr, raw, y = _small_problem(domain)

    def inv(y, raw):  # x and −log F'(x): the two outputs a flow uses
        return tr.inverse(y, raw)

    assert torch.autograd.gradcheck(inv, (y, raw), eps=1e-6, atol=1e-6, rtol=1e-5)
    # fast mode: random projections of the Hessian-vector products against finite differences
    assert torch.autograd.gradgradcheck(inv, (y, raw), eps=1e-6, atol=1e-5, rtol=1e-4, fast_mode=True)


def test_implicit_gradients_are_inverse_function_theorem_values():
    # ∂x/∂y = 1/F'(x) and ∂x/∂θ = −∂θF/F' for F(x) = (x + a x²)/(1 + a)
    a = torch.tensor([[0.7], [2.0]], dtype=F64, requires_grad=True)
    y = torch.tensor([0.3, 0.8], dtype=F64, requires_grad=True)

    def evaluate(x, a):
        a = a[..., 0]
        return (x + a * x * x) / (1 + a), torch.log((1 + 2 * a * x) / (1 + a))

    x = implicit_inverse(evaluate, y, (a,))
    gy, ga = torch.autograd.grad(x.sum(), (y, a))
    xd, ad = x.detach(), a.detach()[:, 0]
    fp = (1 + 2 * ad * xd) / (1 + ad)
    dfda = (xd * xd * (1 + ad) - (xd + ad * xd * xd)) / (1 + ad) ** 2
    assert torch.allclose(gy, 1 / fp, atol=1e-12, rtol=1e-9)
    assert torch.allclose(ga[:, 0], -dfda / fp, atol=1e-12, rtol=1e-9)


def test_no_graph_without_grad():
    tr, raw, y = _small_problem("interval")
    with torch.no_grad():
        x, _ = tr.inverse(y, raw)
    assert not x.requires_grad


@pytest.mark.parametrize("domain", ["circle", "interval"])
def test_full_gradgradcheck_of_inverse(domain):
    # the complete second-derivative Jacobian (not random projections), 2 dims x 3 components
    from statgen.flows import SmoothMixtureTransformer

    tr = SmoothMixtureTransformer(domain, 2, 3).double()
    g = torch.Generator().manual_seed(10)
    raw = torch.randn(2, 2, tr.params_per_dim, generator=g, dtype=F64).requires_grad_()
    y = (0.05 + 0.9 * torch.rand(2, 2, generator=g, dtype=F64)).requires_grad_()
    assert torch.autograd.gradgradcheck(lambda y, r: tr.inverse(y, r), (y, raw), eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("domain", ["circle", "interval"])
@pytest.mark.parametrize("beta", [1.0, 2.0, 0.7, "trainable"])
def test_root_problem_is_the_same_function(transformer_factory, domain, beta):
    # the solver's folded linear-space F, F' must equal the log-space evaluation the gradients use
    tr, raw = transformer_factory("smooth", domain, dims=3, n=500, scale=2.0, beta=beta)
    if beta == "trainable":
        with torch.no_grad():
            tr.beta_raw.copy_(torch.tensor([-2.0, 0.3, 2.0]))
    x = torch.rand(raw.shape[:-1], generator=torch.Generator().manual_seed(9), dtype=F64)
    with torch.no_grad():
        params = tr.prepare(raw)
        y, log_d = tr.evaluate(x, *params)
        evaluate, root_params = tr.root_problem(params)
        y_r, log_d_r = evaluate(x, *root_params)
    assert float((y_r - y).abs().max()) < 1e-13
    assert float((log_d_r - log_d).abs().max()) < 1e-10
    xb, it = tr.solve(y, params)
    assert it < 40 and float((xb - x).abs().max()) < 1e-10 + 4e-16 / float(log_d.exp().min())
