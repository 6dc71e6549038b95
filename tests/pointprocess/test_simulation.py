"""Simulation against the first and second moments; seeding; bound violations."""

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


def test_callable_field_bound_violation_is_detected():
    # a wrong user bound would silently bias the thinning; the simulation must refuse it
    model = NeymanScott(CallableField(lambda c: 50 * np.exp(3 * c[:, 0]), "parent_intensity", maximum=10.0),
                        3.0, ThomasKernel(0.05), UNIT2)
    with pytest.raises(ValueError, match="maximum"):
        model.simulate(rng=np.random.default_rng(0))
