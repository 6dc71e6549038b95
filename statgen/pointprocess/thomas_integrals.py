"""Closed-form integrals for the Thomas kernel with exp-linear κ and α.

With f(c) = κ(c)α(c)^m = exp(A_m + G_m·c), A_m = a_κ + m a_α, G_m = b_κ + m b_α and
S_B = Σ_{i∈B} |y_i − ȳ_B|², every cluster integral is Gaussian:

    K_B = exp(A_m + G_m·ȳ_B + σ²|G_m|²/(2m) − S_B/(2σ²)) (2πσ²)^{−(m−1)d/2} m^{−d/2},  m = |B|.

K_{B∪{x}}(x) is a Gaussian in x times an exponential, so on a product grid it factorizes over
the axes and the sum over B becomes a matrix product. Unchecked inner code (see
:mod:`statgen.pointprocess.engine`).
"""

from __future__ import annotations

import math

import numpy as np

from statgen.pointprocess.engine import CHUNK, ExpLinearEngine, popcounts
from statgen.pointprocess.recursion import mask_sums

__all__ = ["ThomasExpEngine"]


def _subset_moments(y: np.ndarray, c0: np.ndarray):
    """(|B|, Σ_{i∈B} (y_i − c0), Σ_{i∈B} |y_i − c0|²) for every bitmask B of the events y."""
    yc = y - c0
    return popcounts(y.shape[0]).astype(float), mask_sums(yc), mask_sums(np.einsum("ij,ij->i", yc, yc))


class ThomasExpEngine(ExpLinearEngine):
    """Closed forms for the Thomas kernel with exp-linear κ and α (see module docstring)."""

    def __init__(self, kappa, alpha, kernel, d):
        super().__init__(kappa, alpha, kernel, d)
        self.s2 = kernel.sigma**2

    def intensity(self, x):
        A, G = self._AG(1.0)
        lam = np.exp(A + x @ G + 0.5 * self.s2 * (G @ G))
        return lam, np.zeros_like(lam)

    def log_cluster_integrals(self, y):
        n, d = y.shape
        c0 = y.mean(axis=0)
        m, s, q = _subset_moments(y, c0)
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
        m, s, q = _subset_moments(y, c0)
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
        step = max(1, CHUNK // c2.size)
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
