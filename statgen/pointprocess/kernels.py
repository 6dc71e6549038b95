"""Offspring dispersal kernels of Neyman–Scott processes (spatstat conventions).

Each kernel is an isotropic probability density k(u) = f(|u|) on R^d (d = 1, 2, 3) for the
displacement u of an offspring from its parent. Every class states its density in its
docstring and answers

- ``pdf(u)``: k(u) at displacements u of shape (m, d) → (m,);
- ``radial_pdf(r, d)``: k at |u| = r (any shape of r ≥ 0);
- ``sample(n, d, *, rng)``: (n, d) displacements;
- ``tail_mass(r, d)``: P(|U| > r) (1 for r < 0), which bounds the edge truncation of a simulation;
- ``radial_quantile(p, d)``: the inverse of the CDF of |U| (quadrature in kernel coordinates);
- ``effective_range(d, tol)``: the smallest r with P(|U| > r) ≤ tol (the radius R when compact);
- ``scale_length()``: the kernel's length scale (σ, R, ω, or η√max(2ν + 2, 1));
- ``self_convolution(d)``: the kernel k * k (density of U₁ − U₂) when it has a closed form, else None.

Lengths are in the units of the window; densities in 1/length^d. The public methods validate
their arguments; the underscored ``_density``, ``_tail``, ``_quantile`` and ``_draw`` are the
unchecked hot paths used by the model, the engines and the simulation, which validate first.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from statgen._checks import as_array, check_int
from statgen.pointprocess._args import (
    check_d,
    check_in_range,
    check_memory,
    check_positive,
    check_rng,
)
from statgen.pointprocess.geometry import _ball_volume, uniform_directions

__all__ = ["Kernel", "ThomasKernel", "MaternKernel", "CauchyKernel", "VarGammaKernel"]


class Kernel:
    """Base class of isotropic dispersal kernels (subclasses define the underscored methods)."""

    compact: bool = False

    # ------------------------------------------------------------------ unchecked hot paths
    def _density(self, r: np.ndarray, d: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _tail(self, r: np.ndarray, d: int) -> np.ndarray:  # pragma: no cover
        """P(|U| > r) for r ≥ 0."""
        raise NotImplementedError

    def _quantile(self, p: np.ndarray, d: int) -> np.ndarray:
        """Inverse CDF of |U| for 0 ≤ p < 1 (vectorized bisection to ~1e-13 relative by default)."""
        p = np.asarray(p, dtype=float)
        lo = np.zeros(p.shape)
        hi = np.full(p.shape, self._range(d, max(1e-14, float(np.min(1.0 - p, initial=1.0)) / 4)))
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            below = 1.0 - self._tail(mid, d) < p
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return 0.5 * (lo + hi)

    def _range(self, d: int, tol: float) -> float:
        hi = self.scale_length()
        while float(self._tail(np.asarray(hi), d)) > tol:
            hi *= 2.0
        return float(optimize.brentq(lambda r: float(self._tail(np.asarray(r), d)) - tol, 0.0, hi, xtol=1e-12 * hi))

    def _pdf(self, u: np.ndarray) -> np.ndarray:
        return self._density(np.sqrt(np.einsum("ij,ij->i", u, u)), u.shape[1])

    # ------------------------------------------------------------------ public, validated
    def scale_length(self) -> float:  # pragma: no cover - abstract
        """The kernel's length scale (units of the window)."""
        raise NotImplementedError

    def pdf(self, u) -> np.ndarray:
        """k(u) (1/length^d) for displacements ``u`` of shape (m, d), d ∈ {1, 2, 3} → (m,)."""
        u = as_array(u, "u", ndim=2)
        if u.shape[1] not in (1, 2, 3):
            raise ValueError(f"u must have shape (m, d) with d in 1..3, got shape {u.shape}")
        return self._pdf(u)

    def radial_pdf(self, r, d: int) -> np.ndarray:
        """k(u) at |u| = r ≥ 0 in dimension d (the density, not the density of |U|)."""
        r = as_array(r, "r")
        if np.any(r < 0):
            raise ValueError(f"r must be >= 0 (a distance), got min {float(r.min())!r}")
        return self._density(r, check_d(d))

    def sample(self, n: int, d: int, *, rng: np.random.Generator) -> np.ndarray:
        """n independent displacements U ~ k in R^d, shape (n, d)."""
        n, d = check_int(n, "n", minimum=0), check_d(d)
        check_rng(rng)
        check_memory(8.0 * 3 * n * d, f"n={n} kernel samples in d={d}")
        return self._draw(n, d, rng)

    def tail_mass(self, r, d: int) -> np.ndarray:
        """P(|U| > r): 1 for r < 0, decreasing to 0 as r → ∞ (r = inf is allowed, NaN is not)."""
        r = as_array(r, "r", finite=False)
        if np.any(np.isnan(r)):
            raise ValueError("r contains NaN")
        d = check_d(d)
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(r < 0, 1.0, self._tail(np.maximum(r, 0.0), d))[()]

    def radial_quantile(self, p, d: int) -> np.ndarray:
        """The r with P(|U| ≤ r) = p, for 0 ≤ p ≤ 1 (p = 1 gives R for a compact kernel, else inf)."""
        p = as_array(p, "p")
        if np.any((p < 0) | (p > 1)):
            raise ValueError(f"p must lie in [0, 1] (a probability), got values in [{p.min()!r}, {p.max()!r}]")
        d = check_d(d)
        one, zero = p == 1, p == 0
        if not (np.any(one) or np.any(zero)):
            return np.asarray(self._quantile(p, d))[()]
        top = self._range(d, 0.0) if self.compact else np.inf
        inner = self._quantile(np.where(one | zero, 0.5, p), d)
        return np.where(one, top, np.where(zero, 0.0, inner))[()]

    def effective_range(self, d: int, tol: float = 1e-6) -> float:
        """The smallest radius r with P(|U| > r) ≤ tol, 0 < tol < 1 (solved numerically)."""
        return self._range(check_d(d), check_in_range(tol, "tol", 0.0, 1.0, closed=False))

    def self_convolution(self, d: int) -> Kernel | None:
        """k * k, the density of U₁ − U₂, when it is a kernel of closed form (else None)."""
        check_d(d)
        return None


