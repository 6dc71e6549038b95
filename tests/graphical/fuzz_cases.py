"""Adversarial inputs for every public function of ``statgen.graphical`` (see tests/fuzz/harness.py).

Each case is one malformed (or edge) call; a GOOD outcome is a ValueError/TypeError/MemoryError/
FileNotFoundError whose message names the argument, or, for ``ok=`` cases, a documented valid answer.
Names are resolved at call time (``G.name``), so a missing or renamed function shows up as a WEAK case
instead of breaking the import of this file. Families: NaN/inf, wrong shape/ndim, empty, negative/zero
sizes, non-integers, unknown options and typos, out-of-domain values, impossible sizes (refused before
allocating), garbage files.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile

import numpy as np

from statgen._estimator import NotFittedError
from tests.fuzz.harness import ACCEPTED, Case


class _Lazy:
    """``G.name`` is ``statgen.graphical.name``, looked up when the case runs."""

    def __getattr__(self, name):
        import statgen.graphical as module

        return getattr(module, name)


G = _Lazy()
CASES: list[Case] = []
#: files the cases write go here, not into the working directory
TMP = tempfile.mkdtemp(prefix="statgen-fuzz-graphical-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
NAN, INF = float("nan"), float("inf")


def _specific(name: str) -> tuple[str, ...]:
    """A one- to three-letter argument name (``n``, ``s``, ``C``) matches almost any message as a bare
    substring, so the message must use it as a name: ``n must``, ``n=``, ``'n'``, ..."""
    if len(name) > 3 or not name.isidentifier():
        return (name,)
    return (f"{name} must", f"{name}=", f"{name} =", f"'{name}'", f"{name} contains", f"{name} is", f"{name} has",
            f"{name} holds", f"{name} needs", f"{name} (")


def case(id: str, call, names, **kw) -> None:
    names = (names,) if isinstance(names, str) else tuple(names)
    names = tuple(dict.fromkeys(p for n in names for p in _specific(n)))
    CASES.append(Case(f"graphical.{id}", call, names, **kw))


NOT_FITTED = (*ACCEPTED, NotFittedError)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------------- fixtures


@functools.cache
def _model(n: int = 8):
    return G.SphericalGaussian(G.sk_couplings(n, 0.5, rng=rng(0)))


def C(n: int = 8) -> np.ndarray:
    """A valid training covariance (Tr C = N)."""
    return _model(n).sample_covariance(3 * n, rng=rng(1))


def J(n: int = 8) -> np.ndarray:
    return _model(n).J.copy()


def with_nan(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flat[1] = np.nan
    a.T.flat[1] = np.nan
    return a


def nonsym(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a[0, 1] += 0.5
    return a


def not_psd(n: int = 8) -> np.ndarray:
    return C(n) - 3.0 * np.linalg.eigvalsh(C(n)).max() * np.eye(n)


@functools.cache
def _potts():
    return G.chain_potts(4, 3, 0.5, rng=rng(2), sigma_h=0.3)


def potts():
    return _potts()


@functools.cache
def _states():
    return _potts().sample_exact(60, seed=3)


def states() -> np.ndarray:
    return _states().copy()


def zero_potts():
    return G.PottsModel(np.zeros((3, 2)), np.zeros((3, 3, 2, 2)))


def fasta(text: str | bytes, name: str = "fuzz.fasta") -> str:
    """Write ``text`` to a scratch file and return its path."""
    path = os.path.join(TMP, name)
    with open(path, "wb" if isinstance(text, bytes) else "w") as fh:
        fh.write(text)
    return path


def out(name: str) -> str:
    return os.path.join(TMP, name)


def nonempty_file(name: str):
    """``after`` check: the file must not exist or hold a corrupt record (write refused before writing)."""
    path = out(name)

    def check():
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return f"{path} was written although the input was refused or invalid"
        return None

    return check


def finite(x) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x, dtype=float))))


# ================================================================================== Gaussian
# ---------------------------------------------------------------- coupling generators

for bad, what in ((2.7, "non-integer"), ("5", "a string"), (True, "a bool"), (1, "too small"),
                  (0, "zero"), (-3, "negative"), (None, "None")):
    case(f"sk_couplings: n {what} ({bad!r})", lambda b=bad: G.sk_couplings(b, 0.5, rng=rng()), "n")
case("sk_couplings: n = 10**6 (8 TB matrix)", lambda: G.sk_couplings(10**6, 0.5, rng=rng()), "n")
for bad in (NAN, INF, -1.0, 0.0, "a", [0.1, 0.2]):
    case(f"sk_couplings: sigma={bad!r}", lambda b=bad: G.sk_couplings(10, b, rng=rng()), "sigma")
case("sk_couplings: rng=None", lambda: G.sk_couplings(10, 0.5, rng=None), "rng")
case("sk_couplings: rng=42 (an int, not a Generator)", lambda: G.sk_couplings(10, 0.5, rng=42), "rng")
case("sk_couplings: n=10.0 (an integral float is an integer)",
     lambda: G.sk_couplings(10.0, 0.5, rng=rng()), "n", ok=lambda J: J.shape == (10, 10))

for bad in (2, 2.5, -4, "8"):
    case(f"ring_couplings: n={bad!r}", lambda b=bad: G.ring_couplings(b, 0.3), "n")
for bad in (NAN, INF, [0.1, 0.2], "x"):
    case(f"ring_couplings: j={bad!r}", lambda b=bad: G.ring_couplings(10, b), "j")
case("ring_couplings: n = 10**6", lambda: G.ring_couplings(10**6, 0.3), "n")

case("band_couplings: n = 10**5 (80 GB distance matrix)",
     lambda: G.band_couplings(10**5, 3, 0.5, rng=rng()), "n")
for bad in (0, 2.5, -1, 5):
    case(f"band_couplings: width={bad!r} (n=10)", lambda b=bad: G.band_couplings(10, b, 0.5, rng=rng()), "width")
case("band_couplings: sigma=-1", lambda: G.band_couplings(10, 2, -1.0, rng=rng()), "sigma")
case("band_couplings: sigma=nan", lambda: G.band_couplings(10, 2, NAN, rng=rng()), "sigma")
case("band_couplings: rng=None", lambda: G.band_couplings(10, 2, 0.5, rng=None), "rng")

for bad in (0.0, NAN, 20.0, -1.0):
    case(f"erdos_renyi_couplings: degree={bad!r} (n=10)",
         lambda b=bad: G.erdos_renyi_couplings(10, b, 0.5, rng=rng()), "degree")
case("erdos_renyi_couplings: n = 10**6", lambda: G.erdos_renyi_couplings(10**6, 3.0, 0.5, rng=rng()), "n")
case("erdos_renyi_couplings: n = 2.5", lambda: G.erdos_renyi_couplings(2.5, 1.0, 0.5, rng=rng()), "n")
case("erdos_renyi_couplings: rng=None", lambda: G.erdos_renyi_couplings(10, 3.0, 0.5, rng=None), "rng")

for bad in (2, 2.5, 0, "4"):
    case(f"lattice_couplings: side={bad!r}", lambda b=bad: G.lattice_couplings(b, 0.2), "side")
case("lattice_couplings: side = 10**4 (N = 1e8, dense N x N)", lambda: G.lattice_couplings(10**4, 0.2), "side")
case("lattice_couplings: j=nan", lambda: G.lattice_couplings(4, NAN), "j")
case("lattice_couplings: periodic='yes'", lambda: G.lattice_couplings(4, 0.2, periodic="yes"), "periodic")

case("gaussian_couplings: graph typo 'rign'", lambda: G.gaussian_couplings("rign", 10, rng=rng(), j=0.3), "graph")
case("gaussian_couplings: graph=None", lambda: G.gaussian_couplings(None, 10, rng=rng(), j=0.3), "graph")
case("gaussian_couplings: ring with a typo'd parameter sigm=0.9",
     lambda: G.gaussian_couplings("ring", 10, rng=rng(), j=0.3, sigm=0.9), "sigm")
case("gaussian_couplings: sk given a ring parameter j",
     lambda: G.gaussian_couplings("sk", 10, rng=rng(), sigma=0.5, j=0.3), "j")
case("gaussian_couplings: sk without sigma", lambda: G.gaussian_couplings("sk", 10, rng=rng()), "sigma")
case("gaussian_couplings: lattice with n not a perfect square",
     lambda: G.gaussian_couplings("lattice", 50, rng=rng(), j=0.2), "n must be a perfect square")
case("gaussian_couplings: band width=2.5", lambda: G.gaussian_couplings("band", 20, rng=rng(), width=2.5, sigma=0.5),
     "width")
case("gaussian_couplings: n=2.7", lambda: G.gaussian_couplings("sk", 2.7, rng=rng(), sigma=0.5), "n")
case("gaussian_couplings: sigma=nan", lambda: G.gaussian_couplings("sk", 10, rng=rng(), sigma=NAN), "sigma")

# ---------------------------------------------------------------- spherical constraint

case("spherical_mu: empty eigenvalues", lambda: G.spherical_mu([]), "eigenvalues")
case("spherical_mu: (2, 0) batch of empty problems", lambda: G.spherical_mu(np.zeros((2, 0))), "eigenvalues")
case("spherical_mu: NaN eigenvalue", lambda: G.spherical_mu([0.1, NAN]), "eigenvalues")
case("spherical_mu: infinite eigenvalue", lambda: G.spherical_mu([0.1, INF]), "eigenvalues")
case("spherical_mu: eigenvalues=[1e308, 1e308] (overflow)", lambda: G.spherical_mu([1e308, 1e308]), "eigenvalues")
case("spherical_mu: strings", lambda: G.spherical_mu(["a", "b"]), "eigenvalues")
for bad in (0, -1, 2.5, "10"):
    case(f"spherical_mu: max_iter={bad!r}", lambda b=bad: G.spherical_mu([0.1, 0.2], max_iter=b), "max_iter")
for bad in (0.0, -1e-3, NAN):
    case(f"spherical_mu: tol={bad!r}", lambda b=bad: G.spherical_mu([0.1, 0.2], tol=b), "tol")
case("spherical_mu: one eigenvalue 0 (mu = 1 exactly)", lambda: G.spherical_mu([0.0]), "eigenvalues",
     ok=lambda mu: abs(mu - 1.0) < 1e-14)
case("spherical_mu: max_iter=1 is too few to converge", lambda: G.spherical_mu(np.linspace(-3, 3, 50) ** 3, max_iter=1),
     "max_iter")

case("spherical_model: J not symmetric", lambda: G.spherical_model(nonsym(J())), "J")
case("spherical_model: J with NaN", lambda: G.spherical_model(with_nan(J())), "J")
case("spherical_model: J 1-D", lambda: G.spherical_model(np.zeros(4)), "J")
case("spherical_model: J empty (0, 0)", lambda: G.spherical_model(np.zeros((0, 0))), "J")

case("spherical_log_partition: mu below the largest eigenvalue",
     lambda: G.spherical_log_partition([0.1, 0.5], mu=0.3), "mu")
case("spherical_log_partition: mu=nan", lambda: G.spherical_log_partition([0.1, 0.5], mu=NAN), "mu")
case("spherical_log_partition: mu=inf", lambda: G.spherical_log_partition([0.1, 0.5], mu=INF), "mu")
case("spherical_log_partition: empty eigenvalues with mu=1", lambda: G.spherical_log_partition([], mu=1.0),
     "eigenvalues")
case("spherical_log_partition: NaN eigenvalues", lambda: G.spherical_log_partition([NAN, 0.1]), "eigenvalues")
case("spherical_log_partition: batch mu of the wrong shape",
     lambda: G.spherical_log_partition(np.zeros((3, 4)), mu=np.ones(2) * 2), "mu")

case("spherical_log_likelihood: C of the wrong shape", lambda: G.spherical_log_likelihood(J(), C(6)), "C")
case("spherical_log_likelihood: C with NaN", lambda: G.spherical_log_likelihood(J(), with_nan(C())), "C")
case("spherical_log_likelihood: J not symmetric", lambda: G.spherical_log_likelihood(nonsym(J()), C()), "J")
case("spherical_log_likelihood: C not symmetric", lambda: G.spherical_log_likelihood(J(), nonsym(C())), "C")

# ---------------------------------------------------------------- sampling and data

case("sample_gaussian: mu=nan", lambda: G.sample_gaussian(J(4), 3, rng=rng(), mu=NAN), "mu")
case("sample_gaussian: mu=inf", lambda: G.sample_gaussian(J(4), 3, rng=rng(), mu=INF), "mu")
case("sample_gaussian: mu below the largest eigenvalue", lambda: G.sample_gaussian(J(4), 3, rng=rng(), mu=-5.0), "mu")
case("sample_gaussian: mu='big'", lambda: G.sample_gaussian(J(4), 3, rng=rng(), mu="big"), "mu")
for bad in (0, -1, 2.5, "3"):
    case(f"sample_gaussian: n_samples={bad!r}", lambda b=bad: G.sample_gaussian(J(4), b, rng=rng()), "n_samples")
case("sample_gaussian: n_samples = 10**9 (32 GB)", lambda: G.sample_gaussian(J(4), 10**9, rng=rng()), "n_samples")
case("sample_gaussian: J not symmetric", lambda: G.sample_gaussian(nonsym(J(4)), 3, rng=rng()), "J")
case("sample_gaussian: rng=None", lambda: G.sample_gaussian(J(4), 3, rng=None), "rng")

case("empirical_covariance: X 1-D", lambda: G.empirical_covariance(np.ones(4)), "X")
case("empirical_covariance: X empty (0, 3)", lambda: G.empirical_covariance(np.zeros((0, 3))), "X")
case("empirical_covariance: X with NaN", lambda: G.empirical_covariance([[1.0, NAN], [0.0, 1.0]]), "X")
case("empirical_covariance: X all zeros (Tr C = 0)", lambda: G.empirical_covariance(np.zeros((3, 2))), "X")
case("empirical_covariance: normalize='yes'", lambda: G.empirical_covariance(np.ones((3, 2)), normalize="yes"),
     "normalize")

case("gaussian_log_likelihood: P not positive definite", lambda: G.gaussian_log_likelihood(-np.eye(3), np.eye(3)), "P")
case("gaussian_log_likelihood: P not symmetric", lambda: G.gaussian_log_likelihood(nonsym(np.eye(3) * 2), np.eye(3)),
     "P")
case("gaussian_log_likelihood: C of another size", lambda: G.gaussian_log_likelihood(np.eye(3), np.eye(2)), "C")
case("gaussian_log_likelihood: C with NaN", lambda: G.gaussian_log_likelihood(np.eye(3), with_nan(np.eye(3))), "C")

case("SphericalGaussian: J not symmetric", lambda: G.SphericalGaussian(nonsym(J())), "J")
case("SphericalGaussian: J with NaN", lambda: G.SphericalGaussian(with_nan(J())), "J")
case("SphericalGaussian: J empty", lambda: G.SphericalGaussian(np.zeros((0, 0))), "J")
case("SphericalGaussian: J 3-D", lambda: G.SphericalGaussian(np.zeros((2, 2, 2))), "J")
case("SphericalGaussian.sample: n_samples=0", lambda: _model().sample(0, rng=rng()), "n_samples")
case("SphericalGaussian.sample: n_samples=2.5", lambda: _model().sample(2.5, rng=rng()), "n_samples")
case("SphericalGaussian.sample: rng=None", lambda: _model().sample(3, rng=None), "rng")
case("SphericalGaussian.sample: n_samples = 10**10", lambda: _model().sample(10**10, rng=rng()), "n_samples")
case("SphericalGaussian.sample_covariance: n_samples=0", lambda: _model().sample_covariance(0, rng=rng()),
     "n_samples")
case("SphericalGaussian.sample_covariance: rng=None", lambda: _model().sample_covariance(5, rng=None), "rng")
case("SphericalGaussian.log_likelihood: C of the wrong shape", lambda: _model().log_likelihood(np.eye(3)), "C")
case("SphericalGaussian.log_likelihood: C with NaN", lambda: _model().log_likelihood(with_nan(C())), "C")

case("wishart_covariance: cov all zeros (normalize => 0/0)", lambda: G.wishart_covariance(np.zeros((3, 3)), 5, rng=rng()),
     "cov")
case("wishart_covariance: cov not PSD", lambda: G.wishart_covariance(not_psd(), 5, rng=rng()), "cov")
case("wishart_covariance: cov with NaN", lambda: G.wishart_covariance(with_nan(C()), 5, rng=rng()), "cov")
case("wishart_covariance: n_samples=0", lambda: G.wishart_covariance(C(), 0, rng=rng()), "n_samples")
case("wishart_covariance: n_samples=1.5", lambda: G.wishart_covariance(C(), 1.5, rng=rng()), "n_samples")
case("wishart_covariance: rng=None", lambda: G.wishart_covariance(C(), 5, rng=None), "rng")
case("wishart_covariance: normalize=1", lambda: G.wishart_covariance(C(), 5, rng=rng(), normalize=1), "normalize")

# ---------------------------------------------------------------- L2 MAP and path

case("map_l2: C with NaN", lambda: G.map_l2(with_nan(C()), 1.0, 1.0), "C")
case("map_l2: C not symmetric", lambda: G.map_l2(nonsym(C()), 1.0, 1.0), "C")
case("map_l2: C not PSD", lambda: G.map_l2(not_psd(), 1.0, 1.0), "C")
case("map_l2: C empty (0, 0)", lambda: G.map_l2(np.zeros((0, 0)), 1.0, 1.0), "C")
case("map_l2: C 3-D", lambda: G.map_l2(C()[None], 1.0, 1.0), "C")
for bad in (NAN, INF, 0.0, -1.0, "one"):
    case(f"map_l2: gamma={bad!r}", lambda b=bad: G.map_l2(C(), b, 1.0), "gamma")
for bad in (NAN, 0.0, -2.0):
    case(f"map_l2: alpha={bad!r}", lambda b=bad: G.map_l2(C(), 1.0, b), "alpha")

GAMMAS = np.logspace(-2, 2, 9)
case("l2_path: gammas empty", lambda: G.l2_path(C(), [], 1.0), "gammas")
case("l2_path: gammas with NaN", lambda: G.l2_path(C(), [0.1, NAN], 1.0), "gammas")
case("l2_path: gammas 2-D", lambda: G.l2_path(C(), np.ones((2, 2)), 1.0), "gammas")
case("l2_path: gammas negative", lambda: G.l2_path(C(), [0.1, -1.0], 1.0), "gammas")
case("l2_path: both C_true and J_true", lambda: G.l2_path(C(), GAMMAS, 1.0, C_true=C(), J_true=J()), "C_true")
case("l2_path: C_test of another size", lambda: G.l2_path(C(), GAMMAS, 1.0, C_test=np.eye(3)), "C_test")
case("l2_path: C_true not positive definite", lambda: G.l2_path(C(), GAMMAS, 1.0, C_true=not_psd()), "C_true")
case("l2_path: J_true of another size", lambda: G.l2_path(C(), GAMMAS, 1.0, J_true=np.zeros((3, 3))), "J_true")
case("l2_path: alpha=inf", lambda: G.l2_path(C(), GAMMAS, INF), "alpha")

case("predicted_gamma: no off-diagonal couplings", lambda: G.predicted_gamma(np.eye(3)), "J_true")
case("predicted_gamma: J_true not symmetric", lambda: G.predicted_gamma(nonsym(J())), "J_true")
case("predicted_gamma: J_true with NaN", lambda: G.predicted_gamma(with_nan(J())), "J_true")

case("small_alpha_gamma: C_true 1 x 1 (N = 1)", lambda: G.small_alpha_gamma(np.eye(1), [1.0]), "C_true")
case("small_alpha_gamma: C_true not PSD", lambda: G.small_alpha_gamma(not_psd(), np.ones(8)), "C_true")
case("small_alpha_gamma: u the zero vector", lambda: G.small_alpha_gamma(C(), np.zeros(8)), "u")
case("small_alpha_gamma: u of the wrong length", lambda: G.small_alpha_gamma(C(), np.ones(3)), "u")
case("small_alpha_gamma: u with NaN", lambda: G.small_alpha_gamma(C(), [NAN] * 8), "u")

case("l2_sweep: n_samples=0", lambda: G.l2_sweep(_model(), [1.0], GAMMAS, 0, rng=rng()), "n_samples")
case("l2_sweep: alphas negative", lambda: G.l2_sweep(_model(), [-1.0], GAMMAS, 1, rng=rng()), "alphas")
case("l2_sweep: model a plain array", lambda: G.l2_sweep(J(), [1.0], GAMMAS, 1, rng=rng()), "model")
case("l2_sweep: rng=None", lambda: G.l2_sweep(_model(), [1.0], GAMMAS, 1, rng=None), "rng")

# ---------------------------------------------------------------- L1 (graphical lasso)

for bad in (0, -1, 2.5):
    case(f"map_l1: max_iter={bad!r}", lambda b=bad: G.map_l1(C(), 0.1, max_iter=b), "max_iter")
for bad in (0.0, NAN, -1.0):
    case(f"map_l1: tol={bad!r}", lambda b=bad: G.map_l1(C(), 0.1, tol=b), "tol")
for bad in (NAN, INF, 0.0, -0.1):
    case(f"map_l1: lam={bad!r}", lambda b=bad: G.map_l1(C(), b), "lam")
case("map_l1: solver typo 'glaso'", lambda: G.map_l1(C(), 0.1, solver="glaso"), "solver")
case("map_l1: P_init not positive definite", lambda: G.map_l1(C(), 0.1, P_init=-np.eye(8)), "P_init")
case("map_l1: P_init of another size", lambda: G.map_l1(C(), 0.1, P_init=np.eye(3)), "P_init")
case("map_l1: C with a zero variance", lambda: G.map_l1(np.diag([1.0, 0.0]), 0.1), "C")
case("map_l1: C empty", lambda: G.map_l1(np.zeros((0, 0)), 0.1), "C")
case("map_l1: C with NaN", lambda: G.map_l1(with_nan(C()), 0.1), "C")

case("l1_objective: C with NaN", lambda: G.l1_objective(with_nan(C()), np.eye(8), 0.1), "C")
case("l1_objective: lam=nan", lambda: G.l1_objective(C(), np.eye(8), NAN), "lam")
case("l1_objective: lam=-1", lambda: G.l1_objective(C(), np.eye(8), -1.0), "lam")
case("l1_objective: C not symmetric", lambda: G.l1_objective(nonsym(C()), np.eye(8), 0.1), "C")
case("l1_objective: P of another size", lambda: G.l1_objective(C(), np.eye(3), 0.1), "P")
case("l1_objective: P with NaN", lambda: G.l1_objective(C(), with_nan(np.eye(8)), 0.1), "P")
case("l1_objective: P not positive definite (documented +inf)", lambda: G.l1_objective(C(), -np.eye(8), 0.1), "P",
     ok=lambda v: v == INF)
case("l1_duality_gap: lam=nan", lambda: G.l1_duality_gap(C(), np.eye(8), NAN), "lam")
case("l1_duality_gap: lam=0", lambda: G.l1_duality_gap(C(), np.eye(8), 0.0), "lam")
case("l1_duality_gap: C not symmetric", lambda: G.l1_duality_gap(nonsym(C()), np.eye(8), 0.1), "C")
case("l1_duality_gap: P of another size", lambda: G.l1_duality_gap(C(), np.eye(3), 0.1), "P")

case("l1_path: gammas with NaN", lambda: G.l1_path(C(), [0.1, NAN], 1.0), "gammas")
case("l1_path: gammas empty", lambda: G.l1_path(C(), [], 1.0), "gammas")
case("l1_path: tol=-1", lambda: G.l1_path(C(), GAMMAS, 1.0, tol=-1.0), "tol")
case("l1_path: max_iter=0", lambda: G.l1_path(C(), GAMMAS, 1.0, max_iter=0), "max_iter")
case("l1_path: solver typo", lambda: G.l1_path(C(), GAMMAS, 1.0, solver="quick"), "solver")
case("l1_path: refine='no'", lambda: G.l1_path(C(), GAMMAS, 1.0, refine="no"), "refine")
case("l1_path: C_test of another size", lambda: G.l1_path(C(), GAMMAS, 1.0, C_test=np.eye(3)), "C_test")
case("l1_path: both C_true and J_true", lambda: G.l1_path(C(), GAMMAS, 1.0, C_true=C(), J_true=J()), "C_true")
case("l1_path: alpha=nan", lambda: G.l1_path(C(), GAMMAS, NAN), "alpha")
case("l1_sweep: n_samples=0", lambda: G.l1_sweep(_model(), [1.0], GAMMAS, 0, rng=rng()), "n_samples")
case("l1_sweep: tol=0", lambda: G.l1_sweep(_model(), [1.0], GAMMAS, 1, rng=rng(), tol=0.0), "tol")

# ---------------------------------------------------------------- estimators (fit / score)

X8 = functools.cache(lambda: _model().sample(24, rng=rng(5)))
case("GaussianL2MAP.fit: gamma=-1", lambda: G.GaussianL2MAP(gamma=-1.0).fit(X8()), "gamma")
case("GaussianL2MAP.fit: X 1-D", lambda: G.GaussianL2MAP(gamma=1.0).fit(np.ones(5)), "X")
case("GaussianL2MAP.fit: X with NaN", lambda: G.GaussianL2MAP(gamma=1.0).fit([[1.0, NAN], [0.0, 1.0]]), "X")
case("GaussianL2MAP.score: X with another number of sites",
     lambda: G.GaussianL2MAP(gamma=1.0).fit(X8()).score(np.ones((3, 2))), "X")
case("GaussianL2MAP.score: before fit", lambda: G.GaussianL2MAP(gamma=1.0).score(X8()), "call fit", raises=NOT_FITTED)
case("GaussianL1MAP.fit: lam=0", lambda: G.GaussianL1MAP(lam=0.0).fit(X8()), "lam")
case("GaussianL1MAP.fit: solver typo", lambda: G.GaussianL1MAP(lam=0.1, solver="gist").fit(X8()), "solver")
case("GaussianL1MAP.fit: max_iter=0", lambda: G.GaussianL1MAP(lam=0.1, max_iter=0).fit(X8()), "max_iter")
case("GaussianL1MAP.score: X with NaN", lambda: G.GaussianL1MAP(lam=0.1).fit(X8()).score(with_nan(X8()[:8, :8])),
     "X")

# ---------------------------------------------------------------- posterior (PyMC): refused before compiling

case("l2_free_energy: J of another size", lambda: G.l2_free_energy(np.eye(3), C(), 1.0, 1.0), "J")
case("l2_free_energy: gamma=-1", lambda: G.l2_free_energy(J(), C(), -1.0, 1.0), "gamma")
case("l2_free_energy: C with NaN", lambda: G.l2_free_energy(J(), with_nan(C()), 1.0, 1.0), "C")
case("l2_free_energy: J with NaN", lambda: G.l2_free_energy(with_nan(J()), C(), 1.0, 1.0), "J")
case("coupling_curves: C with NaN", lambda: G.coupling_curves(J(), with_nan(C())), "C")
case("coupling_curves: J not symmetric", lambda: G.coupling_curves(nonsym(J()), C()), "J")
case("coupling_curves: J 1-D", lambda: G.coupling_curves(np.ones(8), C()), "J")
case("coupling_curves: C of another size", lambda: G.coupling_curves(J(), np.eye(3)), "C")
case("coupling_curves: C_true with NaN", lambda: G.coupling_curves(J(), C(), C_true=with_nan(C())), "C_true")
case("coupling_curves: J with NaN", lambda: G.coupling_curves(with_nan(J()), C()), "J")
for arg, bad in (("draws", 0), ("tune", -1), ("chains", 0), ("beta_norm", 0.0), ("target_accept", 1.5),
                 ("draws", 2.5), ("seed", "x")):
    case(f"sample_l2_posterior: {arg}={bad!r}",
         lambda a=arg, b=bad: G.sample_l2_posterior(C(), 1.0, 1.0, **{a: b}), arg)
case("sample_l2_posterior: gamma=nan", lambda: G.sample_l2_posterior(C(), NAN, 1.0), "gamma")
case("posterior_curves: gammas empty", lambda: G.posterior_curves(C(), [], 1.0, J_true=J()), "gammas")
case("posterior_curves: draws=-1", lambda: G.posterior_curves(C(), [1.0], 1.0, J_true=J(), draws=-1), "draws")
case("posterior_curves: J_true of another size", lambda: G.posterior_curves(C(), [1.0], 1.0, J_true=np.zeros((3, 3))),
     "J_true")

# ---------------------------------------------------------------- sweep helpers (studies)

for spec in ("sk", "tree:1", "sk:abc", "band:width=5,sigm=0.5", "sk:nan", "band:width=5;sigma=0.5", ":0.5"):
    case(f"graph_params: {spec!r}", lambda s=spec: G.graph_params(s), ("spec", "graph"))
case("graph_params: not a string", lambda: G.graph_params(0.5), "spec")


def _sweep_cfg(**kw):
    cfg = {"graphs": ["sk:0.5"], "seeds": 1, "n": 10, "samples": 1, "gamma_min": 0.1, "gamma_max": 10.0,
           "n_gamma": 5, "alphas_small": [], "alpha_min": 1.0, "alpha_max": 3.0, "n_alpha": 2}
    cfg.update(kw)
    return cfg


case("sweep_tasks: n_gamma=0", lambda: G.sweep_tasks(_sweep_cfg(n_gamma=0)), "n_gamma")
case("sweep_tasks: seeds=-1", lambda: G.sweep_tasks(_sweep_cfg(seeds=-1)), "seeds")
case("sweep_tasks: gamma_min > gamma_max", lambda: G.sweep_tasks(_sweep_cfg(gamma_min=100.0)), "gamma_min")
case("sweep_tasks: missing key 'n'", lambda: G.sweep_tasks({k: v for k, v in _sweep_cfg().items() if k != "n"}),
     "'n'")
case("sweep_tasks: graph typo", lambda: G.sweep_tasks(_sweep_cfg(graphs=["ks:0.5"])), "graph")

# ================================================================================== Potts
# ---------------------------------------------------------------- the model


def _J(L=3, q=2):
    return np.zeros((L, L, q, q))


case("PottsModel: h 1-D", lambda: G.PottsModel(np.zeros(3), _J()), "h")
case("PottsModel: h with NaN", lambda: G.PottsModel(np.full((3, 2), NAN), _J()), "h")
case("PottsModel: q = 1", lambda: G.PottsModel(np.zeros((3, 1)), np.zeros((3, 3, 1, 1))), "h")
case("PottsModel: L = 0", lambda: G.PottsModel(np.zeros((0, 2)), np.zeros((0, 0, 2, 2))), "h")
case("PottsModel: J of the wrong shape", lambda: G.PottsModel(np.zeros((3, 2)), _J(2, 2)), "J")
case("PottsModel: J with NaN", lambda: G.PottsModel(np.zeros((3, 2)), np.full((3, 3, 2, 2), NAN)), "J")


def _asym():
    Jb = _J()
    Jb[0, 1, 0, 1] = 1.0
    return G.PottsModel(np.zeros((3, 2)), Jb)


def _diag():
    Jb = _J()
    Jb[1, 1, 0, 0] = 1.0
    return G.PottsModel(np.zeros((3, 2)), Jb)


case("PottsModel: J not symmetric", _asym, "J")
case("PottsModel: non-zero diagonal block", _diag, "J")
case("PottsModel: h a string", lambda: G.PottsModel("abc", _J()), "h")

case("PottsModel.energy: state out of range", lambda: potts().energy([[0, 1, 2, 3]]), "s")
case("PottsModel.energy: negative state", lambda: potts().energy([[0, 1, -1, 2]]), "s")
case("PottsModel.energy: float states 0.5", lambda: potts().energy([[0, 0.5, 1, 2]]), "s")
case("PottsModel.energy: ragged rows", lambda: potts().energy([[0, 1, 2, 1], [0, 1]]), "s")
case("PottsModel.energy: wrong number of columns", lambda: potts().energy([[0, 1, 2]]), "s")
case("PottsModel.energy: strings", lambda: potts().energy(np.array([["a", "b", "c", "d"]])), "s")
case("PottsModel.energy: 1-D s", lambda: potts().energy([0, 1, 2, 1]), "s")
case("PottsModel.energy: empty", lambda: potts().energy(np.zeros((0, 4), dtype=int)), "s")
case("PottsModel.energy: NaN states", lambda: potts().energy([[0, NAN, 1, 2]]), "s")
case("PottsModel.log_partition: q**L = 3**13 > 10**6",
     lambda: G.chain_potts(13, 3, 0.5, rng=rng()).log_partition(), "q**L")
case("PottsModel.entropy: too large to enumerate", lambda: G.chain_potts(13, 3, 0.5, rng=rng()).entropy(), "q**L")
case("PottsModel.marginals: too large to enumerate", lambda: G.chain_potts(13, 3, 0.5, rng=rng()).marginals(), "q**L")
case("PottsModel.log_likelihood: log_z=nan", lambda: potts().log_likelihood(states(), log_z=NAN), "log_z")
case("PottsModel.log_likelihood: log_z=inf", lambda: potts().log_likelihood(states(), log_z=INF), "log_z")
case("PottsModel.log_likelihood: log_z='x'", lambda: potts().log_likelihood(states(), log_z="x"), "log_z")
case("PottsModel.log_likelihood: negative weights",
     lambda: potts().log_likelihood(states(), weights=-np.ones(60)), "weights")
case("PottsModel.log_likelihood: weights of the wrong length",
     lambda: potts().log_likelihood(states(), weights=np.ones(3)), "weights")
case("PottsModel.log_likelihood: weights with NaN",
     lambda: potts().log_likelihood(states(), weights=np.full(60, NAN)), "weights")
case("PottsModel.log_likelihood: weights all zero",
     lambda: potts().log_likelihood(states(), weights=np.zeros(60)), "weights")
for bad in (2.7, 0, -1, "5", True):
    case(f"PottsModel.sample_exact: n={bad!r}", lambda b=bad: potts().sample_exact(b, seed=0), "n")
case("PottsModel.sample_exact: n = 10**12", lambda: potts().sample_exact(10**12, seed=0), "n")
case("PottsModel.sample_exact: seed='x'", lambda: potts().sample_exact(5, seed="x"), "seed")
case("PottsModel.sample_exact: too large to enumerate",
     lambda: G.chain_potts(13, 3, 0.5, rng=rng()).sample_exact(5, seed=0), "q**L")
case("PottsModel.sample: method='bogus'", lambda: potts().sample(3, sweeps=0, method="bogus"), "method")
case("PottsModel.sample: method typo 'gibs'", lambda: potts().sample(3, sweeps=1, method="gibs"), "method")
case("PottsModel.sample: n = 10**10 chains", lambda: potts().sample(10**10, sweeps=1, seed=0), "n")
for bad in (0, 2.5, -3):
    case(f"PottsModel.sample: n={bad!r}", lambda b=bad: potts().sample(b, sweeps=1, seed=0), "n")
for bad in (-1, 2.5, "10"):
    case(f"PottsModel.sample: sweeps={bad!r}", lambda b=bad: potts().sample(5, sweeps=b, seed=0), "sweeps")
case("PottsModel.sample: init of the wrong shape",
     lambda: potts().sample(5, sweeps=1, init=np.zeros((5, 3), dtype=int)), "init")
case("PottsModel.sample: init out of range", lambda: potts().sample(2, sweeps=1, init=np.full((2, 4), 7)), "init")
case("PottsModel.sample: dtype=torch.int64", lambda: potts().sample(2, sweeps=1, dtype=__import__("torch").int64),
     "dtype")
case("PottsModel.sample: dtype='float64' (a string)", lambda: potts().sample(2, sweeps=1, dtype="float64"), "dtype")
case("PottsModel.sample: device='tpu'", lambda: potts().sample(2, sweeps=1, device="tpu"), "device")
case("PottsModel.sample: seed='x'", lambda: potts().sample(2, sweeps=1, seed="x"), "seed")
case("PottsModel.sample: seed=2.5", lambda: potts().sample(2, sweeps=1, seed=2.5), "seed")
case("PottsModel.sample: both seed and generator",
     lambda: potts().sample(2, sweeps=1, seed=1, generator=__import__("torch").Generator()), "generator")
case("PottsModel.sample: generator not a torch.Generator", lambda: potts().sample(2, sweeps=1, generator=5),
     "generator")
case("PottsModel.sample: sweeps=0 returns the uniform start", lambda: potts().sample(4, sweeps=0, seed=0), "sweeps",
     ok=lambda s: s.shape == (4, 4) and s.min() >= 0 and s.max() < 3)
case("PottsModel.gauge: kind typo", lambda: potts().gauge("zero-sum"), "kind")
case("PottsModel.from_flat: W of the wrong shape", lambda: G.PottsModel.from_flat(np.zeros((3, 2)), np.zeros((5, 5))),
     "W")
case("PottsModel.from_flat: h 1-D", lambda: G.PottsModel.from_flat(np.zeros(6), np.zeros((6, 6))), "h")

case("zero_sum_gauge: h with NaN", lambda: G.zero_sum_gauge(np.full((3, 2), NAN), _J()), "h")
case("zero_sum_gauge: J with NaN", lambda: G.zero_sum_gauge(np.zeros((3, 2)), np.full((3, 3, 2, 2), NAN)), "J")
case("zero_sum_gauge: shapes do not match", lambda: G.zero_sum_gauge(np.zeros((3, 2)), _J(4, 2)), "J")
case("zero_sum_gauge: h 1-D", lambda: G.zero_sum_gauge(np.zeros(3), _J()), "h")

case("potts_predicted_gamma: model with zero couplings", lambda: G.potts_predicted_gamma(zero_potts()), "coupling")
case("potts_predicted_gamma: not a PottsModel", lambda: G.potts_predicted_gamma(np.zeros((3, 3))), "model")
case("PottsModel.predicted_gamma: zero couplings", lambda: zero_potts().predicted_gamma(), "coupling")

# ---------------------------------------------------------------- generators and graphs

case("potts_couplings: L=2.7", lambda: G.potts_couplings(2.7, 3, [(0, 1)], 0.5, rng=rng()), "L")
case("potts_couplings: q=1", lambda: G.potts_couplings(3, 1, [(0, 1)], 0.5, rng=rng()), "q")
case("potts_couplings: q=2.5", lambda: G.potts_couplings(3, 2.5, [(0, 1)], 0.5, rng=rng()), "q")
case("potts_couplings: edges non-integer floats", lambda: G.potts_couplings(3, 3, [[0.5, 1.7]], 0.5, rng=rng()),
     "edges")
case("potts_couplings: edge out of range", lambda: G.potts_couplings(3, 3, [(0, 3)], 0.5, rng=rng()), "edges")
case("potts_couplings: self loop", lambda: G.potts_couplings(3, 3, [(1, 1)], 0.5, rng=rng()), "edges")
case("potts_couplings: edges with 3 columns", lambda: G.potts_couplings(3, 3, [(0, 1, 2)], 0.5, rng=rng()), "edges")
case("potts_couplings: duplicate edge (0,1) and (1,0)",
     lambda: G.potts_couplings(3, 3, [(0, 1), (1, 0)], 0.5, rng=rng()), "edges")
case("potts_couplings: sigma=nan", lambda: G.potts_couplings(3, 3, [(0, 1)], NAN, rng=rng()), "sigma")
case("potts_couplings: sigma_h=-1", lambda: G.potts_couplings(3, 3, [(0, 1)], 0.5, rng=rng(), sigma_h=-1.0),
     "sigma_h")
case("potts_couplings: L=10**5, q=21 (3.5 TB J)", lambda: G.potts_couplings(10**5, 21, [(0, 1)], 0.5, rng=rng()), "L")
case("potts_couplings: rng=None", lambda: G.potts_couplings(3, 3, [(0, 1)], 0.5, rng=None), "rng")
case("potts_couplings: no edges (independent sites)", lambda: G.potts_couplings(3, 3, np.zeros((0, 2)), 0.5, rng=rng()),
     "edges", ok=lambda m: m.L == 3 and not np.any(m.J))

for bad in (0, 2.7, -1):
    case(f"chain_edges: L={bad!r}", lambda b=bad: G.chain_edges(b), "L")
case("chain_edges: periodic='yes'", lambda: G.chain_edges(5, periodic="yes"), "periodic")
case("chain_edges: L=1 has no edges", lambda: G.chain_edges(1), "L", ok=lambda e: e.shape == (0, 2))
case("lattice_edges: rows=0", lambda: G.lattice_edges(0, 3), "rows")
case("lattice_edges: cols=2.5", lambda: G.lattice_edges(3, 2.5), "cols")
case("lattice_edges: 10**5 x 10**5 sites", lambda: G.lattice_edges(10**5, 10**5), "rows")
case("erdos_renyi_edges: mean_degree=nan", lambda: G.erdos_renyi_edges(10, NAN, rng=rng()), "mean_degree")
case("erdos_renyi_edges: mean_degree > L - 1", lambda: G.erdos_renyi_edges(10, 12.0, rng=rng()), "mean_degree")
case("erdos_renyi_edges: L = 10**6 (5e11 pairs)", lambda: G.erdos_renyi_edges(10**6, 3.0, rng=rng()), "L")
case("erdos_renyi_edges: rng=None", lambda: G.erdos_renyi_edges(10, 3.0, rng=None), "rng")
case("complete_edges: L = 10**6 (5e11 edges)", lambda: G.complete_edges(10**6), "L")
case("complete_edges: L=0", lambda: G.complete_edges(0), "L")
case("complete_edges: L=2.7", lambda: G.complete_edges(2.7), "L")
case("chain_potts: L=2.7", lambda: G.chain_potts(2.7, 3, 0.5, rng=rng()), "L")
case("chain_potts: q=0", lambda: G.chain_potts(5, 0, 0.5, rng=rng()), "q")
case("lattice_potts: rows=-2", lambda: G.lattice_potts(-2, 3, 3, 0.5, rng=rng()), "rows")
case("lattice_potts: sigma=-1", lambda: G.lattice_potts(2, 3, 3, -1.0, rng=rng()), "sigma")
case("erdos_renyi_potts: mean_degree=-1", lambda: G.erdos_renyi_potts(6, 3, 0.5, mean_degree=-1.0, rng=rng()),
     "mean_degree")
case("complete_potts: L = 10**5", lambda: G.complete_potts(10**5, 3, 0.5, rng=rng()), "L")

case("potts_model: graph typo 'chian'", lambda: G.potts_model("chian", 3, 0.5, rng=rng(), L=5), "graph")
case("potts_model: unknown parameter 'rowz'", lambda: G.potts_model("lattice", 3, 0.5, rng=rng(), rowz=3, cols=3),
     "rowz")
case("potts_model: chain without L", lambda: G.potts_model("chain", 3, 0.5, rng=rng()), "L")
case("potts_model: erdos_renyi without degree", lambda: G.potts_model("erdos_renyi", 3, 0.5, rng=rng(), L=6),
     "degree")
case("potts_model: L=2.5", lambda: G.potts_model("chain", 3, 0.5, rng=rng(), L=2.5), "L")
case("potts_model: graph=None", lambda: G.potts_model(None, 3, 0.5, rng=rng(), L=5), "graph")

# ---------------------------------------------------------------- alignments

case("get_alphabet: 'protien' (typo of a preset)", lambda: G.get_alphabet("protien"), "alphabet")
case("get_alphabet: 'rnaa' (typo of a preset)", lambda: G.get_alphabet("rnaa"), "alphabet")
case("get_alphabet: empty string", lambda: G.get_alphabet(""), "alphabet")
case("get_alphabet: None", lambda: G.get_alphabet(None), "alphabet")
case("get_alphabet: 'AA' (duplicate symbols)", lambda: G.get_alphabet("AA"), "alphabet")
case("get_alphabet: 'A' (one symbol)", lambda: G.get_alphabet("A"), "alphabet")
case("get_alphabet: 5", lambda: G.get_alphabet(5), "alphabet")
case("get_alphabet: 'Aa' (duplicate up to case)", lambda: G.get_alphabet("Aa"), "alphabet")
case("get_alphabet: symbols with a newline", lambda: G.get_alphabet("-AC\nG"), "alphabet")
case("get_alphabet: custom '-ACGT' is accepted", lambda: G.get_alphabet("-acgt"), "alphabet", ok=lambda a: a == "-ACGT")

case("read_fasta: missing file", lambda: G.read_fasta("no/such/file.fasta"), "file.fasta")
case("read_fasta: empty file", lambda: G.read_fasta(fasta("")), "fuzz.fasta")
case("read_fasta: sequence before the first header", lambda: G.read_fasta(fasta("ACGT\n>x\nACGT\n")), "fuzz.fasta")
case("read_fasta: random binary bytes", lambda: G.read_fasta(fasta(bytes(np.random.default_rng(7).integers(
    0, 256, 200, dtype=np.uint8)))), "fuzz.fasta")
case("read_fasta: a directory", lambda: G.read_fasta("."), ".")
case("read_fasta: path=None", lambda: G.read_fasta(None), "path")
case("read_fasta: NUL bytes in a sequence", lambda: G.read_fasta(fasta(">x\nAC\x00GT\n")), "fuzz.fasta")

case("write_fasta: a name with a newline", lambda: G.write_fasta(out("out1.fasta"), ["a\nb"], ["ACD"]), "names",
     after=nonempty_file("out1.fasta"))
case("write_fasta: an empty name", lambda: G.write_fasta(out("out2.fasta"), [""], ["ACD"]), "names",
     after=nonempty_file("out2.fasta"))
case("write_fasta: names and sequences plain strings", lambda: G.write_fasta(out("out3.fasta"), "ab", "CD"), "names",
     after=nonempty_file("out3.fasta"))
case("write_fasta: sequences a plain string", lambda: G.write_fasta(out("out4.fasta"), ["a", "b"], "CD"), "sequences",
     after=nonempty_file("out4.fasta"))
case("write_fasta: a sequence with a newline", lambda: G.write_fasta(out("out5.fasta"), ["a"], ["AC\nD"]), "sequences",
     after=nonempty_file("out5.fasta"))
case("write_fasta: a sequence starting with '>'", lambda: G.write_fasta(out("out6.fasta"), ["a"], [">ACD"]), "sequences",
     after=nonempty_file("out6.fasta"))
case("write_fasta: lengths differ", lambda: G.write_fasta(out("out7.fasta"), ["a", "b"], ["ACD"]), "names",
     after=nonempty_file("out7.fasta"))
case("write_fasta: names not strings", lambda: G.write_fasta(out("out8.fasta"), [1, 2], ["AC", "DE"]), "names",
     after=nonempty_file("out8.fasta"))
case("write_fasta: path is a directory", lambda: G.write_fasta(".", ["a"], ["ACD"]), "path")
case("write_fasta: no records", lambda: G.write_fasta(out("out9.fasta"), [], []), "names", after=nonempty_file("out9.fasta"))

case("encode_sequences: a plain string 'ACDE'", lambda: G.encode_sequences("ACDE"), "sequences")
case("encode_sequences: alphabet typo 'protien'", lambda: G.encode_sequences(["PROT"], alphabet="protien"), "alphabet")
case("encode_sequences: non-ASCII symbol", lambda: G.encode_sequences(["ACDé"]), "sequences")
case("encode_sequences: unknown symbol", lambda: G.encode_sequences(["ACB"], "rna"), "sequences")
case("encode_sequences: ragged", lambda: G.encode_sequences(["AC", "ACG"], "dna"), "sequences")
case("encode_sequences: empty list", lambda: G.encode_sequences([], "dna"), "sequences")
case("encode_sequences: list of ints", lambda: G.encode_sequences([1, 2]), "sequences")
case("encode_sequences: bytes", lambda: G.encode_sequences([b"ACGT"], "dna"), "sequences")
case("encode_sequences: empty strings", lambda: G.encode_sequences(["", ""], "dna"), "sequences")
case("encode_sequences: None", lambda: G.encode_sequences(None), "sequences")
case("decode_sequences: alphabet typo 'protien'", lambda: G.decode_sequences([[0, 1, 2]], alphabet="protien"),
     "alphabet")
case("decode_sequences: state out of range", lambda: G.decode_sequences([[0, 5]], alphabet="dna"), "s")
case("decode_sequences: float states", lambda: G.decode_sequences([[0.5, 1]], alphabet="dna"), "s")

case("load_alignment: missing file", lambda: G.load_alignment("missing.fasta"), "missing.fasta")
case("load_alignment: random binary bytes", lambda: G.load_alignment(fasta(bytes(np.random.default_rng(8).integers(
    0, 256, 300, dtype=np.uint8)))), "fuzz.fasta")
case("load_alignment: a text file that is not FASTA", lambda: G.load_alignment(fasta("hello world\n")), "fuzz.fasta")
case("load_alignment: empty file", lambda: G.load_alignment(fasta("")), "fuzz.fasta")
case("load_alignment: a record with an empty sequence",
     lambda: G.load_alignment(fasta(">x\n>y\nACD\n")), "fuzz.fasta")
case("load_alignment: unknown symbol", lambda: G.load_alignment(fasta(">x\nAC#\n")), "fuzz.fasta")
case("load_alignment: ragged alignment", lambda: G.load_alignment(fasta(">x\nACD\n>y\nAC\n")), "fuzz.fasta")
for bad in (NAN, -0.1, 1.5, "0.2x"):
    case(f"load_alignment: theta={bad!r}", lambda b=bad: G.load_alignment(fasta(">x\nACD\n"), theta=b), "theta")
case("load_alignment: alphabet typo", lambda: G.load_alignment(fasta(">x\nACD\n"), "protien"), "alphabet")
case("load_alignment: truncated gzip-like header", lambda: G.load_alignment(fasta(b"\x1f\x8b\x08\x00")), "fuzz.fasta")

S01 = [[0, 1, 1], [1, 1, 0]]
for bad in (0, -1, 2.5):
    case(f"sequence_weights: chunk={bad!r}", lambda b=bad: G.sequence_weights(S01, 2, chunk=b), "chunk")
case("sequence_weights: theta=nan", lambda: G.sequence_weights(S01, 2, theta=NAN), "theta")
case("sequence_weights: theta=1.5", lambda: G.sequence_weights(S01, 2, theta=1.5), "theta")
case("sequence_weights: state out of range", lambda: G.sequence_weights([[0, 3]], 2), "s")
case("sequence_weights: q=2.5", lambda: G.sequence_weights(S01, 2.5), "q")
case("sequence_weights: device='bogus'", lambda: G.sequence_weights(S01, 2, device="bogus"), "device")
case("sequence_weights: theta=0 (every sequence counts only itself)", lambda: G.sequence_weights(S01, 2, theta=0.0),
     "theta", ok=lambda w: np.array_equal(w, [1.0, 1.0]))

# ---------------------------------------------------------------- alignments, DCA scores and files (issue 13)

case("read_alignment: missing file", lambda: G.read_alignment("missing.a2m"), "missing.a2m")
case("read_alignment: format typo", lambda: G.read_alignment(fasta(">x\nACD\n"), format="fastaa"), "format")
case("read_alignment: binary bytes", lambda: G.read_alignment(fasta(bytes(range(256)), "b.a2m")), "b.a2m")
case("read_stockholm: a line with three fields", lambda: G.read_stockholm(fasta("# STOCKHOLM 1.0\na AC D\n//\n",
     "x.sto")), "x.sto")
case("read_stockholm: no sequence lines", lambda: G.read_stockholm(fasta("# STOCKHOLM 1.0\n//\n", "y.sto")), "y.sto")
case("prepare_alignment: unknown focus", lambda: G.prepare_alignment(["a/1-3"], ["ACD"], focus="b"), "focus")
case("prepare_alignment: focus not a string", lambda: G.prepare_alignment(["a"], ["ACD"], focus=3), "focus")
case("prepare_alignment: ragged", lambda: G.prepare_alignment(["a", "b"], ["ACD", "AC"]), "ragged")
case("prepare_alignment: names and sequences differ in length", lambda: G.prepare_alignment(["a"], ["AC", "AD"]),
     "names")
case("prepare_alignment: focus_columns typo", lambda: G.prepare_alignment(["a"], ["ACD"], focus_columns="upper"),
     "focus_columns")
case("prepare_alignment: scale=0", lambda: G.prepare_alignment(["a"], ["ACD"], scale=0.0), "scale")
case("prepare_alignment: theta=nan", lambda: G.prepare_alignment(["a"], ["ACD"], theta=NAN), "theta")
case("prepare_alignment: max_column_gaps=1.5", lambda: G.prepare_alignment(["a"], ["ACD"], max_column_gaps=1.5),
     "max_column_gaps")
case("prepare_alignment: an all-gap column", lambda: G.prepare_alignment(["a", "b"], ["A-D", "C-D"]), "gap in every sequence")
case("prepare_alignment: every sequence out of the alphabet", lambda: G.prepare_alignment(["a"], ["AXD"]), "alphabet")
case("prepare_alignment: theta=2 (outside [0, 1]: no reweighting, as plmc)",
     lambda: G.prepare_alignment(["a", "b"], ["ACD", "ACD"], theta=2.0), "theta",
     ok=lambda a: np.array_equal(a.weights, [1.0, 1.0]))
case("load_alignment: unknown focus", lambda: G.load_alignment(fasta(">x/1-3\nACD\n"), focus="y"), "focus")

case("contact_scores: not a model", lambda: G.contact_scores(np.zeros((3, 3))), "model")
case("contact_scores: convention typo", lambda: G.contact_scores(potts(), convention="plmcc"), "convention")
case("contact_scores: apc='yes'", lambda: G.contact_scores(potts(), apc="yes"), "apc")
case("contact_scores: gap out of range", lambda: G.contact_scores(potts(), convention="ccmpred", gap=7), "gap")
case("contact_scores: zero model (APC divides by the mean score)", lambda: G.contact_scores(G.PottsModel(
    np.zeros((3, 2)), np.zeros((3, 3, 2, 2)))), "APC")
case("average_product_correction: not square", lambda: G.average_product_correction(np.zeros((3, 4))), "F")
case("average_product_correction: NaN", lambda: G.average_product_correction(np.full((3, 3), NAN)), "F")
case("top_contacts: n=-1", lambda: G.top_contacts(np.eye(4), -1), "n")
case("top_contacts: min_separation=0", lambda: G.top_contacts(np.eye(4), 2, min_separation=0), "min_separation")
case("top_contacts: 1-D scores", lambda: G.top_contacts(np.zeros(4), 2), "scores")
case("top_contacts: NaN scores", lambda: G.top_contacts(np.full((4, 4), NAN), 2), "scores")
case("plmc_gammas: negative lambda_e", lambda: G.plmc_gammas(-1.0, 0.01, L=5, q=21, neff=10.0), "lambda_e")
case("plmc_gammas: neff=0", lambda: G.plmc_gammas(16.0, 0.01, L=5, q=21, neff=0.0), "neff")
case("plmc_objective: states out of range", lambda: G.plmc_objective(potts(), np.full((5, 4), 9), np.ones(5),
     lambda_e=1.0, lambda_h=0.01), "s")
case("plmc_objective: lambda_g=-1", lambda: G.plmc_objective(potts(), states(), np.ones(60), lambda_e=1.0,
     lambda_h=0.01, lambda_g=-1.0), "lambda_g")
case("fit_plmc: lambda_g=nan", lambda: G.fit_plmc(states(), np.ones(60), 3, lambda_g=NAN), "lambda_g")
case("fit_plmc: max_iter=-1", lambda: G.fit_plmc(states(), np.ones(60), 3, max_iter=-1), "max_iter")
case("fit_plmc: 1-D states", lambda: G.fit_plmc(np.zeros(5, int), np.ones(5), 3), "states")
case("fit_plmc: backend='bogus'", lambda: G.fit_plmc(states(), np.ones(60), 3, backend="bogus"), "backend")
case("fit_plmc: threads=0", lambda: G.fit_plmc(states(), np.ones(60), 3, threads=0), "threads")
case("fit_plmc: dtype=int64", lambda: G.fit_plmc(states(), np.ones(60), 3, dtype="int64"), "dtype")
case("fit_plmc: states out of range", lambda: G.fit_plmc(np.full((5, 4), 9), np.ones(5), 3), "states")
case("fit_plmc: weights of the wrong length", lambda: G.fit_plmc(states(), np.ones(7), 3), "weights")
case("fit_plmc: gap_ignore with q=2", lambda: G.fit_plmc(np.zeros((5, 4), int), np.ones(5), 2, gap_ignore=True),
     "gap_ignore")
case("write_plmc_params: (h, e) of mismatched sizes", lambda: G.write_plmc_params(
     out("p1.params"), (np.zeros((4, 3)), np.zeros((5, 3, 3))), alphabet="ABC", fi=np.zeros((4, 3)),
     fij=np.zeros((6, 3, 3)), neighbors=np.ones(2)), "e", after=nonempty_file("p1.params"))
case("write_plmc_couplings: NaN scores", lambda: G.write_plmc_couplings(out("c1.txt"), np.full((3, 3), NAN)),
     "scores", after=nonempty_file("c1.txt"))
case("write_plmc_couplings: positions of the wrong length", lambda: G.write_plmc_couplings(
    out("c2.txt"), np.zeros((3, 3)), positions=[1, 2]), "positions", after=nonempty_file("c2.txt"))
case("write_plmc_couplings: focus_sequence too short", lambda: G.write_plmc_couplings(
    out("c3.txt"), np.zeros((3, 3)), focus_sequence="AC"), "focus_sequence", after=nonempty_file("c3.txt"))
case("read_plmc_couplings: missing", lambda: G.read_plmc_couplings("missing.couplings"), "missing.couplings")
case("read_plmc_couplings: five fields", lambda: G.read_plmc_couplings(fasta("1 A 2 C 0.5\n", "c.couplings")),
     "c.couplings")
case("read_plmc_params: random bytes", lambda: G.read_plmc_params(fasta(bytes(range(200)), "p.params")), "p.params")
case("read_plmc_params: truncated", lambda: G.read_plmc_params(fasta(b"\x05\x00", "t.params")), "t.params")
case("write_plmc_params: alphabet of the wrong size", lambda: G.write_plmc_params(
    out("p1.params"), potts(), alphabet="AB", fi=np.zeros((4, 3)), fij=np.zeros((4, 4, 3, 3)), neighbors=[1.0]),
    "alphabet", after=nonempty_file("p1.params"))
case("write_plmc_params: fi of the wrong shape", lambda: G.write_plmc_params(
    out("p2.params"), potts(), alphabet="-AC", fi=np.zeros((3, 3)), fij=np.zeros((4, 4, 3, 3)), neighbors=[1.0]),
    "fi", after=nonempty_file("p2.params"))
case("write_ccmpred_mat: not square", lambda: G.write_ccmpred_mat(out("m1.mat"), np.zeros((2, 3))), "scores",
     after=nonempty_file("m1.mat"))
case("read_ccmpred_mat: ragged", lambda: G.read_ccmpred_mat(fasta("1 2\n3\n", "r.mat")), "r.mat")
case("read_ccmpred_mat: text", lambda: G.read_ccmpred_mat(fasta("a b\nc d\n", "t.mat")), "t.mat")
case("write_adabmdca_params: alphabet size differs from q", lambda: G.write_adabmdca_params(
    out("a1.dat"), potts(), "protein"), "alphabet", after=nonempty_file("a1.dat"))
case("read_adabmdca_params: unknown state letter", lambda: G.read_adabmdca_params(fasta("h 0 Z 0.1\n", "z.dat"),
     "rna"), "z.dat")
case("read_adabmdca_params: malformed line", lambda: G.read_adabmdca_params(fasta("J 0 1 A\n", "m.dat")), "m.dat")

# ---------------------------------------------------------------- sampling (torch)

case("color_classes: 1-D adjacency", lambda: G.color_classes(np.array([0, 1, 1])), "adjacency")
case("color_classes: non-symmetric adjacency", lambda: G.color_classes(np.array([[0, 1], [0, 0]])), "adjacency")
case("color_classes: non-square adjacency", lambda: G.color_classes(np.zeros((2, 3))), "adjacency")
case("color_classes: NaN entries", lambda: G.color_classes(np.array([[0, NAN], [NAN, 0]])), "adjacency")
case("color_classes: empty graph", lambda: G.color_classes(np.zeros((0, 0))), "adjacency")
case("color_classes: self loop", lambda: G.color_classes(np.array([[1, 0], [0, 0]])), "adjacency")

case("PottsChains: L=0", lambda: G.PottsChains(0, 3, 5), "L")
case("PottsChains: q=1", lambda: G.PottsChains(3, 1, 5), "q")
case("PottsChains: n=0", lambda: G.PottsChains(3, 3, 0), "n")
case("PottsChains: n=2.5", lambda: G.PottsChains(3, 3, 2.5), "n")
case("PottsChains: classes missing a site", lambda: G.PottsChains(3, 3, 5, classes=[[0], [1]]), "classes")
case("PottsChains: classes with a site twice", lambda: G.PottsChains(3, 3, 5, classes=[[0, 1], [1, 2]]), "classes")
case("PottsChains: classes with an out-of-range site", lambda: G.PottsChains(3, 3, 5, classes=[[0, 1, 2, 3]]),
     "classes")
case("PottsChains: init of the wrong shape", lambda: G.PottsChains(3, 3, 5, init=np.zeros((5, 2), dtype=int)), "init")
case("PottsChains.sweep: before set_params", lambda: G.PottsChains(3, 3, 5).sweep(1), "set_params")


def _chains():
    import torch

    ch = G.PottsChains(3, 2, 4, seed=0)
    ch.set_params(torch.zeros(6, dtype=torch.float64), torch.zeros(6, 6, dtype=torch.float64))
    return ch


case("PottsChains.sweep: method typo", lambda: _chains().sweep(1, method="metropolis-hastings"), "method")
case("PottsChains.sweep: n_sweeps=-1", lambda: _chains().sweep(-1), "n_sweeps")
case("PottsChains.sweep: n_sweeps=2.5", lambda: _chains().sweep(2.5), "n_sweeps")
case("PottsChains.set_params: W of the wrong shape",
     lambda: _chains().set_params(__import__("torch").zeros(6), __import__("torch").zeros(5, 5)), "W")
case("PottsChains.set_params: h of the wrong shape",
     lambda: _chains().set_params(__import__("torch").zeros(4), __import__("torch").zeros(6, 6)), "h")
case("PottsChains.set_params: NaN fields",
     lambda: _chains().set_params(__import__("torch").full((6,), NAN, dtype=__import__("torch").float64),
                                  __import__("torch").zeros(6, 6, dtype=__import__("torch").float64)), "h")
case("sample_chains: method='bogus'", lambda: G.sample_chains(potts(), 3, sweeps=1, method="bogus"), "method")
case("sample_chains: model not a PottsModel", lambda: G.sample_chains(np.zeros((3, 3)), 3, sweeps=1), "model")

for arg, bad in (("n_chains", 10**10), ("n_chains", 0), ("n_chains", 1), ("n_chains", 2.5), ("n_temps", 0),
                 ("n_temps", 2.5), ("sweeps_per_temp", -1), ("seed", "x")):
    case(f"ais_log_partition: {arg}={bad!r}", lambda a=arg, b=bad: G.ais_log_partition(potts(), **{a: b}), arg)
case("ais_log_partition: reference_fields of the wrong shape",
     lambda: G.ais_log_partition(potts(), reference_fields=np.zeros((2, 3))), "reference_fields")
case("ais_log_partition: reference_fields with NaN",
     lambda: G.ais_log_partition(potts(), reference_fields=np.full((4, 3), NAN)), "reference_fields")
case("ais_log_partition: model not a PottsModel", lambda: G.ais_log_partition(np.zeros(3)), "model")

# ---------------------------------------------------------------- inference


def s4():
    return states()


for arg, bad in (("max_iter", -1), ("max_iter", 0), ("max_iter", 2.5), ("tol", 0.0), ("tol", NAN),
                 ("gamma_h", -1.0), ("l1_eps", NAN), ("dtype", "float64"), ("device", "bogus"),
                 ("progress", "yes")):
    case(f"fit_plm: {arg}={bad!r}", lambda a=arg, b=bad: G.fit_plm(s4(), 3, **{a: b}), arg)
for bad in (NAN, INF, -1.0, "one"):
    case(f"fit_plm: gamma={bad!r}", lambda b=bad: G.fit_plm(s4(), 3, gamma=b), "gamma")
case("fit_plm: penalty typo 'l3'", lambda: G.fit_plm(s4(), 3, penalty="l3"), "penalty")
case("fit_plm: penalty 'L2' (case)", lambda: G.fit_plm(s4(), 3, penalty="L2"), "penalty")
case("fit_plm: q=2.5", lambda: G.fit_plm(s4(), 2.5), "q")
case("fit_plm: q=1", lambda: G.fit_plm(np.zeros((5, 3), dtype=int), 1), "q")
case("fit_plm: q smaller than the data's states", lambda: G.fit_plm(s4(), 2), "s")
case("fit_plm: s 1-D", lambda: G.fit_plm([0, 1, 2], 3), "s")
case("fit_plm: s empty", lambda: G.fit_plm(np.zeros((0, 3), dtype=int), 3), "s")
case("fit_plm: s non-integer floats", lambda: G.fit_plm([[0.0, 1.5]], 3), "s")
case("fit_plm: s with one site (no couplings: the independent-site fit)", lambda: G.fit_plm([[0], [1], [2]], 3), "s",
     ok=lambda m: m.L == 1 and not np.any(m.J))
case("fit_plm: weights negative", lambda: G.fit_plm(s4(), 3, weights=-np.ones(60)), "weights")
case("fit_plm: weights with NaN", lambda: G.fit_plm(s4(), 3, weights=np.full(60, NAN)), "weights")
case("fit_plm: weights of the wrong length", lambda: G.fit_plm(s4(), 3, weights=np.ones(3)), "weights")
case("fit_plm: edges out of range", lambda: G.fit_plm(s4(), 3, edges=[(0, 9)]), "edges")
case("fit_plm: edges non-integer", lambda: G.fit_plm(s4(), 3, edges=[(0.5, 1.5)]), "edges")
case("fit_plm: edges self loop", lambda: G.fit_plm(s4(), 3, edges=[(1, 1)]), "edges")
case("fit_plm: init of another size", lambda: G.PseudoLikelihoodPotts().fit(s4(), 3, init=zero_potts()), "init")
case("fit_plm: unknown keyword", lambda: G.fit_plm(s4(), 3, max_iters=10), "max_iters")

case("fit_ml: q**L too large", lambda: G.fit_ml(np.zeros((5, 14), dtype=int), 3), "q**L")
case("fit_ml: max_iter=-1", lambda: G.fit_ml(s4(), 3, max_iter=-1), "max_iter")
case("fit_ml: penalty typo", lambda: G.fit_ml(s4(), 3, penalty="l22"), "penalty")

for arg, bad in (("sweeps", -1), ("sweeps", 0), ("n_chains", 1), ("n_chains", 0), ("n_chains", 2.5),
                 ("target_pearson", NAN), ("target_pearson", 1.5), ("target_pearson", -2.0), ("check_every", 0),
                 ("check_every", -1), ("lr", 0.0), ("lr", NAN), ("max_epochs", 0), ("pseudocount", 1.5),
                 ("pseudocount", -0.1), ("method", "gibs"), ("seed", "x"), ("gamma", -1.0), ("gamma_h", NAN)):
    case(f"fit_bm: {arg}={bad!r}", lambda a=arg, b=bad: G.fit_bm(s4(), 3, max_epochs=2, **{a: b}) if a != "max_epochs"
         else G.fit_bm(s4(), 3, **{a: b}), arg)
case("fit_bm: n_chains = 10**10", lambda: G.fit_bm(s4(), 3, n_chains=10**10, max_epochs=1), "n_chains")

case("PseudoLikelihoodPotts: penalty typo refused at fit",
     lambda: G.PseudoLikelihoodPotts(penalty="l3").fit(s4(), 3), "penalty")
case("PseudoLikelihoodPotts.score: before fit", lambda: G.PseudoLikelihoodPotts().score(s4()), "call fit",
     raises=NOT_FITTED)
case("MaximumLikelihoodPotts.score: states of another length",
     lambda: G.MaximumLikelihoodPotts(max_iter=3).fit(s4(), 3).score([[0, 1]]), "s")
case("BoltzmannMachinePotts: lr=-1 refused at fit", lambda: G.BoltzmannMachinePotts(lr=-1.0).fit(s4(), 3), "lr")
case("PseudoLikelihoodPotts.set_params: unknown parameter", lambda: G.PseudoLikelihoodPotts().set_params(gama=1.0),
     "gama")

case("plm_objective: s with another number of sites", lambda: G.plm_objective(potts(), [[0, 1, 2]]), "s")
case("plm_objective: penalty typo", lambda: G.plm_objective(potts(), s4(), penalty="l3"), "penalty")
case("plm_objective: model not a PottsModel", lambda: G.plm_objective(np.zeros(3), s4()), "model")
case("ml_objective: s with another number of sites", lambda: G.ml_objective(potts(), [[0, 1, 2]]), "s")
case("ml_objective: gamma=nan", lambda: G.ml_objective(potts(), s4(), gamma=NAN), "gamma")


def _torch_idx(values, dtype="long"):
    import torch

    return torch.as_tensor(values, dtype=getattr(torch, dtype))


case("pair_frequencies: index out of range",
     lambda: G.pair_frequencies(_torch_idx([[0, 7]]), _torch_idx([1.0], "float64"), 4), "idx")
case("pair_frequencies: weights of the wrong length",
     lambda: G.pair_frequencies(_torch_idx([[0, 3]]), _torch_idx([1.0, 2.0], "float64"), 4), "w")
case("pair_frequencies: float indices",
     lambda: G.pair_frequencies(_torch_idx([[0.0, 3.0]], "float64"), _torch_idx([1.0], "float64"), 4), "idx")
case("pair_frequencies: n=0", lambda: G.pair_frequencies(_torch_idx([[0, 1]]), _torch_idx([1.0], "float64"), 0), "n")


def _pearson(L=3, q=2, *, const=False, n=None):
    import torch

    n = L * q if n is None else n
    g = torch.Generator().manual_seed(0)
    f1 = torch.rand(n, generator=g, dtype=torch.float64)
    f2 = torch.rand(n, n, generator=g, dtype=torch.float64)
    f2 = f2 + f2.T
    p2 = torch.outer(f1, f1) if const else f2 + 0.1
    return G.connected_correlation_pearson(f1, f2, f1, p2, L, q)


case("connected_correlation_pearson: L*q does not match the moments", lambda: _pearson(n=5), "L")
case("connected_correlation_pearson: constant model correlations (Pearson undefined)", lambda: _pearson(const=True),
     "pearson")

case("potts_likelihood_path: fewer than 3 gammas", lambda: G.potts_likelihood_path(potts(), s4(), [0.1, 1.0]),
     "gammas")
case("potts_likelihood_path: gammas not increasing",
     lambda: G.potts_likelihood_path(potts(), s4(), [1.0, 0.5, 2.0]), "gammas")
case("potts_likelihood_path: gammas with NaN", lambda: G.potts_likelihood_path(potts(), s4(), [0.1, NAN, 2.0]),
     "gammas")
case("potts_likelihood_path: penalty typo",
     lambda: G.potts_likelihood_path(potts(), s4(), [0.1, 1.0, 10.0], penalty="l0"), "penalty")
case("potts_likelihood_path: estimator typo",
     lambda: G.potts_likelihood_path(potts(), s4(), [0.1, 1.0, 10.0], estimator="mcmc"), "estimator")
case("potts_likelihood_path: s_train of another length",
     lambda: G.potts_likelihood_path(potts(), [[0, 1]], [0.1, 1.0, 10.0]), "s_train")
case("potts_likelihood_path: large model without s_test",
     lambda: G.potts_likelihood_path(G.chain_potts(14, 3, 0.5, rng=rng()), np.zeros((5, 14), dtype=int),
                                     [0.1, 1.0, 10.0]), "s_test")
for arg, bad in (("n_gen", 0), ("gen_sweeps", -1), ("ais_chains", 1), ("ais_temps", 0), ("gamma_h", -1.0)):
    case(f"potts_likelihood_path: {arg}={bad!r} (large model)",
         lambda a=arg, b=bad: G.potts_likelihood_path(G.chain_potts(14, 3, 0.5, rng=rng()),
                                                      np.zeros((5, 14), dtype=int), [0.1, 1.0, 10.0],
                                                      s_test=np.zeros((5, 14), dtype=int), **{a: b}), arg)
case("potts_likelihood_path: true_model not a PottsModel",
     lambda: G.potts_likelihood_path(np.zeros(3), s4(), [0.1, 1.0, 10.0]), "true_model")
case("exact_cross_log_likelihood: different (L, q)",
     lambda: G.exact_cross_log_likelihood(potts(), G.chain_potts(3, 3, 0.5, rng=rng())), "same")
case("exact_cross_log_likelihood: too large to enumerate",
     lambda: G.exact_cross_log_likelihood(*(2 * [G.chain_potts(13, 3, 0.5, rng=rng())])), "q**L")
case("exact_cross_log_likelihood: not models", lambda: G.exact_cross_log_likelihood(1, 2), "p")

LX = np.linspace(-2, 2, 9)
case("grid_argmax: lengths differ", lambda: G.grid_argmax(LX, LX[:5]), "y")
case("grid_argmax: empty", lambda: G.grid_argmax([], []), "log_x")
case("grid_argmax: all-NaN y", lambda: G.grid_argmax(LX, np.full(9, NAN)), "y")
case("crossing_on_grid: scale typo", lambda: __import__("statgen.graphical._paths", fromlist=["x"]).crossing_on_grid(
    np.exp(LX), LX, 1.0, scale="lg"), "scale")
case("grid_argmax: log_x with NaN", lambda: G.grid_argmax([0.0, NAN, 1.0], [0.0, 1.0, 0.0]), "log_x")
case("grid_argmax: log_x not increasing", lambda: G.grid_argmax([0.0, 2.0, 1.0], [0.0, 1.0, 0.0]), "log_x")
case("grid_argmax: 2-D y", lambda: G.grid_argmax(LX, np.zeros((9, 2))), "y")
case("grid_crossing: x0=-1 (log of a negative)", lambda: G.grid_crossing(LX, LX - 0.3, -1.0), "x0")
case("grid_crossing: x0=nan", lambda: G.grid_crossing(LX, LX - 0.3, NAN), "x0")
case("grid_crossing: lengths differ", lambda: G.grid_crossing(LX, LX[:4], 1.0), "d")
case("grid_crossing: empty", lambda: G.grid_crossing([], [], 1.0), "log_x")
case("grid_crossing: no sign change gives NaN (documented)", lambda: G.grid_crossing(LX, LX**2 + 1, 1.0), "d",
     nan_ok=True, ok=lambda x: np.isnan(x))
case("grid_crossing: a zero on a grid point", lambda: G.grid_crossing(np.log([1.0, 2.0, 4.0]), [-1.0, 0.0, 1.0], 2.0),
     "d", ok=lambda x: abs(x - 2.0) < 1e-12)
