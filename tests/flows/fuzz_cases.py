"""Adversarial inputs for every public function and class of ``statgen.flows`` (see tests/fuzz/harness.py).

Expensive objects are built once at import (a few small float64 flows); hostile files are written into
one temporary directory when the case runs. Each case id reads ``function: what is wrong``.
"""

from __future__ import annotations

import functools
import math
import tempfile
from pathlib import Path

import numpy as np
import torch

import statgen.flows as fl
from tests import hostile
from tests.fuzz.harness import ACCEPTED, Case

F64 = torch.float64
TMP = Path(tempfile.mkdtemp(prefix="statgen-fuzz-flows-"))

torch.manual_seed(0)
FLOW = fl.SmoothFlow(["circle", "interval"], layers=2, components=3, hidden=(8,), dtype=F64)
SPLINE = fl.SmoothFlow(["circle", "interval"], layers=2, components=3, hidden=(8,), transformer="spline", dtype=F64)
X = torch.rand(6, 2, dtype=F64, generator=torch.Generator().manual_seed(1))
DATA = np.random.default_rng(2).random((24, 2))
NAN_X = X.clone()
NAN_X[0, 0] = math.nan
TORUS = fl.TorusDensity()
SMOOTH_TR = fl.SmoothMixtureTransformer("circle", 1, 3)
RQ_TR = fl.RQSplineTransformer("interval", 1, 4)
RAW_S = torch.zeros(2, 1, SMOOTH_TR.params_per_dim)
RAW_R = torch.zeros(2, 1, RQ_TR.params_per_dim)
X_TR = torch.tensor([[0.3], [0.6]])


def identity_evaluate(x, *params):
    """F(x) = x on [0, 1] (with one dummy parameter)."""
    return x, torch.zeros_like(x)


def decreasing_evaluate(x, *params):
    return 1.0 - x, torch.zeros_like(x)


def nan_evaluate(x, *params):
    return torch.full_like(x, math.nan), torch.zeros_like(x)


P1 = (torch.zeros(1, 1, dtype=F64),)
Y1 = torch.tensor([0.3], dtype=F64)


def _train(**kw):
    """train_flow on the small 2-D data, one short epoch unless overridden."""
    torch.manual_seed(0)
    flow = fl.SmoothFlow(["circle", "interval"], layers=1, components=2, hidden=(4,), dtype=F64)
    args = dict(epochs=1, batch_size=12, progress=False)
    args.update(kw)
    data = args.pop("data", DATA)
    return fl.train_flow(flow, data, **args)


# -- hostile checkpoint files ----------------------------------------------------------------------
def _no_marker(name: str):
    return lambda: hostile.code_ran(TMP / f"{name}.marker")


def _evil_torch(name: str) -> Path:
    return hostile.pickle_that_runs_code(TMP / f"{name}.pt", TMP / f"{name}.marker", key="model")


def _evil_pickle(name: str) -> Path:
    return hostile.pickle_that_runs_code(TMP / f"{name}.pkl", TMP / f"{name}.marker", key="model", fmt="plain")


def _random_bytes(name: str) -> Path:
    return hostile.random_bytes(TMP / f"{name}.pt")


@functools.lru_cache(maxsize=1)
def _good_checkpoint() -> Path:
    path = TMP / "good.pt"
    _train(checkpoint=path)
    return path


def _truncated(name: str) -> Path:
    return hostile.truncated_copy(_good_checkpoint(), TMP / f"{name}.pt")


def _other_model_checkpoint(name: str) -> Path:
    """A real training checkpoint of a differently sized flow."""
    path = TMP / f"{name}.pt"
    torch.manual_seed(0)
    flow = fl.SmoothFlow(["circle", "interval"], layers=1, components=5, hidden=(7,), dtype=F64)
    fl.train_flow(flow, DATA, epochs=1, batch_size=12, progress=False, checkpoint=path)
    return path


def _torch_file(name: str, obj) -> Path:
    path = TMP / f"{name}.pt"
    torch.save(obj, path)
    return path


def _ckpt_case(cid: str, make, *, evil: bool = False) -> Case:
    name = cid.replace(" ", "_").replace("/", "_")
    return Case(f"train_flow: checkpoint = {cid}", lambda: _train(checkpoint=make(name)), ("checkpoint", name),
                after=_no_marker(name) if evil else None)


def _load_case(cid: str, make, *, evil: bool = False) -> Case:
    name = "load_" + cid.replace(" ", "_").replace("/", "_")
    return Case(f"load_checkpoint: {cid}", lambda: fl.load_checkpoint(make(name)), ("checkpoint", name),
                after=_no_marker(name) if evil else None)


def _is_shape(shape):
    return lambda v: tuple(v.shape) == shape


CASES: list[Case] = []
add = CASES.append

# -- default_couplings ---------------------------------------------------------------------------
for cid, call, names in [
    ("d=0", lambda: fl.default_couplings(0, 2), "d"),
    ("d=-1", lambda: fl.default_couplings(-1, 2), "d"),
    ("d=2.5", lambda: fl.default_couplings(2.5, 2), "d"),
    ("d=True", lambda: fl.default_couplings(True, 2), "d"),
    ("d='4'", lambda: fl.default_couplings("4", 2), "d"),
    ("layers=0", lambda: fl.default_couplings(4, 0), "layers"),
    ("layers=-1", lambda: fl.default_couplings(4, -1), "layers"),
    ("layers=1.5", lambda: fl.default_couplings(4, 1.5), "layers"),
    ("layers=None", lambda: fl.default_couplings(4, None), "layers"),
]:
    add(Case(f"default_couplings: {cid}", call, names))
add(Case("default_couplings: d=3, layers=2 (valid)", lambda: fl.default_couplings(3, 2),
         "d", ok=lambda v: v == [([0, 1], [2]), ([2], [0, 1])]))

# -- check_points --------------------------------------------------------------------------------
for cid, call, names in [
    ("x NaN", lambda: fl.check_points(NAN_X, 2), "x"),
    ("x inf", lambda: fl.check_points(torch.full((2, 2), math.inf), 2), "x"),
    ("x outside the box", lambda: fl.check_points(X + 1, 2), "x"),
    ("x negative", lambda: fl.check_points(-X, 2), "x"),
    ("x wrong width", lambda: fl.check_points(torch.rand(3, 3), 2), "x"),
    ("x 1-D", lambda: fl.check_points(torch.rand(4), 2), "x"),
    ("x 3-D", lambda: fl.check_points(torch.rand(2, 2, 2), 2), "x"),
    ("x integer tensor", lambda: fl.check_points(torch.zeros(2, 2, dtype=torch.int64), 2), "x"),
    ("x a string", lambda: fl.check_points("0.5", 2), "x"),
    ("x ragged list", lambda: fl.check_points([[0.1, 0.2], [0.3]], 2), "x"),
    ("d=0", lambda: fl.check_points(torch.rand(2, 0), 0), "d"),
    ("d=-2", lambda: fl.check_points(X, -2), "d"),
    ("d=2.5", lambda: fl.check_points(X, 2.5), "d"),
]:
    add(Case(f"check_points: {cid}", call, names))
