"""Simulation against the first and second moments, Monte Carlo conditional intensities, and
argument validation.

Monte Carlo tolerances are 3 standard errors (a false failure rate below 0.3% per check, with
fixed seeds so the outcome is reproducible)."""

import math

import numpy as np
import pytest

from statgen.pointprocess import (
    CallableField,
    CauchyKernel,
    Gridded,
    LogLinear,
    MaternKernel,
    NeymanScott,
    ThomasKernel,
    VarGammaKernel,
)

UNIT2 = ((0.0, 1.0), (0.0, 1.0))


def _count_check(model, reps, seed, n_per_axis=None):
    rng = np.random.default_rng(seed)
    counts = np.array([model.simulate(rng=rng).shape[0] for _ in range(reps)])
    mean, se = counts.mean(), counts.std(ddof=1) / math.sqrt(reps)
    expect = model.expected_count(n_per_axis=n_per_axis)
    assert abs(mean - expect) < 3 * se, (mean, se, expect)


@pytest.mark.parametrize("case", ["thomas", "loglinear", "matern3d", "cauchy", "vargamma", "callable1d", "gridded"])
def test_simulated_counts_match_integrated_intensity(case):
    if case == "thomas":
        model = NeymanScott(20.0, 5.0, ThomasKernel(0.05), UNIT2)
    elif case == "loglinear":
        model = NeymanScott(LogLinear(2.0, [1.5, -1.0]), LogLinear(1.2, [0.0, 0.8]), ThomasKernel(0.04), UNIT2)
    elif case == "matern3d":
        model = NeymanScott(LogLinear(3.0, [0.0, 0.0, 0.0]), 4.0, MaternKernel(0.1), ((0, 1), (0, 1), (0, 0.5)))
    elif case == "cauchy":
        model = NeymanScott(20.0, 5.0, CauchyKernel(0.02), UNIT2)
    elif case == "vargamma":
        model = NeymanScott(20.0, 5.0, VarGammaKernel(-0.25, 0.02), UNIT2)
    elif case == "callable1d":
        model = NeymanScott(lambda c: 30 * (1.2 + np.sin(6 * c[:, 0])), 4.0, ThomasKernel(0.02), ((0.0, 2.0),))
    else:
        axes = [np.linspace(-0.5, 1.5, 9), np.linspace(-0.5, 1.5, 7)]
        vals = 10 + 30 * np.random.default_rng(0).random((9, 7))
        model = NeymanScott(Gridded(axes, vals), 4.0, ThomasKernel(0.03), UNIT2)
    # the gridded field's λ is costly by quadrature; 40² Gauss nodes resolve it far below the MC error
    _count_check(model, 300, seed=sum(map(ord, case)), n_per_axis=40 if case == "gridded" else None)


def test_simulation_returns_parents_labels_and_is_seeded():
    model = NeymanScott(LogLinear(3.0, [1.0, 0.0]), 6.0, MaternKernel(0.05), UNIT2)
    sim = model.simulate(rng=np.random.default_rng(5), return_parents=True)
    again = model.simulate(rng=np.random.default_rng(5))
    np.testing.assert_array_equal(sim.points, again)
    # every Matérn offspring lies within R of its parent
    assert np.all(np.linalg.norm(sim.points - sim.parents[sim.labels], axis=1) <= 0.05 + 1e-12)
    # parents come from the window dilated by R only
    assert np.all(sim.parents >= -0.05) and np.all(sim.parents <= 1.05)


def test_second_moment_pair_counts_match_product_density():
    # E[N(A) N(B)] = ∫_A ∫_B ρ⁽²⁾(x, y) dx dy for disjoint boxes A, B
    model = NeymanScott(LogLinear(3.0, [1.0, -0.5]), 5.0, ThomasKernel(0.04), UNIT2)
    A = np.array([[0.40, 0.50], [0.40, 0.50]])
    B = np.array([[0.52, 0.60], [0.42, 0.52]])
    rng = np.random.default_rng(11)
    prods = []
    for _ in range(3000):
        p = model.simulate(rng=rng)
        inA = np.all((p >= A[:, 0]) & (p <= A[:, 1]), axis=1).sum()
        inB = np.all((p >= B[:, 0]) & (p <= B[:, 1]), axis=1).sum()
        prods.append(inA * inB)
    prods = np.asarray(prods, float)
    nodes, w = np.polynomial.legendre.leggauss(10)

    def rule(box):
        ax = [0.5 * (lo + hi) + 0.5 * (hi - lo) * nodes for lo, hi in box]
        wt = [0.5 * (hi - lo) * w for lo, hi in box]
        pts = np.stack([g.ravel() for g in np.meshgrid(*ax, indexing="ij")], 1)
        return pts, np.prod(np.meshgrid(*wt, indexing="ij"), axis=0).ravel()

    xa, wa = rule(A)
    xb, wb = rule(B)
    X, Y = np.repeat(xa, len(xb), 0), np.tile(xb, (len(xa), 1))
    rho2 = model.pair_correlation(X, Y) * model.intensity(X) * model.intensity(Y)
    expect = float(rho2 @ np.outer(wa, wb).ravel())
    se = prods.std(ddof=1) / math.sqrt(prods.size)
    assert abs(prods.mean() - expect) < 3 * se, (prods.mean(), se, expect)


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


@pytest.mark.parametrize(
    "build",
    [
        lambda: NeymanScott(-1.0, 5.0, ThomasKernel(0.1), UNIT2),
        lambda: NeymanScott(10.0, -5.0, ThomasKernel(0.1), UNIT2),
        lambda: ThomasKernel(0.0),
        lambda: ThomasKernel(-1.0),
        lambda: MaternKernel(0.0),
        lambda: CauchyKernel(-0.1),
        lambda: VarGammaKernel(-0.7, 0.1),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), ((0, 1), (1, 0))),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), ((0, 1),) * 4),
        lambda: NeymanScott(LogLinear(1.0, [1.0, 2.0, 3.0]), 5.0, ThomasKernel(0.1), UNIT2),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), UNIT2).conditional_intensity([[0.5, 0.5]], [[1.5, 0.5]]),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), UNIT2).conditional_intensity([[0.5, 0.5, 0.5]], [[0.5, 0.5]]),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), UNIT2).intensity(np.ones((3, 3))),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), UNIT2).conditional_intensity([[0.5, 0.5]], [[0.5, 0.5]],
                                                                                         method="bogus"),
        lambda: NeymanScott(lambda c: -np.ones(len(c)), 5.0, ThomasKernel(0.1), UNIT2).intensity([[0.5, 0.5]]),
        lambda: NeymanScott(10.0, 5.0, ThomasKernel(0.1), UNIT2).intensity([[np.nan, 0.5]]),
    ],
)
def test_invalid_arguments_raise_value_error(build):
    with pytest.raises(ValueError):
        build()


def test_callable_field_bound_violation_is_detected():
    # a wrong user bound would silently bias the thinning; the simulation must refuse it
    model = NeymanScott(CallableField(lambda c: 50 * np.exp(3 * c[:, 0]), "parent_intensity", maximum=10.0),
                        3.0, ThomasKernel(0.05), UNIT2)
    with pytest.raises(ValueError, match="maximum"):
        model.simulate(rng=np.random.default_rng(0))
