"""Inverse of elementwise monotone transformers by bracketed root finding, with implicit gradients.

For an elementwise, strictly increasing map y = F(x; θ) of [0, 1] onto [0, 1] the inverse
x = F⁻¹(y; θ) is found for every element of a batch by a vectorized safeguarded Newton
iteration (Newton steps inside the bracket, bisection otherwise; "rtsafe"). Its derivatives
follow from the inverse function theorem and need only forward evaluations of F:

    ∂x/∂y = 1 / F'(x),        ∂x/∂θ = −∂_θF(x; θ) / F'(x).

`implicit_inverse` wraps the solver in a custom ``torch.autograd.Function`` whose backward is
itself written with differentiable operations on a re-attached root, so it supports
``create_graph=True`` to any order (double backward for force matching through the inverse).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from statgen.flows._validate import check_dtype, check_pair

__all__ = ["RootFindingError", "default_tolerance", "solve_monotone", "implicit_inverse"]

# evaluate(x, *params) -> (F(x), log F'(x)); x has shape S, every param shape S + (k,)
Evaluate = Callable[..., tuple[torch.Tensor, torch.Tensor]]


class RootFindingError(RuntimeError):
    """Raised when bracketed root finding fails: no convergence within ``max_iter``, ``evaluate``
    returned NaN, or the result is not a root (``y`` outside F(bounds), or F not increasing)."""


def default_tolerance(dtype: torch.dtype) -> float:
    """Absolute tolerance on x: 1e-10 in float64, 1e-6 in the other floating dtypes."""
    if dtype is None:
        raise TypeError("dtype must be a torch floating dtype (e.g. torch.float64), got None")
    check_dtype(dtype)
    return 1e-10 if dtype == torch.float64 else 1e-6


_COMPACT_MIN = 4096  # elements; below this the solver masks finished elements instead of dropping them


def _flat(p: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    return p.expand(*shape, p.shape[-1]).reshape(-1, p.shape[-1])


def _check_problem(evaluate, y, params, tol, max_iter, bounds) -> tuple[float, int, float, float]:
    """Validate the arguments of :func:`solve_monotone`; returns (tol, max_iter, lo, hi)."""
    from statgen._checks import check_int, check_positive

    if not callable(evaluate):
        raise TypeError(f"evaluate must be a function evaluate(x, *params) -> (F, log F'), got {evaluate!r}")
    if not isinstance(y, torch.Tensor) or not torch.is_floating_point(y):
        raise TypeError(f"y must be a floating-point torch tensor, got {type(y).__name__}"
                        + (f" of dtype {y.dtype}" if isinstance(y, torch.Tensor) else ""))
    if not bool(torch.isfinite(y).all()):
        raise ValueError("y contains NaN or infinite values")
    for i, p in enumerate(params):
        if not isinstance(p, torch.Tensor) or p.ndim < 1:
            raise TypeError(f"params[{i}] must be a tensor of shape y.shape + (k,), got {type(p).__name__}")
        try:
            torch.broadcast_shapes(p.shape[:-1], y.shape)
            p.expand(*y.shape, p.shape[-1])
        except RuntimeError as exc:
            raise ValueError(f"params[{i}] of shape {tuple(p.shape)} does not broadcast to y.shape + (k,) = "
                             f"{tuple(y.shape)} + (k,)") from exc
    lo, hi = check_pair(bounds, "bounds")
    tol = default_tolerance(y.dtype) if tol is None else check_positive(tol, "tol")
    return tol, check_int(max_iter, "max_iter", minimum=1), lo, hi


def _evaluate_checked(evaluate, x, ps):
    out = evaluate(x, *ps)
    if not (isinstance(out, tuple | list) and len(out) == 2 and all(isinstance(t, torch.Tensor) for t in out)):
        raise TypeError(f"evaluate must return a pair of tensors (F(x), log F'(x)), got {type(out).__name__}")
    if out[0].shape != x.shape or out[1].shape != x.shape:
        raise ValueError(f"evaluate must return tensors of the shape of x {tuple(x.shape)}, got "
                         f"{tuple(out[0].shape)} and {tuple(out[1].shape)}")
    return out


@torch.no_grad()
def solve_monotone(evaluate: Evaluate, y: torch.Tensor, params: Sequence[torch.Tensor], *,
                   tol: float | None = None, max_iter: int = 100,
                   bounds: tuple[float, float] = (0.0, 1.0)) -> tuple[torch.Tensor, int]:
    """Solve F(x; θ) = y elementwise on the bracket ``bounds`` (F increasing, F(lo) ≤ y ≤ F(hi)).

    Parameters
    ----------
    evaluate : ``evaluate(x, *params) -> (F, log F')``, elementwise in x.
    y : targets, any shape S (finite, floating point).
    params : tensors of shape S + (k,) (or broadcastable to it), the per-element parameters.
    tol : absolute tolerance on x (default 1e-6 in float32, 1e-10 in float64). An element is
        done when its Newton step or its bracket is smaller than ``tol``, or when |F(x) − y| ≤ 2ε
        (rounding level; x is then as exact as the precision resolves, |x − x*| ≲ 2ε / F'(x)).
    max_iter : iteration cap.
    bounds : the bracket (lo, hi), lo < hi.

    Raises
    ------
    RootFindingError
        when an element is not done within ``max_iter``, when ``evaluate`` returns NaN, or when an
        element that converged by bracket shrinking is not a root (``y`` outside [F(lo), F(hi)], or
        ``evaluate`` not increasing): the message says which.

    Returns
    -------
    (x, iterations) : the roots (shape S, no graph) and the number of iterations used.
    """
    tol, max_iter, b_lo, b_hi = _check_problem(evaluate, y, params, tol, max_iter, bounds)
    shape = y.shape
    yf = y.reshape(-1)
    ps = [_flat(p.detach(), shape) for p in params]
    out = torch.empty_like(yf)
    by_bracket = torch.zeros_like(yf, dtype=torch.bool)  # converged because the bracket collapsed
    idx = torch.arange(yf.numel(), device=y.device)
    lo = torch.full_like(yf, b_lo)
    hi = torch.full_like(yf, b_hi)
    x = yf.clamp(b_lo, b_hi).clone()  # the identity is a good first guess for near-identity maps
    res_tol = 2.0 * torch.finfo(y.dtype).eps * max(abs(b_lo), abs(b_hi), 1.0)
    dx_old = hi - lo  # |previous step|
    frozen = torch.zeros_like(yf, dtype=torch.bool)  # done, kept in place until the next compaction
    collapsed = torch.zeros_like(frozen)
    it = 0
    while yf.numel():
        if it >= max_iter:
            left = ~frozen
            raise RootFindingError(
                f"root finding did not converge for {int(left.sum())} of {y.numel()} elements within "
                f"max_iter={max_iter} (tol={tol:g}); smallest remaining bracket {float((hi - lo)[left].min()):.3g}")
        fx, log_d = _evaluate_checked(evaluate, x, ps) if it == 0 else evaluate(x, *ps)
        it += 1
        r = fx - yf
        below = r < 0
        lo = torch.where(below, x, lo)
        hi = torch.where(below, hi, x)
        step = r * torch.exp(-log_d)
        newton = x - step
        abs_step = step.abs()
        # rtsafe: Newton only when it stays strictly inside the bracket and shrinks fast enough
        # (a NaN or infinite step fails the bracket test)
        ok = (newton > lo) & (newton < hi) & (2.0 * abs_step <= dx_old)
        half = 0.5 * (hi - lo)
        # |r| at the rounding level of y: x is as exact as this precision can resolve (ε / F')
        exact = r.abs() <= res_tol
        x_new = torch.where(ok, newton, torch.where(exact, x, lo + half))
        dx_old = torch.where(ok, abs_step, half)
        frozen_before = frozen
        newly_collapsed = ~frozen & ~(ok & (abs_step <= tol)) & ~exact & (half <= 0.5 * tol)
        collapsed = collapsed | newly_collapsed
        frozen = frozen | (ok & (abs_step <= tol)) | (half <= 0.5 * tol) | exact
        x = torch.where(frozen_before, x, x_new)
        n_done, n_nan = torch.stack([frozen.sum(), torch.isnan(fx).sum()]).tolist()
        if n_nan:
            raise RootFindingError(f"evaluate returned NaN for {n_nan} of {y.numel()} elements (at x in "
                                   f"[{b_lo}, {b_hi}]); F must be finite and increasing on the bracket")
        if n_done == idx.numel():
            out[idx] = x
            by_bracket[idx] = collapsed
            break
        # drop the finished elements only where the batch is large enough for the work saved to
        # outweigh the cost of compacting every array (small batches are bound by per-op overhead)
        if n_done and idx.numel() >= _COMPACT_MIN:
            out[idx[frozen]] = x[frozen]
            by_bracket[idx[frozen]] = collapsed[frozen]
            keep = (~frozen).nonzero().squeeze(1)
            idx, x, yf, lo, hi, dx_old = (t.index_select(0, keep) for t in (idx, x, yf, lo, hi, dx_old))
            ps = [p.index_select(0, keep) for p in ps]
            frozen, collapsed = frozen.index_select(0, keep), collapsed.index_select(0, keep)
    _check_roots(evaluate, y, params, out, by_bracket, tol, res_tol, b_lo, b_hi)
    return out.reshape(shape), it


def _check_roots(evaluate, y, params, x, suspect, tol, res_tol, b_lo, b_hi) -> None:
    """Elements that stopped because their bracket collapsed are roots only if F really crosses y
    there: a y outside [F(lo), F(hi)] or a decreasing F also collapses the bracket (onto a bound)."""
    sel = suspect.nonzero().squeeze(1)
    if not sel.numel():
        return
    yf = y.reshape(-1).index_select(0, sel)
    ps = [_flat(p.detach(), y.shape).index_select(0, sel) for p in params]
    fx, log_d = evaluate(x.index_select(0, sel), *ps)
    allowed = 4.0 * res_tol + 4.0 * tol * torch.exp(log_d).clamp_min(1.0)
    bad = ((fx - yf).abs() > allowed).nonzero().squeeze(1)
    if not bad.numel():
        return
    k = int(bad[0])
    sub = [p[k:k + 1] for p in ps]
    f_lo = float(evaluate(torch.full((1,), b_lo, dtype=y.dtype, device=y.device), *sub)[0])
    f_hi = float(evaluate(torch.full((1,), b_hi, dtype=y.dtype, device=y.device), *sub)[0])
    yk = float(yf[k])
    if f_lo > f_hi:
        why = f"evaluate is not increasing: F({b_lo}) = {f_lo:.6g} > F({b_hi}) = {f_hi:.6g}"
    elif not f_lo <= yk <= f_hi:
        why = f"y = {yk:.6g} is outside [F({b_lo}), F({b_hi})] = [{f_lo:.6g}, {f_hi:.6g}], so no root is bracketed"
    else:
        why = (f"evaluate is not monotone on the bracket (|F(x) − y| = {float((fx - yf).abs()[k]):.3g} at "
               f"x = {float(x[sel[k]]):.6g} after the bracket collapsed)")
    raise RootFindingError(f"no root for {bad.numel()} of {y.numel()} elements: {why}")


class _AttachRoot(torch.autograd.Function):
    """Returns the root x0 unchanged; its backward is the inverse-function-theorem rule.

    The backward re-attaches x0 to (y, θ) through this same Function, so the gradient it
    returns is a differentiable function of (y, θ, grad_output): derivatives of any order.
    """

    @staticmethod
    def forward(ctx, evaluate, x0, y, *params):
        ctx.evaluate = evaluate
        ctx.save_for_backward(x0, y, *params)
        return x0.clone()

    @staticmethod
    def backward(ctx, gx):
        x0, y, *params = ctx.saved_tensors
        need_p = ctx.needs_input_grad[3:]
        create = torch.is_grad_enabled()  # True inside backward(create_graph=True)
        with torch.enable_grad():
            x = _AttachRoot.apply(ctx.evaluate, x0, y, *params) if create else x0
            # θ + z with z = 0: the gradient w.r.t. z is the partial ∂_θ F at fixed x
            zs = [torch.zeros_like(p, requires_grad=True) if n else None for p, n in zip(params, need_p, strict=True)]
            shifted = [p + z if z is not None else p for p, z in zip(params, zs, strict=True)]
            fx, log_d = ctx.evaluate(x, *shifted)
            u = gx * torch.exp(-log_d)
            wanted = [z for z in zs if z is not None]
            grads = torch.autograd.grad(fx, wanted, grad_outputs=u, create_graph=create,
                                        allow_unused=True) if wanted else ()
        it = iter(grads)
        gp = []
        for z, p in zip(zs, params, strict=True):
            if z is None:
                gp.append(None)
            else:
                g = next(it)
                gp.append(torch.zeros_like(p) if g is None else -g)
        gy = u if ctx.needs_input_grad[2] else None
        return (None, None, gy, *gp)


def implicit_inverse(evaluate: Evaluate, y: torch.Tensor, params: Sequence[torch.Tensor], *,
                     tol: float | None = None, max_iter: int = 100, bounds: tuple[float, float] = (0.0, 1.0),
                     solver: Callable[[torch.Tensor, Sequence[torch.Tensor]], tuple[torch.Tensor, int]] | None = None
                     ) -> torch.Tensor:
    """x = F⁻¹(y; θ) by :func:`solve_monotone`, differentiable in y and θ to any order.

    Gradients come from the inverse function theorem (∂x/∂y = 1/F', ∂x/∂θ = −∂_θF/F'),
    never from differentiating the iterations. ``solver(y, params) -> (x, iterations)``, if
    given, finds the root instead (e.g. with a cheaper graph-free evaluation of the same F);
    ``evaluate`` then serves only the gradients. Errors as :func:`solve_monotone`.
    """
    if solver is not None and not callable(solver):
        raise TypeError(f"solver must be a function solver(y, params) -> (x, iterations) or None, got {solver!r}")
    if solver is None:
        x0, _ = solve_monotone(evaluate, y, params, tol=tol, max_iter=max_iter, bounds=bounds)
    else:
        x0, _ = solver(y, params)
    if not (torch.is_grad_enabled() and (y.requires_grad or any(p.requires_grad for p in params))):
        return x0
    return _AttachRoot.apply(evaluate, x0, y, *params)
