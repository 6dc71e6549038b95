"""The native (C) backend of plmc's fit: kernel value and gradient against the torch PLM objective and finite
differences, the lean L-BFGS against scipy's, the fit's outputs, the memory estimate against measured RSS."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from statgen.graphical import (
    contact_scores,
    fit_plmc,
    plmc_gammas,
    plmc_objective,
    read_plmc_params,
    sequence_weights,
    write_plmc_params,
)
from statgen.graphical.potts.dca.plmc_fit import plm_memory_bytes
from statgen.graphical.potts.dca.scores import pair_block_scores
from statgen.graphical.potts.inference import plm_kernel
from statgen.graphical.potts.inference.lbfgs import lbfgs

ROOT = Path(__file__).resolve().parents[3]


def _data(seed: int, M: int = 37, L: int = 7, q: int = 5):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, q, (M, L))
    s[0] = 0  # an all-gap sequence and a gap run (gap-ignore drops their terms)
    s[1, :3] = 0
    return rng, s, rng.uniform(0.3, 2.0, M)


def _torch_value_grad(s, w, q, gap_ignore, x, lambda_e, lambda_h):
    """plmc's f and ∇f from statgen's torch PLM (per-sample F and ∇F times N_eff; same parameter layout)."""
    import torch

    from statgen.graphical.potts.inference._problem import make_problem
    from statgen.graphical.potts.inference.plm import plm_value_grad

    qm = q - 1 if gap_ignore else q
    gamma, gamma_h = plmc_gammas(lambda_e, lambda_h, L=s.shape[1], q=qm, neff=w.sum())
    p = make_problem(s, q, "l2", gamma, gamma_h, w, 0.0, "cpu", torch.float64, gap_ignore=gap_ignore)
    f, g = plm_value_grad(p, torch.as_tensor(x, dtype=torch.float64))
    return float(f) * w.sum(), g.numpy() * w.sum()


@pytest.mark.parametrize("gap_ignore", [False, True])
@pytest.mark.parametrize("dtype,block,rtol", [(np.float64, 256, 1e-12), (np.float64, 5, 1e-12), (np.float32, 8, 2e-6)])
def test_kernel_equals_torch_objective(gap_ignore, dtype, block, rtol):
    """Value and gradient, one block and several (block 5 < M = 37), with weights and gaps."""
    rng, s, w = _data(1)
    d = plm_kernel.plmc_data(s, w, 5, gap_ignore=gap_ignore, dtype=dtype, block=block)
    x = rng.normal(size=d.n_params) * 0.5
    f_ref, g_ref = _torch_value_grad(s, w, 5, gap_ignore, x, 1.7, 0.3)
    xx = x.astype(dtype)
    g = np.empty_like(xx)
    f = plm_kernel.value_grad(d, xx, g, 0.3, 1.7)
    np.testing.assert_allclose(f, f_ref, rtol=rtol)
    np.testing.assert_allclose(g, g_ref, rtol=0, atol=rtol * np.abs(g_ref).max() * 10)


def test_kernel_gradient_equals_finite_differences():
    rng, s, w = _data(2, M=20, L=5, q=4)
    d = plm_kernel.plmc_data(s, w, 4, gap_ignore=True, dtype=np.float64, block=7)
    x = rng.normal(size=d.n_params) * 0.4
    g = np.empty_like(x)
    plm_kernel.value_grad(d, x, g, 0.2, 0.9)
    eps, scratch = 1e-6, np.empty_like(x)
    for k in rng.choice(d.n_params, 25, replace=False):
        xp, xm = x.copy(), x.copy()
        xp[k] += eps
        xm[k] -= eps
        fd = (plm_kernel.value_grad(d, xp, scratch, 0.2, 0.9) - plm_kernel.value_grad(d, xm, scratch, 0.2, 0.9)) / (2 * eps)
        assert abs(fd - g[k]) <= 1e-7 * max(1.0, abs(g[k]))


def test_lbfgs_reaches_scipy_minimum():
    """plmc's objective is strictly convex for λ > 0: our L-BFGS and scipy's L-BFGS-B find the same point."""
    from scipy.optimize import minimize

    rng, s, w = _data(3, M=60, L=6, q=4)
    d = plm_kernel.plmc_data(s, w, 4, gap_ignore=False, dtype=np.float64)

    def fun(x, g):
        return plm_kernel.value_grad(d, x, g, 0.05, 0.5)

    def fg(x):
        g = np.empty_like(x)
        return fun(x, g), g

    ref = minimize(fg, np.zeros(d.n_params), jac=True, method="L-BFGS-B",
                   options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
    x = np.zeros(d.n_params)
    # ‖g‖ < 1e-6 max(1, ‖x‖) ≈ 7e-6 (scipy stops at ‖g‖ ≈ 1e-5 here); at 1e-7 the decrease left
    # (≈ ‖g‖² / curvature) falls below f's float64 rounding (≈ 5e-14) and the line search may stall
    res = lbfgs(fun, x, epsilon=1e-6)
    assert res.status == "converged"
    np.testing.assert_allclose(res.f, ref.fun, rtol=1e-13)
    np.testing.assert_allclose(x, ref.x, atol=1e-5)


def _textbook_lbfgs(fun, x, n_iter, m):
    """Reference: Nocedal's two-loop recursion on stored vectors (x_k, g_k, s, y each their own array) with
    the same line search (scipy's DCSRCH), first step 1/‖g₀‖ and then 1; returns each iteration's f."""
    from scipy.optimize._dcsrch import DCSRCH

    from statgen.graphical.potts.inference.lbfgs import (
        FTOL,
        GTOL,
        MAX_LINESEARCH,
        MAX_STEP,
        MIN_STEP,
        XTOL,
    )

    g = np.empty_like(x)
    f = fun(x, g)
    pairs, fs = [], []
    for k in range(n_iter):
        q = -g
        alphas = []
        for s, y in reversed(pairs):
            alphas.append(s @ q / (y @ s))
            q -= alphas[-1] * y
        if pairs:
            q *= pairs[-1][1] @ pairs[-1][0] / (pairs[-1][1] @ pairs[-1][1])
        for (s, y), a in zip(pairs, reversed(alphas), strict=True):
            q += (a - y @ q / (y @ s)) * s
        cache = {}

        def phi(t, q=q, cache=cache, x=x):
            if t not in cache:
                gt = np.empty_like(x)
                cache[t] = (fun(x + t * q, gt), gt)
            return cache[t][0]

        def dphi(t, q=q, cache=cache):
            phi(t)
            return cache[t][1] @ q

        search = DCSRCH(phi, dphi, FTOL, GTOL, XTOL, MIN_STEP, MAX_STEP)
        t = search(1.0 / np.linalg.norm(g) if k == 0 else 1.0, phi0=f, derphi0=g @ q, maxiter=MAX_LINESEARCH)[0]
        phi(t)
        f, gn = cache[t]
        pairs = (pairs + [(t * q, gn - g)])[-m:]
        x, g = x + t * q, gn
        fs.append(f)
    return x, fs


def test_lbfgs_iterates_equal_the_textbook_two_loop_recursion():
    """The coefficient-space recursion and in-place slots (2m + 2 vectors) take the same steps as the
    textbook recursion on stored vectors: f at every iteration and the final x to float64 rounding, with
    m = 3 so the ring of pairs wraps several times."""
    rng, s, w = _data(5, M=80, L=6, q=4)
    d = plm_kernel.plmc_data(s, w, 4, gap_ignore=False, dtype=np.float64)

    def fun(x, g):
        return plm_kernel.value_grad(d, x, g, 0.05, 0.5)

    x0 = rng.normal(0, 0.3, d.n_params)
    ref_x, ref_f = _textbook_lbfgs(fun, x0.copy(), 12, 3)
    native = dict(dot=plm_kernel.dot, dots=plm_kernel.dots, combine=plm_kernel.combine, axpy=plm_kernel.axpy)
    for ops in ({}, native):  # numpy's linear algebra and the compiled one
        x, seen = x0.copy(), []
        res = lbfgs(fun, x, max_iter=12, epsilon=0.0, history=3, callback=lambda k, f, *_, seen=seen: seen.append(f), **ops)
        assert res.n_iter == 12 and res.status == "max_iter"
        np.testing.assert_allclose(seen, ref_f, rtol=1e-12)
        np.testing.assert_allclose(x, ref_x, rtol=0, atol=1e-9 * np.abs(ref_x).max())


def test_native_combine_equals_numpy():
    rng = np.random.default_rng(12)
    vs = [rng.normal(size=5001) for _ in range(5)]
    c = rng.normal(size=5)
    ref = sum(ci * v for ci, v in zip(c, vs, strict=True))
    d = vs[2].copy()
    plm_kernel.combine(d, c, [vs[0], vs[1], d, vs[3], vs[4]])  # d is one of the terms
    np.testing.assert_allclose(d, ref, rtol=1e-13, atol=1e-13)


def test_native_dots_equal_single_dots_bitwise():
    rng = np.random.default_rng(11)
    for dt in (np.float32, np.float64):
        v = rng.normal(size=100_003).astype(dt)
        us = [rng.normal(size=100_003).astype(dt) for _ in range(70)]  # more than one group of 64
        assert plm_kernel.dots(v, us).tolist() == [plm_kernel.dot(v, u) for u in us]


def test_lbfgs_stops_at_max_iter_and_reports_each_iteration():
    rng, s, w = _data(4)
    d = plm_kernel.plmc_data(s, w, 5, gap_ignore=False, dtype=np.float32)
    seen = []
    x = np.zeros(d.n_params, np.float32)
    res = lbfgs(lambda x, g: plm_kernel.value_grad(d, x, g, 0.01, 1.0), x, max_iter=7,
                callback=lambda k, f, *_: seen.append((k, f)))
    assert res.n_iter == 7 and res.status == "max_iter" and [k for k, _ in seen] == list(range(1, 8))
    assert all(b[1] < a[1] for a, b in zip(seen, seen[1:], strict=False))  # a descent method
    assert seen[-1][1] == res.f


@pytest.mark.parametrize("gap_ignore,lambda_g", [(True, 0.0), (False, 0.0), (False, 2.0)])
def test_fit_objective_equals_torch_reevaluation(gap_ignore, lambda_g):
    """The fit's f (kernel + the group term in numpy) = plmc_objective (torch, float64) at its parameters."""
    _, s, w = _data(5, M=50, L=8, q=5)
    est = fit_plmc(s, w, 5, lambda_e=2.0, lambda_h=0.1, lambda_g=lambda_g, max_iter=15, gap_ignore=gap_ignore)
    assert est.n_iter_ == 15 and est.e.dtype == np.float64
    f = plmc_objective(est.model_, s, w, lambda_e=2.0, lambda_h=0.1, lambda_g=lambda_g, gap_ignore=gap_ignore)
    np.testing.assert_allclose(est.f, f, rtol=1e-12)
    np.testing.assert_allclose(est.objective_ * w.sum(), f, rtol=1e-12)


def test_fit_float32_close_to_float64_and_torch_backend():
    _, s, w = _data(6, M=80, L=8, q=5)
    kw = dict(lambda_e=2.0, lambda_h=0.1, max_iter=200, gap_ignore=True)
    f64 = fit_plmc(s, w, 5, **kw)
    f32 = fit_plmc(s, w, 5, dtype="float32", **kw)
    tor = fit_plmc(s, w, 5, backend="torch", **kw)
    assert f64.status == "converged"
    for other in (f32.objective_, tor.objective_):
        np.testing.assert_allclose(other, f64.objective_, rtol=1e-5)


def test_outputs_from_pair_blocks_equal_the_model_route(tmp_path):
    _, s, w = _data(7, M=40, L=6, q=5)
    est = fit_plmc(s, w, 5, lambda_e=1.0, max_iter=10, dtype=np.float32)
    np.testing.assert_allclose(pair_block_scores(est.e, 6), contact_scores(est.model_), rtol=1e-12, atol=1e-12)
    kw = dict(alphabet="ABCDE", fi=np.full((6, 5), 0.2), fij=np.full((15, 5, 5), 0.04), neighbors=np.ones(40))
    write_plmc_params(tmp_path / "a.params", (est.h, est.e), **kw)
    write_plmc_params(tmp_path / "b.params", est.model_, **kw)
    assert (tmp_path / "a.params").read_bytes() == (tmp_path / "b.params").read_bytes()
    p = read_plmc_params(tmp_path / "a.params")
    np.testing.assert_array_equal(p.model.h, est.h)
    with pytest.raises(ValueError, match="pair blocks"):
        write_plmc_params(tmp_path / "c.params", (est.h, est.e[1:]), **kw)


def test_weights_native_equal_torch_products():
    import torch

    rng = np.random.default_rng(8)
    s = rng.integers(0, 4, (300, 20))
    s[100:150] = s[:50]  # duplicates and near-duplicates
    s[150:200, :3] = 0
    for theta in (0.0, 0.2, 0.5, 1.0):
        np.testing.assert_array_equal(sequence_weights(s, 4, theta=theta),
                                      sequence_weights(s, 4, theta=theta, device=torch.device("cpu"), chunk=64))


def test_memory_estimate_against_measured_rss():
    """plm_memory_bytes (native) vs the resident memory a fit adds in a fresh process (kernels loaded
    first; resident set read at every iteration, when all of L-BFGS's vectors are live): within a
    factor 0.8…1.3."""
    code = textwrap.dedent("""
        import os, numpy as np
        from statgen.graphical import fit_plmc
        from statgen.graphical.potts.dca.plmc_fit import plm_memory_bytes
        def rss():
            return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        rng = np.random.default_rng(0)
        s = rng.integers(0, 21, (2000, 60)); w = np.ones(2000)
        fit_plmc(s[:50, :6], w[:50], 21, max_iter=2, dtype="float32")  # load the compiled kernels
        before, peak = rss(), [0]
        fit_plmc(s, w, 21, lambda_e=16.0, max_iter=8, dtype="float32",
                 callback=lambda k, f: peak.__setitem__(0, max(peak[0], rss())))
        print((peak[0] - before) / plm_memory_bytes(2000, 60, 21, itemsize=4))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    ratio = float(out.stdout.split()[-1])
    assert 0.8 <= ratio <= 1.3, ratio


def test_memory_estimate_refused_before_allocating(monkeypatch):
    import statgen._checks as checks

    monkeypatch.setattr(checks, "available_memory", lambda: 10_000_000)
    _, s, w = _data(9, M=400, L=60, q=21)
    assert plm_memory_bytes(400, 60, 21, itemsize=8) > 8_000_000
    with pytest.raises(MemoryError, match="fit_plmc on 400 sequences x 60 sites"):
        fit_plmc(s, w, 21)
