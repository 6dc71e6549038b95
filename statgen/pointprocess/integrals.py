"""Cluster integrals K_B and the x-dependent sums of the conditional intensity.

For events y₁..yₙ and a location x, the exact conditional intensity is

    λ(x | y₁..yₙ) = Σ_{B ⊆ {1..n}} K_{B∪{x}}(x) ρ(Y ∖ B) / ρ(Y),

so a model needs two operations, provided here by three interchangeable engines:

- ``log_cluster_integrals(y)``: log K_B for all 2ⁿ subsets (bitmasks) of the events;
- ``x_terms(x, y, logv)``: Σ_B K_{B∪{x}}(x) exp(logv_B) for many x at once (logv_∅ = 0 gives λ(x)).

Engines
-------
``ThomasExpEngine``: Thomas kernel with κ and α constant or log-linear. With f(c) = κ(c)α(c)^m =
exp(A_m + G_m·c), A_m = a_κ + m a_α, G_m = b_κ + m b_α and S_B = Σ_{i∈B} |y_i − ȳ_B|²:

    K_B = exp(A_m + G_m·ȳ_B + σ²|G_m|²/(2m) − S_B/(2σ²)) (2πσ²)^{−(m−1)d/2} m^{−d/2}.

K_{B∪{x}}(x) is a Gaussian in x times an exponential, so on a product grid it factorizes over
the axes and the sum over B becomes a matrix product.

``MaternEngine``: Matérn kernel with exp-linear κα (d ≤ 2) or constant κα (d ≤ 3):
K_B = ∫_{∩ b(y_i, R)} κ α^m dc / V^m (exact areas/volumes from :mod:`geometry`). Only subsets
whose events are pairwise within 2R (cliques) are non-zero.

``QuadratureEngine``: anything else (callable or gridded fields, Cauchy and variance-Gamma
kernels): λ(x) by quadrature in kernel coordinates (radial quantiles × directions) and
K_B by composite Gauss–Legendre over the parent location on a mesh that is uniform near the
events and geometrically graded in the tails; errors are estimated by comparing two orders.
For stationary Cauchy and variance-Gamma models the pair integral uses the closed-form k * k.
Limitation: a variance-Gamma kernel with ν ≤ 0 is singular at its centre; near the events the
tensor rule then converges slowly and its two-order error estimate can understate the error
(percent level at x = y for ν = −1/4).
"""

from __future__ import annotations

import math

import numpy as np

from statgen.pointprocess.fields import Constant, Field
from statgen.pointprocess.geometry import ball_intersection_volume, disc_intersection_exp_integral
from statgen.pointprocess.kernels import CauchyKernel, Kernel, MaternKernel, ThomasKernel, ball_volume
from statgen.pointprocess.recursion import mask_sums

__all__ = ["select_engine", "ThomasExpEngine", "MaternEngine", "QuadratureEngine"]

_CHUNK = 1 << 22  # elements per temporary (x × subsets) block


def _popcounts(n: int) -> np.ndarray:
    return mask_sums(np.ones(n, dtype=np.int64))


class _Engine:
    exact: bool = True

    def __init__(self, kappa: Field, alpha: Field, kernel: Kernel, d: int):
        self.kappa, self.alpha, self.kernel, self.d = kappa, alpha, kernel, d

    def log_intensity(self, x):
        lam, err = self.intensity(x)
        with np.errstate(divide="ignore"):
            return np.log(lam), err


def _explin(kappa: Field, alpha: Field, d: int):
    ka, al = kappa.log_linear(d), alpha.log_linear(d)
    if ka is None or al is None:
        return None
    return ka[0], np.asarray(ka[1], float), al[0], np.asarray(al[1], float)