add(Case("check_points: empty (0, 2) (valid)", lambda: fl.check_points(torch.zeros(0, 2), 2), "x",
         ok=_is_shape((0, 2))))
add(Case("check_points: nested list (valid)", lambda: fl.check_points([[0.1, 0.9]], 2, dtype=F64), "x",
         ok=lambda v: v.dtype == F64 and v.shape == (1, 2)))

# -- SmoothFlow construction ---------------------------------------------------------------------
SF = fl.SmoothFlow
for cid, call, names in [
    ("domains a string", lambda: SF("circle"), "domains"),
    ("domains empty", lambda: SF([]), "domains"),
    ("domains unknown", lambda: SF(["sphere"]), "domains"),
    ("domains typo", lambda: SF(["circel", "interval"]), "domains"),
    ("domains None", lambda: SF(None), "domains"),
    ("layers=0", lambda: SF(["circle", "interval"], layers=0), "layers"),
    ("layers=-2", lambda: SF(["circle", "interval"], layers=-2), "layers"),
    ("layers=2.5", lambda: SF(["circle", "interval"], layers=2.5), "layers"),
    ("components=0", lambda: SF(["circle", "interval"], components=0), "components"),
    ("components=-3", lambda: SF(["circle", "interval"], components=-3), "components"),
    ("components=2.5", lambda: SF(["circle", "interval"], components=2.5), "components"),
    ("components=0 (spline)", lambda: SF(["circle", "interval"], components=0, transformer="spline"), "components"),
    ("hidden=(0,)", lambda: SF(["circle", "interval"], hidden=(0,)), "hidden"),
    ("hidden=(-4,)", lambda: SF(["circle", "interval"], hidden=(-4,)), "hidden"),
    ("hidden='64'", lambda: SF(["circle", "interval"], hidden="64"), "hidden"),
    ("hidden=(8.5,)", lambda: SF(["circle", "interval"], hidden=(8.5,)), "hidden"),
    ("transformer unknown", lambda: SF(["circle"], transformer="affine"), "transformer"),
    ("transformer typo", lambda: SF(["circle"], transformer="smoth"), "transformer"),
    ("beta=0", lambda: SF(["circle"], beta=0.0), "beta"),
    ("beta=-1", lambda: SF(["circle"], beta=-1.0), "beta"),
    ("beta=inf", lambda: SF(["circle"], beta=math.inf), "beta"),
    ("beta=nan", lambda: SF(["circle"], beta=math.nan), "beta"),
    ("beta typo of 'trainable'", lambda: SF(["circle"], beta="trainble"), "beta"),
    ("tol=0", lambda: SF(["circle"], tol=0.0), "tol"),
    ("tol=-1", lambda: SF(["circle"], tol=-1.0), "tol"),
    ("tol=nan", lambda: SF(["circle"], tol=math.nan), "tol"),
    ("max_iter=0", lambda: SF(["circle"], max_iter=0), "max_iter"),
    ("max_iter=2.5", lambda: SF(["circle"], max_iter=2.5), "max_iter"),
    ("couplings overlap", lambda: SF(["circle", "interval"], couplings=[([0], [0])]), "couplings"),
    ("couplings index out of range", lambda: SF(["circle", "interval"], couplings=[([5], [])]), "couplings"),
    ("couplings float index", lambda: SF(["circle", "interval"], couplings=[([0.5], [1])]), "couplings"),
    ("couplings empty list", lambda: SF(["circle", "interval"], couplings=[]), "couplings"),
    ("couplings no transformed index", lambda: SF(["circle", "interval"], couplings=[([], [0, 1])]), "couplings"),
    ("couplings negative index", lambda: SF(["circle", "interval"], couplings=[([-1], [0])]), "couplings"),
    ("couplings not pairs", lambda: SF(["circle", "interval"], couplings=[[0, 1, 2]]), "couplings"),
    ("dtype integer", lambda: SF(["circle"], dtype=torch.int64), "dtype"),
    ("dtype a string", lambda: SF(["circle"], dtype="float64"), "dtype"),
]:
    add(Case(f"SmoothFlow: {cid}", call, names))

# -- SmoothFlow methods --------------------------------------------------------------------------
for label, flow in (("SmoothFlow", FLOW), ("SmoothFlow[spline]", SPLINE)):
    for cid, call, names in [
        ("log_prob x NaN", lambda f=flow: f.log_prob(NAN_X), "x"),
        ("log_prob x inf", lambda f=flow: f.log_prob(torch.full((1, 2), math.inf, dtype=F64)), "x"),
        ("log_prob x outside the box", lambda f=flow: f.log_prob(X + 0.5), "x"),
        ("log_prob x wrong width", lambda f=flow: f.log_prob(torch.rand(3, 3, dtype=F64)), "x"),
        ("log_prob x 1-D", lambda f=flow: f.log_prob(torch.rand(2, dtype=F64)), "x"),
        ("log_prob x a string", lambda f=flow: f.log_prob("x"), "x"),
        ("energy x NaN", lambda f=flow: f.energy(NAN_X), "x"),
        ("force x NaN", lambda f=flow: f.force(NAN_X), "x"),
        ("force x outside the box", lambda f=flow: f.force(X - 1), "x"),
        ("forward x NaN", lambda f=flow: f(NAN_X), "x"),
        ("inverse z NaN", lambda f=flow: f.inverse(NAN_X), "z"),
        ("inverse z outside [0, 1]", lambda f=flow: f.inverse(X + 2), "z"),
        ("inverse z wrong width", lambda f=flow: f.inverse(torch.rand(2, 5, dtype=F64)), "z"),
        ("sample n=-1", lambda f=flow: f.sample(-1), "n"),
        ("sample n=2.5", lambda f=flow: f.sample(2.5), "n"),
        ("sample n='3'", lambda f=flow: f.sample("3"), "n"),
        ("sample n=True", lambda f=flow: f.sample(True), "n"),
        ("sample n=10**10 (149 GiB)", lambda f=flow: f.sample(10**10), "n"),
        ("sample generator a seed", lambda f=flow: f.sample(2, generator=3), "generator"),
        ("sample_and_log_prob n=-5", lambda f=flow: f.sample_and_log_prob(-5), "n"),
        ("sample_and_log_prob n=10**11", lambda f=flow: f.sample_and_log_prob(10**11), "n"),
    ]:
        add(Case(f"{label}.{cid}", call, names))
    add(Case(f"{label}.log_prob: empty batch (valid)", lambda f=flow: f.log_prob(torch.zeros(0, 2, dtype=F64)),
             "x", ok=_is_shape((0,))))
    add(Case(f"{label}.sample: n=0 (valid)", lambda f=flow: f.sample(0), "n", ok=_is_shape((0, 2))))
    add(Case(f"{label}.log_prob: nested list (valid)", lambda f=flow: f.log_prob([[0.2, 0.7]]), "x",
             ok=lambda v: v.shape == (1,) and bool(torch.isfinite(v).all())))

