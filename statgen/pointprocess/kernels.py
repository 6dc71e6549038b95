"""Offspring dispersal kernels of Neyman–Scott processes (spatstat conventions).

Each kernel is an isotropic probability density ``k(u)`` on R^d (d = 1, 2, 3) for the
displacement ``u`` of an offspring from its parent. Every class states its density in the
docstring and offers

- ``pdf(u)``: density at displacements ``u`` of shape (m, d) -> (m,)
- ``sample(n, d, rng)``: (n, d) displacements
- ``tail_mass(r, d)``: P(|U| > r), used to bound the edge truncation of the simulation
- ``effective_range(d, tol)``: smallest r with P(|U| > r) <= tol (the compact radius when there is one)
- ``radial_quantile(p, d)``: inverse CDF of |U| (for quadrature in kernel coordinates)
- ``self_convolution(d)``: the kernel ``k * k`` (density of U1 - U2) when it has a closed form, else None.

Lengths are in the units of the window; densities in 1/length^d.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from statgen._checks import as_array, check_in_range, check_positive

__all__ = ["Kernel", "ThomasKernel", "MaternKernel", "CauchyKernel", "VarGammaKernel"]


def _radii(u) -> tuple[np.ndarray, int]:
    u = as_array(u, "u", ndim=2)
    if u.shape[1] not in (1, 2, 3):
        raise ValueError(f"u must have shape (m, d) with d in 1..3, got {u.shape}")
    return np.sqrt(np.einsum("ij,ij->i", u, u)), u.shape[1]


def _check_d(d) -> int:
    if int(d) != d or d not in (1, 2, 3):
        raise ValueError(f"d must be 1, 2 or 3, got {d!r}")
    return int(d)


def _unit_vectors(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    if d == 1:
        return np.where(rng.random((n, 1)) < 0.5, -1.0, 1.0)
    if d == 2:
        # Single-precision angle (resolution ~4e-7 rad): numpy's float32 cos/sin are vectorized,
        # about 8x faster than float64, and the directions stay uniform to that resolution.
        th = rng.random(n, dtype=np.float32)
        th *= np.float32(2 * math.pi)
        out = np.empty((n, 2))
        np.cos(th, out=out[:, 0], dtype=np.float32, casting="unsafe")
        np.sin(th, out=out[:, 1], dtype=np.float32, casting="unsafe")
        return out
    z = rng.standard_normal((n, d))
    return z / np.linalg.norm(z, axis=1, keepdims=True)


def ball_volume(r, d: int):
    """Volume of the d-ball of radius r: π^{d/2} r^d / Γ(d/2 + 1)."""
    return math.pi ** (d / 2) * np.asarray(r, dtype=float) ** d / math.gamma(d / 2 + 1)


class Kernel:
    """Base class of isotropic dispersal kernels."""

    compact: bool = False

    def pdf(self, u) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def tail_mass(self, r, d: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def radial_quantile(self, p, d: int) -> np.ndarray:
        """Inverse of the CDF of |U| (vectorized bisection to 1e-13 relative by default)."""
        p = np.asarray(p, dtype=float)
        lo = np.zeros(p.shape)
        hi = np.full(p.shape, self.effective_range(d, max(1e-14, float(np.min(1.0 - p, initial=1.0)) / 4)))
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            below = 1.0 - self.tail_mass(mid, d) < p
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return 0.5 * (lo + hi)

    def effective_range(self, d: int, tol: float = 1e-6) -> float:
        """Smallest radius r with P(|U| > r) <= tol (solved numerically)."""
        d = _check_d(d)
        check_in_range(tol, "tol", 0.0, 1.0, closed=False)
        hi = self.scale_length
        while float(self.tail_mass(hi, d)) > tol:
            hi *= 2.0
        return float(optimize.brentq(lambda r: float(self.tail_mass(r, d)) - tol, 0.0, hi, xtol=1e-12 * hi))

    def self_convolution(self, d: int) -> Kernel | None:
        return None

    @property
    def scale_length(self) -> float:  # pragma: no cover
        raise NotImplementedError


class ThomasKernel(Kernel):
    r"""Isotropic Gaussian kernel (Thomas process).

    .. math:: k(u) = (2\pi\sigma^2)^{-d/2} \exp(-|u|^2 / (2\sigma^2))

    ``sigma`` is the standard deviation of each coordinate (spatstat ``rThomas(scale=sigma)``).
    ``k * k`` is the Gaussian kernel with standard deviation ``sigma * sqrt(2)``.

    References
    ----------
    Thomas, M. (1949). A generalization of Poisson's binomial limit for use in ecology. Biometrika 36.
    """

    def __init__(self, sigma: float):
        self.sigma = check_positive(sigma, "sigma")

    def __repr__(self) -> str:
        return f"ThomasKernel(sigma={self.sigma!r})"

    @property
    def scale_length(self) -> float:
        return self.sigma

    def pdf(self, u) -> np.ndarray:
        r, d = _radii(u)
        s2 = self.sigma**2
        return (2 * math.pi * s2) ** (-d / 2) * np.exp(-0.5 * r**2 / s2)

    def sample(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        z = rng.standard_normal((n, _check_d(d)))
        z *= self.sigma
        return z

    def tail_mass(self, r, d: int) -> np.ndarray:
        return stats.chi2.sf((np.asarray(r, dtype=float) / self.sigma) ** 2, _check_d(d))

    def radial_quantile(self, p, d: int) -> np.ndarray:
        return self.sigma * np.sqrt(stats.chi2.ppf(p, _check_d(d)))

    def self_convolution(self, d: int) -> ThomasKernel:
        return ThomasKernel(self.sigma * math.sqrt(2.0))


class MaternKernel(Kernel):
    r"""Uniform density on the ball of radius R (Matérn cluster process).

    .. math:: k(u) = 1\{|u| \le R\} / V_d(R),\quad V_d(R) = \pi^{d/2} R^d / \Gamma(d/2 + 1)

    ``radius`` is R (spatstat ``rMatClust(scale=R)``). ``k * k`` is the volume of the
    intersection of two balls divided by V_d(R)^2 (see :func:`lens_volume`).

    References
    ----------
    Matérn, B. (1960). Spatial variation. Meddelanden från Statens Skogsforskningsinstitut 49.
    """

    compact = True

    def __init__(self, radius: float):
        self.radius = check_positive(radius, "radius")

    def __repr__(self) -> str:
        return f"MaternKernel(radius={self.radius!r})"

    @property
    def scale_length(self) -> float:
        return self.radius

    def pdf(self, u) -> np.ndarray:
        r, d = _radii(u)
        return np.where(r <= self.radius, 1.0 / ball_volume(self.radius, d), 0.0)

    def sample(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        d = _check_d(d)
        u = rng.random(n)
        rad = np.sqrt(u, out=u) if d == 2 else np.cbrt(u, out=u) if d == 3 else u  # pow is slow
        rad *= self.radius
        out = _unit_vectors(n, d, rng)
        out *= rad[:, None]
        return out

    def tail_mass(self, r, d: int) -> np.ndarray:
        _check_d(d)
        r = np.asarray(r, dtype=float)
        return np.clip(1.0 - (np.clip(r, 0, None) / self.radius) ** d, 0.0, 1.0)

    def radial_quantile(self, p, d: int) -> np.ndarray:
        return self.radius * np.asarray(p, dtype=float) ** (1.0 / _check_d(d))

    def effective_range(self, d: int, tol: float = 1e-6) -> float:
        return self.radius


def lens_volume(r, radius: float, d: int) -> np.ndarray:
    """Volume of the intersection of two d-balls of radius R with centres at distance r.

    d = 1: 2R − r; d = 2: 2R² acos(r/2R) − (r/2)√(4R² − r²); d = 3: π(4R + r)(2R − r)²/12;
    zero for r ≥ 2R.
    """
    r = np.clip(np.asarray(r, dtype=float), 0.0, None)
    R = radius
    inside = r < 2 * R
    rr = np.minimum(r, 2 * R)
    if d == 1:
        v = 2 * R - rr
    elif d == 2:
        v = 2 * R**2 * np.arccos(rr / (2 * R)) - 0.5 * rr * np.sqrt(np.clip(4 * R**2 - rr**2, 0, None))
    else:
        v = math.pi * (4 * R + rr) * (2 * R - rr) ** 2 / 12.0
    return np.where(inside, v, 0.0)


class CauchyKernel(Kernel):
    r"""Multivariate Cauchy (Student t with one degree of freedom) kernel.

    .. math:: k(u) = \frac{\Gamma((d+1)/2)}{\pi^{(d+1)/2}\,\omega^d} (1 + |u|^2/\omega^2)^{-(d+1)/2}

    In 2-D this is spatstat's ``rCauchy(scale=omega)`` kernel (1/(2πω²))(1 + |u|²/ω²)^{-3/2}.
    U = ω Z / |G| with Z ~ N(0, I_d), G ~ N(0, 1); ``k * k`` is the same kernel with scale 2ω.
    Heavy tail: P(|U| > r) ~ c ω / r, so the simulation's edge truncation must be controlled.

    References
    ----------
    Ghorbani, M. (2013). Cauchy cluster process. Metrika 76, 697–706.
    """

    def __init__(self, scale: float):
        self.scale = check_positive(scale, "scale")

    def __repr__(self) -> str:
        return f"CauchyKernel(scale={self.scale!r})"

    @property
    def scale_length(self) -> float:
        return self.scale

    def pdf(self, u) -> np.ndarray:
        r, d = _radii(u)
        w = self.scale
        c = math.gamma((d + 1) / 2) / (math.pi ** ((d + 1) / 2) * w**d)
        return c * (1.0 + (r / w) ** 2) ** (-(d + 1) / 2)

    def sample(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        d = _check_d(d)
        return self.scale * rng.standard_normal((n, d)) / np.abs(rng.standard_normal(n))[:, None]

    def tail_mass(self, r, d: int) -> np.ndarray:
        # |U|^2 / ω^2 = χ²_d / χ²_1 = d · F(d, 1)
        d = _check_d(d)
        return stats.f.sf((np.asarray(r, dtype=float) / self.scale) ** 2 / d, d, 1)

    def radial_quantile(self, p, d: int) -> np.ndarray:
        d = _check_d(d)
        return self.scale * np.sqrt(d * stats.f.ppf(p, d, 1))

    def self_convolution(self, d: int) -> CauchyKernel:
        return CauchyKernel(2.0 * self.scale)


class VarGammaKernel(Kernel):
    r"""Variance-Gamma (Bessel) kernel, a Gaussian scale mixture.

    .. math:: k(u) = \frac{(|u|/\eta)^{\nu} K_{\nu}(|u|/\eta)}{\pi^{d/2}\, 2^{\nu + d - 1}\, \eta^d\, \Gamma(\nu + d/2)}

    with η = ``scale`` and ν = ``nu`` (> −d/2). In 2-D this is spatstat's ``rVarGamma(nu, scale)``
    kernel (|u|/η)^ν K_ν(|u|/η) / (π 2^{ν+1} η² Γ(ν+1)). Equivalently U = √W Z with
    W ~ Gamma(shape ν + d/2, scale 2η²), so ``k * k`` is the same family with
    ν' = 2ν + d/2 and the same η.

    References
    ----------
    Jalilian, A., Guan, Y., Waagepetersen, R. (2013). Decomposition of variance for spatial Cox
    processes. Scand. J. Statist. 40, 119–137.
    """

    def __init__(self, nu: float, scale: float):
        nu = float(nu)
        if not np.isfinite(nu) or nu <= -0.5:
            raise ValueError(f"nu must be > -1/2 (so that the kernel exists for every d >= 1), got {nu!r}")
        self.nu = nu
        self.scale = check_positive(scale, "scale")

    def __repr__(self) -> str:
        return f"VarGammaKernel(nu={self.nu!r}, scale={self.scale!r})"

    @property
    def scale_length(self) -> float:
        return self.scale * math.sqrt(max(2 * self.nu + 2, 1.0))

    def _shape(self, d: int) -> float:
        return self.nu + d / 2

    def pdf(self, u) -> np.ndarray:
        r, d = _radii(u)
        nu, eta = self.nu, self.scale
        z = r / eta
        norm = math.pi ** (d / 2) * 2 ** (nu + d - 1) * eta**d * math.gamma(nu + d / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            val = z**nu * special.kv(nu, z)
        # limit at u = 0: z^ν K_ν(z) -> 2^{ν-1} Γ(ν) for ν > 0, diverges for ν <= 0
        at0 = 2 ** (nu - 1) * math.gamma(nu) if nu > 0 else np.inf
        val = np.where(z == 0, at0, val)
        return val / norm

    def sample(self, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
        d = _check_d(d)
        w = rng.gamma(self._shape(d), 2 * self.scale**2, size=n)
        return np.sqrt(w)[:, None] * rng.standard_normal((n, d))

    def tail_mass(self, r, d: int) -> np.ndarray:
        # P(|U| > r) = E_W[P(χ²_d > r²/W)], W = 2η² e^s: the trapezoid rule in s converges
        # geometrically (the integrand is analytic and decays doubly exponentially at both ends)
        d = _check_d(d)
        r = np.asarray(r, dtype=float)
        shape = self._shape(d)
        s = np.arange(-60.0, 6.0, 0.04)
        logw = shape * s - np.exp(s) - special.gammaln(shape)  # log density of log(W / 2η²)
        keep = logw > -745
        s, w = s[keep], np.exp(logw[keep]) * 0.04
        z = (r[..., None] / self.scale) ** 2 / (2.0 * np.exp(s))
        return np.clip(stats.chi2.sf(z, d) @ w, 0.0, 1.0)

    def self_convolution(self, d: int) -> VarGammaKernel:
        return VarGammaKernel(2 * self.nu + _check_d(d) / 2, self.scale)


def integrate_quad(f, a: float, b: float, points=None) -> float:
    from scipy import integrate

    val, _ = integrate.quad(f, a, b, points=points, limit=200, epsabs=1e-15, epsrel=1e-12)
    return val
