"""plmc's pseudo-likelihood objective and its gradient as a compiled CPU kernel, in plmc's layout.

The parameters are one flat vector θ = (h, e) in plmc's order: the fields h_i(a) (L·q) then the
coupling blocks e_ij(a, b) of the pairs i < j in row order (q² each; a the state of i, b of j),
half of a full (L, L, q, q) array. The value is

    f(θ) = −Σ_m w_m Σ_i log P(s_mi | s_m,−i) + λ_h Σ_i ‖h_i‖² + λ_e Σ_{i<j} ‖e_ij‖²_F,

P(s_i = a | s_−i) = softmax_a[h_i(a) + Σ_{j≠i} e_ij(a, s_j)] (e_ji = e_ijᵀ), and with gap-ignore
(plmc's ``-g``) an ignored entry (state q here, the row of zeros past the q modelled states) is
neither predicted nor felt by the other sites.
The kernel (C with OpenMP, ``statgen/graphical/potts/native/plm_body.h``; compiled on first use)
works per block of sequences: pass 1 (parallel over sites i) forms the fields H_i(m, ·), their
log-softmax and the residuals R_i(m, a) = w_m (P_i(a | s_m,−i) − δ_{a, s_mi}) in place; pass 2
(parallel over rows i, rows i and L − 1 − i together to balance the triangle) accumulates
∂f/∂e_ij = Σ_m R_i(m, ·) ⊗ δ_{s_mj} + δ_{s_mi} ⊗ R_j(m, ·) for j > i: every thread writes its own
rows, no full (L, L, q, q) gradient and no locks. Cost 2 M L (L − 1) q per evaluation.

Reference: J. Hopf et al., Nat. Biotechnol. 35, 128 (2017) (plmc); M. Ekeberg et al., Phys. Rev. E
87, 012707 (2013).
"""

from __future__ import annotations

import numpy as np

from statgen.graphical.potts import native

__all__ = ["PlmcData", "plmc_data", "value_grad", "set_threads", "available", "BLOCK", "MAX_STATES", "dot", "dots", "combine", "axpy"]

#: sequences per block of the kernel: the (L, BLOCK, q) residual buffer, and each site's
#: (BLOCK, q) slice stays in the L1 cache while the couplings stream past it (DHFR: 256, 512 and
#: 1024 run equally fast; 256 holds 12 MiB less)
BLOCK = 256
#: states are bytes, and state q (one past the modelled ones) is the ignored gap
MAX_STATES = 255

available, set_threads = native.available, native.set_threads
dot, dots, combine, axpy = native.dot, native.dots, native.combine, native.axpy


class PlmcData:
    """The data of plmc's objective laid out for the kernel: ``st`` (L, M) uint8 model states (q for
    an ignored gap), ``w`` (M,) weights in the parameters' dtype, and the (L, block, QP) residual
    buffer (QP: q padded to whole SIMD vectors of 8)."""

    def __init__(self, st: np.ndarray, w: np.ndarray, L: int, q: int, dtype, block: int = BLOCK):
        self.st, self.w, self.L, self.q, self.dtype = st, w, L, q, np.dtype(dtype)
        self.block = int(max(1, min(block, st.shape[1])))
        self.qp = -(-q // 8) * 8
        self.buf = np.zeros((L, self.block, self.qp), dtype=self.dtype)

    @property
    def n_params(self) -> int:
        return self.L * self.q + self.L * (self.L - 1) // 2 * self.q * self.q


def plmc_data(states, weights, q: int, *, gap_ignore: bool, dtype=np.float32, block: int = BLOCK) -> PlmcData:
    """Lay out checked (M, L) states in [0, q) and (M,) weights; with ``gap_ignore`` data state 0 is the
    ignored gap and data state k is model state k − 1 (q − 1 modelled states)."""
    s = np.asarray(states)
    M, L = s.shape
    if q - gap_ignore > MAX_STATES:
        raise ValueError(f"the compiled kernel takes at most {MAX_STATES} modelled states (one byte per state), "
                         f"got q={q - gap_ignore}; fit_plmc(..., backend='torch') has no such limit")
    st = np.ascontiguousarray(s.T, dtype=np.uint8)
    if gap_ignore:
        gap = st == 0
        st -= 1
        q = q - 1
        st[gap] = q  # the ignored gap indexes a row of zeros: no branch in the kernels
    return PlmcData(st, np.ascontiguousarray(weights, dtype=dtype), L, q, dtype, block)


def value_grad(d: PlmcData, x: np.ndarray, g: np.ndarray, lambda_h: float, lambda_e: float) -> float:
    """plmc's f at θ = ``x`` (module docstring); writes ∂f/∂θ into ``g`` (same shape and dtype as x)."""
    if x.dtype != d.dtype or g.dtype != d.dtype:
        raise TypeError(f"x and g must be {d.dtype.name} like the data, got {x.dtype} and {g.dtype}")
    f = native.value_grad(x, d.st, d.w, d.L, d.q, lambda_h, lambda_e, g, d.buf, d.block)
    if f != f:  # the kernel returns NaN only when it could not allocate its per-thread scratch
        raise MemoryError("plm kernel: could not allocate its per-thread scratch buffers")
    return float(f)
