"""Integrals by quadrature, for any fields and kernels (callable or gridded fields, Cauchy and
variance-Gamma kernels, or on request).

λ(x) = E[κ(x − U) α(x − U)], U ~ k, by quadrature in kernel coordinates (radial quantiles ×
directions); K_B by composite Gauss–Legendre over the parent location on a mesh that is
uniform near the events and geometrically graded in the tails. Errors are estimated by
comparing two orders. For stationary Cauchy and variance-Gamma models the pair integral uses
the closed-form k * k.

Limitation: a variance-Gamma kernel with ν ≤ 0 is singular at its centre; near the events the
tensor rule then converges slowly and its two-order error estimate can understate the error
(percent level at x = y for ν = −1/4). Unchecked inner code (see :mod:`statgen.pointprocess.engine`).
"""

from __future__ import annotations

import math

import numpy as np

from statgen.pointprocess.engine import CHUNK, Engine, subset_products
from statgen.pointprocess.fields import Constant
from statgen.pointprocess.kernels import CauchyKernel, ThomasKernel
from statgen.pointprocess.quadrature import gauss_legendre_panels, sphere_rule, tensor_grid
from statgen.pointprocess.recursion import mask_sums

__all__ = ["QuadratureEngine"]

_ROWS = 1 << 15  # parent nodes per block of the split subset products


