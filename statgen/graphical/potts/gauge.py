"""The zero-sum gauge of Potts couplings and the gauge-invariant coupling strengths.

A Potts model's distribution does not change when single-site terms move between J_ij and h_i;
the zero-sum (Ising) gauge fixes Σ_a J_ij(a, b) = Σ_b J_ij(a, b) = 0 and Σ_a h_i(a) = 0. Among all
gauges it minimizes Σ_{i<j} ||J_ij||²_F, which is why L2 penalties select it. numpy only.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array

__all__ = ["zero_sum_gauge"]


def check_fields_couplings(h, J) -> tuple[np.ndarray, np.ndarray]:
    """h (L, q) and J (L, L, q, q) as finite float64 arrays of matching shapes."""
    h = as_array(h, "h", ndim=2)
    L, q = h.shape
    J = as_array(J, "J", shape=(L, L, q, q))
    return h, J


def zero_sum_gauge(h, J) -> tuple[np.ndarray, np.ndarray]:
    """Zero-sum (Ising) gauge: the same distribution with Σ_a J_ij(a, b) = Σ_b J_ij(a, b) = 0 and
    Σ_a h_i(a) = 0.

    J′_ij(a, b) = J_ij(a, b) − J_ij(·, b) − J_ij(a, ·) + J_ij(·, ·) (· = mean over the q states), and
    the removed single-site parts move into the fields:
    h′_i(a) = h_i(a) − h_i(·) + Σ_{j≠i} [J_ij(a, ·) − J_ij(·, ·)]. Energies change by a constant only.

    Parameters
    ----------
    h : (L, q) fields.  J : (L, L, q, q) couplings (finite).

    Returns
    -------
    (h′, J′) of the same shapes.
    """
    h, J = check_fields_couplings(h, J)
    return gauge_arrays(h, J)


def gauge_arrays(h: np.ndarray, J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`zero_sum_gauge` on checked arrays (hot path of the model's methods)."""
    Jm_b = J.mean(axis=3, keepdims=True)  # J_ij(a, ·)
    Jm_a = J.mean(axis=2, keepdims=True)  # J_ij(·, b)
    Jm = J.mean(axis=(2, 3), keepdims=True)
    J0 = J - Jm_a - Jm_b + Jm
    h0 = h + (Jm_b - Jm)[..., 0].sum(axis=1)
    h0 = h0 - h0.mean(axis=1, keepdims=True)
    return h0, J0


def coupling_norms(J: np.ndarray) -> np.ndarray:
    """(L, L) Frobenius norms ||J_ij||_F of the zero-sum-gauge couplings (the gauge-invariant strength);
    only the couplings' own double centring matters, the fields do not enter."""
    J0 = J - J.mean(axis=2, keepdims=True) - J.mean(axis=3, keepdims=True) + J.mean(axis=(2, 3), keepdims=True)
    return np.sqrt(np.einsum("ijab,ijab->ij", J0, J0))