# -- CouplingLayer -------------------------------------------------------------------------------
CL = fl.CouplingLayer
for cid, call, names in [
    ("domains unknown", lambda: CL(["sphere", "circle"], [0], [1]), "domains"),
    ("domains a string", lambda: CL("circle", [0], []), "domains"),
    ("transformed float indices", lambda: CL(["circle", "circle"], [0.7], [1]), "transformed"),
    ("transformed empty", lambda: CL(["circle", "circle"], [], [1]), "transformed"),
    ("transformed out of range", lambda: CL(["circle", "circle"], [3], [1]), "transformed"),
    ("transformed duplicated", lambda: CL(["circle", "circle"], [0, 0], [1]), "transformed"),
    ("conditioning overlaps transformed", lambda: CL(["circle", "circle"], [0], [0]), "conditioning"),
    ("conditioning float index", lambda: CL(["circle", "circle"], [0], [1.0001]), "conditioning"),
    ("conditioning out of range", lambda: CL(["circle", "circle"], [0], [-1]), "conditioning"),
    ("transformer unknown", lambda: CL(["circle", "circle"], [0], [1], transformer="affine"), "transformer"),
    ("components=0", lambda: CL(["circle", "circle"], [0], [1], components=0), "components"),
    ("hidden=(0,)", lambda: CL(["circle", "circle"], [0], [1], hidden=(0,)), "hidden"),
    ("forward x wrong width", lambda: CL(["circle", "circle"], [0], [1]).forward(torch.rand(3, 5)), "x"),
    ("forward x 1-D", lambda: CL(["circle", "circle"], [0], [1]).forward(torch.rand(3)), "x"),
    ("forward x NaN", lambda: CL(["circle", "circle"], [0], [1]).forward(torch.full((2, 2), math.nan)), "x"),
    ("inverse z outside [0, 1]", lambda: CL(["circle", "circle"], [0], [1]).inverse(torch.full((2, 2), 3.0)), "z"),
]:
    add(Case(f"CouplingLayer: {cid}", call, names))

# -- Conditioner / embed -------------------------------------------------------------------------
CD = fl.Conditioner
for cid, call, names in [
    ("domains_in unknown", lambda: CD(["sphere"], 4), "domains_in"),
    ("domains_in a string", lambda: CD("circle", 4), "domains_in"),
    ("out_features=0", lambda: CD(["circle"], 0), "out_features"),
    ("out_features=-1", lambda: CD(["circle"], -1), "out_features"),
    ("out_features=2.5", lambda: CD(["circle"], 2.5), "out_features"),
    ("hidden=(0,)", lambda: CD(["circle"], 4, (0,)), "hidden"),
    ("hidden=(-1, 4)", lambda: CD(["circle"], 4, (-1, 4)), "hidden"),
    ("forward x_cond wrong width", lambda: CD(["circle", "interval"], 4)(torch.rand(3, 5)), "x_cond"),
    ("forward x_cond 1-D", lambda: CD(["circle"], 4)(torch.rand(3)), "x_cond"),
    ("forward x_cond NaN", lambda: CD(["circle"], 4)(torch.full((2, 1), math.nan)), "x_cond"),
    ("embed x 1-D", lambda: fl.embed(torch.rand(3), torch.tensor([True])), "x"),
    ("embed periodic wrong length", lambda: fl.embed(torch.rand(3, 2), torch.tensor([True])), "periodic"),
    ("embed periodic not boolean", lambda: fl.embed(torch.rand(3, 2), torch.tensor([1.0, 0.0])), "periodic"),
    ("embed x NaN", lambda: fl.embed(torch.full((1, 1), math.nan), torch.tensor([True])), "x"),
]:
    add(Case(f"Conditioner: {cid}" if not cid.startswith("embed") else f"embed: {cid[6:]}", call, names))
add(Case("Conditioner: no conditioning inputs (valid constant)", lambda: CD([], 3)(torch.zeros(2, 0)), "x_cond",
         ok=_is_shape((2, 3))))

# -- SmoothMixtureTransformer --------------------------------------------------------------------
SMT = fl.SmoothMixtureTransformer
for cid, call, names in [
    ("domain unknown", lambda: SMT("sphere", 1), "domain"),
    ("dims=0", lambda: SMT("circle", 0), "dims"),
    ("dims=-1", lambda: SMT("circle", -1), "dims"),
    ("dims=1.5", lambda: SMT("circle", 1.5), "dims"),
    ("components=0", lambda: SMT("circle", 1, 0), "components"),
    ("components=2.5", lambda: SMT("circle", 1, 2.5), "components"),
    ("beta=inf", lambda: SMT("circle", 1, beta=math.inf), "beta"),
    ("beta=nan", lambda: SMT("circle", 1, beta=math.nan), "beta"),
    ("beta=-1", lambda: SMT("circle", 1, beta=-1.0), "beta"),
    ("beta typo", lambda: SMT("circle", 1, beta="trainble"), "beta"),
    ("c_min=-3", lambda: SMT("interval", 1, c_min=-3.0), "c_min"),
    ("c_min=0", lambda: SMT("interval", 1, c_min=0.0), "c_min"),
    ("c_min=1", lambda: SMT("interval", 1, c_min=1.0), "c_min"),
    ("c_min=nan", lambda: SMT("interval", 1, c_min=math.nan), "c_min"),
    ("alpha_range=(-1, 1)", lambda: SMT("interval", 1, alpha_range=(-1.0, 1.0)), "alpha_range"),
    ("alpha_range reversed", lambda: SMT("interval", 1, alpha_range=(5.0, 2.0)), "alpha_range"),
    ("alpha_range one number", lambda: SMT("interval", 1, alpha_range=(2.0,)), "alpha_range"),
    ("alpha_range (0, 5)", lambda: SMT("interval", 1, alpha_range=(0.0, 5.0)), "alpha_range"),
    ("alpha_range with inf", lambda: SMT("interval", 1, alpha_range=(1.0, math.inf)), "alpha_range"),
    ("s_min=0.5 on a circle", lambda: SMT("circle", 1, s_min=0.5), "s_min"),
    ("s_min=0 on an interval", lambda: SMT("interval", 1, s_min=0.0), "s_min"),
    ("s_min=nan", lambda: SMT("interval", 1, s_min=math.nan), "s_min"),
    ("tol=-1", lambda: SMT("interval", 1, tol=-1.0), "tol"),
    ("max_iter=0", lambda: SMT("interval", 1, max_iter=0), "max_iter"),
    ("forward raw wrong last size", lambda: SMOOTH_TR(X_TR, torch.zeros(2, 1, 3)), "raw"),
    ("forward x and raw batch mismatch", lambda: SMOOTH_TR(torch.rand(3, 1), RAW_S), "raw"),
    ("forward x NaN", lambda: SMOOTH_TR(torch.full((2, 1), math.nan), RAW_S), "x"),
    ("forward raw NaN", lambda: SMOOTH_TR(X_TR, torch.full_like(RAW_S, math.nan)), "raw"),
    ("forward x wrong dims", lambda: SMOOTH_TR(torch.rand(2, 3), torch.zeros(2, 3, 15)), "x"),
    ("inverse y outside [0, 1]", lambda: SMOOTH_TR.inverse(X_TR + 1.5, RAW_S), "y"),
    ("inverse y NaN", lambda: SMOOTH_TR.inverse(torch.full((2, 1), math.nan), RAW_S), "y"),
    ("prepare raw wrong last size", lambda: SMOOTH_TR.prepare(torch.zeros(2, 1, 4)), "raw"),
]:
    add(Case(f"SmoothMixtureTransformer: {cid}", call, names))
