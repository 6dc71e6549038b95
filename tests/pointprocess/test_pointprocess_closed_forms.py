"""Intensities, pair correlations and conditional intensities against the closed forms of
science/pointprocess.md, and the exact recursion against brute-force set partitions."""

import math

import numpy as np
import pytest
from scipy import integrate, special

from statgen.pointprocess import (
    CauchyKernel,
    LogLinear,
    MaternKernel,
    NeymanScott,
    ThomasKernel,
    VarGammaKernel,
    bell_number,
    partition_sum,
    set_partitions,
    subset_recursion,
)
from statgen.pointprocess.geometry import ball_intersection_volume, disc_intersection_exp_integral
from statgen.pointprocess.kernels import ball_volume, lens_volume

BOX = {1: ((0.0, 1.0),), 2: ((0.0, 1.0), (0.0, 1.0)), 3: ((0.0, 1.0),) * 3}


def _pairs(d, rng, m=7):
    y = np.full((1, d), 0.5)
    x = 0.5 + 0.08 * rng.standard_normal((m, d))
    x[0] = y[0]
    return x, y, np.sum((x - y) ** 2, axis=1)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_stationary_thomas_closed_form(d):
    kappa, alpha, s = 40.0, 8.0, 0.04
    model = NeymanScott(kappa, alpha, ThomasKernel(s), BOX[d])
    x, y, r2 = _pairs(d, np.random.default_rng(d))
    cluster = np.exp(-r2 / (4 * s * s)) / (4 * math.pi * s * s) ** (d / 2)
    np.testing.assert_allclose(model.intensity(x), kappa * alpha, rtol=1e-12)
    np.testing.assert_allclose(model.conditional_intensity(x, y), kappa * alpha + alpha * cluster, rtol=1e-8)
    np.testing.assert_allclose(model.pair_correlation(x, np.repeat(y, len(x), 0)), 1 + cluster / kappa, rtol=1e-8)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_stationary_matern_closed_form(d):
    kappa, alpha, R = 40.0, 8.0, 0.07
    model = NeymanScott(kappa, alpha, MaternKernel(R), BOX[d])
    x, y, r2 = _pairs(d, np.random.default_rng(10 + d))
    r = np.sqrt(r2)
    if d == 2:  # the note's formula, written out independently of lens_volume
        A = np.where(r < 2 * R, 2 * R * R * np.arccos(np.minimum(r / (2 * R), 1))
                     - 0.5 * r * np.sqrt(np.clip(4 * R * R - r * r, 0, None)), 0.0)
    else:
        A = lens_volume(r, R, d)
    expect = kappa * alpha + alpha * A / ball_volume(R, d) ** 2
    np.testing.assert_allclose(model.conditional_intensity(x, y), expect, rtol=1e-8)


def test_lens_volume_against_numerical_integration():
    R, r = 0.3, 0.25
    # 3-D lens: ∫ over z of the area of two discs' intersection, with 2-D lens in closed form
    f = lambda z: lens_volume(r, math.sqrt(max(R * R - z * z, 0.0)), 2) if abs(z) < R else 0.0
    v3, _ = integrate.quad(f, -R, R, epsabs=1e-14)
    assert abs(lens_volume(r, R, 3) - v3) < 1e-10
    assert lens_volume(r, R, 1) == pytest.approx(2 * R - r, rel=1e-14)
    assert lens_volume(2 * R + 1e-9, R, 2) == 0.0


def test_loglinear_thomas_closed_form():
    a, b, alpha, s = 3.0, np.array([0.9, -0.6]), 7.0, 0.05
    model = NeymanScott(LogLinear(a, b), alpha, ThomasKernel(s), BOX[2])
    x, y, r2 = _pairs(2, np.random.default_rng(3))
    lam = alpha * np.exp(a + x @ b + s * s * (b @ b) / 2)
    expect = lam + alpha * np.exp(-r2 / (4 * s * s)) / (4 * math.pi * s * s) * np.exp((x - y) @ b / 2 - s * s * (b @ b) / 4)
    np.testing.assert_allclose(model.intensity(x), lam, rtol=1e-10)
    np.testing.assert_allclose(model.conditional_intensity(x, y), expect, rtol=1e-8)


def test_quadrature_engine_matches_closed_form_with_error_estimate():
    a, b, alpha, s = 3.0, np.array([0.9, -0.6]), 7.0, 0.05
    exact = NeymanScott(LogLinear(a, b), alpha, ThomasKernel(s), BOX[2])
    quad = NeymanScott(LogLinear(a, b), alpha, ThomasKernel(s), BOX[2], integrals="quadrature")
    x = np.array([[0.5, 0.5], [0.56, 0.47], [0.3, 0.7]])
    y = np.array([[0.52, 0.5], [0.47, 0.53]])
    val, err = quad.conditional_intensity(x, y, return_error=True)
    ref = exact.conditional_intensity(x, y)
    np.testing.assert_allclose(val, ref, rtol=1e-7)
    assert np.all(err < 1e-4 * ref)


