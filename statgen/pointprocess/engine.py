"""The contract between a Neyman–Scott model and its integrals, and what the engines share.

For events y₁..yₙ and a location x, the exact conditional intensity is

    λ(x | y₁..yₙ) = Σ_{B ⊆ {1..n}} K_{B∪{x}}(x) ρ(Y ∖ B) / ρ(Y),

so a model needs four operations of an engine (:class:`Engine`):

- ``intensity(x)``: λ(x) = ∫ κ(c) α(c) k(x − c) dc and its numerical error;
- ``log_cluster_integrals(y)``: log K_B for all 2ⁿ subsets (bitmasks) of the events,
  K_B = ∫ κ(c) α(c)^{|B|} Π_{i∈B} k(y_i − c) dc;
- ``x_terms(x, y, logv)``: Σ_B K_{B∪{x}}(x) exp(logv_B) for many x at once (logv_∅ = 0 gives λ(x));
- ``pair_integral(x, y)``: K_{xy} = ∫ κ α² k(x − c) k(y − c) dc for paired rows.

Engines are unchecked inner code: :class:`~statgen.pointprocess.model.NeymanScott` validates
points, events and sizes before calling them. Each returns (values, error estimates).
"""

from __future__ import annotations

import numpy as np

from statgen.pointprocess.fields import Field
from statgen.pointprocess.kernels import Kernel
from statgen.pointprocess.recursion import mask_sums

__all__ = ["Engine", "ExpLinearEngine", "exp_linear", "popcounts", "subset_products", "CHUNK", "BYTES_PER_SUBSET"]

CHUNK = 1 << 22  # elements per temporary (x × subsets) block
BYTES_PER_SUBSET = 8 * 24  # an upper estimate of what an engine holds per subset of the events (d ≤ 3)


def popcounts(n: int) -> np.ndarray:
    """|B| for every bitmask B of n events."""
    return mask_sums(np.ones(n, dtype=np.int64))


def exp_linear(kappa: Field, alpha: Field, d: int):
    """(a_κ, b_κ, a_α, b_α) when κ(c) = exp(a_κ + b_κ·c) and α(c) = exp(a_α + b_α·c), else None."""
    ka, al = kappa.log_linear(d), alpha.log_linear(d)
    if ka is None or al is None:
        return None
    return ka[0], np.asarray(ka[1], float), al[0], np.asarray(al[1], float)


def subset_products(a: np.ndarray) -> np.ndarray:
    """P[:, B] = Π_{i∈B} a[:, i] for every bitmask B, by doubling: (N, n) → (N, 2ⁿ)."""
    P = np.ones((a.shape[0], 1))
    for j in range(a.shape[1]):
        P = np.concatenate([P, P * a[:, j : j + 1]], axis=1)
    return P


class Engine:
    """Base class of the integral engines (see the module docstring for the contract)."""

    exact: bool = True

    def __init__(self, kappa: Field, alpha: Field, kernel: Kernel, d: int):
        self.kappa, self.alpha, self.kernel, self.d = kappa, alpha, kernel, d

    def intensity(self, x: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def log_cluster_integrals(self, y: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def x_terms(self, x: np.ndarray, y: np.ndarray, logv: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def pair_integral(self, x: np.ndarray, y: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def log_intensity(self, x: np.ndarray):
        lam, err = self.intensity(x)
        with np.errstate(divide="ignore"):
            return np.log(lam), err


class ExpLinearEngine(Engine):
    """Base of the closed-form engines: κ(c) α(c)^m = exp(A_m + G_m·c) with
    A_m = a_κ + m a_α and G_m = b_κ + m b_α."""

    def __init__(self, kappa: Field, alpha: Field, kernel: Kernel, d: int):
        super().__init__(kappa, alpha, kernel, d)
        self.ak, self.bk, self.aa, self.ba = exp_linear(kappa, alpha, d)

    def _AG(self, m):
        """(A_m, G_m) for m of any shape: A_m of m's shape, G_m of shape (*m.shape, d)."""
        m = np.asarray(m, dtype=float)
        return self.ak + m * self.aa, self.bk + m[..., None] * self.ba
