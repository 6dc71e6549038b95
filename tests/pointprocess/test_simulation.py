"""Simulation against the first and second moments; seeding; bound violations."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_callable_exponential_field_simulates_with_the_right_count():
    """A callable κ(c) = exp(3 + c·(1.2, −0.7)) (finite expected count) simulates: the far-parent shells
    must not evaluate κ where exp overflows. Its mean count over 150 patterns matches E[N(W)] of the
    same field given as LogLinear (closed form) within 3 standard errors."""
    b = np.array([1.2, -0.7])
    model = NeymanScott(lambda c: np.exp(3 + c @ b), 6.0, ThomasKernel(0.04), UNIT2)
    closed = NeymanScott(LogLinear(3.0, b), 6.0, ThomasKernel(0.04), UNIT2)
    rng = np.random.default_rng(12)
    counts = np.array([model.simulate(rng=rng).shape[0] for _ in range(150)])
    se = counts.std(ddof=1) / math.sqrt(counts.size)
    assert abs(counts.mean() - closed.expected_count()) < 3 * se, (counts.mean(), se, closed.expected_count())


def test_infinite_expected_count_is_refused_saying_so():
    # exponential growth against the Cauchy kernel's polynomial tail: infinitely many far offspring
    model = NeymanScott(lambda c: np.exp(3 + c @ np.array([1.2, -0.7])), 6.0, CauchyKernel(0.04), UNIT2)
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="expected number of points is infinite"):
        model.simulate(rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="infinite intensity"):
        NeymanScott(LogLinear(3.0, [1.0, 0.0]), 6.0, CauchyKernel(0.04), UNIT2)
    with pytest.raises(ValueError, match=r"allows \|b\| < 2"):  # variance-Gamma: E e^{t·U} < ∞ only for |t| < 1/η
        NeymanScott(LogLinear(3.0, [3.0, 0.0]), 6.0, VarGammaKernel(0.5, 0.5), UNIT2)


def test_patterns_that_cannot_fit_in_memory_are_refused_before_allocating():
    model = NeymanScott(20.0, 1e10, ThomasKernel(0.05), UNIT2)
    with pytest.raises(MemoryError, match=r"simulate: .* offspring of \d+ parents near the window.*E\[N\(W\)\]"):
        model.simulate(rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"max_parents: .* proposal parents"):
        NeymanScott(1e12, 1.0, ThomasKernel(0.05), UNIT2).simulate(rng=np.random.default_rng(0))


_SIM_KERNEL = st.sampled_from([ThomasKernel(0.05), MaternKernel(0.08), CauchyKernel(0.03), VarGammaKernel(0.5, 0.02)])


@settings(max_examples=25, deadline=None, derandomize=True)
@given(kernel=_SIM_KERNEL, d=st.integers(1, 3), lo=st.floats(-3, 3), width=st.floats(0.3, 2.0),
       seed=st.integers(0, 2**32 - 1))
def test_simulated_points_lie_in_the_window_and_repeat_with_the_seed(kernel, d, lo, width, seed):
    window = [(lo, lo + width)] * d
    model = NeymanScott(30.0 / width**d, 3.0, kernel, window)
    sim = model.simulate(rng=np.random.default_rng(seed), return_parents=True)
    assert sim.points.shape[1] == d and sim.labels.shape == (sim.points.shape[0],)
    assert np.all((sim.points >= lo) & (sim.points <= lo + width))
    assert np.all((sim.labels >= 0) & (sim.labels < sim.parents.shape[0]))
    np.testing.assert_array_equal(model.simulate(rng=np.random.default_rng(seed)), sim.points)


def test_polygon_window_simulation_count_monte_carlo():
    """Thomas process on an L-shaped polygon (area 3): the mean count of 300 simulations equals
    E N(W) = κ α |W| = 30·4·3 = 360 (and expected_count), within 4 Monte Carlo standard errors;
    every point lies in the polygon; events outside the polygon are refused."""
    from statgen.pointprocess import NeymanScott, Polygon, ThomasKernel
    L = Polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]])
    m = NeymanScott(30.0, 4.0, ThomasKernel(0.05), L)
    assert abs(m.volume() - 3.0) < 1e-12
    assert abs(m.expected_count() / 360.0 - 1) < 1e-3
    rng = np.random.default_rng(11)
    sims = [m.simulate(rng=rng) for _ in range(300)]
    counts = np.array([s.shape[0] for s in sims])
    assert all(L.contains(s).all() for s in sims)
    assert abs(counts.mean() - 360.0) < 4 * counts.std(ddof=1) / np.sqrt(counts.size)
    with pytest.raises(ValueError, match="inside the polygon"):
        m.conditional_intensity([[0.5, 0.5]], [[1.5, 1.5]])
