"""Simulation of a Neyman–Scott process in its window, exact up to a stated bound.

Parents inside the dilated box B_r = W ⊕ [−r, r]^d are simulated directly (Poisson(κ_max) then
thinning by κ/κ_max). A parent c outside B_r is relevant only through its offspring that land
in W; with Poisson offspring numbers these are Poisson(α(c) p(c)), p(c) = P(c + U ∈ W). They are
generated without computing p(c) by uniform candidates:

- a parent c draws M_c ~ Poisson(m(c)) candidates uniform in W, m(c) = α(c) |W| k*(c) with
  k*(c) = k(dist(c, W)) = sup_{x ∈ W} k(x − c) (the kernel is radially decreasing);
- a candidate x is kept with probability k(x − c) / k*(c), so that the kept ones are
  Poisson(α(c) ∫_W k(x − c) dx) with density ∝ k(x − c) on W: exactly the offspring in W.

Only parents with M_c ≥ 1 matter; they form a Poisson process of intensity
κ(c)(1 − e^{−m(c)}) ≤ κ̄(ρ) min(1, ᾱ(ρ) |W| k(max(r, ρ − h))), with ρ = |c − centre(W)|, h the
half diagonal of W and κ̄, ᾱ bounds of κ, α on the ball of radius ρ. That radial bound is
integrable when k decays faster than |u|^{−d} (all kernels here, Cauchy included), so these
parents are proposed in geometric radial shells, thinned to the exact intensity, and given
M_c from the zero-truncated Poisson law (1 + Poisson(m(1 − t₁)), t₁ the first arrival time).
Shells stop where the remaining bound mass (the expected number of missed relevant parents,
hence a bound on the total-variation error) is below ``far_tol``.

References
----------
Brix, A., Kendall, W. S. (2002). Simulation of cluster point processes without edge effects.
Adv. Appl. Probab. 34, 267–280 (the same idea with a different dominating process).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from statgen._checks import check_bool
from statgen.pointprocess._args import check_in_range, check_memory, check_positive, check_rng
from statgen.pointprocess.fields import CallableField
from statgen.pointprocess.geometry import uniform_directions
from statgen.pointprocess.quadrature import sphere_area
from statgen.pointprocess.window import inside_window, window_volume

__all__ = ["Simulation", "simulate"]  # far_shells and far_parent_offspring: inner helpers of simulate

_BYTES_PER_COORD = 8 * 3  # an offspring coordinate, its displacement and the clipping temporaries


class Simulation(NamedTuple):
    """A simulated pattern with its cluster structure.

    points : (n, d) offspring inside the window.
    parents : (p, d) every parent generated on the dilated window (including those without
        offspring in the window), then the far parents with at least one candidate.
    labels : (n,) index into ``parents`` of each point's parent.
    """

    points: np.ndarray
    parents: np.ndarray
    labels: np.ndarray


def _check_offspring_memory(total: int, d: int, where: str, model) -> None:
    try:
        check_memory(float(total) * d * _BYTES_PER_COORD, f"simulate: {total:.3g} offspring {where}")
    except MemoryError as exc:
        raise MemoryError(f"{exc} (the expected number of points in the window is E[N(W)] ≈ "
                          f"{model.expected_count():.3g})") from None


def simulate(model, *, rng: np.random.Generator, edge_tol: float = 1e-4, far_field: bool = True,
             far_tol: float = 1e-9, return_parents: bool = False, max_parents: float = 5e7):
    """One realisation of ``model`` in its window (see :meth:`NeymanScott.simulate`, which documents the
    arguments and calls this)."""
    check_rng(rng)
    edge_tol = check_in_range(edge_tol, "edge_tol", 0.0, 1.0, closed=False)
    far_tol = check_in_range(far_tol, "far_tol", 0.0, 1.0, closed=False)
    far_field, return_parents = check_bool(far_field, "far_field"), check_bool(return_parents, "return_parents")
    max_parents = check_positive(max_parents, "max_parents")
    d, window = model.d, model.window
    far = far_field and not model.kernel.compact
    r = model.dilation(edge_tol)
    if far:
        r = min(r, 5.0 * model.kernel.scale_length())
    box = np.column_stack([window[:, 0] - r, window[:, 1] + r])
    kmax = model.kappa._max_on(box)
    mean_parents = kmax * window_volume(box)
    if not mean_parents <= max_parents:
        raise ValueError(f"max_parents: edge_tol={edge_tol:g} needs a dilation r = {r:.4g} and {mean_parents:.3g} "
                         f"proposal parents (> max_parents={max_parents:g}); raise edge_tol or max_parents")
    n_prop = rng.poisson(mean_parents)
    c = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((n_prop, d))
    if kmax > 0:
        kap = model.kappa._values(c)
        if isinstance(model.kappa, CallableField) and np.any(kap > kmax * (1 + 1e-12)):
            raise ValueError("parent_intensity: its values exceed its estimated maximum on the dilated window; "
                             "wrap it as CallableField(fn, 'parent_intensity', maximum=...) with a true bound")
        c = c[rng.random(n_prop) * kmax < kap]
    counts = rng.poisson(model.alpha._values(c))
    _check_offspring_memory(int(counts.sum()), d, f"of {c.shape[0]} parents near the window", model)
    pts = np.repeat(c, counts, axis=0)  # row repeat: cheaper than the gather c[labels]
    pts += model.kernel._draw(pts.shape[0], d, rng)
    keep = inside_window(pts, window)
    pts = pts[keep]
    labels = np.repeat(np.arange(c.shape[0]), counts)[keep] if return_parents else None
    if far:
        cf, pf, lf = far_parent_offspring(model, r, rng, far_tol=far_tol)
        pts = np.concatenate([pts, pf])
        if return_parents:
            labels = np.concatenate([labels, lf + c.shape[0]])
            c = np.concatenate([c, cf])
    if return_parents:
        return Simulation(pts, c, labels)
    return pts


def _field_bound(field, name: str, centre: np.ndarray, rho: np.ndarray, kernel) -> np.ndarray:
    """Upper bounds of ``field`` on the balls b(centre, ρ); a field that cannot be bounded there is refused."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return field._max_within(centre, rho)
    except ValueError as exc:
        raise ValueError(
            f"{name}: no finite bound on balls of radius up to {float(rho.max()):.3g} around the window, where the "
            f"{type(kernel).__name__}'s density is still positive in float64 ({exc}). Parents that far away still "
            f"put offspring in the window, so the expected number of points is infinite (the field grows faster "
            f"than the kernel's tail decays) or cannot be bounded: give a bounded field, or "
            f"CallableField(fn, {name!r}, maximum=...) with a true bound") from exc