add(Case("SmoothMixtureTransformer: F(0) = 0 and F(1) = 1 (valid)",
         lambda: SMOOTH_TR(torch.tensor([[0.0], [1.0]]), RAW_S), "x",
         ok=lambda v: bool(torch.allclose(v[0], torch.tensor([[0.0], [1.0]]), atol=1e-6))))

# -- RQSplineTransformer -------------------------------------------------------------------------
RQ = fl.RQSplineTransformer
for cid, call, names in [
    ("domain unknown", lambda: RQ("sphere", 1), "domain"),
    ("dims=0", lambda: RQ("interval", 0), "dims"),
    ("bins=0", lambda: RQ("interval", 1, 0), "bins"),
    ("bins=2.5", lambda: RQ("interval", 1, 2.5), "bins"),
    ("min_bin*bins > 1", lambda: RQ("interval", 1, 8, min_bin=0.5), "min_bin"),
    ("min_bin=-0.1", lambda: RQ("interval", 1, 8, min_bin=-0.1), "min_bin"),
    ("min_bin=nan", lambda: RQ("interval", 1, 8, min_bin=math.nan), "min_bin"),
    ("min_derivative=-1", lambda: RQ("interval", 1, 8, min_derivative=-1.0), "min_derivative"),
    ("min_derivative=1 (no room above)", lambda: RQ("interval", 1, 8, min_derivative=1.0), "min_derivative"),
    ("min_derivative=nan", lambda: RQ("interval", 1, 8, min_derivative=math.nan), "min_derivative"),
    ("forward raw wrong last size", lambda: RQ_TR(X_TR, torch.zeros(2, 1, 4)), "raw"),
    ("forward x NaN", lambda: RQ_TR(torch.full((2, 1), math.nan), RAW_R), "x"),
    ("forward x outside [0, 1]", lambda: RQ_TR(X_TR + 3, RAW_R), "x"),
    ("inverse y outside [0, 1]", lambda: RQ_TR.inverse(X_TR - 2, RAW_R), "y"),
    ("forward raw inf", lambda: RQ_TR(X_TR, torch.full_like(RAW_R, math.inf)), "raw"),
]:
    add(Case(f"RQSplineTransformer: {cid}", call, names))
add(Case("RQSplineTransformer: zero raw is the identity (valid)", lambda: RQ_TR(X_TR, RAW_R), "x",
         ok=lambda v: bool(torch.allclose(v[0], X_TR, atol=1e-6))))

# -- evaluate_rq_spline --------------------------------------------------------------------------
XK = torch.tensor([[0.0, 0.5, 1.0]], dtype=F64)
DK = torch.ones(1, 3, dtype=F64)
X1 = torch.tensor([0.3], dtype=F64)
ERQ = fl.evaluate_rq_spline
for cid, call, names in [
    ("non-monotone knots xk", lambda: ERQ(X1, torch.tensor([[0.0, 0.8, 0.6, 1.0]], dtype=F64),
                                          torch.tensor([[0.0, 0.3, 0.6, 1.0]], dtype=F64),
                                          torch.ones(1, 4, dtype=F64)), "xk"),
    ("non-monotone knots yk", lambda: ERQ(X1, XK, torch.tensor([[0.0, 0.9, 0.7]], dtype=F64), DK), "yk"),
    ("negative derivatives dk", lambda: ERQ(X1, XK, XK, torch.tensor([[1.0, -1.0, 1.0]], dtype=F64)), "dk"),
    ("zero derivative dk", lambda: ERQ(X1, XK, XK, torch.tensor([[1.0, 0.0, 1.0]], dtype=F64)), "dk"),
    ("knots not from 0 to 1", lambda: ERQ(X1, XK * 2, XK, DK), "xk"),
    ("yk shape differs from xk", lambda: ERQ(X1, XK, torch.tensor([[0.0, 1.0]], dtype=F64), DK), "yk"),
    ("dk shape differs from xk", lambda: ERQ(X1, XK, XK, torch.ones(1, 2, dtype=F64)), "dk"),
    ("x NaN", lambda: ERQ(torch.tensor([math.nan], dtype=F64), XK, XK, DK), "x"),
    ("x outside [0, 1]", lambda: ERQ(torch.tensor([1.5], dtype=F64), XK, XK, DK), "x"),
    ("knots NaN", lambda: ERQ(X1, torch.tensor([[0.0, math.nan, 1.0]], dtype=F64), XK, DK), "xk"),
    ("x batch differs from knots", lambda: ERQ(torch.rand(3, dtype=F64), XK.expand(2, 3), XK.expand(2, 3),
                                               DK.expand(2, 3)), "x"),
    ("inverse y outside [0, 1]", lambda: ERQ(torch.tensor([-0.5], dtype=F64), XK, XK, DK, inverse=True), "x"),
]:
    add(Case(f"evaluate_rq_spline: {cid}", call, names))
add(Case("evaluate_rq_spline: identity knots (valid)", lambda: ERQ(X1, XK, XK, DK), "x",
         ok=lambda v: abs(float(v[0]) - 0.3) < 1e-12 and abs(float(v[1])) < 1e-12))

# -- evaluate_smooth_interval / evaluate_smooth_circle ---------------------------------------------
SMT_I = fl.SmoothMixtureTransformer("interval", 1, 2).double()
PI = SMT_I.prepare(torch.zeros(2, 1, SMT_I.params_per_dim, dtype=F64))
SMT_C = fl.SmoothMixtureTransformer("circle", 1, 2).double()
PC = SMT_C.prepare(torch.zeros(2, 1, SMT_C.params_per_dim, dtype=F64))
XI = torch.tensor([[0.2], [0.7]], dtype=F64)


def _with(params, i, value):
    out = list(params)
    out[i] = torch.full_like(out[i], value)
    return out


EVI, EVC = fl.evaluate_smooth_interval, fl.evaluate_smooth_circle
for cid, call, names in [
    ("interval x NaN", lambda: EVI(torch.full((2, 1), math.nan, dtype=F64), *PI), "x"),
    ("interval x inf", lambda: EVI(torch.full((2, 1), math.inf, dtype=F64), *PI), "x"),
    ("interval log_w NaN", lambda: EVI(XI, *_with(PI, 0, math.nan)), "log_w"),
    ("interval s=0", lambda: EVI(XI, *_with(PI, 2, 0.0)), "s"),
    ("interval s negative", lambda: EVI(XI, *_with(PI, 2, -1.0)), "s"),
    ("interval alpha=0", lambda: EVI(XI, *_with(PI, 3, 0.0)), "alpha"),
    ("interval c=1", lambda: EVI(XI, *_with(PI, 4, 1.0)), "c"),
    ("interval c negative", lambda: EVI(XI, *_with(PI, 4, -0.1)), "c"),
    ("interval beta=0", lambda: EVI(XI, *PI, beta=0.0), "beta"),
    ("interval parameters of different K", lambda: EVI(XI, PI[0][..., :1], *PI[1:]), "log_w"),
    ("interval x shape differs from parameters", lambda: EVI(torch.rand(5, 1, dtype=F64), *PI), "x"),
    ("circle x NaN", lambda: EVC(torch.full((2, 1), math.nan, dtype=F64), *PC), "x"),
    ("circle s < 1", lambda: EVC(XI, *_with(PC, 2, 0.5)), "s"),
    ("circle alpha negative", lambda: EVC(XI, *_with(PC, 3, -2.0)), "alpha"),
    ("circle c NaN", lambda: EVC(XI, *_with(PC, 4, math.nan)), "c"),
    ("circle beta=-1", lambda: EVC(XI, *PC, beta=-1.0), "beta"),
    ("circle too few parameters", lambda: EVC(XI, *PC[:4]), "lift0"),
]:
    add(Case(f"evaluate_smooth_{cid.split()[0]}: {cid.split(' ', 1)[1]}", call, names))