class ThomasExpEngine(_Engine):
    """Closed forms for the Thomas kernel with exp-linear κ and α (see module docstring)."""

    def __init__(self, kappa, alpha, kernel, d):
        super().__init__(kappa, alpha, kernel, d)
        self.ak, self.bk, self.aa, self.ba = _explin(kappa, alpha, d)
        self.s2 = kernel.sigma**2

    def _AG(self, m):
        m = np.asarray(m, dtype=float)
        return self.ak + m * self.aa, self.bk + m[..., None] * self.ba

    def intensity(self, x):
        A, G = self._AG(1.0)
        lam = np.exp(A + x @ G + 0.5 * self.s2 * (G @ G))
        return lam, np.zeros_like(lam)

    def log_cluster_integrals(self, y):
        n, d = y.shape
        c0 = y.mean(axis=0)
        yc = y - c0
        m = _popcounts(n).astype(float)
        s = mask_sums(yc)
        q = mask_sums(np.einsum("ij,ij->i", yc, yc))
        mm = np.maximum(m, 1.0)
        S = np.clip(q - np.einsum("ij,ij->i", s, s) / mm, 0.0, None)
        A, G = self._AG(mm)
        ybar = s / mm[:, None] + c0
        logK = (A + np.einsum("ij,ij->i", G, ybar) + self.s2 * np.einsum("ij,ij->i", G, G) / (2 * mm)
                - S / (2 * self.s2) - (mm - 1) * (d / 2) * math.log(2 * math.pi * self.s2) - (d / 2) * np.log(mm))
        logK[0] = 0.0
        return logK, np.zeros_like(logK)

    def _x_coefficients(self, y, logv, c0):
        """Exponent of K_{B∪x}(x) e^{logv_B} as c2_B |x−c0|² + c1_B·(x−c0) + c0_B for every B."""
        n, d = y.shape
        yc = y - c0
        m = _popcounts(n).astype(float)
        s = mask_sums(yc)
        q = mask_sums(np.einsum("ij,ij->i", yc, yc))
        A, G = self._AG(m + 1)
        c2 = -m / ((m + 1) * 2 * self.s2)
        c1 = s / ((m + 1)[:, None] * self.s2) + G / (m + 1)[:, None]
        const = (A - m * (d / 2) * math.log(2 * math.pi * self.s2) - (d / 2) * np.log(m + 1)
                 - (q - np.einsum("ij,ij->i", s, s) / (m + 1)) / (2 * self.s2)
                 + np.einsum("ij,ij->i", G, s) / (m + 1) + G @ c0
                 + self.s2 * np.einsum("ij,ij->i", G, G) / (2 * (m + 1)) + logv)
        return c2, c1, const

    @staticmethod
    def _prune(c2, c1, const, box, n_terms):
        """Keep the subsets whose largest term on ``box`` exceeds 1e-18/2ⁿ of the smallest λ(x) term."""
        lo, hi = box[:, 0], box[:, 1]
        # axis-wise maximum of the concave quadratic c2 t² + c1 t on [lo, hi]
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = np.where(c2[:, None] < 0, -c1 / (2 * c2[:, None]), np.where(c1 > 0, hi, lo))
        t_star = np.clip(t_star, lo, hi)
        upper = const + np.sum(c2[:, None] * t_star**2 + c1 * t_star, axis=1)
        base_low = const[0] + np.sum(np.minimum(c1[0] * lo, c1[0] * hi))
        return upper > base_low + math.log(1e-18) - math.log(n_terms)

    def x_terms(self, x, y, logv):
        c0 = y.mean(axis=0) if y.shape[0] else np.zeros(x.shape[1])
        c2, c1, const = self._x_coefficients(y, logv, c0)
        xc = x - c0
        box = np.stack([xc.min(axis=0), xc.max(axis=0)], axis=1)
        keep = self._prune(c2, c1, const, box, c2.size) & np.isfinite(const)
        keep[0] = True
        c2, c1, const = c2[keep], c1[keep], const[keep]
        r2 = np.einsum("ij,ij->i", xc, xc)
        out = np.empty(x.shape[0])
        step = max(1, _CHUNK // c2.size)
        for i in range(0, x.shape[0], step):
            E = r2[i : i + step, None] * c2 + xc[i : i + step] @ c1.T + const
            out[i : i + step] = np.exp(E).sum(axis=1)
        return out, np.zeros_like(out)

    def x_terms_grid(self, axes, y, logv):
        """Same as :meth:`x_terms` on the product grid of ``axes``; returns an array of the grid's shape."""
        d = len(axes)
        c0 = y.mean(axis=0) if y.shape[0] else np.zeros(d)
        c2, c1, const = self._x_coefficients(y, logv, c0)
        ax = [np.asarray(a, float) - c0[k] for k, a in enumerate(axes)]
        box = np.array([[a.min(), a.max()] for a in ax])
        keep = self._prune(c2, c1, const, box, c2.size) & np.isfinite(const)
        keep[0] = True
        c2, c1, const = c2[keep], c1[keep], const[keep]
        # per-axis log factors, shifted by their maximum so that exp never overflows
        logf = [c2[:, None] * a[None, :] ** 2 + c1[:, k : k + 1] * a[None, :] for k, a in enumerate(ax)]
        shifts = [lf.max(axis=1) for lf in logf]
        w = np.exp(const + sum(shifts))
        f = [np.exp(lf - sh[:, None]) for lf, sh in zip(logf, shifts, strict=True)]
        if d == 1:
            return w @ f[0], None
        if d == 2:
            return (f[0].T * w) @ f[1], None
        return np.einsum("b,bi,bj,bk->ijk", w, f[0], f[1], f[2], optimize=True), None

    def pair_integral(self, x, y):
        d = x.shape[1]
        A, G = self._AG(2.0)
        r2 = np.sum((x - y) ** 2, axis=1)
        logK = (A + 0.5 * (x + y) @ G + self.s2 * (G @ G) / 4 - r2 / (4 * self.s2)
                - (d / 2) * math.log(2 * math.pi * self.s2) - (d / 2) * math.log(2.0))
        K = np.exp(logK)
        return K, np.zeros_like(K)


def _ball_mgf(g: np.ndarray, R: float, d: int) -> float:
    """E[exp(g·U)] for U uniform on the d-ball of radius R: Γ(d/2+1) (2/(|g|R))^{d/2} I_{d/2}(|g|R)."""
    from scipy import special

    t = float(np.linalg.norm(g)) * R
    if t < 1e-8:
        return 1.0 + t**2 / (2 * (d + 2))
    return math.gamma(d / 2 + 1) * (2 / t) ** (d / 2) * float(special.iv(d / 2, t))


class MaternEngine(_Engine):
    """Exact geometry for the Matérn kernel (see module docstring)."""

    def __init__(self, kappa, alpha, kernel, d):
        super().__init__(kappa, alpha, kernel, d)
        self.ak, self.bk, self.aa, self.ba = _explin(kappa, alpha, d)
        self.R = kernel.radius
        self.logV = math.log(ball_volume(self.R, d))

    def _AG(self, m: float):
        return self.ak + m * self.aa, self.bk + m * self.ba

    def intensity(self, x):
        A, G = self._AG(1.0)
        lam = np.exp(A + x @ G) * _ball_mgf(G, self.R, self.d)
        return lam, np.zeros_like(lam)

    def _log_integral(self, centers: np.ndarray, m: int):
        """log ∫_{∩ balls} exp(A_m + G_m·c) dc − m log V for a batch (N, m, d); returns (log, rel. error)."""
        A, G = self._AG(float(m))
        if np.any(G != 0):
            if self.d == 1:
                lo = centers[..., 0].max(axis=1) - self.R
                hi = centers[..., 0].min(axis=1) + self.R
                g = float(G[0])
                val = np.where(hi > lo, (np.exp(g * hi) - np.exp(g * lo)) / g, 0.0)
                err = np.zeros_like(val)
            else:
                val, err = disc_intersection_exp_integral(centers, self.R, G)
        else:
            val, err = ball_intersection_volume(centers, self.R)
        with np.errstate(divide="ignore"):
            out = A + np.log(np.clip(val, 0.0, None)) - m * self.logV
            rel = np.where(val > 0, err / np.where(val > 0, val, 1.0), 0.0)
        return out, rel

    def log_cluster_integrals(self, y):
        n = y.shape[0]
        adj = np.linalg.norm(y[:, None] - y[None], axis=2) <= 2 * self.R
        clique = np.ones(1, dtype=bool)
        masks = np.zeros(1, dtype=np.int64)
        adj_mask = (adj.astype(np.int64) * (1 << np.arange(n))).sum(axis=1)
        for j in range(n):  # clique(mask ∪ {j}) = clique(mask) and mask ⊆ neighbours(j)
            clique = np.concatenate([clique, clique & ((masks & ~adj_mask[j]) == 0)])
            masks = np.concatenate([masks, masks | (1 << j)])
        logK = np.full(1 << n, -np.inf)
        err = np.zeros(1 << n)
        logK[0] = 0.0
        pc = _popcounts(n)
        members = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
        for m in range(1, n + 1):
            sel = np.flatnonzero(clique & (pc == m))
            if sel.size == 0:
                continue
            idx = np.nonzero(members[sel])[1].reshape(sel.size, m)
            logK[sel], err[sel] = self._log_integral(y[idx], m)
        return logK, err

    def x_terms(self, x, y, logv):
        n = y.shape[0]
        lam, _ = self.intensity(x)
        out = lam.copy()
        err = np.zeros_like(out)
        if n == 0:
            return out, err
        near = np.linalg.norm(x[:, None, :] - y[None, :, :], axis=2) <= 2 * self.R  # (m, n)
        masks = np.flatnonzero(np.isfinite(logv))
        masks = masks[masks > 0]
        pc = _popcounts(n)[masks]
        for k in np.unique(pc):
            mk = masks[pc == k]
            memb = ((mk[:, None] >> np.arange(n)) & 1).astype(bool)  # (C, n)
            compat = (near.astype(np.int32) @ memb.T.astype(np.int32)) == k  # (m, C)
            xi, ci = np.nonzero(compat)
            if xi.size == 0:
                continue
            idx = np.nonzero(memb)[1].reshape(mk.size, k)
            for s in range(0, xi.size, 200_000):
                xs, cs = xi[s : s + 200_000], ci[s : s + 200_000]
                centers = np.concatenate([y[idx[cs]], x[xs][:, None, :]], axis=1)
                lk, rel = self._log_integral(centers, int(k) + 1)
                term = np.exp(lk + logv[mk[cs]])
                out += np.bincount(xs, weights=term, minlength=x.shape[0])
                err += np.bincount(xs, weights=term * rel, minlength=x.shape[0])
        return out, err

    def _lens_exp_integral(self, x, y, A, G):
        """K_xy = ∫_{lens} exp(A + G·c) dc / V² for 2-D pairs, in the lens's own coordinates.

        With m the midpoint, e the unit axis, g∥ = G·e, g⊥ = |G − g∥ e|, and |t| + r/2 = R cos φ,
        ∫_lens e^{G·(c−m)} dc = ∫_0^{acos(r/2R)} 2 cosh(g∥ t) · 2 sinh(g⊥ R sin φ)/g⊥ · R sin φ dφ,
        t = R cos φ − r/2: an analytic integrand (Gauss–Legendre, error from 10 vs 20 nodes).
        """
        R = self.R
        diff = y - x
        r = np.linalg.norm(diff, axis=1)
        e = np.where(r[:, None] > 0, diff / np.where(r > 0, r, 1.0)[:, None], np.array([1.0, 0.0]))
        gpar = e @ G
        gperp = np.sqrt(np.clip(G @ G - gpar**2, 0.0, None))
        phi0 = np.arccos(np.clip(r / (2 * R), 0.0, 1.0))

        def quad(n):
            z, w = np.polynomial.legendre.leggauss(n)
            phi = 0.5 * phi0[:, None] * (z + 1)
            t = R * np.cos(phi) - 0.5 * r[:, None]
            wid = R * np.sin(phi)
            gp = gperp[:, None]
            side = np.where(gp > 1e-12, 2 * np.sinh(gp * wid) / np.where(gp > 1e-12, gp, 1.0), 2 * wid)
            f = 2 * np.cosh(gpar[:, None] * t) * side * wid
            return 0.5 * phi0 * (f @ w)

        q1, q2 = quad(20), quad(10)
        scale = np.exp(A + 0.5 * (x + y) @ G - 2 * self.logV)
        return q1 * scale, (np.abs(q1 - q2) + 1e-15 * q1) * scale

    def pair_integral(self, x, y):
        K, err = np.zeros(x.shape[0]), np.zeros(x.shape[0])
        near = np.flatnonzero(np.sum((x - y) ** 2, axis=1) < 4 * self.R**2)  # no common parent beyond 2R
        A, G = self._AG(2.0)
        if self.d == 2 and np.any(G != 0):
            K[near], err[near] = self._lens_exp_integral(x[near], y[near], A, G)
            return K, err
        for s in range(0, near.size, 50_000):
            idx = near[s : s + 50_000]
            lk, rel = self._log_integral(np.stack([x[idx], y[idx]], axis=1), 2)
            K[idx] = np.exp(lk)
            err[idx] = K[idx] * rel
        return K, err


def _gl_panels(edges: np.ndarray, order: int):
    x, w = np.polynomial.legendre.leggauss(order)
    a, b = edges[:-1, None], edges[1:, None]
    return (0.5 * (a + b) + 0.5 * (b - a) * x).ravel(), (0.5 * (b - a) * w).ravel()


class QuadratureEngine(_Engine):
    """Quadrature for any fields and kernels, with error estimates from two orders."""

    exact = False

    def __init__(self, kappa, alpha, kernel, d, *, order: int = 8):
        super().__init__(kappa, alpha, kernel, d)
        self.order = order
        h = kernel.scale_length
        # uniform panels within a few kernel scales (heavy tails: the 1e-3 range of a Cauchy kernel
        # is ~1000 ω, far beyond where the integrands of K_B, products of >= 2 kernels, live)
        self.core = min(kernel.effective_range(d, 1e-3), 6.0 * h)
        # polynomial (Cauchy) tails: products of >= 2 kernels beyond 1000 ω are below 1e-12 relative
        self.outer = max(self.core, kernel.scale * 1e3 if isinstance(kernel, CauchyKernel)
                         else kernel.effective_range(d, 1e-12))
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
        r = np.asarray(self.kernel.radial_quantile(p, self.d), float)
        d = self.d
        if d == 1:
            dirs, wd = np.array([[1.0], [-1.0]]), np.array([0.5, 0.5])
        elif d == 2:
            nt = 2 * n_r
            th = (np.arange(nt) + 0.5) * 2 * np.pi / nt
            dirs, wd = np.stack([np.cos(th), np.sin(th)], 1), np.full(nt, 1.0 / nt)
        else:
            ct, wc = np.polynomial.legendre.leggauss(n_r)
            nph = 2 * n_r
            ph = (np.arange(nph) + 0.5) * 2 * np.pi / nph
            CT, PH = np.meshgrid(ct, ph, indexing="ij")
            st = np.sqrt(1 - CT**2)
            dirs = np.stack([st * np.cos(PH), st * np.sin(PH), CT], -1).reshape(-1, 3)
            wd = (np.repeat(wc, nph) / 2 / nph)
        u = (r[:, None, None] * dirs[None]).reshape(-1, d)
        w = (wp[:, None] * wd[None]).ravel()
        self._radial[n_r] = (u, w)
        return u, w

    def _intensity_order(self, x, n_r):
        u, w = self._radial_rule(n_r)
        out = np.empty(x.shape[0])
        step = max(1, _CHUNK // u.shape[0])
        for i in range(0, x.shape[0], step):
            pts = (x[i : i + step, None, :] - u[None]).reshape(-1, self.d)
            f = (self.kappa(pts) * self.alpha(pts)).reshape(-1, u.shape[0])
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
            edges = np.concatenate([lo - tail[::-1], core, hi + tail])
            xs, ws = _gl_panels(edges, order)
            axes.append(xs)
            weights.append(ws)
        grids = np.meshgrid(*axes, indexing="ij")
        c = np.stack([g.ravel() for g in grids], axis=1)
        w = np.prod(np.meshgrid(*weights, indexing="ij"), axis=0).ravel()
        return c, w

    def _factors(self, y, order, extra=None):
        c, w = self._nodes(y, order, extra)
        kap, alp = self.kappa(c), self.alpha(c)
        lam_y, _ = self.intensity(y)
        # a_i(c) = α(c) k(y_i − c) / λ(y_i): the normalized factor of event i in K_B
        a = np.stack([alp * self.kernel.pdf(y[i] - c) / lam_y[i] for i in range(y.shape[0])], axis=1)
        keep = (w * kap * a.max(axis=1) ** 2) > 0
        return c[keep], (w * kap)[keep], a[keep], alp[keep], np.log(lam_y)

    def _log_K_order(self, y, order):
        c, wk, a, _, loglam = self._factors(y, order)
        n = y.shape[0]
        K = np.zeros(1 << n)
        step = max(1, _CHUNK // (1 << n))
        for i in range(0, c.shape[0], step):
            P = np.ones((min(step, c.shape[0] - i), 1))
            for j in range(n):  # products over every subset by doubling
                P = np.concatenate([P, P * a[i : i + step, j : j + 1]], axis=1)
            K += wk[i : i + step] @ P
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
        n = y.shape[0]
        # h(c) = Σ_{B≠∅} α(c) Π_{i∈B} α(c)k(y_i − c) e^{logv_B}; normalized factors absorb Π λ(y_i)
        v = np.exp(logv + mask_sums(loglam))
        v[~np.isfinite(v)] = 0.0
        h = np.zeros(c.shape[0])
        step = max(1, _CHUNK // (1 << n))
        for i in range(0, c.shape[0], step):
            P = np.ones((min(step, c.shape[0] - i), 1))
            for j in range(n):
                P = np.concatenate([P, P * a[i : i + step, j : j + 1]], axis=1)
            h[i : i + step] = P[:, 1:] @ v[1:]
        g = wk * alp * h
        keep = np.abs(g) > 1e-18 * np.abs(g).max() if g.size and np.abs(g).max() > 0 else np.zeros(g.size, bool)
        c, g = c[keep], g[keep]
        out = np.zeros(x.shape[0])
        step = max(1, _CHUNK // max(1, c.shape[0]))
        for i in range(0, x.shape[0], step):
            diff = (x[i : i + step, None, :] - c[None]).reshape(-1, self.d)
            out[i : i + step] = self.kernel.pdf(diff).reshape(-1, c.shape[0]) @ g
        return out

    def x_terms(self, x, y, logv):
        lam, err_lam = self.intensity(x)
        if y.shape[0] == 0:
            return lam, err_lam
        hi = self._x_terms_order(x, y, logv, self.order)
        lo = self._x_terms_order(x, y, logv, self.order - 2)
        return lam + hi, err_lam + np.abs(hi - lo)

    def pair_integral(self, x, y):
        kk = self.kernel.self_convolution(self.d)
        if kk is not None and isinstance(self.kappa, Constant) and isinstance(self.alpha, Constant):
            # stationary: K_xy = κ α² (k * k)(x − y) in closed form (Cauchy, variance-Gamma)
            K = self.kappa.value * self.alpha.value**2 * kk.pdf(x - y)
            return K, 1e-15 * K
        out_hi, out_lo = np.empty(x.shape[0]), np.empty(x.shape[0])
        for i in range(x.shape[0]):  # pairs are few; each has its own mesh
            pts = np.stack([x[i], y[i]])
            for order, out in ((self.order, out_hi), (self.order - 2, out_lo)):
                c, wk, a, _, loglam = self._factors(pts, order)
                out[i] = (wk * a[:, 0] * a[:, 1]).sum() * np.exp(loglam.sum())
        return out_hi, np.abs(out_hi - out_lo)


def select_engine(kappa: Field, alpha: Field, kernel: Kernel, d: int, method: str = "auto") -> _Engine:
    """The most exact engine available for these fields and kernel (``method="quadrature"`` forces it)."""
    if method not in ("auto", "quadrature"):
        raise ValueError(f"integrals must be 'auto' or 'quadrature', got {method!r}")
    el = _explin(kappa, alpha, d)
    if method == "auto" and el is not None:
        if isinstance(kernel, ThomasKernel):
            return ThomasExpEngine(kappa, alpha, kernel, d)
        if isinstance(kernel, MaternKernel):
            const = not (np.any(el[1]) or np.any(el[3]))
            if d <= 2 or const:
                return MaternEngine(kappa, alpha, kernel, d)
    return QuadratureEngine(kappa, alpha, kernel, d)
