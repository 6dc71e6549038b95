"""The exact conditional intensity against brute-force partitions and an independent Monte Carlo."""

import math

import numpy as np
import pytest

from statgen.pointprocess import (
    CauchyKernel,
    LogLinear,
    MaternKernel,
    NeymanScott,
    ThomasKernel,
    partition_sum,
)

BOX = {2: ((0.0, 1.0), (0.0, 1.0))}
UNIT2 = BOX[2]

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


@pytest.mark.parametrize("kernel", [ThomasKernel(0.05), MaternKernel(0.08)])
def test_monte_carlo_conditional_intensity_one_and_two_events(kernel):
    """λ(x | y) = E[Λ(x)Λ(y)] / E[Λ(y)], λ(x | y₁, y₂) = E[Λ(x)Λ(y₁)Λ(y₂)] / E[Λ(y₁)Λ(y₂)]:
    with Poisson offspring the process is Cox with driving intensity Λ(z) = Σ_c α(c) k(z − c).
    Parents of 100 000 replicates are simulated here independently of the library (Poisson on a
    box covering every parent within 6σ of the points, thinned by κ), and the ratio estimator
    gets a delta-method standard error. (The products are right-skewed: far fewer replicates
    give standard errors that are themselves too small.)"""
    a, b, alpha = 2.5, np.array([1.2, -0.8]), 6.0
    model = NeymanScott(LogLinear(a, b), alpha, kernel, UNIT2)
    y = np.array([[0.45, 0.5], [0.5, 0.53]])
    x = np.array([[0.47, 0.5], [0.55, 0.55], [0.3, 0.6]])
    z = np.vstack([y, x])
    rng = np.random.default_rng(21)
    box = np.array([[-0.1, 0.9], [0.1, 0.9]])  # z ± 0.35 > 6σ, and ⊇ z ± 2R
    area = float(np.prod(box[:, 1] - box[:, 0]))
    kmax = float(np.exp(a + np.where(b > 0, box[:, 1], box[:, 0]) @ b))
    L, reps = [], 10_000
    for _ in range(10):
        n = rng.poisson(kmax * area * reps)
        c = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((n, 2))
        rep = rng.integers(0, reps, n)
        keep = rng.random(n) * kmax < np.exp(a + c @ b)
        c, rep = c[keep], rep[keep]
        L.append(np.stack([np.bincount(rep, weights=alpha * kernel.pdf(zz - c), minlength=reps) for zz in z], 1))
    L = np.vstack(L)
    Ly1, Ly2, Lx = L[:, 0], L[:, 1], L[:, 2:]
    for den, events in ((Ly1, y[:1]), (Ly1 * Ly2, y)):
        num = Lx * den[:, None]
        ratio = num.mean(0) / den.mean()
        se = (num - ratio * den[:, None]).std(0, ddof=1) / (math.sqrt(den.size) * den.mean())
        exact = model.conditional_intensity(x, events)
        assert np.all(np.abs(ratio - exact) < 3 * se), (ratio, se, exact)
        assert np.all(se < 0.03 * exact)  # the check has power


def test_sizes_and_impossible_events_are_refused():
    model = NeymanScott(LogLinear(3.0, [0.6, -0.4]), 6.0, ThomasKernel(0.05), UNIT2)
    y = 0.4 + 0.2 * np.random.default_rng(0).random((23, 2))
    with pytest.raises(ValueError, match="events: the exact recursion handles at most 22 events .* got 23"):
        model.conditional_intensity([[0.5, 0.5]], y)
    with pytest.raises(MemoryError, match=r"points: the cluster integrals K_B of every subset \(40 events"):
        model.cluster_integrals(np.random.default_rng(1).random((40, 2)))
    # grouped needs the exact recursion only inside each group: 23 far-apart events are fine, and there
    # (groups of one) it is the sum of the single-event excesses
    wide = NeymanScott(30.0, 6.0, ThomasKernel(0.05), ((0.0, 30.0), (0.0, 1.0)))
    far = np.column_stack([np.linspace(0.5, 29.5, 23), np.full(23, 0.5)])
    x = np.array([[0.52, 0.5]])
    single = wide.conditional_intensity(x, far[:1]) - 180.0
    np.testing.assert_allclose(wide.conditional_intensity(x, far, method="grouped"), 180.0 + single, rtol=1e-12)
    from statgen.pointprocess import Gridded

    zero = Gridded([np.linspace(0, 1, 3)] * 2, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"events: the intensity λ is 0 at event 0"):
        NeymanScott(zero, 6.0, ThomasKernel(0.05), UNIT2).conditional_intensity([[0.5, 0.5]], [[0.5, 0.5]])


def test_callable_and_gridded_thomas_grid_equal_closed_form():
    """Callable and gridded κ (Thomas): the product-grid quadrature equals the LogLinear closed form
    (callable: 1e-10; gridded: its multilinear interpolation of exp on a 0.01 grid, 1e-4), with an
    error estimate that bounds the quadrature part, and equals the pointwise path."""
    from statgen.pointprocess import Gridded, LogLinear, NeymanScott, ThomasKernel
    W = ((0, 1), (0, 1))
    axes = [np.linspace(0, 1, 31), np.linspace(0, 1, 23)]
    y = np.random.default_rng(4).random((5, 2)) * 0.3 + 0.35
    ref = NeymanScott(LogLinear(5.0, [1.0, 0.5]), 8.0, ThomasKernel(0.04), W).conditional_intensity_grid(axes, y)
    call = NeymanScott(lambda c: np.exp(5 + c @ np.array([1.0, 0.5])), 8.0, ThomasKernel(0.04), W)
    val, err = call.conditional_intensity_grid(axes, y, return_error=True)
    np.testing.assert_allclose(val, ref, rtol=1e-10)
    assert np.all(err <= 1e-8 * val)
    g = np.linspace(-0.5, 1.5, 201)
    G, H = np.meshgrid(g, g, indexing="ij")
    grid = NeymanScott(Gridded([g, g], np.exp(5 + G + 0.5 * H)), 8.0, ThomasKernel(0.04), W)
    np.testing.assert_allclose(grid.conditional_intensity_grid(axes, y), ref, rtol=1e-4)
    # the grid path and the pointwise path of the same engine agree
    from statgen.pointprocess.quadrature import tensor_grid
    pts = tensor_grid(axes)[::37]
    np.testing.assert_allclose(call.conditional_intensity(pts, y), val.ravel()[::37], rtol=1e-9)