add(Case("evaluate_smooth_interval: F(0) = 0 and F(1) = 1 (valid)",
         lambda: EVI(torch.tensor([[0.0], [1.0]], dtype=F64), *PI), "x",
         ok=lambda v: bool(torch.allclose(v[0], torch.tensor([[0.0], [1.0]], dtype=F64), atol=1e-12))))

# -- ramps ---------------------------------------------------------------------------------------
U = torch.tensor([0.2, 0.5, 0.8], dtype=F64)
for fname in ("smooth_ramp", "smooth_sigmoid", "smooth_sigmoid_and_log_derivative"):
    fn = getattr(fl, fname)
    for cid, call, names in [
        ("alpha=-1", lambda f=fn: f(U, -1.0), "alpha"),
        ("alpha=0", lambda f=fn: f(U, 0.0), "alpha"),
        ("alpha=nan", lambda f=fn: f(U, math.nan), "alpha"),
        ("alpha=inf", lambda f=fn: f(U, math.inf), "alpha"),
        ("alpha tensor with a negative entry", lambda f=fn: f(U, torch.tensor([1.0, -1.0, 1.0], dtype=F64)), "alpha"),
        ("beta=-1", lambda f=fn: f(U, 1.0, -1.0), "beta"),
        ("beta=0", lambda f=fn: f(U, 1.0, 0.0), "beta"),
        ("beta=nan", lambda f=fn: f(U, 1.0, math.nan), "beta"),
        ("u NaN", lambda f=fn: f(torch.tensor([math.nan], dtype=F64)), "u"),
        ("u integer tensor", lambda f=fn: f(torch.tensor([0, 1])), "u"),
        ("u a string", lambda f=fn: f("0.5"), "u"),
        ("alpha a string", lambda f=fn: f(U, "1"), "alpha"),
    ]:
        add(Case(f"{fname}: {cid}", call, names))
add(Case("smooth_ramp: closed form exp(α(1 − u^−β)) (valid)", lambda: fl.smooth_ramp(U, 2.0, 1.0), "u",
         ok=lambda v: bool(torch.allclose(v, torch.exp(2.0 * (1 - 1 / U)), rtol=1e-12))))
add(Case("smooth_sigmoid: a list (valid)", lambda: fl.smooth_sigmoid([0.0, 0.5, 1.0]), "u",
         ok=lambda v: [round(float(t), 12) for t in v] == [0.0, 0.5, 1.0]))
add(Case("smooth_sigmoid: u outside [0, 1] is 0 or 1 (valid)", lambda: fl.smooth_sigmoid(torch.tensor([-1.0, 2.0])),
         "u", ok=lambda v: v.tolist() == [0.0, 1.0]))

# -- inverse: default_tolerance / solve_monotone / implicit_inverse ---------------------------------
for cid, call, names in [
    ("dtype a string", lambda: fl.default_tolerance("float64"), "dtype"),
    ("dtype integer", lambda: fl.default_tolerance(torch.int64), "dtype"),
    ("dtype None", lambda: fl.default_tolerance(None), "dtype"),
    ("dtype numpy", lambda: fl.default_tolerance(np.float64), "dtype"),
]:
    add(Case(f"default_tolerance: {cid}", call, names))
add(Case("default_tolerance: float64 (valid)", lambda: fl.default_tolerance(F64), "dtype", ok=lambda v: v == 1e-10))
add(Case("default_tolerance: float32 (valid)", lambda: fl.default_tolerance(torch.float32), "dtype",
         ok=lambda v: v == 1e-6))

ROOT = (fl.RootFindingError, *ACCEPTED)
SM = fl.solve_monotone
for cid, call, names in [
    ("y=2 outside F([0, 1])", lambda: SM(identity_evaluate, torch.tensor([2.0], dtype=F64), P1), "y"),
    ("y=-1 outside F([0, 1])", lambda: SM(identity_evaluate, torch.tensor([-1.0], dtype=F64), P1), "y"),
    ("evaluate returns NaN", lambda: SM(nan_evaluate, Y1, P1), "evaluate"),
    ("bounds reversed", lambda: SM(identity_evaluate, Y1, P1, bounds=(1.0, 0.0)), "bounds"),
    ("bounds equal", lambda: SM(identity_evaluate, Y1, P1, bounds=(0.5, 0.5)), "bounds"),
    ("bounds NaN", lambda: SM(identity_evaluate, Y1, P1, bounds=(math.nan, 1.0)), "bounds"),
    ("bounds one number", lambda: SM(identity_evaluate, Y1, P1, bounds=(0.0,)), "bounds"),
    ("non-monotone F (1 − x)", lambda: SM(decreasing_evaluate, Y1, P1), "evaluate"),
    ("y NaN", lambda: SM(identity_evaluate, torch.tensor([math.nan], dtype=F64), P1), "y"),
    ("y integer tensor", lambda: SM(identity_evaluate, torch.tensor([0]), P1), "y"),
    ("y not a tensor", lambda: SM(identity_evaluate, 0.3, P1), "y"),
    ("tol=0", lambda: SM(identity_evaluate, Y1, P1, tol=0.0), "tol"),
    ("tol=-1", lambda: SM(identity_evaluate, Y1, P1, tol=-1.0), "tol"),
    ("max_iter=0", lambda: SM(identity_evaluate, Y1, P1, max_iter=0), "max_iter"),
    ("max_iter=2.5", lambda: SM(identity_evaluate, Y1, P1, max_iter=2.5), "max_iter"),
    ("evaluate not callable", lambda: SM(None, Y1, P1), "evaluate"),
    ("evaluate returns one tensor", lambda: SM(lambda x, *p: x, Y1, P1), "evaluate"),
    ("params not broadcastable to y", lambda: SM(identity_evaluate, Y1, (torch.zeros(3, 1, dtype=F64),)), "params"),
]:
    add(Case(f"solve_monotone: {cid}", call, names, raises=ROOT))
add(Case("solve_monotone: identity, y=0.3 (valid)", lambda: SM(identity_evaluate, Y1, P1), "y",
         ok=lambda v: abs(float(v[0][0]) - 0.3) < 1e-12))
add(Case("solve_monotone: y at the bound F(1) = 1 (valid)",
         lambda: SM(identity_evaluate, torch.tensor([1.0], dtype=F64), P1), "y",
         ok=lambda v: float(v[0][0]) == 1.0))

