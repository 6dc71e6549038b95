"""Kernels: normalization, tails and quantiles, spatstat's densities, self-convolutions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from statgen.pointprocess import CauchyKernel, MaternKernel, ThomasKernel, VarGammaKernel


def test_variance_gamma_kernel_matches_spatstat_density_and_tail():
    nu, eta = 0.5, 0.02
    k = VarGammaKernel(nu, eta)
    r = np.array([0.001, 0.01, 0.05])
    u = np.column_stack([r, np.zeros(3)])
    spat = (r / eta) ** nu * special.kv(nu, r / eta) / (math.pi * 2 ** (nu + 1) * eta**2 * math.gamma(nu + 1))
    np.testing.assert_allclose(k.pdf(u), spat, rtol=1e-12)
    # 2-D tail in closed form: P(|U| > r) = 2 (r/2η)^s K_s(r/η) / Γ(s), s = ν + 1
    s = nu + 1
    np.testing.assert_allclose(k.tail_mass(r, 2), 2 * (r / (2 * eta)) ** s * special.kv(s, r / eta) / math.gamma(s),
                               rtol=1e-9)


@pytest.mark.parametrize("kernel", [ThomasKernel(0.1), MaternKernel(0.2), CauchyKernel(0.1), VarGammaKernel(0.3, 0.05)])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_kernels_normalized_and_tail_consistent(kernel, d):
    surf = {1: 2.0, 2: 2 * math.pi, 3: 4 * math.pi}[d]
    def radial(t):
        return surf * t ** (d - 1) * kernel.pdf(np.array([[t] + [0.0] * (d - 1)]))[0]
    r0 = kernel.radial_quantile(0.5, d)
    assert float(kernel.tail_mass(r0, d)) == pytest.approx(0.5, abs=1e-9)
    pts = [kernel.radius] if isinstance(kernel, MaternKernel) else None
    head, _ = integrate.quad(radial, 0, float(r0), points=pts, limit=200, epsabs=1e-12)
    assert head == pytest.approx(0.5, abs=1e-7)


def test_self_convolutions_against_quadrature():
    # (k * k)(u) = ∫ k(c) k(u − c) dc by polar Gauss–Legendre panels (fine near the peaks, graded out)
    x, w = np.polynomial.legendre.leggauss(10)
    th = (np.arange(256) + 0.5) * 2 * math.pi / 256
    # ν = 1.5: the kernel is C¹ at its centre (ν = 0.5 has a cusp the polar rule resolves only to 1e-6)
    for kern in (ThomasKernel(0.1), CauchyKernel(0.1), VarGammaKernel(1.5, 0.03)):
        h = kern.scale_length()
        u = np.array([0.13, 0.0])
        edges = np.concatenate([np.linspace(0, 0.13 + 6 * h, 300), (0.13 + 6 * h) * 1.15 ** np.arange(1, 60)])
        a_, b_ = edges[:-1, None], edges[1:, None]
        r = (0.5 * (a_ + b_) + 0.5 * (b_ - a_) * x).ravel()
        wr = (0.5 * (b_ - a_) * w).ravel() * r
        c = np.stack([np.outer(r, np.cos(th)), np.outer(r, np.sin(th))], -1).reshape(-1, 2)
        f = (kern.pdf(c) * kern.pdf(u - c)).reshape(r.size, th.size)
        val = (f.sum(axis=1) * 2 * math.pi / th.size) @ wr
        assert kern.self_convolution(2).pdf(u[None])[0] == pytest.approx(val, rel=1e-6)


# ---------------------------------------------------------------------------------------------- properties
_KERNEL = st.one_of(
    st.floats(0.01, 2.0).map(ThomasKernel),
    st.floats(0.01, 2.0).map(MaternKernel),
    st.floats(0.01, 2.0).map(CauchyKernel),
    st.tuples(st.floats(-0.4, 3.0), st.floats(0.01, 2.0)).map(lambda a: VarGammaKernel(*a)),
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(kernel=_KERNEL, d=st.integers(1, 3), p=st.floats(1e-6, 1 - 1e-6))
def test_radial_quantile_inverts_the_tail_mass(kernel, d, p):
    """P(|U| > q(p)) = 1 − p: the quantile and the tail are each other's inverse (any kernel, d)."""
    q = kernel.radial_quantile(p, d)
    assert q >= 0
    assert float(kernel.tail_mass(q, d)) == pytest.approx(1 - p, abs=1e-8)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(kernel=_KERNEL, d=st.integers(1, 3), r=st.lists(st.floats(-10.0, 10.0), min_size=1, max_size=8))
def test_tail_mass_is_a_survival_function(kernel, d, r):
    """P(|U| > r) ∈ [0, 1], = 1 for r < 0, non-increasing in r."""
    r = np.sort(np.asarray(r))
    t = kernel.tail_mass(r, d)
    assert np.all((t >= 0) & (t <= 1))
    assert np.all(t[r < 0] == 1.0)
    assert np.all(np.diff(t) <= 1e-12)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(radius=st.floats(0.01, 5.0), d=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_matern_samples_stay_in_the_ball(radius, d, seed):
    u = MaternKernel(radius).sample(200, d, rng=np.random.default_rng(seed))
    assert u.shape == (200, d)
    assert np.all(np.linalg.norm(u, axis=1) <= radius * (1 + 1e-12))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.text(max_size=3),
                       st.none()))
def test_scale_validators_accept_exactly_the_positive_finite_reals(value):
    ok = isinstance(value, float) and math.isfinite(value) and value > 0
    for cls, name in ((ThomasKernel, "sigma"), (MaternKernel, "radius"), (CauchyKernel, "scale")):
        if ok:
            assert getattr(cls(value), name) == value
        else:
            with pytest.raises((ValueError, TypeError), match=name):
                cls(value)


def test_tail_and_quantile_edge_values_are_documented_answers():
    for k in (ThomasKernel(0.1), MaternKernel(0.1), CauchyKernel(0.1), VarGammaKernel(0.5, 0.1)):
        assert float(k.tail_mass(-1.0, 2)) == 1.0  # P(|U| > −1) = 1
        assert float(k.tail_mass(np.inf, 2)) == 0.0
        assert float(k.radial_quantile(0.0, 2)) == 0.0
        assert float(k.radial_quantile(1.0, 2)) == (0.1 if k.compact else np.inf)
        with pytest.raises(ValueError, match="r contains NaN"):
            k.tail_mass(np.nan, 2)
        with pytest.raises(ValueError, match=r"p must lie in \[0, 1\]"):
            k.radial_quantile(1.5, 2)
        with pytest.raises(MemoryError, match="n=10000000000 kernel samples"):
            k.sample(10**10, 2, rng=np.random.default_rng(0))