def _split_subset_sums(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """K_B = Σ_c w_c Π_{i∈B} a_{c,i} for every bitmask B, by splitting the events in two halves:
    K[B₁ | B₂ ≪ n₁] = (P₁ᵀ diag(w) P₂)[B₁, B₂], a matrix product (N·2ⁿ multiply-adds in BLAS)."""
    n = a.shape[1]
    n1 = n // 2
    M = np.zeros((1 << n1, 1 << (n - n1)))
    for i in range(0, a.shape[0], _ROWS):
        blk = a[i : i + _ROWS]
        M += (subset_products(blk[:, :n1]) * w[i : i + _ROWS, None]).T @ subset_products(blk[:, n1:])
    return M.T.ravel()


def _split_subset_combination(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """h_c = Σ_B v_B Π_{i∈B} a_{c,i} for every row c: Σ_{B₁,B₂} P₁[c,B₁] V[B₁,B₂] P₂[c,B₂]."""
    n = a.shape[1]
    n1 = n // 2
    V = v.reshape(1 << (n - n1), 1 << n1).T
    h = np.empty(a.shape[0])
    for i in range(0, a.shape[0], _ROWS):
        blk = a[i : i + _ROWS]
        h[i : i + _ROWS] = np.einsum("cb,cb->c", subset_products(blk[:, :n1]) @ V, subset_products(blk[:, n1:]))
    return h


class QuadratureEngine(Engine):
    """Quadrature for any fields and kernels, with error estimates from two orders."""

    exact = False

    def __init__(self, kappa, alpha, kernel, d, *, order: int = 8):
        super().__init__(kappa, alpha, kernel, d)
        self.order = order
        h = kernel.scale_length()
        # uniform panels within a few kernel scales (heavy tails: the 1e-3 range of a Cauchy kernel
        # is ~1000 ω, far beyond where the integrands of K_B, products of >= 2 kernels, live)
        self.core = min(kernel._range(d, 1e-3), 6.0 * h)
        # polynomial (Cauchy) tails: products of >= 2 kernels beyond 1000 ω are below 1e-12 relative
        self.outer = max(self.core, kernel.scale * 1e3 if isinstance(kernel, CauchyKernel)
                         else kernel._range(d, 1e-12))
        self.panel = 0.5 * h
        self._radial = {}

    # λ(x) = E[κ(x − U) α(x − U)], U ~ k: radial quantiles × directions
    def _radial_rule(self, n_r: int):
        if n_r in self._radial:
            return self._radial[n_r]
        t, wt = np.polynomial.legendre.leggauss(n_r)
        t, wt = 0.5 * (t + 1), 0.5 * wt
        # p = 1 − (1 − t)^4 flattens the quantile's singularity at p → 1 (the kernel's tail)
        p, wp = 1.0 - (1.0 - t) ** 4, 4.0 * (1.0 - t) ** 3 * wt
        r = np.asarray(self.kernel._quantile(p, self.d), float)
        d = self.d
        dirs, wd = sphere_rule(d, 2 * n_r)
        wd = wd / wd.sum()  # directions average: weights sum to 1
        u = (r[:, None, None] * dirs[None]).reshape(-1, d)
        w = (wp[:, None] * wd[None]).ravel()
        self._radial[n_r] = (u, w)
        return u, w

    def _intensity_order(self, x, n_r):
        u, w = self._radial_rule(n_r)
        out = np.empty(x.shape[0])
        step = max(1, CHUNK // u.shape[0])
        for i in range(0, x.shape[0], step):
            pts = (x[i : i + step, None, :] - u[None]).reshape(-1, self.d)
            f = (self.kappa._values(pts) * self.alpha._values(pts)).reshape(-1, u.shape[0])
            out[i : i + step] = f @ w
        return out

    def intensity(self, x):
        if isinstance(self.kappa, Constant) and isinstance(self.alpha, Constant):
            lam = np.full(x.shape[0], self.kappa.value * self.alpha.value)  # ∫ k = 1
            return lam, np.zeros_like(lam)
        n_hi, n_lo = (48, 32) if self.d < 3 else (24, 16)  # 3-D rules have 2 n³ nodes
        hi = self._intensity_order(x, n_hi)
        lo = self._intensity_order(x, n_lo)
        return hi, np.abs(hi - lo)

    def _nodes(self, y, order, extra=None):
        """Tensor Gauss–Legendre nodes: uniform panels of width h/2 (h the kernel scale) over the
        bounding box of the events (and of ``extra`` points, the x of a conditional intensity,
        since k(x − c) peaks at c = x) dilated by ``core``, then geometric panels (ratio 1.6)
        out to the far range."""
        pts = y if extra is None else np.vstack([y, extra])
        return tensor_grid(*self._mesh_axes(pts, order))

    def _factors(self, y, order, extra=None):
        c, w = self._nodes(y, order, extra)
        kap, alp = self.kappa._values(c), self.alpha._values(c)
        lam_y, _ = self.intensity(y)
        # a_i(c) = α(c) k(y_i − c) / λ(y_i): the normalized factor of event i in K_B
        with np.errstate(divide="ignore", invalid="ignore"):  # λ(y_i) = 0: the caller sees log λ = −inf
            a = np.stack([alp * self.kernel._pdf(y[i] - c) / lam_y[i] for i in range(y.shape[0])], axis=1)
            keep = (w * kap * a.max(axis=1) ** 2) > 0
            return c[keep], (w * kap)[keep], a[keep], alp[keep], np.log(lam_y)

    def _log_K_order(self, y, order):
        c, wk, a, _, loglam = self._factors(y, order)
        K = _split_subset_sums(a, wk)
        with np.errstate(divide="ignore"):
            logK = np.log(K) + mask_sums(loglam)
        return logK

    def log_cluster_integrals(self, y):
        n = y.shape[0]
        lk_hi = self._log_K_order(y, self.order)
        lk_lo = self._log_K_order(y, self.order - 2)
        single = 1 << np.arange(n)
        loglam, err_lam = self.log_intensity(y)
        lk_hi[single], lk_lo[single] = loglam, loglam  # λ(y_i) from the (more accurate) radial rule
        lk_hi[0] = lk_lo[0] = 0.0
        err = np.abs(np.exp(lk_hi) - np.exp(lk_lo))
        err[single] = err_lam
        err[0] = 0.0
        return lk_hi, err

    def _x_terms_order(self, x, y, logv, order):
        c, wk, a, alp, loglam = self._factors(y, order, extra=x)
        # h(c) = Σ_{B≠∅} α(c) Π_{i∈B} α(c)k(y_i − c) e^{logv_B}; normalized factors absorb Π λ(y_i)
        v = np.exp(logv + mask_sums(loglam))
        v[~np.isfinite(v)] = 0.0
        v[0] = 0.0  # B = ∅ is λ(x), computed apart
        h = _split_subset_combination(a, v)
        g = wk * alp * h
        keep = np.abs(g) > 1e-18 * np.abs(g).max() if g.size and np.abs(g).max() > 0 else np.zeros(g.size, bool)
        c, g = c[keep], g[keep]
        out = np.zeros(x.shape[0])
        step = max(1, CHUNK // max(1, c.shape[0]))
        for i in range(0, x.shape[0], step):
            diff = (x[i : i + step, None, :] - c[None]).reshape(-1, self.d)
            out[i : i + step] = self.kernel._pdf(diff).reshape(-1, c.shape[0]) @ g
        return out

    def x_terms(self, x, y, logv):
        lam, err_lam = self.intensity(x)
        if y.shape[0] == 0:
            return lam, err_lam
        hi = self._x_terms_order(x, y, logv, self.order)
        lo = self._x_terms_order(x, y, logv, self.order - 2)
        return lam + hi, err_lam + np.abs(hi - lo)

    # ------------------------------------------------------------------ product grids (Thomas kernel)
    @property
    def supports_grid(self) -> bool:
        """The Gaussian kernel factorizes over the axes: conditional intensities on product grids
        are matrix products (:meth:`x_terms_grid`)."""
        return isinstance(self.kernel, ThomasKernel)

    def _axis_kernels(self, axes, nodes_axes):
        s = self.kernel.sigma
        return [np.exp(-0.5 * ((a[:, None] - c[None, :]) / s) ** 2) / (math.sqrt(2 * math.pi) * s)
                for a, c in zip(axes, nodes_axes, strict=True)]

    def _grid_convolve(self, axes, nodes_axes, G):
        """Σ_c k(x − c) G[c] for x on the product grid of ``axes``, c on that of ``nodes_axes``."""
        k = self._axis_kernels(axes, nodes_axes)
        if self.d == 1:
            return k[0] @ G
        if self.d == 2:
            return k[0] @ G @ k[1].T
        return np.einsum("ip,jq,kr,pqr->ijk", k[0], k[1], k[2], G, optimize=True)

    def _mesh_axes(self, pts, order):
        """Per-axis nodes and weights of :meth:`_nodes` (the tensor mesh, before pruning)."""
        axes, weights = [], []
        for k in range(self.d):
            lo, hi = pts[:, k].min() - self.core, pts[:, k].max() + self.core
            npan = max(1, int(math.ceil((hi - lo) / self.panel)))
            core = np.linspace(lo, hi, npan + 1)
            tail, t = [], self.panel
            while t < self.outer - self.core:
                t *= 1.6
                tail.append(min(t, self.outer - self.core))
            tail = np.array(tail)
            xs, ws = gauss_legendre_panels(np.concatenate([lo - tail[::-1], core, hi + tail]), order)
            axes.append(xs)
            weights.append(ws)
        return axes, weights

    def _grid_order(self, axes, y, v, order):
        corners = np.array([[a.min() for a in axes], [a.max() for a in axes]])
        # λ(x): ∫ κα(c) k(x − c) dc on a mesh over the grid
        ca, wa = self._mesh_axes(corners, order)
        c, w = tensor_grid(ca, wa)
        lam = self._grid_convolve(axes, ca, (w * self.kappa._values(c) * self.alpha._values(c)).reshape(
            [a.size for a in ca]))
        if y.shape[0] == 0:
            return lam
        # Σ_{B≠∅}: ∫ k(x − c) g(c) dc, g(c) = κ(c) α(c) Σ_B v_B Π_{i∈B} a_i(c), on a mesh over the events
        cy, wy = self._mesh_axes(y, order)
        c, w = tensor_grid(cy, wy)
        kap, alp = self.kappa._values(c), self.alpha._values(c)
        lam_y, _ = self.intensity(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.stack([alp * self.kernel._pdf(y[i] - c) / lam_y[i] for i in range(y.shape[0])], axis=1)
        g = w * kap * alp * _split_subset_combination(a, v)
        return lam + self._grid_convolve(axes, cy, g.reshape([a.size for a in cy]))

    def x_terms_grid(self, axes, y, logv):
        """:meth:`x_terms` on the product grid of ``axes`` (Thomas kernel): returns (values of the grid's
        shape, error estimates from orders ``order`` and ``order − 2``)."""
        axes = [np.asarray(a, float) for a in axes]
        lam_y, _ = self.intensity(y)
        v = np.exp(logv + mask_sums(np.log(lam_y))) if y.shape[0] else np.zeros(1)
        v[~np.isfinite(v)] = 0.0
        v[0] = 0.0
        hi = self._grid_order(axes, y, v, self.order)
        lo = self._grid_order(axes, y, v, self.order - 2)
        return hi, np.abs(hi - lo)

    def pair_integral(self, x, y):
        kk = self.kernel.self_convolution(self.d)
        if kk is not None and isinstance(self.kappa, Constant) and isinstance(self.alpha, Constant):
            # stationary: K_xy = κ α² (k * k)(x − y) in closed form (Cauchy, variance-Gamma)
            K = self.kappa.value * self.alpha.value**2 * kk._pdf(x - y)
            return K, 1e-15 * K
        out_hi, out_lo = np.empty(x.shape[0]), np.empty(x.shape[0])
        for i in range(x.shape[0]):  # pairs are few; each has its own mesh
            pts = np.stack([x[i], y[i]])
            for order, out in ((self.order, out_hi), (self.order - 2, out_lo)):
                c, wk, a, _, loglam = self._factors(pts, order)
                out[i] = (wk * a[:, 0] * a[:, 1]).sum() * np.exp(loglam.sum())
        return out_hi, np.abs(out_hi - out_lo)