def far_shells(model, r: float, far_tol: float):
    """Radial shells [ρ_i, ρ_{i+1}] outside B_r with bound masses.

    Returns (edges, masses, densities, remainder). The fields are bounded only on the shells
    where the kernel density k(ρ − h) is positive in float64: beyond, the kernel factor of the
    bound is 0 and the fields are not evaluated (a field finite there cannot beat it; κ of a
    Thomas model may overflow float64 at radii where κ·k is far below 1e-300).
    """
    w = model.window
    d = model.d
    centre = w.mean(axis=1)
    half = 0.5 * (w[:, 1] - w[:, 0])
    h = float(np.linalg.norm(half))
    rho_min = float(half.min()) + r  # the largest ball around the centre inside B_r
    vol = window_volume(model.window)  # the box: candidates are uniform in it
    # geometric shells, finer near B_r where the bound varies fastest
    edges = rho_min * np.concatenate([[1.0], np.cumprod(np.full(4000, 1.01))])
    lo, hi = edges[:-1], edges[1:]
    kr = model.kernel._density(np.maximum(r, lo - h), d)
    live = int(np.count_nonzero(kr > 0))  # k is radially non-increasing: the live shells are a prefix
    kb, ab = np.zeros(lo.size), np.zeros(lo.size)
    kb[:live] = _field_bound(model.kappa, "parent_intensity", centre, hi[:live], model.kernel)
    ab[:live] = _field_bound(model.alpha, "offspring_mean", centre, hi[:live], model.kernel)
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.minimum(1.0, ab * vol * kr)
        dens = sphere_area(d) * hi ** (d - 1) * kb * q
        mass = dens * (hi - lo)
    # where the kernel underflows the product is 0 (a Gaussian tail beats exp(|b|ρ) growth)
    mass = np.where(kr == 0, 0.0, np.where(np.isfinite(mass), mass, np.inf))
    # stop where the remaining mass of the shells (plus the decaying tail beyond) is below far_tol
    tail = np.cumsum(mass[::-1])[::-1]
    stop = np.flatnonzero(tail < far_tol)
    n = int(stop[0]) if stop.size else mass.size
    remainder = float(tail[n]) if n < mass.size else float("inf")
    if not np.isfinite(mass[:n]).all():
        raise ValueError("parent_intensity × offspring_mean grows too fast for the kernel's tail: the expected "
                         "number of points contributed by far parents is infinite")
    return edges[: n + 1], mass[:n], dens[:n], remainder