def test_cauchy_pair_correlation_formula_of_note():
    kappa, alpha, w = 30.0, 5.0, 0.03
    model = NeymanScott(kappa, alpha, CauchyKernel(w), BOX[2])
    x = np.array([[0.5, 0.5], [0.53, 0.5], [0.6, 0.58]])
    y = np.repeat([[0.5, 0.5]], 3, 0)
    r2 = np.sum((x - y) ** 2, 1)
    g = 1 + (1 + r2 / (4 * w * w)) ** -1.5 / (2 * math.pi * kappa * 4 * w * w)
    np.testing.assert_allclose(model.pair_correlation(x, y), g, rtol=1e-8)
    # the conditional intensity goes through the general quadrature engine
    val, err = model.conditional_intensity(x, y[:1], return_error=True)
    np.testing.assert_allclose(val, kappa * alpha * g, rtol=1e-7)


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
    radial = lambda t: surf * t ** (d - 1) * kernel.pdf(np.array([[t] + [0.0] * (d - 1)]))[0]
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
        h = kern.scale_length
        u = np.array([0.13, 0.0])
        edges = np.concatenate([np.linspace(0, 0.13 + 6 * h, 300), (0.13 + 6 * h) * 1.15 ** np.arange(1, 60)])
        a_, b_ = edges[:-1, None], edges[1:, None]
        r = (0.5 * (a_ + b_) + 0.5 * (b_ - a_) * x).ravel()
        wr = (0.5 * (b_ - a_) * w).ravel() * r
        c = np.stack([np.outer(r, np.cos(th)), np.outer(r, np.sin(th))], -1).reshape(-1, 2)
        f = (kern.pdf(c) * kern.pdf(u - c)).reshape(r.size, th.size)
        val = (f.sum(axis=1) * 2 * math.pi / th.size) @ wr
        assert kern.self_convolution(2).pdf(u[None])[0] == pytest.approx(val, rel=1e-6)


def test_bell_numbers_and_partition_enumeration():
    assert [bell_number(n) for n in (5, 10, 15)] == [52, 115975, 1382958545]
    assert sum(1 for _ in set_partitions(list(range(6)))) == 203


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_subset_recursion_equals_partition_enumeration(n):
    K = np.random.default_rng(n).random(1 << n) * 3
    rho = subset_recursion(K)
    assert rho[-1] == pytest.approx(partition_sum(K, n), rel=1e-12)
    # every sub-mask too
    for mask in (1, (1 << n) - 2, (1 << n) >> 1):
        members = [i for i in range(n) if mask >> i & 1]
        sub = np.array([K[sum(1 << members[j] for j in range(len(members)) if m >> j & 1)]
                        for m in range(1 << len(members))])
        assert rho[mask] == pytest.approx(partition_sum(sub, len(members)), rel=1e-12)


@pytest.mark.parametrize("kernel", [ThomasKernel(0.05), MaternKernel(0.08), CauchyKernel(0.04)])
def test_exact_conditional_intensity_equals_brute_force_partitions(kernel):
    kappa = 30.0 if isinstance(kernel, CauchyKernel) else LogLinear(3.0, [0.6, -0.4])
    model = NeymanScott(kappa, 6.0, kernel, BOX[2])
    rng = np.random.default_rng(7)
    n = 3 if isinstance(kernel, CauchyKernel) else 5
    y = 0.45 + 0.1 * rng.random((n, 2))
    x = np.array([[0.5, 0.5], [0.42, 0.57]])
    Ky = model.cluster_integrals(y)
    expect = [partition_sum(model.cluster_integrals(np.vstack([y, xi])), n + 1) / partition_sum(Ky, n) for xi in x]
    np.testing.assert_allclose(model.conditional_intensity(x, y), expect, rtol=1e-8)
    assert model.product_density(y) == pytest.approx(partition_sum(Ky, n), rel=1e-10)


def test_thomas_grid_path_equals_pointwise():
    model = NeymanScott(LogLinear(3.0, [0.5, 0.2]), 8.0, ThomasKernel(0.04), BOX[2])
    y = 0.4 + 0.2 * np.random.default_rng(2).random((7, 2))
    axes = [np.linspace(0, 1, 13), np.linspace(0.2, 0.9, 11)]
    grid = model.conditional_intensity_grid(axes, y)
    pts = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], 1)
    np.testing.assert_allclose(grid.ravel(), model.conditional_intensity(pts, y), rtol=1e-10)


def test_matern_factorization_across_distant_groups_is_exact():
    model = NeymanScott(LogLinear(3.0, [0.8, 0.3]), 6.0, MaternKernel(0.05), BOX[2])
    g1 = np.array([[0.2, 0.2], [0.23, 0.22], [0.21, 0.25]])
    g2 = np.array([[0.7, 0.6], [0.72, 0.63]])
    y = np.vstack([g1, g2])
    x = np.array([[0.22, 0.21], [0.71, 0.62], [0.45, 0.4]])
    Ky = model.cluster_integrals(y)
    brute = [partition_sum(model.cluster_integrals(np.vstack([y, xi])), 6) / partition_sum(Ky, 5) for xi in x]
    np.testing.assert_allclose(model.conditional_intensity(x, y), brute, rtol=1e-12)
    np.testing.assert_allclose(model.conditional_intensity(x, y, method="grouped"), brute, rtol=1e-12)
    # factorized form: λ(x) + Σ_groups [λ(x | group) − λ(x)]
    lam = model.intensity(x)
    fac = lam + (model.conditional_intensity(x, g1) - lam) + (model.conditional_intensity(x, g2) - lam)
    np.testing.assert_allclose(fac, brute, rtol=1e-12)


