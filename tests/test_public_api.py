"""Every stable name of the design's "Public API" block exists and keeps its documented parameters.

The block is copied here as data (tests do not read the design notes).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field

import numpy as np
import pytest

REQUIRED = inspect.Parameter.empty  # documented without a default


@dataclass(frozen=True)
class Api:
    """``module.name(positional..., *, keyword=default...)``; ``methods``: name -> Api of the method
    (without ``self``); ``more``: whether the design writes ``...`` (other parameters allowed)."""

    module: str
    name: str
    positional: tuple[str, ...] = ()
    keyword: dict = field(default_factory=dict)  # name -> documented default (REQUIRED: none given)
    methods: dict = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)  # positional parameters with a documented default


def M(*positional, **keyword) -> Api:
    """A method's documented signature."""
    return Api("", "", positional, keyword)


G, PP, FL, MD = "statgen.graphical", "statgen.pointprocess", "statgen.flows", "statgen.md"

PUBLIC_API = [
    # statgen.graphical: Gaussian
    Api(G, "sk_couplings", ("n", "sigma"), {"rng": REQUIRED}),
    Api(G, "ring_couplings", ("n", "j")),
    Api(G, "band_couplings", ("n", "width", "sigma"), {"rng": REQUIRED}),
    Api(G, "spherical_mu", ("eigenvalues",)),
    Api(G, "map_l2", ("C", "gamma", "alpha")),
    Api(G, "l2_path", ("C", "gammas", "alpha"), {"C_true": None}),
    Api(G, "predicted_gamma", ("J_true",)),
    Api(G, "map_l1", ("C", "lam")),
    # statgen.graphical: Potts
    Api(G, "PottsModel", ("h", "J"), methods={
        "energy": M("s"), "log_partition": M(), "sample": M("n", sweeps=REQUIRED, seed=REQUIRED)}),
    Api(G, "fit_plm", ("s", "q"), {"penalty": "l2", "gamma": REQUIRED}),
    Api(G, "fit_bm", ("s", "q"), {"penalty": "l2", "gamma": REQUIRED}),
    Api(G, "contact_scores", ("model",), {"apc": True, "convention": "plmc"}),
    Api(G, "load_alignment", ("path", "alphabet"), {"theta": None, "focus": None}),
    # statgen.pointprocess
    Api(PP, "ThomasKernel", ("sigma",)),
    Api(PP, "MaternKernel", ("radius",)),
    Api(PP, "CauchyKernel", ("scale",)),
    Api(PP, "VarGammaKernel", ("nu", "scale")),
    Api(PP, "NeymanScott", ("parent_intensity", "offspring_mean", "kernel", "window"), methods={
        "simulate": M(rng=REQUIRED), "intensity": M("x"), "pair_correlation": M("x", "y"),
        "conditional_intensity": M("x", "events", method="exact")}),
    Api(PP, "ClusterFit", ("kernel",), {"parents": "loglinear", "method": "palm", "nu": -0.25}, methods={
        "fit": M("points", "window"), "bootstrap": M(rng=REQUIRED)}, defaults={"kernel": "thomas"}),
    Api(PP, "KppmFit", ("kernel",), {"method": "mincon", "statistic": "K", "starts": 1}, methods={
        "fit": M("points", "window", covariates=None), "bootstrap": M(rng=REQUIRED)}, defaults={"kernel": "thomas"}),
    Api(PP, "Polygon", ("vertices",)),
    Api(PP, "CovariateGrid", ("x", "y", "images")),
    Api(PP, "load_pattern", ("name",)),
    Api(PP, "ParentCovariateFit", (), {"rmax": None}, methods={
        "fit": M("points", "window", "covariates"), "simulate": M(rng=REQUIRED), "bootstrap": M(rng=REQUIRED)}),
    Api(PP, "palm_comparison", ("points", "window", "covariates"), {"criterion": "aic", "n_boot": 40, "rng": None}),
    # statgen.flows
    Api(FL, "SmoothFlow", ("domains",), {"layers": 4, "components": 8, "hidden": (64, 64), "transformer": "smooth"},
        methods={"log_prob": M("x"), "sample": M("n"), "energy": M("x"), "force": M("x")}),
    # statgen.md
    Api(MD, "alanine_dipeptide"),
    Api(MD, "flow_force", ("model", "temperature")),
    Api(MD, "pretrained_boltzmann_generator", ("kind",), defaults={"kind": "smooth_fm"}),
    Api(MD, "run_md", ("potential", "positions"),
        {"temperature": REQUIRED, "nvt_steps": REQUIRED, "nve_steps": REQUIRED, "platform": REQUIRED,
         "batch": True, "trajectory": None}),
    Api(MD, "EnergyForce", ("model",), {"method": "eager", "cache_dir": None, "calls": None}),
    Api(MD, "maxwell_boltzmann_velocities", ("masses", "temperature", "seed")),
]

#: Questions a model object answers: wherever a public class has one, it is a method, not a property.
QUESTIONS = ("log_partition", "predicted_gamma", "energy", "log_prob", "force", "intensity", "pair_correlation",
             "conditional_intensity", "sample", "simulate", "score", "log_likelihood")