def far_parent_offspring(model, r: float, rng: np.random.Generator, *, far_tol: float = 1e-9):
    """Offspring in W of the parents outside B_r (exact up to ``far_tol`` expected missed parents).

    Returns (parents (p, d), points (n, d), labels (n,)) — only parents with at least one
    candidate are returned.
    """
    d = model.d
    w = model.window
    centre = w.mean(axis=1)
    cache = model.__dict__.setdefault("_far_shells", {})  # the bound depends only on the model, r, far_tol
    if (r, far_tol) not in cache:
        edges, mass, dens, remainder = far_shells(model, r, far_tol)
        nz = np.flatnonzero(mass > 0)  # only shells that can hold a proposal
        cache[(r, far_tol)] = (edges[nz], edges[nz + 1], mass[nz], dens[nz], remainder)
    lo, hi, mass, dens, remainder = cache[(r, far_tol)]
    if remainder > 1e-3:
        raise ValueError(f"far_field: the far-parent bound does not converge (remaining mass {remainder:.3g}); "
                         "the kernel tail is too heavy for these fields (simulate with far_field=False and check "
                         "truncation_error)")
    counts = rng.poisson(mass)
    cell = np.repeat(np.arange(mass.size), counts)
    rho = lo[cell] + (hi[cell] - lo[cell]) * rng.random(cell.size)
    c = centre + rho[:, None] * uniform_directions(cell.size, d, rng)
    outside = np.any((c < w[:, 0] - r) | (c > w[:, 1] + r), axis=1)
    c, rho, cell = c[outside], rho[outside], cell[outside]
    dist = np.linalg.norm(np.clip(np.maximum(w[:, 0] - c, c - w[:, 1]), 0.0, None), axis=1)
    kstar = model.kernel._density(dist, d)
    m = model.alpha._values(c) * window_volume(model.window) * kstar
    target = sphere_area(d) * rho ** (d - 1) * model.kappa._values(c) * -np.expm1(-m)
    if np.any(target > dens[cell] * (1 + 1e-9)):
        raise ValueError("parent_intensity, offspring_mean: a value exceeds its bound in the far field; "
                         "give a CallableField a true `maximum`")
    acc = rng.random(c.shape[0]) * dens[cell] < target
    c, m = c[acc], m[acc]
    # zero-truncated Poisson(m): first arrival t₁ of a rate-m process on [0, 1] given one exists
    t1 = -np.log1p(-rng.random(m.size) * -np.expm1(-m)) / m
    n_cand = 1 + rng.poisson(m * (1.0 - t1))
    _check_offspring_memory(int(n_cand.sum()), d, f"(candidates) of {c.shape[0]} far parents", model)
    labels = np.repeat(np.arange(c.shape[0]), n_cand)
    x = w[:, 0] + (w[:, 1] - w[:, 0]) * rng.random((labels.size, d))
    ratio = model.kernel._density(np.linalg.norm(x - c[labels], axis=1), d) / kstar[labels]
    keep = rng.random(labels.size) < ratio
    return c, x[keep], labels[keep]