def test_disc_and_ball_intersections_against_grid_integration():
    rng = np.random.default_rng(4)
    c = 0.5 + 0.08 * rng.standard_normal((1, 3, 2))
    R, b = 0.15, np.array([1.5, -2.0])
    n = 2000
    t = (np.arange(n) + 0.5) / n
    X, Y = np.meshgrid(t, t, indexing="ij")
    inside = np.all((X[..., None] - c[0, :, 0]) ** 2 + (Y[..., None] - c[0, :, 1]) ** 2 <= R * R, axis=-1)
    area_grid = inside.mean()
    expint_grid = (inside * np.exp(b[0] * X + b[1] * Y)).mean()
    area, _ = ball_intersection_volume(c, R)
    val, err = disc_intersection_exp_integral(c, R, b)
    assert area[0] == pytest.approx(area_grid, rel=2e-3)
    assert val[0] == pytest.approx(expint_grid, rel=2e-3)
    assert err[0] < 1e-10 * val[0]
    # the exponential integral at b -> 0 is the area
    small, _ = disc_intersection_exp_integral(c, R, np.array([1e-7, 0.0]))
    assert small[0] == pytest.approx(area[0], rel=1e-6)
    # three 3-D balls: slice quadrature against Monte Carlo with 3 standard errors
    c3 = 0.5 + 0.06 * rng.standard_normal((1, 3, 3))
    vol, verr = ball_intersection_volume(c3, R)
    u = rng.random((400_000, 3)) * 0.6 + 0.2
    hit = np.all(np.sum((u[:, None, :] - c3[0][None]) ** 2, axis=-1) <= R * R, axis=1)
    mc, se = hit.mean() * 0.216, hit.std() * 0.216 / math.sqrt(u.shape[0])
    assert abs(vol[0] - mc) < 3 * se
    assert verr[0] < 1e-4 * vol[0]


def test_matern_loglinear_matches_quadrature_engine():
    args = (LogLinear(3.0, [2.0, -1.0]), 6.0, MaternKernel(0.05), BOX[2])
    exact, quad = NeymanScott(*args), NeymanScott(*args, integrals="quadrature")
    y = np.array([[0.5, 0.5], [0.53, 0.52]])
    x = np.array([[0.51, 0.5], [0.6, 0.55]])
    v_e = exact.conditional_intensity(x, y)
    v_q, err = quad.conditional_intensity(x, y, return_error=True)
    # the quadrature of a discontinuous kernel is slow to converge; its error estimate must cover it
    assert np.all(np.abs(v_e - v_q) < 3 * err + 1e-9 * v_e)


def test_approximations_are_exact_in_their_regimes():
    y1 = np.array([[0.5, 0.5]])
    x = np.array([[0.5, 0.5], [0.53, 0.49], [0.2, 0.8]])
    # stationary, one event: reweighted (κ_ref = κ) and slowly varying are exact
    stat = NeymanScott(30.0, 6.0, ThomasKernel(0.04), BOX[2])
    exact = stat.conditional_intensity(x, y1)
    for m in ("reweighted", "slowly_varying", "independent", "grouped"):
        np.testing.assert_allclose(stat.conditional_intensity(x, y1, method=m), exact, rtol=1e-12)
    # log-linear parents, one event: slowly varying misses exactly exp(b·(x−y)/2 − σ²|b|²/4) on the excess
    b, s = np.array([1.5, -1.0]), 0.04
    nonstat = NeymanScott(LogLinear(3.0, b), 6.0, ThomasKernel(s), BOX[2])
    x = x[:2]  # near the event: far away the excess is below the rounding of λ(x)
    lam = nonstat.intensity(x)
    ratio = (nonstat.conditional_intensity(x, y1) - lam) / (nonstat.conditional_intensity(x, y1, method="slowly_varying") - lam)
    np.testing.assert_allclose(ratio, np.exp((x - y1) @ b / 2 - s * s * (b @ b) / 4), rtol=1e-10)
    # far-apart events: independent clusters agree with the exact recursion (Thomas, 15σ apart)
    y2 = np.array([[0.2, 0.5], [0.2 + 15 * s, 0.5]])
    np.testing.assert_allclose(nonstat.conditional_intensity(x, y2, method="independent"),
                               nonstat.conditional_intensity(x, y2), rtol=1e-12)
    # close events: independent overestimates (the shared cluster is counted twice)
    y3 = np.array([[0.5, 0.5], [0.51, 0.5]])
    assert nonstat.conditional_intensity(y3[:1], y3, method="independent")[0] > nonstat.conditional_intensity(y3[:1], y3)[0]