class ThomasKernel(Kernel):
    """Isotropic Gaussian kernel (Thomas process): k(u) = (2πσ²)^{−d/2} exp(−|u|²/(2σ²)).

    ``sigma`` (σ > 0) is the standard deviation of each coordinate (spatstat ``rThomas(scale=sigma)``).
    k * k is the Gaussian kernel of standard deviation σ√2.

    References
    ----------
    Thomas, M. (1949). A generalization of Poisson's binomial limit for use in ecology. Biometrika 36, 18–25.
    """

    def __init__(self, sigma: float):
        self.sigma = check_positive(sigma, "sigma")

    def __repr__(self) -> str:
        return f"ThomasKernel(sigma={self.sigma!r})"

    def scale_length(self) -> float:
        return self.sigma

    def _density(self, r, d):
        s2 = self.sigma**2
        return (2 * math.pi * s2) ** (-d / 2) * np.exp(-0.5 * r**2 / s2)

    def _draw(self, n, d, rng):
        z = rng.standard_normal((n, d))
        z *= self.sigma
        return z

    def _tail(self, r, d):
        return stats.chi2.sf((np.asarray(r, dtype=float) / self.sigma) ** 2, d)

    def _quantile(self, p, d):
        return self.sigma * np.sqrt(stats.chi2.ppf(p, d))

    def self_convolution(self, d: int) -> ThomasKernel:
        check_d(d)
        return ThomasKernel(self.sigma * math.sqrt(2.0))


class MaternKernel(Kernel):
    """Uniform density on the ball of radius R (Matérn cluster process):
    k(u) = 1{|u| ≤ R} / V_d(R), V_d(R) = π^{d/2} R^d / Γ(d/2 + 1).

    ``radius`` (R > 0) as in spatstat ``rMatClust(scale=R)``. k * k is the volume of the
    intersection of two balls at distance |u| divided by V_d(R)²
    (:func:`statgen.pointprocess.geometry.lens_volume`), not a kernel of this family.

    References
    ----------
    Matérn, B. (1960). Spatial variation. Meddelanden från Statens Skogsforskningsinstitut 49.
    """

    compact = True

    def __init__(self, radius: float):
        self.radius = check_positive(radius, "radius")

    def __repr__(self) -> str:
        return f"MaternKernel(radius={self.radius!r})"

    def scale_length(self) -> float:
        return self.radius

    def _density(self, r, d):
        return np.where(r <= self.radius, 1.0 / _ball_volume(self.radius, d), 0.0)

    def _draw(self, n, d, rng):
        u = rng.random(n)
        rad = np.sqrt(u, out=u) if d == 2 else np.cbrt(u, out=u) if d == 3 else u  # pow is slow
        rad *= self.radius
        out = uniform_directions(n, d, rng)
        out *= rad[:, None]
        return out

    def _tail(self, r, d):
        r = np.asarray(r, dtype=float)
        return np.clip(1.0 - (np.clip(r, 0, None) / self.radius) ** d, 0.0, 1.0)

    def _quantile(self, p, d):
        return self.radius * np.asarray(p, dtype=float) ** (1.0 / d)

    def _range(self, d, tol):
        return self.radius


