"""The inhomogeneous K-function: its translation-corrected estimate and its exact expectation.

    K̂(r) = Σ_{i≠j} 1{r_ij ≤ r} / (λ(x_i) λ(x_j) |W ∩ W_{x_j − x_i}|)          (translation correction)
    E K̂(r) = ∫_{|h| ≤ r} mean_{x ∈ W ∩ W_{−h}} g(x, x + h) dh                   (under a model)

The expectation needs no reweighted-stationarity assumption: g depends on position when the
parents are inhomogeneous.

References
----------
Baddeley, A., Møller, J., Waagepetersen, R. (2000). Non- and semi-parametric estimation of
interaction in inhomogeneous point patterns. Statistica Neerlandica 54, 329–350.
Ohser, J., Stoyan, D. (1981). On the second-order and orientation analysis of planar stationary
point processes. Biometrical Journal 23, 523–533 (translation edge correction).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from statgen._checks import as_array, check_int
from statgen.pointprocess._args import check_memory
from statgen.pointprocess.kernels import MaternKernel
from statgen.pointprocess.model import NeymanScott
from statgen.pointprocess.quadrature import gauss_legendre_panels, sphere_rule
from statgen.pointprocess.window import check_points, check_window

__all__ = ["count_close_pairs", "close_pairs", "k_inhom", "expected_k_inhom"]


def count_close_pairs(x: np.ndarray, rmax: float) -> int:
    """Number of ordered pairs (i, j), i ≠ j, with |x_i − x_j| ≤ rmax (without listing them)."""
    tree = cKDTree(x)
    return int(tree.count_neighbors(tree, rmax)) - x.shape[0]


def close_pairs(x: np.ndarray, window: np.ndarray, rmax: float):
    """Ordered pairs (i, j), i ≠ j, with |x_i − x_j| ≤ rmax, their distances and the translation
    overlaps |W ∩ W_{x_j − x_i}| (a k-d tree: memory proportional to the number of pairs)."""
    n_pairs = count_close_pairs(x, rmax)
    check_memory(8.0 * 8 * n_pairs, f"points: {n_pairs:.3g} ordered pairs closer than rmax={rmax:g}")
    ij = cKDTree(x).query_pairs(rmax, output_type="ndarray")
    i = np.concatenate([ij[:, 0], ij[:, 1]])
    j = np.concatenate([ij[:, 1], ij[:, 0]])
    h = np.abs(x[j] - x[i])
    r = np.sqrt(np.einsum("ij,ij->i", h, h))
    overlap = np.prod(np.clip((window[:, 1] - window[:, 0]) - h, 0.0, None), axis=1)
    return i, j, r, overlap


def _check_radii(r) -> np.ndarray:
    r = as_array(r, "r", ndim=1)
    if r.size == 0 or np.any(r < 0):
        raise ValueError(f"r must be a non-empty 1-D array of radii >= 0, got {r.tolist()}")
    return r


def k_inhom(points, window, r, lam) -> np.ndarray:
    """Inhomogeneous K-function estimate K̂(r) with translation edge correction at radii r ≥ 0.

    lam : intensities λ(x_i) > 0 at the points, shape (n,) or a scalar (the stationary K).

    Returns (len(r),) values (length^d).
    """
    w = check_window(window)
    x = check_points(points, "points", w.shape[0], window=w)
    r = _check_radii(r)
    lam = as_array(lam, "lam", ndim=(0, 1))
    if lam.ndim == 1 and lam.size not in (1, x.shape[0]):
        raise ValueError(f"lam must be a scalar or have shape ({x.shape[0]},) (one per point), got {lam.shape}")
    if np.any(lam <= 0):
        raise ValueError(f"lam must be > 0 (intensities at the points), got min {float(lam.min())!r}")
    lam = np.broadcast_to(lam, (x.shape[0],))
    i, j, rij, overlap = close_pairs(x, w, float(r.max()))
    wt = 1.0 / (lam[i] * lam[j] * overlap)
    order = np.argsort(rij, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(wt[order])])
    return cum[np.searchsorted(rij[order], r, side="right")]


def expected_k_inhom(model: NeymanScott, r, *, n_angle: int = 16, order: int = 4, n_x: int = 5) -> np.ndarray:
    """E K̂_inhom(r) = ∫_{|h| ≤ r} mean_{x ∈ W ∩ W_{−h}} g(x, x + h) dh under ``model`` (exact λ).

    Radial Gauss–Legendre (``order`` nodes between consecutive r), ``n_angle`` directions, and
    ``n_x`` Gauss–Legendre nodes per axis on the box W ∩ W_{−h}. For a stationary model this is
    the K-function, e.g. πr² + (1 − exp(−r²/4σ²))/κ for the 2-D Thomas process.
    """
    if not isinstance(model, NeymanScott):
        raise TypeError(f"model must be a NeymanScott, got {type(model).__name__}")
    r = _check_radii(r)
    n_angle = check_int(n_angle, "n_angle", minimum=1)
    order = check_int(order, "order", minimum=1)
    n_x = check_int(n_x, "n_x", minimum=1)
    d, w = model.d, model.window
    dirs, wdir = sphere_rule(d, n_angle)
    size = (r.size + 1) * order * dirs.shape[0] * float(n_x) ** d
    check_memory(8.0 * 8 * d * size, f"r of size {r.size} with order={order}, n_angle={n_angle}, n_x={n_x}: "
                                     f"{size:.3g} pair-correlation evaluations")
    # the integrand has a kink where the clusters stop overlapping (2R for Matérn): a panel edge there
    kinks = [2 * model.kernel.radius] if isinstance(model.kernel, MaternKernel) else []
    out_r = np.unique(np.concatenate([r, [k for k in kinks if k < r.max()]]))
    rad, wrad = gauss_legendre_panels(np.concatenate([[0.0], out_r]), order)
    wrad = wrad * rad ** (d - 1)
    h = (rad[:, None, None] * dirs[None]).reshape(-1, d)  # (H, d)
    wh = (wrad[:, None] * wdir[None]).ravel()
    # x nodes on the box [lo + max(0, −h), hi − max(0, h)] (where x and x + h both lie in W)
    t, tw = np.polynomial.legendre.leggauss(n_x)
    lo = w[:, 0] + np.clip(-h, 0, None)
    hi = w[:, 1] - np.clip(h, 0, None)
    grids = np.stack(np.meshgrid(*([t] * d), indexing="ij"), -1).reshape(-1, d)
    gwt = np.prod(np.stack(np.meshgrid(*([tw] * d), indexing="ij"), -1).reshape(-1, d), axis=1) / 2**d
    x = 0.5 * (lo + hi)[:, None, :] + 0.5 * (hi - lo)[:, None, :] * grids[None]  # (H, G, d)
    X = x.reshape(-1, d)
    Y = (x + h[:, None, :]).reshape(-1, d)
    g = model.pair_correlation(X, Y).reshape(h.shape[0], -1) @ gwt
    per_shell = (g * wh).reshape(out_r.size, -1).sum(axis=1)
    return np.cumsum(per_shell)[np.searchsorted(out_r, r)]