II = fl.implicit_inverse
for cid, call, names in [
    ("y=-5 outside [0, 1]", lambda: II(identity_evaluate, torch.tensor([-5.0], dtype=F64), P1), "y"),
    ("y=3 outside [0, 1]", lambda: II(identity_evaluate, torch.tensor([3.0], dtype=F64), P1), "y"),
    ("y NaN", lambda: II(identity_evaluate, torch.tensor([math.nan], dtype=F64), P1), "y"),
    ("bounds reversed", lambda: II(identity_evaluate, Y1, P1, bounds=(1.0, 0.0)), "bounds"),
    ("non-monotone F", lambda: II(decreasing_evaluate, Y1, P1), "evaluate"),
    ("solver not callable", lambda: II(identity_evaluate, Y1, P1, solver=3), "solver"),
]:
    add(Case(f"implicit_inverse: {cid}", call, names, raises=ROOT))

# -- TorusDensity --------------------------------------------------------------------------------
TD = fl.TorusDensity
for cid, call, names in [
    ("weights NaN", lambda: TD(weights=(1.0, math.nan), centers=(1.0, 2.0)), "weights"),
    ("weights negative", lambda: TD(weights=(1.0, -1.0), centers=(1.0, 2.0)), "weights"),
    ("weights empty", lambda: TD(weights=(), centers=()), "weights"),
    ("weights 2-D", lambda: TD(weights=[[1.0]], centers=[[1.0]]), "weights"),
    ("centers NaN", lambda: TD(weights=(1.0, 1.0), centers=(1.0, math.nan)), "centers"),
    ("centers inf", lambda: TD(weights=(1.0,), centers=(math.inf,)), "centers"),
    ("centers length differs", lambda: TD(weights=(1.0, 1.0), centers=(1.0,)), "centers"),
    ("centers a string", lambda: TD(weights=(1.0,), centers="1"), "centers"),
    ("width=0", lambda: TD(width=0.0), "width"),
    ("width=-1", lambda: TD(width=-1.0), "width"),
    ("width=nan", lambda: TD(width=math.nan), "width"),
    ("log_prob x NaN", lambda: TORUS.log_prob(NAN_X), "x"),
    ("log_prob x (n, 3)", lambda: TORUS.log_prob(torch.rand(4, 3, dtype=F64)), "x"),
    ("log_prob x outside the box", lambda: TORUS.log_prob(X + 1.5), "x"),
    ("log_prob x 1-D", lambda: TORUS.log_prob(torch.rand(2, dtype=F64)), "x"),
    ("unnormalized_log_prob x (n, 3)", lambda: TORUS.unnormalized_log_prob(torch.rand(3, 3, dtype=F64)), "x"),
    ("unnormalized_log_prob x NaN", lambda: TORUS.unnormalized_log_prob(NAN_X), "x"),
    ("energy x NaN", lambda: TORUS.energy(NAN_X), "x"),
    ("force x NaN", lambda: TORUS.force(NAN_X), "x"),
    ("force x (n, 1)", lambda: TORUS.force(torch.rand(3, 1, dtype=F64)), "x"),
    ("log_z grid=0", lambda: TD().log_z(grid=0), "grid"),
    ("log_z grid=-4", lambda: TD().log_z(grid=-4), "grid"),
    ("log_z grid=2.5", lambda: TD().log_z(grid=2.5), "grid"),
    ("log_z grid=10**6", lambda: TD().log_z(grid=10**6), "grid"),
    ("sample n=10**10", lambda: TORUS.sample(10**10, seed=0), "n"),
    ("sample n=0", lambda: TORUS.sample(0, seed=0), "n"),
    ("sample n=-1", lambda: TORUS.sample(-1, seed=0), "n"),
    ("sample n=2.5", lambda: TORUS.sample(2.5, seed=0), "n"),
    ("sample steps=-1", lambda: TORUS.sample(4, seed=0, steps=-1), "steps"),
    ("sample steps=1.5", lambda: TORUS.sample(4, seed=0, steps=1.5), "steps"),
    ("sample step_size=0", lambda: TORUS.sample(4, seed=0, step_size=0.0), "step_size"),
    ("sample step_size=nan", lambda: TORUS.sample(4, seed=0, step_size=math.nan), "step_size"),
    ("sample grid=0", lambda: TORUS.sample(4, seed=0, grid=0), "grid"),
    ("sample grid=10**6 (10^12 cells)", lambda: TORUS.sample(4, seed=0, grid=10**6), "grid"),
    ("sample seed a string", lambda: TORUS.sample(4, seed="a"), "seed"),
    ("sample seed=-1", lambda: TORUS.sample(4, seed=-1), "seed"),
    ("sample seed=1.5", lambda: TORUS.sample(4, seed=1.5), "seed"),
]:
    add(Case(f"TorusDensity: {cid}", call, names))
add(Case("TorusDensity.unnormalized_log_prob: finite at the corners (valid)",
         lambda: TORUS.unnormalized_log_prob(torch.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=F64)), "x",
         ok=lambda v: bool(torch.isfinite(v).all()) and abs(float(v[0] - v[1])) < 1e-12))

# -- run_torus_experiment ------------------------------------------------------------------------
TORUS_KW = dict(domain="circle", transformer="smooth", w_fm=0.0, n_train=40, n_test=20, layers=1, components=2,
                hidden=(4,), epochs=1, batch_size=20, lr=1e-3, metropolis_steps=2, density_grid=8, force_grid=4,
                kl_grid=8)


def _torus(**kw):
    args = dict(TORUS_KW)
    args.update(kw)
    return fl.run_torus_experiment(**args)


for cid, kw, names in [
    ("domain unknown", dict(domain="sphere"), "domain"),
    ("transformer unknown", dict(transformer="affine"), "transformer"),
    ("w_fm=-1", dict(w_fm=-1.0), "w_fm"),
    ("w_fm=nan", dict(w_fm=math.nan), "w_fm"),
    ("n_train=0", dict(n_train=0), "n_train"),
    ("n_test=-5", dict(n_test=-5), "n_test"),
    ("n_train=10**10", dict(n_train=10**10), "n_train"),
    ("epochs=-1", dict(epochs=-1), "epochs"),
    ("batch_size=0", dict(batch_size=0), "batch_size"),
    ("lr=0", dict(lr=0.0), "lr"),
    ("layers=0", dict(layers=0), "layers"),
    ("components=0", dict(components=0), "components"),
    ("density_grid=0", dict(density_grid=0), "density_grid"),
    ("force_grid=-1", dict(force_grid=-1), "force_grid"),
    ("kl_grid=0", dict(kl_grid=0), "kl_grid"),
    ("metropolis_steps=-1", dict(metropolis_steps=-1), "metropolis_steps"),
    ("seed=-1", dict(seed=-1), "seed"),
    ("dtype a string", dict(dtype="float32"), "dtype"),
]:
    add(Case(f"run_torus_experiment: {cid}", lambda kw=kw: _torus(**kw), names, timeout=30))

