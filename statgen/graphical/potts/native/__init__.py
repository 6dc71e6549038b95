"""ctypes bindings of the compiled CPU kernels of the Potts fits (``plm.c``: plmc's pseudo-likelihood
value and gradient, L-BFGS's dot products and axpy, the reweighting's identity counts), built on first use by
:mod:`statgen._native`. The callers check shapes and dtypes; these wrappers only check what would
otherwise corrupt memory (dtype, contiguity, sizes)."""

from __future__ import annotations

import ctypes
from pathlib import Path as _Path

import numpy as np

from statgen._native import NativeUnavailable
from statgen._native import load_library as _load_library
from statgen._native import native_available as _native_available

__all__ = ["NativeUnavailable", "available", "value_grad", "dot", "dots", "combine", "axpy", "identity_counts", "set_threads"]

_SOURCE, _HEADERS = _Path(__file__).with_name("plm.c"), ("plm_body.h",)
_P, _L, _I, _D = ctypes.c_void_p, ctypes.c_long, ctypes.c_int, ctypes.c_double
_SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}
_lib = None
_default_threads = 1


def available() -> bool:
    """Whether the kernels compile and load here (a C compiler with OpenMP)."""
    return _native_available(_SOURCE, headers=_HEADERS)


def _library() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        try:
            lib = _load_library(_SOURCE, headers=_HEADERS)
        except NativeUnavailable as exc:
            raise NativeUnavailable(f"{exc}; without it, fit_plmc(..., backend='torch') fits the same objective "
                                    "(slower on a CPU)") from exc
        for suf in _SUFFIX.values():
            f = getattr(lib, f"plm_value_grad_{suf}")
            f.argtypes, f.restype = [_P, _P, _P, _I, _I, _L, _D, _D, _P, _P, _L, _I], _D
            f = getattr(lib, f"plm_dot_{suf}")
            f.argtypes, f.restype = [_P, _P, _L], _D
            f = getattr(lib, f"plm_dots_{suf}")
            f.argtypes, f.restype = [_P, _P, _I, _L, _P], None
            f = getattr(lib, f"plm_combine_{suf}")
            f.argtypes, f.restype = [_P, _P, _P, _I, _L], None
            f = getattr(lib, f"plm_axpy_{suf}")
            f.argtypes, f.restype = [_P, _D, _P, _L], None
        lib.identity_counts_u8.argtypes, lib.identity_counts_u8.restype = [_P, _L, _L, _L, _P], None
        lib.set_threads.argtypes, lib.set_threads.restype = [_I], None
        lib.max_threads.argtypes, lib.max_threads.restype = [], _I
        global _default_threads
        _default_threads = int(lib.max_threads())  # OpenMP's default: OMP_NUM_THREADS, else all cores
        _lib = lib
    return _lib


def _ptr(a: np.ndarray, dtype, name: str) -> int:
    if a.dtype != dtype or not a.flags.c_contiguous:
        raise TypeError(f"{name} must be a C-contiguous {np.dtype(dtype).name} array, got {a.dtype} "
                        f"({'contiguous' if a.flags.c_contiguous else 'not contiguous'})")
    return a.ctypes.data


def _suffix(x: np.ndarray) -> str:
    try:
        return _SUFFIX[x.dtype]
    except KeyError:
        raise TypeError(f"parameters must be float32 or float64, got {x.dtype}") from None


def value_grad(x, st, w, L: int, q: int, lambda_h: float, lambda_e: float, g, buf, block: int) -> float:
    """plmc's f at x; its gradient into g. st (L, M) uint8 in [0, q]; w (M,), g like x; buf (L, block, QP)."""
    suf, dt = _suffix(x), x.dtype
    M = st.shape[1]
    n = L * q + L * (L - 1) // 2 * q * q
    if x.shape != (n,) or g.shape != (n,) or st.shape != (L, M) or w.shape != (M,):
        raise ValueError(f"kernel arrays disagree with L={L}, q={q}: x {x.shape}, g {g.shape}, st {st.shape}, w {w.shape}")
    if buf.ndim != 3 or buf.shape[:2] != (L, block) or buf.shape[2] < q:
        raise ValueError(f"buf must be (L={L}, block={block}, >= q={q}), got {buf.shape}")
    f = getattr(_library(), f"plm_value_grad_{suf}")
    return f(_ptr(x, dt, "x"), _ptr(st, np.uint8, "st"), _ptr(w, dt, "w"), L, q, M, float(lambda_h),
             float(lambda_e), _ptr(g, dt, "g"), _ptr(buf, dt, "buf"), block, buf.shape[2])


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a_t b_t accumulated in float64 (the same bits for any thread count)."""
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"dot needs two equal 1-d arrays, got {a.shape} and {b.shape}")
    return getattr(_library(), f"plm_dot_{_suffix(a)}")(_ptr(a, a.dtype, "a"), _ptr(b, a.dtype, "b"), a.shape[0])


def _pointers(like: np.ndarray, vs, what: str):
    """A ctypes array of the data pointers of ``vs``, each a 1-d array shaped and typed like ``like``."""
    for u in vs:
        if u.shape != like.shape or like.ndim != 1:
            raise ValueError(f"{what} needs equal 1-d arrays, got {like.shape} and {u.shape}")
    return (ctypes.c_void_p * len(vs))(*(_ptr(u, like.dtype, "vs") for u in vs))


def dots(v: np.ndarray, vs) -> np.ndarray:
    """The dot products of v with each array of ``vs`` (float64, the same bits as :func:`dot`), one pass over v."""
    f = getattr(_library(), f"plm_dots_{_suffix(v)}")
    out = np.empty(len(vs))
    for a in range(0, len(vs), 64):  # the kernel takes 64 at a time
        group = vs[a:a + 64]
        f(_ptr(v, v.dtype, "v"), _pointers(v, group, "dots"), len(group), v.shape[0], out[a:].ctypes.data)
    return out


def combine(d: np.ndarray, coefs, vs) -> None:
    """d ← Σ_r coefs[r] vs[r] in place, one pass over each array (d may be one of vs)."""
    if len(coefs) != len(vs):
        raise ValueError(f"combine needs one coefficient per array, got {len(coefs)} and {len(vs)}")
    c = np.ascontiguousarray(coefs, dtype=np.float64)
    getattr(_library(), f"plm_combine_{_suffix(d)}")(_ptr(d, d.dtype, "d"), _pointers(d, vs, "combine"),
                                                     c.ctypes.data, len(vs), d.shape[0])


def axpy(y: np.ndarray, alpha: float, x: np.ndarray) -> None:
    """y ← y + α x in place."""
    if y.shape != x.shape or y.ndim != 1:
        raise ValueError(f"axpy needs two equal 1-d arrays, got {y.shape} and {x.shape}")
    getattr(_library(), f"plm_axpy_{_suffix(y)}")(_ptr(y, y.dtype, "y"), float(alpha), _ptr(x, y.dtype, "x"), y.shape[0])


def identity_counts(s: np.ndarray, need: int) -> np.ndarray:
    """counts[m] = #{m′ : Σ_t [s_mt = s_m′t] ≥ need} for (M, L) uint8 states (the sequence itself included)."""
    M, L = s.shape
    out = np.zeros(M, dtype=np.int64)
    _library().identity_counts_u8(_ptr(s, np.uint8, "s"), M, L, int(need), out.ctypes.data)
    return out


def set_threads(n: int | None) -> int:
    """Use ``n`` OpenMP threads in the kernels (None: OpenMP's default); returns the number in use."""
    lib = _library()
    lib.set_threads(_default_threads if n is None else max(1, int(n)))
    return int(lib.max_threads())
