r"""Exact simulation of the offspring that far parents put in the window.

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

import math

import numpy as np

from statgen.pointprocess.kernels import _unit_vectors

__all__ = ["far_parent_offspring"]


def _sphere_area(d: int) -> float:
    return 2 * math.pi ** (d / 2) / math.gamma(d / 2)


def _radial_pdf(kernel, t: np.ndarray, d: int) -> np.ndarray:
    u = np.zeros((t.size, d))
    u[:, 0] = t
    return kernel.pdf(u)


def far_shells(model, r: float, far_tol: float):
    """Radial shells [ρ_i, ρ_{i+1}] outside B_r with bound masses; returns (edges, masses, remainder)."""
    w = model.window
    d = model.d
    centre = w.mean(axis=1)
    half = 0.5 * (w[:, 1] - w[:, 0])
    h = float(np.linalg.norm(half))
    rho_min = float(half.min()) + r  # the largest ball around the centre inside B_r
    vol = model.volume
    # geometric shells, finer near B_r where the bound varies fastest
    edges = rho_min * np.concatenate([[1.0], np.cumprod(np.full(4000, 1.01))])
    lo, hi = edges[:-1], edges[1:]
    with np.errstate(over="ignore", invalid="ignore"):
        kb = model.kappa.max_within(centre, hi)
        ab = model.alpha.max_within(centre, hi)
        kr = _radial_pdf(model.kernel, np.maximum(r, lo - h), d)
        q = np.minimum(1.0, ab * vol * kr)
        dens = _sphere_area(d) * hi ** (d - 1) * kb * q
        mass = dens * (hi - lo)
    # where the kernel underflows the product is 0 (a Gaussian tail beats exp(|b|ρ) growth)
    mass = np.where(kr == 0, 0.0, np.where(np.isfinite(mass), mass, np.inf))
    # stop where the remaining mass of the shells (plus the decaying tail beyond) is below far_tol
    tail = np.cumsum(mass[::-1])[::-1]
    stop = np.flatnonzero(tail < far_tol)
    n = int(stop[0]) if stop.size else mass.size
    remainder = float(tail[n]) if n < mass.size else float("inf")
    if not np.isfinite(mass[:n]).all():
        raise ValueError("parent_intensity × offspring_mean grows too fast for the kernel's tail: "
                         "the far-parent contribution is unbounded")
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
        raise ValueError(f"the far-parent bound does not converge (remaining mass {remainder:.3g}); "
                         "the kernel tail is too heavy for these fields")
    counts = rng.poisson(mass)
    cell = np.repeat(np.arange(mass.size), counts)
    rho = lo[cell] + (hi[cell] - lo[cell]) * rng.random(cell.size)
    c = centre + rho[:, None] * _unit_vectors(cell.size, d, rng)
    outside = np.any((c < w[:, 0] - r) | (c > w[:, 1] + r), axis=1)
    c, rho, cell = c[outside], rho[outside], cell[outside]
    dist = np.linalg.norm(np.clip(np.maximum(w[:, 0] - c, c - w[:, 1]), 0.0, None), axis=1)
    kstar = _radial_pdf(model.kernel, dist, d)
    m = model.alpha(c) * model.volume * kstar
    target = _sphere_area(d) * rho ** (d - 1) * model.kappa(c) * -np.expm1(-m)
    if np.any(target > dens[cell] * (1 + 1e-9)):
        raise ValueError("parent_intensity or offspring_mean exceeds its bound in the far field; "
                         "give a CallableField a true `maximum`")
    acc = rng.random(c.shape[0]) * dens[cell] < target
    c, m = c[acc], m[acc]
    # zero-truncated Poisson(m): first arrival t₁ of a rate-m process on [0, 1] given one exists
    t1 = -np.log1p(-rng.random(m.size) * -np.expm1(-m)) / m
    n_cand = 1 + rng.poisson(m * (1.0 - t1))
    labels = np.repeat(np.arange(c.shape[0]), n_cand)
    x = w[:, 0] + (w[:, 1] - w[:, 0]) * rng.random((labels.size, d))
    ratio = _radial_pdf(model.kernel, np.linalg.norm(x - c[labels], axis=1), d) / kstar[labels]
    keep = rng.random(labels.size) < ratio
    return c, x[keep], labels[keep]
