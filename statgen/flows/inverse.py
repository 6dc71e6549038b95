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

__all__ = ["RootFindingError", "default_tolerance", "solve_monotone", "implicit_inverse"]

# evaluate(x, *params) -> (F(x), log F'(x)); x has shape S, every param shape S + (k,)
Evaluate = Callable[..., tuple[torch.Tensor, torch.Tensor]]


class RootFindingError(RuntimeError):
    """Raised when the bracketed root finder does not reach its tolerance within ``max_iter``."""


def default_tolerance(dtype: torch.dtype) -> float:
    """Absolute tolerance on x: 1e-10 in float64, 1e-6 otherwise."""
    return 1e-10 if dtype == torch.float64 else 1e-6


_COMPACT_MIN = 4096  # elements; below this the solver masks finished elements instead of dropping them


def _flat(p: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    return p.expand(*shape, p.shape[-1]).reshape(-1, p.shape[-1])


@torch.no_grad()
def solve_monotone(evaluate: Evaluate, y: torch.Tensor, params: Sequence[torch.Tensor], *,
                   tol: float | None = None, max_iter: int = 100,
                   bounds: tuple[float, float] = (0.0, 1.0)) -> tuple[torch.Tensor, int]:
    """Solve F(x; θ) = y elementwise on the bracket ``bounds`` (F increasing, F(lo) ≤ y ≤ F(hi)).

    Parameters
    ----------
    evaluate : ``evaluate(x, *params) -> (F, log F')``, elementwise in x.
    y : targets, any shape S.
    params : tensors of shape S + (k,) (or broadcastable to it), the per-element parameters.
    tol : absolute tolerance on x (default 1e-6 in float32, 1e-10 in float64). An element is
        done when its Newton step or its bracket is smaller than ``tol``, or when |F(x) − y| ≤ 2ε
        (rounding level; x is then as exact as the precision resolves, |x − x*| ≲ 2ε / F'(x)).
    max_iter : iteration cap; :class:`RootFindingError` if any element is not done by then.

    Returns
    -------
    (x, iterations) : the roots (shape S, no graph) and the number of iterations used.
    """
    tol = default_tolerance(y.dtype) if tol is None else float(tol)
    shape = y.shape
    yf = y.reshape(-1)
    ps = [_flat(p.detach(), shape) for p in params]
    out = torch.empty_like(yf)
    idx = torch.arange(yf.numel(), device=y.device)
    lo = torch.full_like(yf, bounds[0])
    hi = torch.full_like(yf, bounds[1])
    x = yf.clamp(bounds[0], bounds[1]).clone()  # the identity is a good first guess for near-identity maps
    res_tol = 2.0 * torch.finfo(y.dtype).eps * max(abs(bounds[0]), abs(bounds[1]), 1.0)
    dx_old = hi - lo  # |previous step|
    frozen = torch.zeros_like(yf, dtype=torch.bool)  # done, kept in place until the next compaction
    it = 0
    while True:
        if it >= max_iter:
            left = ~frozen
            raise RootFindingError(
                f"root finding did not converge for {int(left.sum())} of {yf.numel()} elements within "
                f"max_iter={max_iter} (tol={tol:g}); smallest remaining bracket {float((hi - lo)[left].min()):.3g}")
        it += 1
        fx, log_d = evaluate(x, *ps)
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
        frozen = frozen | (ok & (abs_step <= tol)) | (half <= 0.5 * tol) | exact
        x = torch.where(frozen_before, x, x_new)
        n_done = int(frozen.sum())
        if n_done == idx.numel():
            out[idx] = x
            break
        # drop the finished elements only where the batch is large enough for the work saved to
        # outweigh the cost of compacting every array (small batches are bound by per-op overhead)
        if n_done and idx.numel() >= _COMPACT_MIN:
            out[idx[frozen]] = x[frozen]
            keep = (~frozen).nonzero().squeeze(1)
            idx, x, yf, lo, hi, dx_old = (t.index_select(0, keep) for t in (idx, x, yf, lo, hi, dx_old))
            ps = [p.index_select(0, keep) for p in ps]
            frozen = frozen.index_select(0, keep)
    return out.reshape(shape), it


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
            zs = [torch.zeros_like(p, requires_grad=True) if n else None for p, n in zip(params, need_p)]
            shifted = [p + z if z is not None else p for p, z in zip(params, zs)]
            fx, log_d = ctx.evaluate(x, *shifted)
            u = gx * torch.exp(-log_d)
            wanted = [z for z in zs if z is not None]
            grads = torch.autograd.grad(fx, wanted, grad_outputs=u, create_graph=create,
                                        allow_unused=True) if wanted else ()
        it = iter(grads)
        gp = []
        for z, p in zip(zs, params):
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
    ``evaluate`` then serves only the gradients.
    """
    if solver is None:
        x0, _ = solve_monotone(evaluate, y, params, tol=tol, max_iter=max_iter, bounds=bounds)
    else:
        x0, _ = solver(y, params)
    if not (torch.is_grad_enabled() and (y.requires_grad or any(p.requires_grad for p in params))):
        return x0
    return _AttachRoot.apply(evaluate, x0, y, *params)