# -- losses --------------------------------------------------------------------------------------
F_OK = torch.zeros(6, 2, dtype=F64)
for cid, call, names in [
    ("nll_loss x outside [0, 1]", lambda: fl.nll_loss(FLOW, X + 2), "x"),
    ("nll_loss x NaN", lambda: fl.nll_loss(FLOW, NAN_X), "x"),
    ("nll_loss x empty", lambda: fl.nll_loss(FLOW, torch.zeros(0, 2, dtype=F64)), "x"),
    ("nll_loss model without log_prob", lambda: fl.nll_loss(object(), X), "model"),
    ("force_matching_loss forces (1, 2) broadcast against x (6, 2)",
     lambda: fl.force_matching_loss(FLOW, X, torch.ones(1, 2, dtype=F64)), "forces"),
    ("force_matching_loss forces NaN", lambda: fl.force_matching_loss(FLOW, X, torch.full_like(X, math.nan)), "forces"),
    ("force_matching_loss forces (6, 3)", lambda: fl.force_matching_loss(FLOW, X, torch.zeros(6, 3, dtype=F64)),
     "forces"),
    ("force_matching_loss forces (6,)", lambda: fl.force_matching_loss(FLOW, X, torch.zeros(6, dtype=F64)), "forces"),
    ("force_matching_loss x NaN", lambda: fl.force_matching_loss(FLOW, NAN_X, F_OK), "x"),
    ("force_matching_loss x empty", lambda: fl.force_matching_loss(FLOW, X[:0], F_OK[:0]), "x"),
    ("force_matching_loss forces a string", lambda: fl.force_matching_loss(FLOW, X, "0"), "forces"),
    ("nll_and_force_matching_loss forces broadcast",
     lambda: fl.nll_and_force_matching_loss(FLOW, X, torch.ones(1, 2, dtype=F64)), "forces"),
    ("nll_and_force_matching_loss x outside the box",
     lambda: fl.nll_and_force_matching_loss(FLOW, X + 1.5, F_OK), "x"),
    ("reverse_kl_loss energy_fn returning NaN",
     lambda: fl.reverse_kl_loss(FLOW, lambda v: torch.full((v.shape[0],), math.nan, dtype=F64), 4), "energy_fn"),
    ("reverse_kl_loss energy_fn returning a scalar", lambda: fl.reverse_kl_loss(FLOW, lambda v: v.sum(), 4),
     "energy_fn"),
    ("reverse_kl_loss energy_fn returning (n, 2)", lambda: fl.reverse_kl_loss(FLOW, lambda v: v, 4), "energy_fn"),
    ("reverse_kl_loss energy_fn not callable", lambda: fl.reverse_kl_loss(FLOW, 3.0, 4), "energy_fn"),
    ("reverse_kl_loss n=0", lambda: fl.reverse_kl_loss(FLOW, lambda v: v[:, 0], 0), "n"),
    ("reverse_kl_loss n=-1", lambda: fl.reverse_kl_loss(FLOW, lambda v: v[:, 0], -1), "n"),
    ("reverse_kl_loss n=2.5", lambda: fl.reverse_kl_loss(FLOW, lambda v: v[:, 0], 2.5), "n"),
    ("reverse_kl_loss model without sample_and_log_prob",
     lambda: fl.reverse_kl_loss(object(), lambda v: v[:, 0], 4), "model"),
    ("force_error forces shape differs", lambda: fl.force_error(FLOW, X, torch.zeros(5, 2, dtype=F64)), "forces"),
    ("force_error forces broadcast", lambda: fl.force_error(FLOW, X, torch.zeros(1, 2, dtype=F64)), "forces"),
    ("force_error forces NaN", lambda: fl.force_error(FLOW, X, torch.full_like(X, math.nan)), "forces"),
    ("force_error batch_size=0", lambda: fl.force_error(FLOW, X, F_OK, batch_size=0), "batch_size"),
    ("force_error batch_size=-3", lambda: fl.force_error(FLOW, X, F_OK, batch_size=-3), "batch_size"),
    ("force_error x empty", lambda: fl.force_error(FLOW, X[:0], F_OK[:0]), "x"),
    ("force_error x NaN", lambda: fl.force_error(FLOW, NAN_X, F_OK), "x"),
]:
    add(Case(f"{cid.split()[0]}: {cid.split(' ', 1)[1]}", call, names))
add(Case("force_error: own forces give 0 (valid)", lambda: fl.force_error(FLOW, X, FLOW.force(X)), "x",
         ok=lambda v: v < 1e-24))
add(Case("force_matching_loss: mean over samples and components (valid)",
         lambda: fl.force_matching_loss(FLOW, X, FLOW.force(X) + 2.0), "forces",
         ok=lambda v: abs(float(v) - 4.0) < 1e-10))

# -- train_flow ----------------------------------------------------------------------------------
for cid, kw, names in [
    ("data empty (0, 2)", dict(data=np.zeros((0, 2))), "data"),
    ("data NaN", dict(data=np.full((4, 2), np.nan)), "data"),
    ("data outside the box", dict(data=DATA + 1), "data"),
    ("data wrong width", dict(data=np.random.default_rng(0).random((5, 3))), "data"),
    ("data 1-D", dict(data=np.random.default_rng(0).random(5)), "data"),
    ("data a string", dict(data="points.npy"), "data"),
    ("clip_grad=-1", dict(clip_grad=-1.0), "clip_grad"),
    ("clip_grad=0", dict(clip_grad=0.0), "clip_grad"),
    ("clip_grad=nan", dict(clip_grad=math.nan), "clip_grad"),
    ("energy_fn returns a scalar", dict(w_kl=1.0, energy_fn=lambda v: v.sum()), "energy_fn"),
    ("energy_fn returns NaN", dict(w_kl=1.0, energy_fn=lambda v: torch.full((v.shape[0],), math.nan, dtype=F64)),
     "energy_fn"),
    ("energy_fn missing with w_kl > 0", dict(w_kl=1.0), "energy_fn"),
    ("energy_fn not callable", dict(w_kl=1.0, energy_fn="U"), "energy_fn"),
    ("epochs=-1", dict(epochs=-1), "epochs"),
    ("epochs=2.5", dict(epochs=2.5), "epochs"),
    ("epochs a string", dict(epochs="3"), "epochs"),
    ("batch_size=0", dict(batch_size=0), "batch_size"),
    ("batch_size=-1", dict(batch_size=-1), "batch_size"),
    ("batch_size=2.5", dict(batch_size=2.5), "batch_size"),
    ("lr=0", dict(lr=0.0), "lr"),
    ("lr=-1", dict(lr=-1.0), "lr"),
    ("lr=nan", dict(lr=math.nan), "lr"),
    ("lr_decay=0", dict(lr_decay=0.0), "lr_decay"),
    ("lr_decay=1.5", dict(lr_decay=1.5), "lr_decay"),
    ("lr_decay=nan", dict(lr_decay=math.nan), "lr_decay"),
    ("weight_decay=-1", dict(weight_decay=-1.0), "weight_decay"),
    ("all loss weights zero", dict(w_nll=0.0), "w_nll"),
    ("w_fm=nan", dict(w_fm=math.nan, forces=np.zeros((24, 2))), "w_fm"),
    ("w_nll=-1", dict(w_nll=-1.0), "w_nll"),
    ("kl_batch=0", dict(w_kl=1.0, energy_fn=lambda v: v[:, 0], kl_batch=0), "kl_batch"),
    ("kl_batch=-2", dict(w_kl=1.0, energy_fn=lambda v: v[:, 0], kl_batch=-2), "kl_batch"),
    ("checkpoint_every=0", dict(checkpoint_every=0, checkpoint=TMP / "every0.pt"), "checkpoint_every"),
    ("checkpoint_every=-5", dict(checkpoint_every=-5), "checkpoint_every"),
    ("forces NaN", dict(w_fm=1.0, forces=np.full((24, 2), np.nan)), "forces"),
    ("forces wrong shape", dict(w_fm=1.0, forces=np.zeros((24, 3))), "forces"),
    ("forces broadcast (1, 2)", dict(w_fm=1.0, forces=np.zeros((1, 2))), "forces"),
    ("forces missing with w_fm > 0", dict(w_fm=1.0), "forces"),
    ("seed=-1", dict(seed=-1), "seed"),
    ("seed=1.5", dict(seed=1.5), "seed"),
    ("progress a string", dict(progress="no"), "progress"),
    ("checkpoint is a directory", dict(checkpoint=TMP), "checkpoint"),
]:
    add(Case(f"train_flow: {cid}", lambda kw=kw: _train(**kw), names))
