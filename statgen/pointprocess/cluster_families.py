"""The four stationary Neyman–Scott families of spatstat in spatstat's own parameters (planar).

For parent intensity κ and kernel scale s the pair correlation g(r) and K-function K(r) are
closed forms. Each family fits in its *native* parameters (what ``kppm``'s optimizer moves):

| family | native (κ, θ) | generic scale | g(r) − 1 | K(r) − πr² |
| --- | --- | --- | --- | --- |
| thomas | (κ, σ²) | σ = √θ | e^{−r²/4σ²} / (4πκσ²) | (1 − e^{−r²/4σ²}) / κ |
| matern | (κ, R) | R | 2(acos z − z√(1−z²)) / (π² κ R²), z = r/2R < 1 | H(r/2R)/κ |
| cauchy | (κ, η² = 4ω²) | ω = √θ/2 | (1 + r²/η²)^{−3/2} / (2πκη²) | (1 − (1 + r²/η²)^{−1/2}) / κ |
| vargamma | (κ, η) | η | t^ν K_ν(t) / (2^{ν−1}Γ(ν) 4πνκη²), t = r/η | (1 − t^{ν+1}K_{ν+1}(t)/(2^ν Γ(ν+1))) / κ |

with H(z) = 2 + ((8z² − 4) acos z − 2 asin z + 4z(1 − z²)^{3/2} − 6z√(1 − z²))/π (1 for z ≥ 1),
and for the variance-Gamma family ν = 2ν_ker + 1 (spatstat's ``nu.pcf``; ν_ker = −1/4 by
default). The variance-Gamma K is the closed form ∫₀ᵗ z^{ν+1}K_ν(z) dz = 2^νΓ(ν+1) − t^{ν+1}K_{ν+1}(t)
(spatstat integrates numerically, to relative accuracy 1.2e-4).

Starting values are spatstat's ``selfstart``: κ₀ = λ = n/|W| and the scale from the mean
nearest-neighbour distance m (σ² = 4m², R = 2m, η² = 4m², η = 2m).

References
----------
Baddeley, A., Rubak, E., Turner, R. (2015). Spatial Point Patterns, ch. 12 (cluster processes).
Jalilian, A., Guan, Y., Waagepetersen, R. (2013). Decomposition of variance for spatial Cox
processes. Scand. J. Statist. 40, 119–137 (the variance-Gamma family).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from statgen.pointprocess.kernels import CauchyKernel, MaternKernel, ThomasKernel, VarGammaKernel

__all__ = ["ClusterFamily", "FAMILIES"]


class ClusterFamily:
    """One of spatstat's cluster families (see the module docstring); ``nu`` is the variance-Gamma
    kernel shape ν_ker (ignored by the other families)."""

    def __init__(self, name: str, nu: float = -0.25):
        self.name = name
        self.nu = float(nu)

    # --------------------------------------------------------------- parameters
    def start(self, lam: float, mean_nnd: float) -> np.ndarray:
        """spatstat's ``selfstart`` (native parameters)."""
        s = {"thomas": 4 * mean_nnd**2, "matern": 2 * mean_nnd, "cauchy": 4 * mean_nnd**2,
             "vargamma": 2 * mean_nnd}[self.name]
        return np.array([lam, s])

    def scale(self, theta: float) -> float:
        """Generic scale (σ, R, ω, η) from the native second parameter."""
        return {"thomas": math.sqrt(theta), "matern": theta, "cauchy": math.sqrt(theta) / 2,
                "vargamma": theta}[self.name]

    def native(self, scale: float) -> float:
        """Native second parameter from the generic scale."""
        return {"thomas": scale**2, "matern": scale, "cauchy": (2 * scale) ** 2, "vargamma": scale}[self.name]

    def kernel(self, scale: float):
        """The dispersal kernel of statgen (:mod:`statgen.pointprocess.kernels`) with this scale."""
        if self.name == "thomas":
            return ThomasKernel(scale)
        if self.name == "matern":
            return MaternKernel(scale)
        if self.name == "cauchy":
            return CauchyKernel(scale)
        return VarGammaKernel(self.nu, scale)

    # --------------------------------------------------------------- second-order moments
    def pcf(self, par, r) -> np.ndarray:
        """g(r) for native parameters ``par`` = (κ, θ) (inf where a parameter is ≤ 0, as spatstat)."""
        kappa, th = float(par[0]), float(par[1])
        r = np.asarray(r, dtype=float)
        if kappa <= 0 or th <= 0:
            return np.full(r.shape, np.inf)
        if self.name == "thomas":
            return 1 + np.exp(-r**2 / (4 * th)) / (4 * math.pi * kappa * th)
        if self.name == "matern":
            z = np.minimum(r / (2 * th), 1.0)
            h = (2 / math.pi) * (np.arccos(z) - z * np.sqrt(1 - z**2))
            return 1 + h / (math.pi * kappa * th**2)
        if self.name == "cauchy":
            return 1 + (1 + r**2 / th) ** (-1.5) / (2 * math.pi * th * kappa)
        nu = 2 * self.nu + 1
        t = r / th
        with np.errstate(invalid="ignore", divide="ignore"):
            fr = np.where(t > 0, t**nu * special.kv(nu, t) / (2 ** (nu - 1) * math.gamma(nu)), 1.0)
        return 1 + fr / (4 * math.pi * th**2 * nu * kappa)

    def K(self, par, r) -> np.ndarray:
        """K(r) for native parameters ``par`` (inf where a parameter is ≤ 0)."""
        kappa, th = float(par[0]), float(par[1])
        r = np.asarray(r, dtype=float)
        if kappa <= 0 or th <= 0:
            return np.full(r.shape, np.inf)
        base = math.pi * r**2
        if self.name == "thomas":
            return base + (1 - np.exp(-r**2 / (4 * th))) / kappa
        if self.name == "matern":
            z = np.minimum(r / (2 * th), 1.0)
            h = np.where(z < 1, 2 + (1 / math.pi) * ((8 * z**2 - 4) * np.arccos(z) - 2 * np.arcsin(z)
                                                   + 4 * z * np.sqrt((1 - z**2) ** 3) - 6 * z * np.sqrt(1 - z**2)),
                         1.0)
            return base + h / kappa
        if self.name == "cauchy":
            return base + (1 - 1 / np.sqrt(1 + r**2 / th)) / kappa
        nu = 2 * self.nu + 1
        t = r / th
        with np.errstate(invalid="ignore"):
            tail = np.where(t > 0, t ** (nu + 1) * special.kv(nu + 1, t) / (2**nu * math.gamma(nu + 1)), 1.0)
        return base + (1 - tail) / kappa


FAMILIES = ("thomas", "matern", "cauchy", "vargamma")
