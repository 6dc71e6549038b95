"""Quasi-Newton minimization of a penalized Potts objective: torch L-BFGS, or scipy L-BFGS-B for exact L1.

Both show a progress bar of the iterations (silent off a terminal or with ``progress=False``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from statgen._progress import progress_bar
from statgen.graphical.potts.inference._problem import Problem

Objective = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def minimize(p: Problem, fun: Objective, x0: torch.Tensor, *, max_iter: int, tol: float, desc: str = "L-BFGS",
             progress: bool = False, callback=None, history: int = 10) -> tuple[torch.Tensor, float, int]:
    """L-BFGS on the penalized objective; exact L1 (``l1_eps == 0``) goes through :func:`lbfgsb_l1`.

    Returns (θ, final objective, iterations). ``callback(iteration, objective)`` (torch L-BFGS only)
    is called after each iteration with the objective at its last evaluated point.
    """
    with progress_bar(total=max_iter, desc=desc, progress=progress) as bar:
        if p.penalty == "l1" and p.l1_eps == 0:
            return lbfgsb_l1(p, fun, x0, max_iter=max_iter, tol=tol, bar=bar)
        return lbfgs(fun, x0, max_iter=max_iter, tol=tol, bar=bar, callback=callback, history=history)


def lbfgsb_l1(p: Problem, fun: Objective, x0: torch.Tensor, *, max_iter: int, tol: float,
              bar=None) -> tuple[torch.Tensor, float, int]:
    """Exact L1 by the split J = u − v, u, v ≥ 0: minimize f(h, u − v) + γ_eff Σ (u + v) with L-BFGS-B."""
    from scipy.optimize import minimize as scipy_minimize

    nh = p.L * p.q
    x0n = x0.detach().cpu().double().numpy()
    J0 = x0n[nh:]
    z0 = np.concatenate([x0n[:nh], np.maximum(J0, 0), np.maximum(-J0, 0)])
    nj = J0.size
    g = p.gamma_eff

    def f(z):
        x = torch.as_tensor(np.concatenate([z[:nh], z[nh:nh + nj] - z[nh + nj:]]), device=p.device, dtype=p.dtype)
        val, grad = fun(x)
        gr = grad.detach().cpu().double().numpy()
        gJ = gr[nh:]
        return float(val) + g * z[nh:].sum(), np.concatenate([gr[:nh], gJ + g, g - gJ])

    def callback(_):
        if bar is not None:
            bar.update(1)

    bounds = [(None, None)] * nh + [(0.0, None)] * (2 * nj)
    p.split_l1 = True
    try:
        res = scipy_minimize(f, z0, jac=True, method="L-BFGS-B", bounds=bounds, callback=callback,
                             options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-13, "maxcor": 20})
    finally:
        p.split_l1 = False
    z = res.x
    x = torch.as_tensor(np.concatenate([z[:nh], z[nh:nh + nj] - z[nh + nj:]]), device=p.device, dtype=p.dtype)
    return x, float(fun(x)[0]), int(res.nit)


def lbfgs(fun: Objective, x0: torch.Tensor, *, max_iter: int, tol: float, history: int = 10,
          bar=None, callback=None) -> tuple[torch.Tensor, float, int]:
    """Minimize fun (value, grad) by torch L-BFGS with strong-Wolfe line search; returns (x, f, iterations)."""
    x = x0.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([x], lr=1.0, max_iter=max_iter, max_eval=int(1.5 * max_iter) + 10,
                            tolerance_grad=tol, tolerance_change=1e-12, history_size=history,
                            line_search_fn="strong_wolfe")
    shown = [0]
    last = [None]

    def closure():
        with torch.no_grad():
            f, g = fun(x.detach())
        x.grad = g
        it = int(opt.state[opt._params[0]].get("n_iter", 0))  # the optimizer's own iteration counter
        if it > shown[0]:
            if bar is not None:
                bar.update(it - shown[0])
            if callback is not None and shown[0] > 0:
                callback(shown[0], last[0])
            shown[0] = it
        last[0] = float(f)
        return f

    opt.step(closure)
    n_iter = int(opt.state[opt._params[0]].get("n_iter", 0))
    with torch.no_grad():
        f, _ = fun(x.detach())
    if callback is not None and n_iter > 0:
        callback(n_iter, float(f))
    return x.detach(), float(f), n_iter