class CauchyKernel(Kernel):
    """Multivariate Cauchy (Student t with one degree of freedom) kernel:
    k(u) = Γ((d+1)/2) / (π^{(d+1)/2} ω^d) · (1 + |u|²/ω²)^{−(d+1)/2}.

    In 2-D this is spatstat's ``rCauchy(scale=omega)`` kernel (1/(2πω²))(1 + |u|²/ω²)^{−3/2}.
    U = ω Z / |G| with Z ~ N(0, I_d), G ~ N(0, 1); k * k is the same kernel with scale 2ω.
    Heavy tail: P(|U| > r) ~ c ω / r, so the simulation's edge truncation must be controlled.

    References
    ----------
    Ghorbani, M. (2013). Cauchy cluster process. Metrika 76, 697–706. doi:10.1007/s00184-012-0411-y
    """

    def __init__(self, scale: float):
        self.scale = check_positive(scale, "scale")

    def __repr__(self) -> str:
        return f"CauchyKernel(scale={self.scale!r})"

    def scale_length(self) -> float:
        return self.scale

    def _density(self, r, d):
        w = self.scale
        c = math.gamma((d + 1) / 2) / (math.pi ** ((d + 1) / 2) * w**d)
        return c * (1.0 + (r / w) ** 2) ** (-(d + 1) / 2)

    def _draw(self, n, d, rng):
        return self.scale * rng.standard_normal((n, d)) / np.abs(rng.standard_normal(n))[:, None]

    def _tail(self, r, d):
        # |U|² / ω² = χ²_d / χ²_1 = d · F(d, 1)
        return stats.f.sf((np.asarray(r, dtype=float) / self.scale) ** 2 / d, d, 1)

    def _quantile(self, p, d):
        return self.scale * np.sqrt(d * stats.f.ppf(p, d, 1))

    def self_convolution(self, d: int) -> CauchyKernel:
        check_d(d)
        return CauchyKernel(2.0 * self.scale)


class VarGammaKernel(Kernel):
    """Variance-Gamma (Bessel) kernel, a Gaussian scale mixture:
    k(u) = (|u|/η)^ν K_ν(|u|/η) / (π^{d/2} 2^{ν+d−1} η^d Γ(ν + d/2)),

    with η = ``scale`` > 0 and ν = ``nu`` > −1/2 (so that the kernel exists for every d ≥ 1). In 2-D
    this is spatstat's ``rVarGamma(nu, scale)`` kernel (|u|/η)^ν K_ν(|u|/η) / (π 2^{ν+1} η² Γ(ν+1)).
    Equivalently U = √W Z with W ~ Gamma(shape ν + d/2, scale 2η²), so k * k is the same family
    with ν' = 2ν + d/2 and the same η.

    References
    ----------
    Jalilian, A., Guan, Y., Waagepetersen, R. (2013). Decomposition of variance for spatial Cox
    processes. Scand. J. Statist. 40, 119–137. doi:10.1111/j.1467-9469.2012.00795.x
    """

    def __init__(self, nu: float, scale: float):
        if isinstance(nu, bool | np.bool_) or not isinstance(nu, int | float | np.integer | np.floating):
            raise TypeError(f"nu must be a real number > -1/2, got {nu!r} ({type(nu).__name__})")
        if not math.isfinite(nu) or nu <= -0.5:
            raise ValueError(f"nu must be a finite number > -1/2 (so that the kernel exists for every d >= 1), "
                             f"got {nu!r}")
        self.nu = float(nu)
        self.scale = check_positive(scale, "scale")

    def __repr__(self) -> str:
        return f"VarGammaKernel(nu={self.nu!r}, scale={self.scale!r})"

    def scale_length(self) -> float:
        return self.scale * math.sqrt(max(2 * self.nu + 2, 1.0))

    def _shape(self, d: int) -> float:
        return self.nu + d / 2

    def _density(self, r, d):
        nu, eta = self.nu, self.scale
        z = r / eta
        norm = math.pi ** (d / 2) * 2 ** (nu + d - 1) * eta**d * math.gamma(nu + d / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            val = z**nu * special.kv(nu, z)
        # limit at u = 0: z^ν K_ν(z) → 2^{ν−1} Γ(ν) for ν > 0, diverges for ν ≤ 0
        at0 = 2 ** (nu - 1) * math.gamma(nu) if nu > 0 else np.inf
        val = np.where(z == 0, at0, val)
        return val / norm

    def _draw(self, n, d, rng):
        w = rng.gamma(self._shape(d), 2 * self.scale**2, size=n)
        return np.sqrt(w)[:, None] * rng.standard_normal((n, d))

    def _tail(self, r, d):
        # P(|U| > r) = E_W[P(χ²_d > r²/W)], W = 2η² e^s: the trapezoid rule in s converges
        # geometrically (the integrand is analytic and decays doubly exponentially at both ends)
        r = np.asarray(r, dtype=float)
        shape = self._shape(d)
        s = np.arange(-60.0, 6.0, 0.04)
        logw = shape * s - np.exp(s) - special.gammaln(shape)  # log density of log(W / 2η²)
        keep = logw > -745
        s, w = s[keep], np.exp(logw[keep]) * 0.04
        z = (r[..., None] / self.scale) ** 2 / (2.0 * np.exp(s))
        return np.clip(stats.chi2.sf(z, d) @ w, 0.0, 1.0)

    def self_convolution(self, d: int) -> VarGammaKernel:
        return VarGammaKernel(2 * self.nu + check_d(d) / 2, self.scale)
