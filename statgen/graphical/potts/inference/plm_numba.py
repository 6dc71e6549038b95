"""plmc's pseudo-likelihood objective and its gradient as a compiled (numba) CPU kernel, in plmc's layout.

The parameters are one flat vector θ = (h, e) in plmc's order: the fields h_i(a) (L·q) then the
coupling blocks e_ij(a, b) of the pairs i < j in row order (q² each; a the state of i, b of j),
half of a full (L, L, q, q) array. The value is

    f(θ) = −Σ_m w_m Σ_i log P(s_mi | s_m,−i) + λ_h Σ_i ‖h_i‖² + λ_e Σ_{i<j} ‖e_ij‖²_F,

P(s_i = a | s_−i) = softmax_a[h_i(a) + Σ_{j≠i} e_ij(a, s_j)] (e_ji = e_ijᵀ), and with gap-ignore
(plmc's ``-g``) an ignored entry (state q here, the row of zeros past the q modelled states) is
neither predicted nor felt by the other sites.
Per block of sequences, pass 1 (parallel over sites i) forms the fields H_i(m, ·), their
log-softmax and the residuals R_i(m, a) = w_m (P_i(a | s_m,−i) − δ_{a, s_mi}) in place; pass 2
(parallel over rows i, rows i and L − 1 − i together to balance the triangle) accumulates
∂f/∂e_ij = Σ_m R_i(m, ·) ⊗ δ_{s_mj} + δ_{s_mi} ⊗ R_j(m, ·) for j > i: every thread writes its own
rows, no full (L, L, q, q) gradient and no locks. Cost 2 M L (L − 1) q per evaluation.

This module imports numba; nothing imports it before a numba fit is asked for (not statgen.graphical).

Reference: J. Hopf et al., Nat. Biotechnol. 35, 128 (2017) (plmc); M. Ekeberg et al., Phys. Rev. E
87, 012707 (2013).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

__all__ = ["PlmcData", "plmc_data", "value_grad", "kernels", "set_threads", "BLOCK"]

#: sequences per block of the kernel: the (L, BLOCK, q) residual buffer, and each site's
#: (BLOCK, q) slice stays in the L1/L2 cache while the couplings stream past it
BLOCK = 1024


_FAST = {"nsz", "arcp", "contract", "reassoc"}  # no nnan/ninf/afn: NaN and inf still propagate


@njit(cache=True, fastmath=_FAST)
def _load_block(x, i, j, L, q, nh, qq, T):
    """T[b, a] = e_ij(a, b) for the block of i, j (b the state of j); row q stays 0 (ignored state)."""
    if j < i:
        o = nh + (j * L - j * (j + 1) // 2 + i - j - 1) * qq
        for b in range(q):
            for a in range(q):
                T[b, a] = x[o + b * q + a]
    else:
        o = nh + (i * L - i * (i + 1) // 2 + j - i - 1) * qq
        for a in range(q):
            for b in range(q):
                T[b, a] = x[o + a * q + b]


@njit(cache=True, fastmath=_FAST)
def _site(i, x, st, w, L, q, m0, B, H, tmp, g):
    """Pass 1 for site i: H ← residuals R_i of sequences m0…m0+B−1; returns Σ_m w_m log P_i."""
    QP = H.shape[1]
    nh = L * q
    qq = q * q
    for m in range(B):
        for a in range(QP):
            H[m, a] = 0.0
        for a in range(q):
            H[m, a] = x[i * q + a]
    js = np.empty(L - 1, np.int64)
    n = 0
    for j in range(L):
        if j != i:
            js[n] = j
            n += 1
    t = 0
    while t + 4 <= n:
        j0, j1, j2, j3 = js[t], js[t + 1], js[t + 2], js[t + 3]
        _load_block(x, i, j0, L, q, nh, qq, tmp[0])
        _load_block(x, i, j1, L, q, nh, qq, tmp[1])
        _load_block(x, i, j2, L, q, nh, qq, tmp[2])
        _load_block(x, i, j3, L, q, nh, qq, tmp[3])
        s0, s1, s2, s3 = st[j0], st[j1], st[j2], st[j3]
        T0, T1, T2, T3 = tmp[0], tmp[1], tmp[2], tmp[3]
        for m in range(B):
            b0, b1, b2, b3 = s0[m0 + m], s1[m0 + m], s2[m0 + m], s3[m0 + m]
            for a in range(QP):
                H[m, a] += (T0[b0, a] + T1[b1, a]) + (T2[b2, a] + T3[b3, a])
        t += 4
    while t < n:
        j = js[t]
        _load_block(x, i, j, L, q, nh, qq, tmp[0])
        sj = st[j]
        T0 = tmp[0]
        for m in range(B):
            b = sj[m0 + m]
            for a in range(QP):
                H[m, a] += T0[b, a]
        t += 1
    acc = 0.0
    si_row = st[i]
    for m in range(B):
        si = si_row[m0 + m]
        if si == q:
            for a in range(QP):
                H[m, a] = 0.0
            continue
        mx = H[m, 0]
        for a in range(1, q):
            mx = max(mx, H[m, a])
        z = 0.0
        for a in range(q):
            ea = math.exp(H[m, a] - mx)
            H[m, a] = ea
            z += ea
        wm = w[m0 + m]
        acc += wm * (math.log(H[m, si]) - math.log(z))
        c = wm / z
        for a in range(q):
            H[m, a] *= c
        H[m, si] -= wm
        for a in range(q):
            g[i * q + a] += H[m, a]
    return acc


@njit(cache=True, fastmath=_FAST)
def _row(i, st, L, q, m0, B, buf, acc_j, acc_i, g):
    """Pass 2 for row i: ∂f/∂e_ij += Σ_m R_i(m, ·) ⊗ δ_{s_mj} + δ_{s_mi} ⊗ R_j(m, ·), j > i."""
    QP = buf.shape[2]
    nh = L * q
    qq = q * q
    Ri = buf[i]
    si = st[i]
    for j in range(i + 1, L):
        Rj = buf[j]
        sj = st[j]
        o = nh + (i * L - i * (i + 1) // 2 + j - i - 1) * qq
        acc_j[:, :] = 0.0  # [b, a]: Σ_m R_i(m, a) δ(s_mj = b)
        acc_i[:, :] = 0.0  # [a, b]: Σ_m δ(s_mi = a) R_j(m, b)
        for m in range(B):
            bj = sj[m0 + m]  # the ignored state q adds into the spare row q, never read
            for a in range(QP):
                acc_j[bj, a] += Ri[m, a]
            ai = si[m0 + m]
            for a in range(QP):
                acc_i[ai, a] += Rj[m, a]
        for a in range(q):
            for c in range(q):
                g[o + a * q + c] += acc_j[c, a] + acc_i[a, c]


@njit(parallel=True, cache=True, fastmath=_FAST)
def _value_grad(x, st, w, L, q, lam_h, lam_e, g, buf, block):
    QP = buf.shape[2]  # the state axis padded to whole SIMD vectors; a runtime trip count vectorizes best
    M = st.shape[1]
    nh = L * q
    qq = q * q
    P = L * (L - 1) // 2
    # penalties and their gradients (the data terms are added block by block)
    pen = np.zeros(L)
    for i in prange(L):
        acc = 0.0
        for a in range(q):
            v = x[i * q + a]
            g[i * q + a] = 2.0 * lam_h * v
            acc += lam_h * v * v
        pen[i] = acc
    pe = np.zeros(P)
    for k in prange(P):
        acc = 0.0
        o = nh + k * qq
        for t in range(qq):
            v = x[o + t]
            g[o + t] = 2.0 * lam_e * v
            acc += v * v
        pe[k] = lam_e * acc
    ll = np.zeros(L)
    nrow = np.int64((L + 1) // 2)
    for m0 in range(0, M, block):
        B = min(block, M - m0)
        # pass 1: fields → log-softmax → residuals, in buf[i, :B, :q] (lanes q…QP−1 stay 0)
        for i in prange(L):
            tmp = np.zeros((4, q + 1, QP), dtype=x.dtype)  # four blocks at a time; row q stays 0
            ll[i] += _site(i, x, st, w, L, q, m0, B, buf[i], tmp, g)
        # pass 2: coupling gradients of the pairs i < j, rows i and L − 1 − i per task (balanced)
        for rr in prange(nrow):
            r = np.int64(rr)  # the parfor index may be unsigned: int64 − uint64 would be a float
            acc_j = np.empty((q + 1, QP), dtype=x.dtype)
            acc_i = np.empty((q + 1, QP), dtype=x.dtype)
            _row(r, st, L, q, m0, B, buf, acc_j, acc_i, g)
            if L - 1 - r != r:
                _row(L - 1 - r, st, L, q, m0, B, buf, acc_j, acc_i, g)
    return pen.sum() + pe.sum() - ll.sum()


@njit(cache=True, fastmath=_FAST)
def _dot_serial(a, b):  # reassoc lets the float64 accumulation vectorize: as fast as the memory
    acc = 0.0
    for t in range(a.shape[0]):
        acc += np.float64(a[t]) * np.float64(b[t])
    return acc


@njit(parallel=True, cache=True)
def _dot(a, b):
    n = a.shape[0]
    nc = 64
    part = np.zeros(nc)
    step = (n + nc - 1) // nc
    for c in prange(nc):
        lo = min(n, c * step)
        hi = min(n, lo + step)
        part[c] = _dot_serial(a[lo:hi], b[lo:hi])
    return part.sum()


@njit(parallel=True, cache=True)
def _axpy(y, alpha, x):  # y ← y + α x, in place
    a = y.dtype.type(alpha)
    for t in prange(y.shape[0]):
        y[t] += a * x[t]


def kernels() -> dict:
    """The compiled kernels by name (compiled on first call, then loaded from numba's on-disk cache)."""
    return {"value_grad": _value_grad, "dot": _dot, "axpy": _axpy, "numba": numba}


def set_threads(n: int | None) -> int:
    """Use ``n`` threads in the kernels (None: all numba may use); returns the number in use."""
    top = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(top if n is None else max(1, min(int(n), top)))
    return numba.get_num_threads()


class PlmcData:
    """The data of plmc's objective laid out for the kernel: ``st`` (L, M) int32 model states (q for
    an ignored gap), ``w`` (M,) weights in the parameters' dtype, (L, q), the residual buffer."""

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
    st = np.ascontiguousarray(s.T, dtype=np.int32)
    if gap_ignore:
        st -= 1
        q = q - 1
        st[st < 0] = q  # the ignored gap indexes a row of zeros: no branch in the kernels
    return PlmcData(st, np.ascontiguousarray(weights, dtype=dtype), L, q, dtype, block)


def value_grad(d: PlmcData, x: np.ndarray, g: np.ndarray, lambda_h: float, lambda_e: float) -> float:
    """plmc's f at θ = ``x`` (module docstring); writes ∂f/∂θ into ``g`` (same shape and dtype as x)."""
    return float(_value_grad(x, d.st, d.w, d.L, d.q, float(lambda_h), float(lambda_e), g, d.buf, d.block))
