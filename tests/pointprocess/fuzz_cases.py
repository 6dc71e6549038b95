"""Adversarial inputs for every public function and class of statgen.pointprocess (see tests/fuzz/harness.py).

Families: NaN/inf, wrong shape/ndim, empty, negative/zero sizes, non-integers and bools, unknown
options and typos, out-of-domain values, impossible sizes; plus edge inputs with a documented
answer (``ok=``). Error messages must name the argument: ``_n(arg)`` lists the phrasings the
package uses ("arg must …", "arg contains …", "arg: …", "arg=…"), so that a one-letter argument
name cannot match an unrelated message.

Inner, unchecked modules (their public callers validate): engine, thomas_integrals,
matern_integrals, quadrature_integrals, quadrature, objectives, conditional, recursion.mask_sums,
simulation.far_shells / far_parent_offspring.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from statgen._estimator import NotFittedError
from tests.fuzz.harness import Case

U2 = ((0.0, 1.0), (0.0, 1.0))
NAN, INF = float("nan"), float("inf")


def _n(*args: str) -> tuple[str, ...]:
    out = []
    for a in args:
        out += [f"{a} must", f"{a} contains", f"{a}:", f"{a}=", f"{a} is ", f"{a} reaches", f"{a} callable",
                f"{a} of "]
    return tuple(out)


def pp():
    import statgen.pointprocess as m

    return m


def geo():
    import statgen.pointprocess.geometry as m

    return m


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def thomas_model(**kw):
    return pp().NeymanScott(pp().LogLinear(3.0, [0.5, -0.3]), 6.0, pp().ThomasKernel(0.05), U2, **kw)


def cauchy_model():
    return pp().NeymanScott(20.0, 4.0, pp().CauchyKernel(0.05), U2)


def kernels():
    p = pp()
    return {"ThomasKernel": p.ThomasKernel(0.1), "MaternKernel": p.MaternKernel(0.1),
            "CauchyKernel": p.CauchyKernel(0.1), "VarGammaKernel": p.VarGammaKernel(0.5, 0.1)}


@functools.lru_cache(maxsize=1)
def fitted():
    """A small fitted ClusterFit (shared by the cases that need a fitted estimator)."""
    p = pp()
    model = p.NeymanScott(60.0, 5.0, p.ThomasKernel(0.03), U2)
    x = model.simulate(rng=rng(1))
    return p.ClusterFit("thomas", parents="constant", rmax=0.15).fit(x, U2), x


def finite_array(shape=None):
    def ok(v):
        a = np.asarray(v, dtype=float)
        return bool(np.all(np.isfinite(a))) and (shape is None or a.shape == shape)

    return ok


CASES: list[Case] = []


def add(id_, call, names, **kw):
    CASES.append(Case(id_, call, names if isinstance(names, tuple) else _n(names), **kw))


# ---------------------------------------------------------------------------------------------- kernels
BAD_SCALARS = {"0": 0.0, "-1": -1.0, "nan": NAN, "inf": INF, "str": "0.1", "None": None, "bool": True,
               "list": [0.1], "complex": 1j}
for cls, arg in (("ThomasKernel", "sigma"), ("MaternKernel", "radius"), ("CauchyKernel", "scale")):
    for label, v in BAD_SCALARS.items():
        add(f"{cls}: {arg}={label}", lambda c=cls, v=v: getattr(pp(), c)(v), arg)
for label, v in {"-0.5": -0.5, "-1": -1.0, "nan": NAN, "inf": INF, "str": "0.5", "None": None, "bool": True}.items():
    add(f"VarGammaKernel: nu={label}", lambda v=v: pp().VarGammaKernel(v, 0.1), "nu")
for label, v in {"0": 0.0, "nan": NAN, "str": "x"}.items():
    add(f"VarGammaKernel: scale={label}", lambda v=v: pp().VarGammaKernel(0.5, v), "scale")

BAD_D = {"0": 0, "4": 4, "2.5": 2.5, "str": "2", "bool": True, "None": None}
for kname in ("ThomasKernel", "MaternKernel", "CauchyKernel", "VarGammaKernel"):
    K = lambda k=kname: kernels()[k]  # noqa: E731
    # pdf
    add(f"{kname}.pdf: u with NaN", lambda K=K: K().pdf([[NAN, 0.0]]), "u")
    add(f"{kname}.pdf: u with inf", lambda K=K: K().pdf([[INF, 0.0]]), "u")
    add(f"{kname}.pdf: u 1-D", lambda K=K: K().pdf([0.1, 0.2]), "u")
    add(f"{kname}.pdf: u 3-D", lambda K=K: K().pdf(np.zeros((2, 2, 2))), "u")
    add(f"{kname}.pdf: u (m, 4)", lambda K=K: K().pdf(np.zeros((3, 4))), "u")
    add(f"{kname}.pdf: u (m, 0)", lambda K=K: K().pdf(np.zeros((3, 0))), "u")
    add(f"{kname}.pdf: u strings", lambda K=K: K().pdf([["a", "b"]]), "u")
    add(f"{kname}.pdf: u empty (0, 2) -> (0,)", lambda K=K: K().pdf(np.zeros((0, 2))), "u",
        ok=lambda v: v.shape == (0,))
    # radial_pdf
    add(f"{kname}.radial_pdf: r=-1", lambda K=K: K().radial_pdf(-1.0, 2), "r")
    add(f"{kname}.radial_pdf: r=nan", lambda K=K: K().radial_pdf(NAN, 2), "r")
    add(f"{kname}.radial_pdf: d=4", lambda K=K: K().radial_pdf(0.1, 4), "d")
    # sample
    for label, v in {"-1": -1, "2.5": 2.5, "str": "3", "bool": True, "None": None}.items():
        add(f"{kname}.sample: n={label}", lambda K=K, v=v: K().sample(v, 2, rng=rng()), "n")
    add(f"{kname}.sample: n=10**10 (480 GB)", lambda K=K: K().sample(10**10, 2, rng=rng()), "n")
    for label, v in BAD_D.items():
        add(f"{kname}.sample: d={label}", lambda K=K, v=v: K().sample(5, v, rng=rng()), "d")
    for label, v in {"None": None, "int": 42, "RandomState": np.random.RandomState(0)}.items():
        add(f"{kname}.sample: rng={label}", lambda K=K, v=v: K().sample(5, 2, rng=v), "rng")
    add(f"{kname}.sample: n=0 -> (0, 2)", lambda K=K: K().sample(0, 2, rng=rng()), "n",
        ok=lambda v: v.shape == (0, 2))
    # tail_mass
    add(f"{kname}.tail_mass: r=-1 is P(|U| > -1) = 1", lambda K=K: K().tail_mass(-1.0, 2), "r",
        ok=lambda v: float(v) == 1.0)
    add(f"{kname}.tail_mass: r=inf is 0", lambda K=K: K().tail_mass(INF, 2), "r", ok=lambda v: float(v) == 0.0)
    add(f"{kname}.tail_mass: r=nan", lambda K=K: K().tail_mass(NAN, 2), "r")
    add(f"{kname}.tail_mass: r='a'", lambda K=K: K().tail_mass("a", 2), "r")
    for label, v in {"0": 0, "4": 4, "1.5": 1.5}.items():
        add(f"{kname}.tail_mass: d={label}", lambda K=K, v=v: K().tail_mass(0.1, v), "d")
    # radial_quantile
    for label, v in {"1.5": 1.5, "-0.1": -0.1, "nan": NAN, "inf": INF}.items():
        add(f"{kname}.radial_quantile: p={label}", lambda K=K, v=v: K().radial_quantile(v, 2), "p")
    add(f"{kname}.radial_quantile: p=0 is 0", lambda K=K: K().radial_quantile(0.0, 2), "p",
        ok=lambda v: float(v) == 0.0)
    top = 0.1 if kname == "MaternKernel" else INF
    add(f"{kname}.radial_quantile: p=1 is the support's end", lambda K=K: K().radial_quantile(1.0, 2), "p",
        ok=lambda v, top=top: float(v) == top)
    add(f"{kname}.radial_quantile: d=4", lambda K=K: K().radial_quantile(0.5, 4), "d")
    # effective_range, self_convolution
    for label, v in {"0": 0.0, "1": 1.0, "-1": -1.0, "nan": NAN, "str": "x", "bool": True}.items():
        add(f"{kname}.effective_range: tol={label}", lambda K=K, v=v: K().effective_range(2, v), "tol")
    add(f"{kname}.effective_range: d=0", lambda K=K: K().effective_range(0), "d")
    add(f"{kname}.self_convolution: d=5", lambda K=K: K().self_convolution(5), "d")
    add(f"{kname}.scale_length: positive", lambda K=K: K().scale_length(), "scale", ok=lambda v: v > 0)

# ---------------------------------------------------------------------------------------------- fields
for label, v in {"-1": -1.0, "nan": NAN, "inf": INF, "str": "x", "bool": True, "None": None}.items():
    add(f"Constant: value={label}", lambda v=v: pp().Constant(v), "value")
for label, v in {"nan": NAN, "inf": INF, "str": "x", "2 values": [1.0, 2.0]}.items():
    add(f"LogLinear: a={label}", lambda v=v: pp().LogLinear(v, [0.0, 0.0]), "a")
for label, v in {"empty": [], "length 4": [1, 2, 3, 4], "2-D": [[1.0, 2.0]], "NaN": [NAN, 0.0], "str": "ab",
                 "scalar": 1.0}.items():
    add(f"LogLinear: b={label}", lambda v=v: pp().LogLinear(0.0, v), "b")
add("LogLinear(): points with NaN", lambda: pp().LogLinear(0.0, [1.0, 0.0])([[NAN, 0.0]]), "points")
add("LogLinear(): points of the wrong d", lambda: pp().LogLinear(0.0, [1.0, 0.0])([[0.0, 0.0, 0.0]]), "points")
add("LogLinear(): points 1-D", lambda: pp().LogLinear(0.0, [1.0, 0.0])([0.0, 0.0]), "points")
add("LogLinear(): a=1000 overflows (e^1000)", lambda: pp().LogLinear(1000.0, [0.0, 0.0])([[0.0, 0.0]]), "points")
add("LogLinear.max_on: box (2, 3)", lambda: pp().LogLinear(0.0, [1.0, 0.0]).max_on(np.zeros((2, 3))), "box")
add("LogLinear.max_on: box lo > hi", lambda: pp().LogLinear(0.0, [1.0, 0.0]).max_on([[1, 0], [0, 1]]), "box")
add("LogLinear.max_on: box NaN", lambda: pp().LogLinear(0.0, [1.0, 0.0]).max_on([[0, NAN], [0, 1]]), "box")
add("LogLinear.max_on: 3-row box for a 2-D field", lambda: pp().LogLinear(0.0, [1.0, 0.0]).max_on([[0, 1]] * 3),
    "box")
add("LogLinear.max_on: value", lambda: pp().LogLinear(0.0, [1.0, 0.0]).max_on(U2), "box",
    ok=lambda v: v == math.e)
add("Constant(): empty points -> (0,)", lambda: pp().Constant(2.0)(np.zeros((0, 2))), "points",
    ok=lambda v: v.shape == (0,))
AX = [np.linspace(0, 1, 4), np.linspace(0, 1, 3)]
for label, build in {
    "axes decreasing": lambda: pp().Gridded([AX[0][::-1], AX[1]], np.ones((4, 3))),
    "an axis with 1 entry": lambda: pp().Gridded([np.zeros(1), AX[1]], np.ones((1, 3))),
    "4 axes": lambda: pp().Gridded([AX[0]] * 4, np.ones((4,) * 4)),
    "axes a 1-D array": lambda: pp().Gridded(AX[0], np.ones(4)),
    "axes None": lambda: pp().Gridded(None, np.ones(4)),
    "axes with NaN": lambda: pp().Gridded([np.array([0, NAN, 1.0]), AX[1]], np.ones((3, 3))),
}.items():
    add(f"Gridded: {label}", build, (*_n("axes"), "axes[0] must", "axes[0] contains"))
for label, v in {"wrong shape": np.ones((3, 3)), "negative": -np.ones((4, 3)), "NaN": np.full((4, 3), NAN),
                 "strings": [["a"] * 3] * 4}.items():
    add(f"Gridded: values {label}", lambda v=v: pp().Gridded(AX, v), "values")
add("Gridded(): points of the wrong d", lambda: pp().Gridded(AX, np.ones((4, 3)))([[0.5]]), "points")
for label, v in {"int": 5, "str": "exp", "None": None}.items():
    add(f"CallableField: fn={label}", lambda v=v: pp().CallableField(v, "kappa"), "kappa")
for label, v in {"-1": -1.0, "nan": NAN, "str": "big"}.items():
    add(f"CallableField: maximum={label}", lambda v=v: pp().CallableField(np.sin, "kappa", maximum=v), "kappa maximum")
BADFN = {"wrong shape": lambda c: np.ones((len(c), 2)), "NaN": lambda c: np.full(len(c), NAN),
         "negative": lambda c: -np.ones(len(c)), "raises TypeError": lambda c: c + "x",
         "strings": lambda c: np.array(["a"] * len(c)), "scalar": lambda c: 1.0}
for label, fn in BADFN.items():
    add(f"CallableField(): fn returns {label}", lambda fn=fn: pp().CallableField(fn, "kappa")(np.zeros((3, 2))), "kappa")
for label, v in {"bool": True, "str": "10", "list": [1.0, 2.0], "None": None}.items():
    add(f"as_field: value={label}", lambda v=v: __import__("statgen.pointprocess.fields", fromlist=["x"]).as_field(
        v, "parent_intensity", 2), "parent_intensity")

# ---------------------------------------------------------------------------------------------- NeymanScott construction
BAD_WINDOWS = {"None": None, "str": "unit", "lo > hi": ((0, 1), (1, 0)), "d = 4": ((0, 1),) * 4,
               "NaN bound": ((0, NAN), (0, 1)), "inf bound": ((0, INF), (0, 1)), "3 columns": [[0, 1, 2]],
               "zero width": ((0, 0), (0, 1)), "empty": [], "ragged": [[0, 1], [0]]}
for label, w in BAD_WINDOWS.items():
    add(f"NeymanScott: window {label}", lambda w=w: pp().NeymanScott(10.0, 5.0, pp().ThomasKernel(0.1), w), "window")
for arg, pos in (("parent_intensity", 0), ("offspring_mean", 1)):
    for label, v in {"-1": -1.0, "nan": NAN, "inf": INF, "str": "10", "bool": True, "None": None,
                     "array": [1.0, 2.0]}.items():
        def build(v=v, pos=pos):
            a = [10.0, 5.0]
            a[pos] = v
            return pp().NeymanScott(a[0], a[1], pp().ThomasKernel(0.1), U2)

        add(f"NeymanScott: {arg}={label}", build, arg)
    add(f"NeymanScott: {arg} a 3-D LogLinear in a 2-D window",
        lambda pos=pos: pp().NeymanScott(*([pp().LogLinear(0, [1, 1, 1]), 5.0] if pos == 0 else
                                           [10.0, pp().LogLinear(0, [1, 1, 1])]), pp().ThomasKernel(0.1), U2), arg)
    add(f"NeymanScott: {arg} a 1-D Gridded in a 2-D window",
        lambda pos=pos: pp().NeymanScott(*([pp().Gridded([AX[0]], np.ones(4)), 5.0] if pos == 0 else
                                           [10.0, pp().Gridded([AX[0]], np.ones(4))]), pp().ThomasKernel(0.1), U2), arg)
    add(f"NeymanScott: {arg} = LogLinear(a=1000) overflows on the window",
        lambda pos=pos: pp().NeymanScott(*([pp().LogLinear(1000, [0, 0]), 5.0] if pos == 0 else
                                           [10.0, pp().LogLinear(1000, [0, 0])]), pp().ThomasKernel(0.1), U2), arg)
add("NeymanScott: log-linear κ with a Cauchy kernel (infinite intensity)",
    lambda: pp().NeymanScott(pp().LogLinear(3, [1, 0]), 5.0, pp().CauchyKernel(0.1), U2), "parent_intensity")
add("NeymanScott: log-linear κ steeper than the variance-Gamma tail (|b| >= 1/η)",
    lambda: pp().NeymanScott(pp().LogLinear(3, [3, 0]), 5.0, pp().VarGammaKernel(0.5, 0.5), U2), "parent_intensity")
add("NeymanScott: log-linear κ within the variance-Gamma tail is fine",
    lambda: pp().NeymanScott(pp().LogLinear(3, [1, 0]), 5.0, pp().VarGammaKernel(0.5, 0.5), U2).intensity([[0.5, 0.5]]),
    "parent_intensity", ok=finite_array((1,)))
for label, v in {"str": "thomas", "None": None, "class": "CLASS"}.items():
    add(f"NeymanScott: kernel={label}",
        lambda v=v: pp().NeymanScott(10.0, 5.0, pp().ThomasKernel if v == "CLASS" else v, U2), "kernel")
for label, v in {"typo": "quadratur", "exact": "exact", "None": None}.items():
    add(f"NeymanScott: integrals={label}",
        lambda v=v: pp().NeymanScott(10.0, 5.0, pp().ThomasKernel(0.1), U2, integrals=v), "integrals")
add("NeymanScott: window in 1-D with a 2-D LogLinear", lambda: pp().NeymanScott(
    pp().LogLinear(0, [1, 1]), 5.0, pp().ThomasKernel(0.1), ((0, 1),)), "parent_intensity")

# ---------------------------------------------------------------------------------------------- NeymanScott methods
BAD_X = {"NaN": [[NAN, 0.5]], "inf": [[INF, 0.5]], "wrong d": [[0.5, 0.5, 0.5]], "3-D": np.zeros((1, 1, 2)),
         "str": [["a", "b"]], "None": None, "ragged": [[0.5, 0.5], [0.5]]}
for label, x in BAD_X.items():
    add(f"NeymanScott.intensity: x {label}", lambda x=x: thomas_model().intensity(x), "x")
    add(f"NeymanScott.conditional_intensity: x {label}",
        lambda x=x: thomas_model().conditional_intensity(x, [[0.5, 0.5]]), "x")
    add(f"NeymanScott.conditional_intensity: events {label}",
        lambda x=x: thomas_model().conditional_intensity([[0.5, 0.5]], x), "events")
    add(f"NeymanScott.pair_correlation: y {label}", lambda x=x: thomas_model().pair_correlation([[0.5, 0.5]], x), "y")
    add(f"NeymanScott.cluster_integrals: points {label}", lambda x=x: thomas_model().cluster_integrals(x), "points")
    add(f"NeymanScott.product_density: points {label}", lambda x=x: thomas_model().product_density(x), "points")
add("NeymanScott.intensity: x empty -> (0,)", lambda: thomas_model().intensity(np.zeros((0, 2))), "x",
    ok=lambda v: v.shape == (0,))
add("NeymanScott.intensity: one point as a 1-D array", lambda: thomas_model().intensity([0.5, 0.5]), "x",
    ok=finite_array((1,)))
add("NeymanScott.intensity: return_error='yes'", lambda: thomas_model().intensity([[0.5, 0.5]], return_error="yes"),
    "return_error")
def _overflowing(c):
    with np.errstate(over="ignore"):
        return np.exp(1000 * c[:, 0])


add("NeymanScott.intensity: callable κ overflowing inside the window", lambda: pp().NeymanScott(
    _overflowing, 5.0, pp().ThomasKernel(0.1), U2).intensity([[0.9, 0.5]]), "parent_intensity")
for label, v in {"0": 0, "-3": -3, "2.5": 2.5, "str": "10", "bool": True, "10**5 (1e10 grid)": 10**5}.items():
    add(f"NeymanScott.expected_count: n_per_axis={label}",
        lambda v=v: thomas_model().expected_count(n_per_axis=v), "n_per_axis")
    add(f"NeymanScott.mean_parent_intensity: n_per_axis={label}",
        lambda v=v: thomas_model().mean_parent_intensity(n_per_axis=v), "n_per_axis")
add("NeymanScott.expected_count: closed form for a stationary model",
    lambda: pp().NeymanScott(10.0, 5.0, pp().ThomasKernel(0.1), U2).expected_count(), "n_per_axis",
    ok=lambda v: abs(v - 50.0) < 1e-9)
for label, v in {"0": 0.0, "1": 1.0, "-1": -1.0, "nan": NAN, "str": "x"}.items():
    add(f"NeymanScott.dilation: edge_tol={label}", lambda v=v: thomas_model().dilation(v), "edge_tol")
for label, v in {"-1": -1.0, "nan": NAN, "inf": INF, "str": "x", "bool": True}.items():
    add(f"NeymanScott.truncation_error: radius={label}", lambda v=v: thomas_model().truncation_error(v), "radius")
add("NeymanScott.truncation_error: radius=0 loses at most everything",
    lambda: thomas_model().truncation_error(0.0), "radius", ok=lambda v: v["tail_mass"] == 1.0)
for label, v in {"None": None, "int": 0, "RandomState": np.random.RandomState(0)}.items():
    add(f"NeymanScott.simulate: rng={label}", lambda v=v: thomas_model().simulate(rng=v), "rng")
for arg, vals in {"edge_tol": {"0": 0.0, "2": 2.0, "nan": NAN}, "far_tol": {"0": 0.0, "nan": NAN, "-1": -1.0},
                  "far_field": {"str": "yes", "int": 1}, "return_parents": {"int": 1, "None": None},
                  "max_parents": {"0": 0, "-1": -1, "nan": NAN}}.items():
    for label, v in vals.items():
        add(f"NeymanScott.simulate: {arg}={label}", lambda a=arg, v=v: thomas_model().simulate(rng=rng(), **{a: v}), arg)
add("NeymanScott.simulate: offspring_mean=1e10 (2e11 offspring)", lambda: pp().NeymanScott(
    20.0, 1e10, pp().ThomasKernel(0.05), U2).simulate(rng=rng()), "simulate")
add("NeymanScott.simulate: 1e12 proposal parents", lambda: pp().NeymanScott(
    1e12, 1.0, pp().ThomasKernel(0.05), U2).simulate(rng=rng()), "max_parents")
add("NeymanScott.simulate: no parents -> empty (0, 2)", lambda: pp().NeymanScott(
    0.0, 5.0, pp().ThomasKernel(0.05), U2).simulate(rng=rng()), "rng", ok=lambda v: v.shape == (0, 2))
add("NeymanScott.simulate: callable exp κ (far shells must not overflow)", lambda: pp().NeymanScott(
    lambda c: np.exp(3 + c @ np.array([1.2, -0.7])), 6.0, pp().ThomasKernel(0.04), U2).simulate(rng=rng()), "rng",
    ok=lambda v: v.ndim == 2 and v.shape[1] == 2 and v.shape[0] > 50 and np.all((v >= 0) & (v <= 1)))
add("NeymanScott.simulate: callable exp κ with a Cauchy kernel (infinite expected count)", lambda: pp().NeymanScott(
    lambda c: np.exp(3 + c @ np.array([1.2, -0.7])), 6.0, pp().CauchyKernel(0.04), U2).simulate(rng=rng()),
    "parent_intensity")
add("NeymanScott.simulate: callable κ above its declared maximum", lambda: pp().NeymanScott(
    pp().CallableField(lambda c: 50 * np.exp(3 * c[:, 0]), "parent_intensity", maximum=10.0), 3.0,
    pp().ThomasKernel(0.05), U2).simulate(rng=rng()), "parent_intensity")
add("NeymanScott.cluster_integrals: 40 points (2**40 subsets)",
    lambda: thomas_model().cluster_integrals(rng().random((40, 2))), "points")
add("NeymanScott.cluster_integrals: 0 points -> [1]", lambda: thomas_model().cluster_integrals(np.zeros((0, 2))),
    "points", ok=lambda v: v.tolist() == [1.0])
add("NeymanScott.cluster_integrals: return_error=None",
    lambda: thomas_model().cluster_integrals([[0.5, 0.5]], return_error=None), "return_error")
add("NeymanScott.product_density: 23 points (beyond the exact limit)",
    lambda: thomas_model().product_density(rng().random((23, 2))), "points")
add("NeymanScott.product_density: 0 points is 1", lambda: thomas_model().product_density(np.zeros((0, 2))),
    "points", ok=lambda v: v == 1.0)
add("NeymanScott.product_density: where κ = 0 it is 0", lambda: pp().NeymanScott(
    pp().Gridded(AX, np.zeros((4, 3))), 5.0, pp().ThomasKernel(0.05), U2, integrals="quadrature").product_density(
    [[0.5, 0.5]]), "points", ok=lambda v: v == 0.0)
add("NeymanScott.pair_correlation: x and y of different lengths",
    lambda: thomas_model().pair_correlation([[0.5, 0.5]], [[0.5, 0.5], [0.4, 0.4]]), "x and y")
add("NeymanScott.pair_correlation: zero intensity (g undefined)", lambda: pp().NeymanScott(
    0.0, 5.0, pp().ThomasKernel(0.05), U2).pair_correlation([[0.5, 0.5]], [[0.4, 0.5]]), "x, y")
add("NeymanScott.conditional_intensity: events outside the window",
    lambda: thomas_model().conditional_intensity([[0.5, 0.5]], [[1.5, 0.5]]), "events")
add("NeymanScott.conditional_intensity: no events is λ(x)",
    lambda: thomas_model().conditional_intensity([[0.5, 0.5]], np.zeros((0, 2))), "events",
    ok=lambda v: abs(v[0] - thomas_model().intensity([[0.5, 0.5]])[0]) < 1e-9 * v[0])
for label, v in {"typo": "exakt", "None": None, "upper case": "EXACT", "int": 1}.items():
    add(f"NeymanScott.conditional_intensity: method={label}",
        lambda v=v: thomas_model().conditional_intensity([[0.5, 0.5]], [[0.5, 0.5]], method=v), "method")
add("NeymanScott.conditional_intensity: 23 events, exact",
    lambda: thomas_model().conditional_intensity([[0.5, 0.5]], 0.4 + 0.2 * rng().random((23, 2))), "events")
for label, v in {"0": 0.0, "nan": NAN, "1": 1.0, "str": "x"}.items():
    add(f"NeymanScott.conditional_intensity: group_tol={label}", lambda v=v: thomas_model().conditional_intensity(
        [[0.5, 0.5]], [[0.5, 0.5]], method="grouped", group_tol=v), "group_tol")
for label, v in {"-1": -1.0, "0": 0.0, "nan": NAN, "str": "x"}.items():
    add(f"NeymanScott.conditional_intensity: kappa_ref={label}", lambda v=v: thomas_model().conditional_intensity(
        [[0.5, 0.5]], [[0.5, 0.5]], method="reweighted", kappa_ref=v), "kappa_ref")
add("NeymanScott.conditional_intensity: return_error='no'", lambda: thomas_model().conditional_intensity(
    [[0.5, 0.5]], [[0.5, 0.5]], return_error="no"), "return_error")
add("NeymanScott.conditional_intensity: an event where λ = 0", lambda: pp().NeymanScott(
    pp().Gridded(AX, np.zeros((4, 3))), 5.0, pp().ThomasKernel(0.05), U2).conditional_intensity(
    [[0.5, 0.5]], [[0.5, 0.5]]), "events")
for method in ("exact", "independent", "grouped", "reweighted", "slowly_varying"):
    add(f"NeymanScott.conditional_intensity: method={method} is finite", lambda m=method: thomas_model()
        .conditional_intensity([[0.5, 0.5], [0.2, 0.3]], [[0.5, 0.52], [0.45, 0.5]], method=m), "method",
        ok=finite_array((2,)))
GRID = [np.linspace(0, 1, 5)] * 2
for label, axes in {"one axis": [GRID[0]], "three axes": GRID * 2, "NaN": [np.array([0, NAN]), GRID[0]],
                    "2-D arrays": [np.zeros((2, 2)), GRID[0]], "a 1-D array": GRID[0], "None": None,
                    "1e5 x 1e5 (1e10 points)": [np.linspace(0, 1, 10**5)] * 2}.items():
    add(f"NeymanScott.conditional_intensity_grid: axes {label}",
        lambda axes=axes: thomas_model().conditional_intensity_grid(axes, [[0.5, 0.5]]),
        (*_n("axes"), "axes[0] must", "axes[0] contains"))
add("NeymanScott.conditional_intensity_grid: 1e5 x 1e5 fallback path (Cauchy)",
    lambda: cauchy_model().conditional_intensity_grid([np.linspace(0, 1, 10**5)] * 2, [[0.5, 0.5]]), "axes")
add("NeymanScott.conditional_intensity_grid: method typo",
    lambda: thomas_model().conditional_intensity_grid(GRID, [[0.5, 0.5]], method="indepedent"), "method")
add("NeymanScott.conditional_intensity_grid: events outside",
    lambda: thomas_model().conditional_intensity_grid(GRID, [[0.5, 1.5]]), "events")
add("NeymanScott.conditional_intensity_grid: 23 events", lambda: thomas_model().conditional_intensity_grid(
    GRID, 0.4 + 0.2 * rng().random((23, 2))), "events")
add("NeymanScott.conditional_intensity_grid: equals the pointwise values", lambda: (
    thomas_model().conditional_intensity_grid(GRID, [[0.5, 0.5]]).ravel(),
    thomas_model().conditional_intensity(np.stack([g.ravel() for g in np.meshgrid(*GRID, indexing="ij")], 1),
                                         [[0.5, 0.5]])), "axes",
    ok=lambda v: np.allclose(v[0], v[1], rtol=1e-10))
for label, v in {"-1": -1.0, "nan": NAN, "str": "x"}.items():
    add(f"NeymanScott.kernel_self_convolution: r={label}", lambda v=v: thomas_model().kernel_self_convolution(v), "r")
add("NeymanScott.volume: the window's area", lambda: pp().NeymanScott(1.0, 1.0, pp().ThomasKernel(0.1),
                                                                      ((0, 2), (0, 3))).volume(), "window",
    ok=lambda v: v == 6.0)

# ---------------------------------------------------------------------------------------------- simulation module
add("simulation.simulate: rng=None", lambda: __import__("statgen.pointprocess.simulation", fromlist=["x"]).simulate(
    thomas_model(), rng=None), "rng")

# ---------------------------------------------------------------------------------------------- approximations
def approx():
    import statgen.pointprocess.approximations as m

    return m


for fn in ("independent", "slowly_varying", "reweighted"):
    add(f"approximations.{fn}: x NaN", lambda fn=fn: getattr(approx(), fn)(thomas_model(), [[NAN, 0]], [[0.5, 0.5]]),
        "x")
    add(f"approximations.{fn}: events outside", lambda fn=fn: getattr(approx(), fn)(
        thomas_model(), [[0.5, 0.5]], [[2.0, 0.5]]), "events")
add("approximations.grouped: cutoff=nan",
    lambda: approx().grouped(thomas_model(), [[0.5, 0.5]], [[0.5, 0.5]], cutoff=NAN), "cutoff")
add("approximations.grouped: cutoff='a'",
    lambda: approx().grouped(thomas_model(), [[0.5, 0.5]], [[0.5, 0.5]], cutoff="a"), "cutoff")
add("approximations.event_groups: events NaN", lambda: approx().event_groups([[NAN, 0.0]], 0.1), "events")
add("approximations.event_groups: events 1-D", lambda: approx().event_groups([0.1, 0.2], 0.1), "events")
add("approximations.event_groups: two far events are two groups",
    lambda: approx().event_groups([[0.0, 0.0], [1.0, 1.0]], 0.1), "events", ok=lambda v: len(v) == 2)
add("approximations.independent: equals grouped with no links", lambda: (
    approx().independent(thomas_model(), [[0.5, 0.5]], [[0.5, 0.5], [0.52, 0.5]])[0],
    approx().grouped(thomas_model(), [[0.5, 0.5]], [[0.5, 0.5], [0.52, 0.5]], cutoff=-INF)[0]), "x",
    ok=lambda v: v[0][0] == v[1][0])

# ---------------------------------------------------------------------------------------------- assessment
def mc(**kw):
    args = dict(reps=100, rng=rng())
    args.update(kw)
    return pp().monte_carlo_conditional_intensity(thomas_model(), [[0.5, 0.5]], [[0.5, 0.52]], **args)


for label, v in {"0": 0, "-5": -5, "1 (no standard error)": 1, "2.5": 2.5, "str": "10", "bool": True}.items():
    add(f"monte_carlo_conditional_intensity: reps={label}", lambda v=v: mc(reps=v), "reps")
for label, v in {"None": None, "int": 3}.items():
    add(f"monte_carlo_conditional_intensity: rng={label}", lambda v=v: mc(rng=v), "rng")
for label, v in {"0": 0, "-1": -1, "2.5": 2.5}.items():
    add(f"monte_carlo_conditional_intensity: chunk={label}", lambda v=v: mc(chunk=v), "chunk")
for label, v in {"0": 0.0, "nan": NAN}.items():
    add(f"monte_carlo_conditional_intensity: edge_tol={label}", lambda v=v: mc(edge_tol=v), "edge_tol")
add("monte_carlo_conditional_intensity: progress='yes'", lambda: mc(progress="yes"), "progress")
add("monte_carlo_conditional_intensity: chunk=10**9 parents per chunk", lambda: mc(reps=10**9, chunk=10**9), "chunk")
add("monte_carlo_conditional_intensity: model not a NeymanScott", lambda: pp().monte_carlo_conditional_intensity(
    "model", [[0.5, 0.5]], [[0.5, 0.5]], reps=10, rng=rng()), "model")
add("monte_carlo_conditional_intensity: events outside", lambda: pp().monte_carlo_conditional_intensity(
    thomas_model(), [[0.5, 0.5]], [[0.5, 1.5]], reps=10, rng=rng()), "events")
add("monte_carlo_conditional_intensity: x NaN", lambda: pp().monte_carlo_conditional_intensity(
    thomas_model(), [[NAN, 0.5]], [[0.5, 0.5]], reps=10, rng=rng()), "x")
add("monte_carlo_conditional_intensity: reps=2 gives finite estimates", lambda: mc(reps=2), "reps",
    ok=lambda v: np.all(np.isfinite(v[0])) and np.all(np.isfinite(v[1])))


def aerr(**kw):
    args = dict(method="independent", half_width=0.1, n=5)
    args.update(kw)
    return pp().approximation_error(thomas_model(), [[0.5, 0.5], [0.52, 0.5]], **args)


for label, v in {"-1": -1.0, "0": 0.0, "nan": NAN, "str": "x"}.items():
    add(f"approximation_error: half_width={label}", lambda v=v: aerr(half_width=v), "half_width")
for label, v in {"0": 0, "2.5": 2.5, "-1": -1, "10**5 (1e10 grid)": 10**5}.items():
    add(f"approximation_error: n={label}", lambda v=v: aerr(n=v), "n")
for label, v in {"typo": "indepndent", "None": None}.items():
    add(f"approximation_error: method={label}", lambda v=v: aerr(method=v), "method")
add("approximation_error: no events", lambda: pp().approximation_error(
    thomas_model(), np.zeros((0, 2)), method="grouped", half_width=0.1), "events")
add("approximation_error: model not a NeymanScott", lambda: pp().approximation_error(
    None, [[0.5, 0.5]], method="grouped", half_width=0.1), "model")
add("approximation_error: exact against itself is 0", lambda: aerr(method="exact"), "method", ok=lambda v: v == 0.0)

# ---------------------------------------------------------------------------------------------- fitting
PTS = np.random.default_rng(3).random((30, 2))
for arg, vals in {"kernel": {"typo": "thomson", "cauchy": "cauchy", "None": None},
                  "parents": {"typo": "loglinaer", "int": 1},
                  "method": {"typo": "plam", "ml": "ml"},
                  "rmax": {"-1": -1.0, "0": 0.0, "nan": NAN, "str": "x", "bool": True},
                  "q": {"0": 0.0, "nan": NAN, "-1": -1.0}}.items():
    for label, v in vals.items():
        add(f"ClusterFit.fit: {arg}={label}", lambda a=arg, v=v: pp().ClusterFit(**{a: v}).fit(PTS, U2), arg)
for label, x in {"12 identical points": np.full((12, 2), 0.5), "9 points": PTS[:9], "NaN": np.vstack([PTS, [[NAN, 0]]]),
                 "outside": PTS + 1.0, "wrong d": np.zeros((20, 3)), "1-D": PTS[:, 0], "empty": np.zeros((0, 2)),
                 "str": [["a", "b"]] * 12, "None": None,
                 "10 distinct points each 3 times": np.repeat(PTS[:10], 3, axis=0)}.items():
    add(f"ClusterFit.fit: points {label}", lambda x=x: pp().ClusterFit().fit(x, U2), "points")
for label, w in {"None": None, "lo > hi": ((0, 1), (1, 0)), "d = 4": ((0, 1),) * 4}.items():
    add(f"ClusterFit.fit: window {label}", lambda w=w: pp().ClusterFit().fit(PTS, w), "window")
LSHAPE = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]
for label, v in {"-0.5": -0.5, "nan": NAN, "str": "x", "None": None, "bool": True}.items():
    add(f"ClusterFit.fit: vargamma nu={label}", lambda v=v: pp().ClusterFit("vargamma", parents="constant", nu=v).fit(
        PTS, U2), "nu")
add("ClusterFit.fit: vargamma with log-linear parents", lambda: pp().ClusterFit("vargamma").fit(PTS, U2), "kernel")
add("ClusterFit.fit: mincon on a polygon", lambda: pp().ClusterFit(method="mincon").fit(PTS, pp().Polygon(LSHAPE)),
    "method")
add("ClusterFit.fit: point in the polygon's notch", lambda: pp().ClusterFit().fit(
    np.vstack([PTS, [[1.5, 1.5]]]), pp().Polygon(LSHAPE)), "points")
add("fit_loglinear_intensity: point in the polygon's notch", lambda: pp().fit_loglinear_intensity(
    np.vstack([PTS, [[1.5, 1.5]]]), pp().Polygon(LSHAPE)), "points")
add("fit_loglinear_intensity: polygon window -> finite", lambda: float(pp().fit_loglinear_intensity(
    PTS, pp().Polygon(LSHAPE))[0]), "window", ok=math.isfinite)
add("ClusterFit.fit: no pair within rmax", lambda: pp().ClusterFit(rmax=1e-6).fit(PTS, U2), "points")
add("ClusterFit.score: before fit", lambda: pp().ClusterFit().score(PTS, U2), "fit", raises=(NotFittedError,))
add("ClusterFit.bootstrap: before fit", lambda: pp().ClusterFit().bootstrap(5, rng=rng()), "fit",
    raises=(NotFittedError,))
for label, v in {"1": 1, "0": 0, "2.5": 2.5, "str": "10"}.items():
    add(f"ClusterFit.bootstrap: n_boot={label}", lambda v=v: fitted()[0].bootstrap(v, rng=rng(), progress=False),
        "n_boot")
add("ClusterFit.bootstrap: rng=None", lambda: fitted()[0].bootstrap(3, rng=None, progress=False), "rng")
add("ClusterFit.bootstrap: progress='no'", lambda: fitted()[0].bootstrap(3, rng=rng(), progress="no"), "progress")
add("ClusterFit.score: points NaN", lambda: fitted()[0].score([[NAN, 0.5]] * 12, U2), "points")
add("ClusterFit.score: is finite on the training pattern", lambda: fitted()[0].score(fitted()[1], U2), "points",
    ok=lambda v: math.isfinite(v))
add("ClusterFit.clone: unknown parameter", lambda: pp().ClusterFit().clone(kernal="thomas"), ("'kernal'",))
add("ClusterFit.set_params: unknown parameter", lambda: pp().ClusterFit().set_params(metod="palm"), ("'metod'",))

for label, x in {"outside": PTS + 2, "NaN": [[NAN, 0.5]], "empty": np.zeros((0, 2)), "wrong d": np.zeros((5, 3)),
                 "all on the face x=0": np.column_stack([np.zeros(5), np.linspace(0.1, 0.9, 5)])}.items():
    add(f"fit_loglinear_intensity: points {label}", lambda x=x: pp().fit_loglinear_intensity(x, U2), "points")
add("fit_loglinear_intensity: window None", lambda: pp().fit_loglinear_intensity(PTS, None), "window")
add("fit_loglinear_intensity: a huge window does not overflow", lambda: pp().fit_loglinear_intensity(
    PTS * 1e4, ((0, 1e4), (0, 1e4))), "points", ok=lambda v: math.isfinite(v[0]) and np.all(np.isfinite(v[1])))

R3 = [0.05, 0.1]
for label, lam in {"0": 0.0, "negative": -200.0, "NaN": NAN, "wrong length": np.ones(7), "2-D": np.ones((30, 1)),
                   "str": "x"}.items():
    add(f"k_inhom: lam {label}", lambda lam=lam: pp().k_inhom(PTS, U2, R3, lam), "lam")
for label, r in {"empty": [], "negative": [-0.1], "NaN": [NAN], "2-D": [[0.1]], "None": None}.items():
    add(f"k_inhom: r {label}", lambda r=r: pp().k_inhom(PTS, U2, r, 30.0), "r")
add("k_inhom: points outside the window", lambda: pp().k_inhom(PTS + 1, U2, R3, 30.0), "points")
add("k_inhom: window lo > hi", lambda: pp().k_inhom(PTS, ((0, 1), (1, 0)), R3, 30.0), "window")
add("k_inhom: one point has no pairs (K = 0)", lambda: pp().k_inhom(PTS[:1], U2, R3, 30.0), "points",
    ok=lambda v: v.tolist() == [0.0, 0.0])
for arg, vals in {"n_angle": {"0": 0, "2.5": 2.5}, "order": {"0": 0, "-1": -1}, "n_x": {"0": 0, "10**4": 10**4}}.items():
    for label, v in vals.items():
        add(f"expected_k_inhom: {arg}={label}",
            lambda a=arg, v=v: pp().expected_k_inhom(thomas_model(), R3, **{a: v}), arg)
add("expected_k_inhom: r negative", lambda: pp().expected_k_inhom(thomas_model(), [-0.1]), "r")
add("expected_k_inhom: r empty", lambda: pp().expected_k_inhom(thomas_model(), []), "r")
add("expected_k_inhom: model None", lambda: pp().expected_k_inhom(None, R3), "model")

# ---------------------------------------------------------------------------------------------- recursion
for label, K in {"NaN": [1.0, NAN], "inf": [1.0, INF], "length 3": [1.0, 2.0, 3.0], "empty": [], "2-D": [[1.0, 2.0]],
                 "str": ["a", "b"], "length 2**21 (3**20 pairs)": np.ones(1 << 21)}.items():
    add(f"subset_recursion: K {label}", lambda K=K: pp().subset_recursion(K), "K")
add("subset_recursion: K of length 1 (no events) -> [1]", lambda: pp().subset_recursion([7.0]), "K",
    ok=lambda v: v.tolist() == [1.0])
for label, n in {"-1": -1, "2.5": 2.5, "str": "3", "13 (Bell 2.8e7)": 13, "30 (Bell 8.5e23)": 30, "None": None,
                 "10**6": 10**6}.items():
    add(f"partition_sum: n={label}", lambda n=n: pp().partition_sum(np.ones(1 << 13), n), "n")
add("partition_sum: K NaN", lambda: pp().partition_sum([1.0, NAN], 1), "K")
add("partition_sum: K shorter than 2**n", lambda: pp().partition_sum([1.0, 2.0], 3), "K")
add("partition_sum: max_partitions=0", lambda: pp().partition_sum([1.0, 2.0], 1, max_partitions=0), "max_partitions")
add("partition_sum: n=0 is 1", lambda: pp().partition_sum([5.0], 0), "n", ok=lambda v: v == 1.0)
for label, items in {"None": None, "str": "abc", "int": 5, "set": {1, 2}}.items():
    add(f"set_partitions: items={label}", lambda items=items: list(pp().set_partitions(items)), "items")
add("set_partitions: [] has one (empty) partition", lambda: list(pp().set_partitions([])), "items",
    ok=lambda v: v == [[]])
for label, n in {"-1": -1, "2.5": 2.5, "10**6": 10**6, "str": "5", "bool": True, "None": None}.items():
    add(f"bell_number: n={label}", lambda n=n: pp().bell_number(n), "n")
add("bell_number: n=0 is 1", lambda: pp().bell_number(0), "n", ok=lambda v: v == 1)
for label, k in {"-1": -1, "50": 50, "2.5": 2.5}.items():
    add(f"recursion.subset_pairs: k={label}", lambda k=k: __import__(
        "statgen.pointprocess.recursion", fromlist=["x"]).subset_pairs(k), "k")

# ---------------------------------------------------------------------------------------------- geometry and windows
for label, (r, d) in {"r=-1": (-1.0, 2), "r=nan": (NAN, 2), "d=4": (1.0, 4), "d=0": (1.0, 0)}.items():
    add(f"geometry.ball_volume: {label}", lambda r=r, d=d: geo().ball_volume(r, d), label.split("=")[0])
add("geometry.ball_volume: unit disc is π", lambda: geo().ball_volume(1.0, 2), "r", ok=lambda v: v == math.pi)
for label, (r, R, d) in {"r=-1": (-1.0, 1.0, 2), "radius=0": (0.5, 0.0, 2), "d=0": (0.5, 1.0, 0),
                         "r=nan": (NAN, 1.0, 2)}.items():
    add(f"geometry.lens_volume: {label}", lambda r=r, R=R, d=d: geo().lens_volume(r, R, d), label.split("=")[0])
C = np.array([[[0.0, 0.0], [0.1, 0.0]]])
for label, c in {"2-D": C[0], "NaN": np.full((1, 2, 2), NAN), "k = 0": np.zeros((1, 0, 2)), "d = 4": np.zeros((1, 2, 4)),
                 "huge": "HUGE"}.items():
    add(f"geometry.ball_intersection_volume: centers {label}", lambda c=c: geo().ball_intersection_volume(
        np.broadcast_to(np.zeros((1, 1, 2)), (10**5, 300, 2)) if isinstance(c, str) else c, 0.2), "centers")
add("geometry.ball_intersection_volume: radius=-1", lambda: geo().ball_intersection_volume(C, -1.0), "radius")
add("geometry.ball_intersection_volume: order=0", lambda: geo().ball_intersection_volume(C, 0.2, order=0), "order")
add("geometry.disc_intersection_exp_integral: 3-D centers",
    lambda: geo().disc_intersection_exp_integral(np.zeros((1, 2, 3)), 0.2, [1.0, 0.0]), "centers")
add("geometry.disc_intersection_exp_integral: b of length 3",
    lambda: geo().disc_intersection_exp_integral(C, 0.2, [1.0, 0.0, 0.0]), "b")
add("geometry.disc_intersection_exp_integral: b NaN",
    lambda: geo().disc_intersection_exp_integral(C, 0.2, [NAN, 0.0]), "b")
add("geometry.disc_intersection_exp_integral: order=2",
    lambda: geo().disc_intersection_exp_integral(C, 0.2, [1.0, 0.0], order=2), "order")
add("geometry.disc_intersection_exp_integral: b = 0 is the area",
    lambda: geo().disc_intersection_exp_integral(C[:, :1], 1.0, [0.0, 0.0])[0], "b",
    ok=lambda v: abs(v[0] - math.pi) < 1e-12)
for label, (n, d, g) in {"n=-1": (-1, 2, "R"), "d=4": (3, 4, "R"), "rng=None": (3, 2, None),
                         "n=10**10": (10**10, 2, "R")}.items():
    add(f"geometry.uniform_directions: {label}", lambda n=n, d=d, g=g: geo().uniform_directions(
        n, d, rng() if g == "R" else g), label.split("=")[0])
add("window.check_points: min_rows", lambda: __import__("statgen.pointprocess.window", fromlist=["x"]).check_points(
    np.zeros((2, 2)), "events", 2, min_rows=3), "events")


# ---------------------------------------------------------------------------------------------- kppm (spatstat)
@functools.lru_cache(maxsize=1)
def kppm_pattern():
    p = pp()
    return p.NeymanScott(60.0, 5.0, p.ThomasKernel(0.03), U2).simulate(rng=rng(2))


@functools.lru_cache(maxsize=1)
def kppm_fitted():
    return pp().KppmFit("thomas").fit(kppm_pattern(), U2)


def _kfit(**kw):
    return pp().KppmFit(**kw).fit(kppm_pattern(), U2)


for label, kw, arg in (("kernel='gauss'", {"kernel": "gauss"}, "kernel"), ("kernel=None", {"kernel": None}, "kernel"),
                       ("method='mle'", {"method": "mle"}, "method"), ("statistic='L'", {"statistic": "L"}, "statistic"),
                       ("rmax=0", {"rmax": 0.0}, "rmax"), ("rmax=nan", {"rmax": NAN}, "rmax"),
                       ("rmax=str", {"rmax": "0.1"}, "rmax"), ("q=0", {"q": 0.0}, "q"), ("p=-1", {"p": -1.0}, "p"),
                       ("nu=-0.5", {"nu": -0.5}, "nu"), ("nu=nan", {"nu": NAN}, "nu"), ("starts=0", {"starts": 0}, "starts"),
                       ("starts=2.5", {"starts": 2.5}, "starts"), ("starts=True", {"starts": True}, "starts"),
                       ("integral='fft'", {"integral": "fft"}, "integral")):
    add(f"KppmFit: {label}", lambda kw=kw: _kfit(**kw), arg)
add("KppmFit.fit: points NaN", lambda: pp().KppmFit().fit(np.vstack([kppm_pattern(), [[NAN, 0.5]]]), U2), "points")
add("KppmFit.fit: points outside", lambda: pp().KppmFit().fit(np.vstack([kppm_pattern(), [[1.5, 0.5]]]), U2),
    "points")
add("KppmFit.fit: 9 points", lambda: pp().KppmFit().fit(kppm_pattern()[:9], U2), "points")
add("KppmFit.fit: points (n, 3)", lambda: pp().KppmFit().fit(np.zeros((20, 3)), U2), "points")
add("KppmFit.fit: points 1-D", lambda: pp().KppmFit().fit(np.zeros(20), U2), "points")
add("KppmFit.fit: duplicated points", lambda: pp().KppmFit().fit(np.vstack([kppm_pattern(), kppm_pattern()[:1]]), U2),
    "points")
add("KppmFit.fit: window 3-D", lambda: pp().KppmFit().fit(kppm_pattern(), ((0, 1), (0, 1), (0, 1))), "window")
add("KppmFit.fit: window lo > hi", lambda: pp().KppmFit().fit(kppm_pattern(), ((1, 0), (0, 1))), "window")
add("KppmFit.fit: window str", lambda: pp().KppmFit().fit(kppm_pattern(), "unit"), "window")
add("KppmFit.fit: covariates not a grid", lambda: pp().KppmFit(method="palm").fit(kppm_pattern(), U2, np.ones((4, 4))),
    "covariates")
add("KppmFit.fit: covariates with mincon (Kinhom contrast) -> finite fit", lambda: pp().KppmFit().fit(
    kppm_pattern(), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], [[0.0, 1.0], [0.0, 1.0]])).params_["kappa"],
    "covariates", ok=lambda v: math.isfinite(v) and v > 0)
add("KppmFit.fit: constant covariate", lambda: pp().KppmFit(method="palm").fit(
    kppm_pattern(), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2)))).params_["kappa"],
    "covariates", ok=lambda v: math.isfinite(v) and v > 0)
add("KppmFit.fit: covariate grid too small", lambda: pp().KppmFit(method="palm").fit(
    kppm_pattern(), U2, pp().CovariateGrid([0.1, 0.2], [0.1, 0.2], np.ones((2, 2)))), "covariates")
add("KppmFit.bootstrap: before fit", lambda: pp().KppmFit().bootstrap(2, rng=rng()), ("fit(",),
    raises=(NotFittedError,))
add("KppmFit.bootstrap: n_boot=1", lambda: kppm_fitted().bootstrap(1, rng=rng(), progress=False), "n_boot")
add("KppmFit.bootstrap: rng=None", lambda: kppm_fitted().bootstrap(2, rng=None, progress=False), "rng")
add("KppmFit.simulate: rng=42", lambda: kppm_fitted().simulate(rng=42), "rng")
add("KppmFit.score: points outside", lambda: kppm_fitted().score(np.vstack([kppm_pattern(), [[2.0, 2.0]]]), U2),
    "points")

for label, v in {"self-intersecting": [[0, 0], [1, 1], [1, 0], [0, 1]], "2 vertices": [[0, 0], [1, 1]],
                 "collinear": [[0, 0], [1, 0], [2, 0]], "NaN": [[0, 0], [1, NAN], [0, 1]], "1-D": [0, 1, 2],
                 "(m, 3)": np.zeros((4, 3)), "str": "square"}.items():
    add(f"Polygon: {label}", lambda v=v: pp().Polygon(v), "window")
add("Polygon: L-shape area 3", lambda: pp().Polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]).area(), "window",
    ok=lambda v: abs(v - 3.0) < 1e-12)
add("CovariateGrid: x not increasing", lambda: pp().CovariateGrid([0.5, 0.1], [0.1, 0.5], np.ones((2, 2))), "x")
add("CovariateGrid: y uneven", lambda: pp().CovariateGrid([0.1, 0.5], [0.1, 0.2, 0.9], np.ones((3, 2))), "y")
add("CovariateGrid: image shape", lambda: pp().CovariateGrid([0.1, 0.5], [0.1, 0.5], np.ones((3, 2))),
    ("images['z'] must",))
add("CovariateGrid: image NaN", lambda: pp().CovariateGrid([0.1, 0.5], [0.1, 0.5], np.array([[1, NAN], [1, 1]])),
    ("images['z'] contains",))
add("CovariateGrid: no images", lambda: pp().CovariateGrid([0.1, 0.5], [0.1, 0.5], {}), "images")
add("load_pattern: unknown name", lambda: pp().load_pattern("bei"), "name")
add("load_pattern: None", lambda: pp().load_pattern(None), "name")
add("load_pattern: redwoodfull has 195 points", lambda: pp().load_pattern("redwoodfull")[0].shape, "name",
    ok=lambda v: v == (195, 2))
add("ParentCovariateFit: rmax=0", lambda: pp().ParentCovariateFit(rmax=0.0).fit(
    kppm_pattern(), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2)))), "rmax")
add("ParentCovariateFit: covariates array", lambda: pp().ParentCovariateFit().fit(kppm_pattern(), U2, np.ones((2, 2))),
    "covariates")
add("ParentCovariateFit: grid too small", lambda: pp().ParentCovariateFit().fit(
    kppm_pattern(), U2, pp().CovariateGrid([0.1, 0.2], [0.1, 0.2], np.ones((2, 2)))), "covariates")
add("ParentCovariateFit: points NaN", lambda: pp().ParentCovariateFit().fit(
    np.vstack([kppm_pattern(), [[NAN, 0.1]]]), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2)))),
    "points")
add("palm_comparison: points outside", lambda: pp().palm_comparison(
    np.vstack([kppm_pattern(), [[3.0, 0.1]]]), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2)))),
    "points")
add("palm_comparison: criterion typo", lambda: pp().palm_comparison(
    kppm_pattern(), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2))), criterion="bic"), "criterion")
add("palm_comparison: clic without rng", lambda: pp().palm_comparison(
    kppm_pattern(), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2))), criterion="clic"), "rng")
add("palm_comparison: n_boot=1", lambda: pp().palm_comparison(
    kppm_pattern(), U2, pp().CovariateGrid([0.25, 0.75], [0.25, 0.75], np.ones((2, 2))), criterion="clic", n_boot=1, rng=rng()), "n_boot")
add("ParentCovariateFit.simulate: before fit", lambda: pp().ParentCovariateFit().simulate(rng=rng()), ("fit(",),
    raises=(NotFittedError,))
add("ParentCovariateFit.bootstrap: before fit", lambda: pp().ParentCovariateFit().bootstrap(2, rng=rng()), ("fit(",),
    raises=(NotFittedError,))