add(Case("train_flow: flow not a model", lambda: fl.train_flow(object(), DATA, epochs=1, progress=False), "flow"))
add(Case("train_flow: epochs=0 trains nothing (valid)", lambda: _train(epochs=0), "epochs",
         ok=lambda h: all(len(v) == 0 for v in h.values())))

CASES += [
    _ckpt_case("pickle whose unpickling runs code", _evil_torch, evil=True),
    _ckpt_case("plain pickle that runs code", _evil_pickle, evil=True),
    _ckpt_case("64 random bytes", _random_bytes),
    _ckpt_case("empty file", lambda name: (TMP / f"{name}.pt", (TMP / f"{name}.pt").write_bytes(b""))[0]),
    _ckpt_case("truncated checkpoint", _truncated),
    _ckpt_case("checkpoint of another model", _other_model_checkpoint),
    _ckpt_case("torch file with other keys", lambda name: _torch_file(name, {"weights": torch.zeros(3)})),
    _ckpt_case("torch file holding a list", lambda name: _torch_file(name, [1, 2, 3])),
    _ckpt_case("npz file", lambda name: (np.savez(TMP / f"{name}.npz", a=np.zeros(2)), TMP / f"{name}.npz")[1]),
    _load_case("pickle whose unpickling runs code", _evil_torch, evil=True),
    _load_case("plain pickle that runs code", _evil_pickle, evil=True),
    _load_case("random bytes", _random_bytes),
    _load_case("truncated", _truncated),
    _load_case("torch file with other keys", lambda name: _torch_file(name, {"weights": torch.zeros(3)})),
    Case("load_checkpoint: missing file", lambda: fl.load_checkpoint(TMP / "missing.pt"), "missing.pt"),
    Case("load_checkpoint: a directory", lambda: fl.load_checkpoint(TMP), "checkpoint"),
]
add(Case("load_checkpoint: a real training checkpoint (valid)", lambda: fl.load_checkpoint(_good_checkpoint()),
         "checkpoint", nan_ok=True, ok=lambda c: c["step"] == 2 and c["epoch"] == 1 and len(c["history"]["loss"]) == 2))

# -- FlowTrainer (the estimator form of the training loop) -----------------------------------------
for cid, call, names in [
    ("epochs and steps both given", lambda: fl.FlowTrainer(epochs=1, steps=2, progress=False).fit(FLOW, DATA),
     "steps"),
    ("steps=-1", lambda: fl.FlowTrainer(steps=-1, progress=False).fit(FLOW, DATA), "steps"),
    ("steps=1.5", lambda: fl.FlowTrainer(steps=1.5, progress=False).fit(FLOW, DATA), "steps"),
    ("batch_size=0", lambda: fl.FlowTrainer(batch_size=0, progress=False).fit(FLOW, DATA), "batch_size"),
    ("lr=inf", lambda: fl.FlowTrainer(lr=math.inf, progress=False).fit(FLOW, DATA), "lr"),
    ("validate_every=0", lambda: fl.FlowTrainer(steps=1, validate_every=0, progress=False).fit(
        FLOW, DATA, validation=DATA), "validate_every"),
    ("validation data NaN", lambda: fl.FlowTrainer(steps=1, progress=False).fit(
        FLOW, DATA, validation=np.full((3, 2), np.nan)), "validation"),
    ("validation data wrong width", lambda: fl.FlowTrainer(steps=1, progress=False).fit(
        FLOW, DATA, validation=np.zeros((3, 3))), "validation"),
    ("score before fit", lambda: fl.FlowTrainer().score(DATA), "fit"),
    ("score x NaN", lambda: fl.FlowTrainer(steps=1, lr=1e-9, progress=False).fit(
        fl.SmoothFlow(["circle", "interval"], layers=1, components=2, hidden=(4,), dtype=F64), DATA
    ).score(np.full((2, 2), np.nan)), "x"),
    ("unknown parameter in set_params", lambda: fl.FlowTrainer().set_params(epoch=3), "epoch"),
]:
    add(Case(f"FlowTrainer: {cid}", call, names, raises=(*ACCEPTED, RuntimeError)))

# -- save_checkpoint_atomic ----------------------------------------------------------------------
for cid, call, names in [
    ("path is a directory", lambda: fl.save_checkpoint_atomic(TMP, {"step": 1}), "path"),
    ("state holds a Python object", lambda: fl.save_checkpoint_atomic(TMP / "obj.pt", {"fn": object()}), "state"),
    ("state holds a lambda", lambda: fl.save_checkpoint_atomic(TMP / "fn.pt", {"fn": lambda: 1}), "state"),
    ("state holds a numpy array", lambda: fl.save_checkpoint_atomic(TMP / "np.pt", {"a": np.zeros(2)}), "state"),
    ("state not a dict", lambda: fl.save_checkpoint_atomic(TMP / "list.pt", [1, 2]), "state"),
]:
    add(Case(f"save_checkpoint_atomic: {cid}", call, names))
add(Case("save_checkpoint_atomic: plain data round trip (valid)",
         lambda: (fl.save_checkpoint_atomic(TMP / "plain.pt", {"a": torch.ones(2), "b": [1, 2.5, "s", None]}),
                  torch.load(TMP / "plain.pt", weights_only=True))[1], "state",
         ok=lambda d: d["b"] == [1, 2.5, "s", None] and torch.equal(d["a"], torch.ones(2))))
add(Case("pretrained_torus_results (valid; the training force loss is NaN by design where w_fm = 0)",
         lambda: fl.pretrained_torus_results(), "provenance", nan_ok=True,
         ok=lambda r: "provenance" in r and np.isfinite(r["force_mse"]).all() and int(r["n_train"]) > 0
         and np.array_equal(np.isnan(r["history_force_mse"]).all(axis=1), r["w_fm"] == 0)
         and np.isfinite(r["history_force_mse"][r["w_fm"] > 0]).all()))