FAMILIES = (G, PP, FL, MD)


def _get(api: Api):
    module = importlib.import_module(api.module)
    return getattr(module, api.name, None)


def _params(obj, method: bool = False) -> list[inspect.Parameter]:
    params = list(inspect.signature(obj).parameters.values())
    return params[1:] if method else params


def _missing_parameters(api: Api, params: list[inspect.Parameter], where: str) -> list[str]:
    """Problems of ``params`` against the documented signature."""
    by_name = {p.name: p for p in params}
    problems = []
    leading = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for pos, name in enumerate(api.positional):
        if name not in by_name:
            problems.append(f"{where}: parameter {name!r} is missing")
        elif leading[pos: pos + 1] != [name]:
            problems.append(f"{where}: {name!r} must be positional parameter #{pos + 1}, got order {leading}")
        elif name in api.defaults and by_name[name].default != api.defaults[name]:
            problems.append(f"{where}: {name!r} default must be {api.defaults[name]!r}, got {by_name[name].default!r}")
    for name, default in api.keyword.items():
        p = by_name.get(name)
        if p is None:
            if not any(q.kind == q.VAR_KEYWORD for q in params) or default is not REQUIRED:
                problems.append(f"{where}: keyword {name!r} is missing")
            continue
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            problems.append(f"{where}: {name!r} must be accepted as a keyword")
        if default is not REQUIRED and p.default != default:
            problems.append(f"{where}: {name!r} default must be {default!r}, got {p.default!r}")
    return problems


@pytest.mark.parametrize("api", PUBLIC_API, ids=[f"{a.module}.{a.name}" for a in PUBLIC_API])
def test_public_name_exists_with_its_documented_signature(api):
    obj = _get(api)
    assert obj is not None, f"{api.module}.{api.name} is a public name of the design and must stay importable"
    module = importlib.import_module(api.module)
    assert api.name in getattr(module, "__all__", ()), f"{api.name} missing from {api.module}.__all__"
    target = obj.__init__ if inspect.isclass(obj) else obj
    problems = _missing_parameters(api, _params(target, method=inspect.isclass(obj)), f"{api.module}.{api.name}")
    for mname, m in api.methods.items():
        meth = getattr(obj, mname, None)
        if meth is None or not callable(meth) or isinstance(inspect.getattr_static(obj, mname), property):
            problems.append(f"{api.name}.{mname} must be a method")
            continue
        sub = Api(api.module, f"{api.name}.{mname}", m.positional, m.keyword)
        problems += _missing_parameters(sub, _params(meth, method=True), f"{api.name}.{mname}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("family", FAMILIES)
def test_models_answer_questions_with_methods(family):
    module = importlib.import_module(family)
    offenders = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not inspect.isclass(obj):
            continue
        for q in QUESTIONS:
            if isinstance(inspect.getattr_static(obj, q, None), property):
                offenders.append(f"{name}.{q}")
    assert not offenders, f"properties where the convention asks for methods: {offenders}"


@pytest.mark.parametrize("family", FAMILIES)
def test_all_names_resolve(family):
    module = importlib.import_module(family)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{family}.__all__ lists names it does not define: {missing}"


def test_l2_path_result_has_the_documented_fields():
    from statgen.graphical import l2_path, sk_couplings, spherical_mu

    rng = np.random.default_rng(0)
    n, alpha = 30, 10.0
    J = sk_couplings(n, 0.5, rng=rng)
    C_true = np.linalg.inv(spherical_mu(np.linalg.eigvalsh(J)) * np.eye(n) - J)  # mean variance 1
    X = rng.multivariate_normal(np.zeros(n), C_true, size=int(alpha * n))
    gammas = np.logspace(-3, 4, 29)
    path = l2_path(X.T @ X / len(X), gammas, alpha, C_true=C_true)
    for key in ("gammas", "train", "test", "gen", "gen_true"):
        assert np.shape(getattr(path, key)) == (29,), key
    np.testing.assert_allclose(path.gammas, gammas)
    for key in ("gamma_opt", "gamma_cross", "gamma_half"):
        assert np.isfinite(float(getattr(path, key))), key
    # gamma_opt maximises the test likelihood: within one grid step of the grid's argmax
    step = np.log(gammas[1] / gammas[0])
    assert abs(np.log(path.gamma_opt / gammas[np.argmax(path.test)])) <= step


def test_the_signature_check_sees_changes():
    def f(n, sigma, *, rng, penalty="l2"):
        pass

    def swapped(sigma, n, *, rng, penalty="l2"):
        pass

    def renamed(n, sigma, *, generator, penalty="l1"):
        pass

    api = Api("m", "f", ("n", "sigma"), {"rng": REQUIRED, "penalty": "l2"})
    assert _missing_parameters(api, _params(f), "f") == []
    assert len(_missing_parameters(api, _params(swapped), "f")) == 2
    problems = _missing_parameters(api, _params(renamed), "f")
    assert any("'rng' is missing" in p for p in problems) and any("default must be 'l2'" in p for p in problems)
