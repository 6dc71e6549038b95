"""Compiled flow energy+force routes: the traced graph, AOTInductor packages and their on-disk cache.

The independent values are the stored energies/forces of the pre-optimisation autograd code
(tests/md/data/fast_path_reference.npz, see tests/md/data/README.md)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from statgen.md import EnergyForce, load_boltzmann_generator
from statgen.md.aot_cache import META, PACKAGE, model_key
from statgen.md.evaluator import AUTO_COMPILE_CALLS, METHOD_ENV, trace_energy_force

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def reference():
    return dict(np.load(DATA / "fast_path_reference.npz"))


@pytest.fixture(scope="module")
def model():
    return load_boltzmann_generator(DATA / "random_smooth_bg.pt").double()


def _assert_reference(e, f, reference, kind="smooth", rtol=1e-10):
    want_e, want_f = reference[f"{kind}_energy"], reference[f"{kind}_force"]
    np.testing.assert_allclose(e.detach().cpu().double().numpy(), want_e, rtol=rtol, atol=0)
    np.testing.assert_allclose(f.detach().cpu().double().numpy(), want_f, rtol=0, atol=rtol * np.abs(want_f).max())


@pytest.mark.parametrize("kind", ["smooth", "spline"])
def test_traced_energy_force_graph_equals_the_reference(reference, kind):
    """The flat aten graph (forward + its autograd backward, cumsum rewritten as masked sums) that the
    compiled routes compile gives the stored autograd energies and forces to 1e-10."""
    model = load_boltzmann_generator(DATA / f"random_{kind}_bg.pt").double()
    x = torch.tensor(reference["positions"])
    gm = trace_energy_force(model, x)
    assert not any(n.target is torch.ops.aten.cumsum.default for n in gm.graph.nodes)
    assert not any("autograd" in str(n.target) for n in gm.graph.nodes)
    e, f = gm(x)
    _assert_reference(e, f, reference, kind)
    # the graph is a snapshot: other positions of the same shape are evaluated correctly too
    x2 = x.flip(0)
    e2, f2 = gm(x2)
    np.testing.assert_allclose(e2.numpy(), reference[f"{kind}_energy"][::-1], rtol=1e-10)


def test_auto_resolves_by_cache_and_run_length(model, tmp_path, monkeypatch):
    monkeypatch.delenv(METHOD_ENV, raising=False)
    shape = (3, 22, 3)
    ev = EnergyForce(model, method="auto", cache_dir=tmp_path)
    assert ev._choose(shape)[0] == "eager"  # nothing cached, run length unknown
    assert EnergyForce(model, method="auto", cache_dir=tmp_path, calls=100)._choose(shape)[0] == "eager"
    long_run = EnergyForce(model, method="auto", cache_dir=tmp_path, calls=AUTO_COMPILE_CALLS)
    assert long_run._choose(shape) == ("aoti", f"{AUTO_COMPILE_CALLS} steps repay compiling")
    monkeypatch.setenv(METHOD_ENV, "eager")
    assert long_run._choose(shape)[0] == "eager"
    monkeypatch.setenv(METHOD_ENV, "jit")
    with pytest.raises(ValueError, match=METHOD_ENV):
        long_run._choose(shape)
    monkeypatch.delenv(METHOD_ENV)

    class Plain:
        def energy(self, x):
            return (x * x).sum((1, 2))

    assert EnergyForce(Plain(), method="auto", calls=10**6)._choose(shape)[0] == "eager"
    # eager route of "auto": the same numbers as the eager method
    x = torch.tensor(np.load(DATA / "fast_path_reference.npz")["positions"][:3])
    e, f = ev(x)
    assert ev.routes[(3, 22, 3)] == "eager"
    e0, f0 = EnergyForce(model)(x)
    assert torch.equal(e, e0) and torch.equal(f, f0)


def test_model_key_depends_on_weights_shape_and_dtype(model):
    k1, info = model_key(model, (2, 22, 3), torch.float64, torch.device("cpu"))
    assert model_key(model, (2, 22, 3), torch.float64, torch.device("cpu"))[0] == k1
    assert model_key(model, (3, 22, 3), torch.float64, torch.device("cpu"))[0] != k1
    assert model_key(model, (2, 22, 3), torch.float32, torch.device("cpu"))[0] != k1
    other = load_boltzmann_generator(DATA / "random_smooth_bg.pt").double()
    with torch.no_grad():
        next(other.parameters())[0].add_(1e-12)
    assert model_key(other, (2, 22, 3), torch.float64, torch.device("cpu"))[0] != k1
    assert info["torch"] == torch.__version__ and info["shape"] == [2, 22, 3]
    json.dumps(info)  # plain data


def test_model_key_depends_on_the_inductor_options(model, monkeypatch):
    # a package compiled with other code-generation options (vector width) is another entry, never reused
    from statgen.md import aot_cache

    k1, info = model_key(model, (2, 22, 3), torch.float64, torch.device("cpu"))
    assert info["inductor"] == aot_cache.inductor_options(torch.device("cpu"))
    monkeypatch.setattr(aot_cache, "inductor_options", lambda device: {"cpp.simdlen": 512})
    k2, info2 = model_key(model, (2, 22, 3), torch.float64, torch.device("cpu"))
    assert k2 != k1 and info2["inductor"] == {"cpp.simdlen": 512}


def _entry(model, tmp_path, shape):
    key, info = model_key(model, shape, torch.float64, torch.device("cpu"))
    entry = tmp_path / key
    entry.mkdir(parents=True)
    return entry, info


def test_a_damaged_cache_entry_is_refused_with_a_clear_error(model, tmp_path):
    """Whatever the method ("auto" finds the entry and loads it), a damaged entry raises ValueError
    naming the file; nothing is loaded, rebuilt or overwritten silently."""
    shape = (2, 22, 3)
    entry, info = _entry(model, tmp_path, shape)
    (entry / PACKAGE).write_bytes(b"PK\x03\x04 not really a package")
    (entry / META).write_text(json.dumps({**info, "sha256": "0" * 64}))
    for method in ("auto", "aoti"):
        with pytest.raises(ValueError, match=r"package.pt2 is corrupt: SHA-256 .* does not match"):
            EnergyForce(model, method=method, cache_dir=tmp_path).prepare(shape)
    import hashlib

    (entry / META).write_text(json.dumps({**info, "sha256": hashlib.sha256((entry / PACKAGE).read_bytes()).hexdigest()}))
    with pytest.raises(ValueError, match="cannot be loaded as an AOTInductor package"):
        EnergyForce(model, method="aoti", cache_dir=tmp_path).prepare(shape)
    (entry / META).write_text("{not json")
    with pytest.raises(ValueError, match=r"meta.json is not a valid statgen AOTInductor cache entry"):
        EnergyForce(model, method="aoti", cache_dir=tmp_path).prepare(shape)
    (entry / META).write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="format 'something else'"):
        EnergyForce(model, method="aoti", cache_dir=tmp_path).prepare(shape)
    (entry / PACKAGE).unlink()
    (entry / META).write_text(json.dumps({**info, "sha256": "0" * 64}))
    with pytest.raises(ValueError, match="package.pt2 is missing"):
        EnergyForce(model, method="aoti", cache_dir=tmp_path).prepare(shape)
    assert sorted(p.name for p in entry.iterdir()) == [META]  # untouched


def test_a_failing_compile_falls_back_to_eager_under_auto_and_raises_otherwise(model, tmp_path, monkeypatch):
    import statgen.md.evaluator as evaluator

    def broken(model, x):
        raise NotImplementedError("no tracer today")

    monkeypatch.setattr(evaluator, "trace_energy_force", broken)
    monkeypatch.delenv(METHOD_ENV, raising=False)
    ev = EnergyForce(model, method="auto", cache_dir=tmp_path, calls=AUTO_COMPILE_CALLS)
    with pytest.warns(RuntimeWarning, match="aoti failed for batch shape .*no tracer today.*using the eager path"):
        assert ev.prepare((2, 22, 3)) == "eager"
    x = torch.tensor(np.load(DATA / "fast_path_reference.npz")["positions"][:2])
    e, f = ev(x)
    e0, f0 = EnergyForce(model)(x)
    assert torch.equal(e, e0) and torch.equal(f, f0)
    assert not any(tmp_path.iterdir()) or all(p.suffix == ".lock" for p in tmp_path.iterdir())
    for method in ("aoti", "compile"):
        with pytest.raises(RuntimeError, match=f"method='{method}' failed .*NotImplementedError: no tracer today"):
            EnergyForce(model, method=method, cache_dir=tmp_path).prepare((2, 22, 3))


def test_aoti_needs_a_boltzmann_generator():
    class Plain:
        def energy(self, x):
            return (x * x).sum((1, 2))

    with pytest.raises(RuntimeError, match="method='aoti' failed .* needs a statgen.md.BoltzmannGenerator"):
        EnergyForce(Plain(), method="aoti").prepare((1, 22, 3))


@pytest.mark.slow
def test_aoti_package_equals_the_reference_and_is_reused(reference, model, tmp_path):
    """AOTInductor route (slow: 1-3 min of compilation): float64 energies and forces equal the stored
    autograd reference to 1e-10; a second evaluator loads the cached package (no compile) and gives
    the same numbers; every replica of the batch equals its own single-configuration eager value."""
    x = torch.tensor(reference["positions"])
    ev = EnergyForce(model, method="aoti", cache_dir=tmp_path)
    e, f = ev(x)
    assert ev.routes[tuple(x.shape)] == "aoti"
    _assert_reference(e, f, reference)
    entries = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(entries) == 1 and sorted(p.name for p in entries[0].iterdir()) == [META, PACKAGE]
    again = EnergyForce(model, method="auto", cache_dir=tmp_path)
    assert again.prepare(tuple(x.shape)) == "aoti"
    e2, f2 = again(x)
    assert torch.equal(e, e2) and torch.equal(f, f2)
    eager = EnergyForce(model)
    for r in range(len(x)):
        er, fr = eager(x[r:r + 1])
        np.testing.assert_allclose(e[r].item(), er.item(), rtol=1e-12)
        np.testing.assert_allclose(f[r].numpy(), fr[0].numpy(), rtol=0, atol=1e-12 * float(fr.abs().max()))


@pytest.mark.slow
def test_float32_aoti_is_as_accurate_as_float32_eager(reference, tmp_path):
    """A float32 model (the MD potential in single precision) compiled by AOTInductor, against the float64
    reference: energies within 1e-5 relative, forces within 5e-4 of the largest force, and no worse than
    twice the error of the float32 eager autograd path (measured on this random model: energy 1.9e-6
    relative, force 1.24e-4 of max |F| = 6 275 k_BT/nm — float32 rounding amplified through the flow's
    ~40 layers; the shipped smooth model: 1.6e-5). Observed errors are printed."""
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").float()
    x = torch.tensor(reference["positions"], dtype=torch.float32)
    want_e, want_f = reference["smooth_energy"], reference["smooth_force"]

    def errors(e, f):
        return (np.abs(e.double().numpy() - want_e).max() / np.abs(want_e).max(),
                np.abs(f.double().numpy() - want_f).max() / np.abs(want_f).max())

    err_e, err_f = errors(*EnergyForce(model, method="aoti", cache_dir=tmp_path)(x))
    eager_e, eager_f = errors(*EnergyForce(model)(x))
    print(f"float32 aoti: energy rel err {err_e:.2e}, force err / max|F| {err_f:.2e}; "
          f"float32 eager: {eager_e:.2e}, {eager_f:.2e}")
    assert err_e < 1e-5 and err_f < 5e-4
    assert err_e <= 2 * eager_e + 1e-7 and err_f <= 2 * eager_f + 1e-6


@pytest.mark.slow
def test_compiled_path_equals_the_reference_autograd_path(reference, model):
    """method="compile" (TorchInductor, in process) of the same traced graph (slow: ~1-2 min)."""
    x = torch.tensor(reference["positions"])
    ev = EnergyForce(model, method="compile")
    e, f = ev(x)
    assert ev.routes[tuple(x.shape)] == "compile"
    _assert_reference(e, f, reference)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (torch.cuda.is_available() is False)")
def test_aoti_on_cuda_equals_the_reference(reference, tmp_path):
    """AOTInductor package built for CUDA (Triton kernels): float64 energies and forces equal the stored
    CPU autograd reference to 1e-10; the cached package is reloaded by a second evaluator."""
    model = load_boltzmann_generator(DATA / "random_smooth_bg.pt").double().to("cuda")
    x = torch.tensor(reference["positions"], device="cuda")
    ev = EnergyForce(model, method="aoti", cache_dir=tmp_path)
    e, f = ev(x)
    assert ev.routes[tuple(x.shape)] == "aoti" and e.device.type == "cuda"
    _assert_reference(e, f, reference)
    e2, f2 = EnergyForce(model, method="auto", cache_dir=tmp_path)(x)
    assert torch.equal(e, e2) and torch.equal(f, f2)
