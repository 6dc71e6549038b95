"""plmc's files: the coupling scores (``-c``, text) and the parameters (``-o``, binary).

Couplings file, one line per pair i < j of the model's sites: ``i ai j aj 0 score`` (``%d %c %d %c 0 %f``),
i, j the residue numbers (focus mode: region start + column index − 1) and ai, aj the focus residues
('-' without a focus), score the APC-corrected Frobenius norm.

Parameter file (plmc ``OutputParametersFull``, little-endian, what EVcouplings' ``CouplingsModel``
reads): int32 L, q, M (kept sequences), M_skipped, max_iter; float32 θ, λ_h, λ_e, λ_g, N_eff;
int8 alphabet (q); float32 number of neighbours per sequence of the file (M + M_skipped; 0 for a
skipped one); int8 focus sequence (L); int32 positions (L); float32 f_i (L × q); float32 h_i (L × q);
float32 f_ij and e_ij (L(L−1)/2 × q × q each, pairs i < j in row order).
Reference: J. Hopf et al., Nat. Biotechnol. 35, 128 (2017); github.com/debbiemarkslab/plmc.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from statgen._io import atomic_write
from statgen.graphical.potts.alignment.fasta import check_path
from statgen.graphical.potts.dca.scores import check_score_matrix
from statgen.graphical.potts.model import PottsModel, check_model

__all__ = ["PlmcParams", "write_plmc_couplings", "read_plmc_couplings", "write_plmc_params", "read_plmc_params"]


def _check_positions(positions, L: int) -> np.ndarray:
    if positions is None:
        return np.arange(1, L + 1)
    p = np.asarray(positions)
    if p.shape != (L,) or not np.issubdtype(p.dtype, np.integer):
        raise ValueError(f"positions must be {L} integers (one per site), got shape {p.shape} dtype {p.dtype}")
    return p.astype(np.int64)


def _check_focus(focus_sequence, L: int) -> str:
    if focus_sequence is None:
        return "-" * L
    if not isinstance(focus_sequence, str) or len(focus_sequence) != L or not focus_sequence.isascii() \
            or not focus_sequence.isprintable() or " " in focus_sequence:
        raise ValueError(f"focus_sequence must be a string of {L} printable ASCII symbols, got {focus_sequence!r}")
    return focus_sequence


def write_plmc_couplings(path: str | os.PathLike, scores, *, positions=None, focus_sequence: str | None = None) -> None:
    """Write (L, L) scores in plmc's couplings format (atomically)."""
    path = check_path(path)
    S = check_score_matrix(scores, min_size=2)
    L = S.shape[0]
    pos = _check_positions(positions, L)
    seq = _check_focus(focus_sequence, L)
    i, j = np.triu_indices(L, 1)
    lines = [f"{pos[a]} {seq[a]} {pos[b]} {seq[b]} 0 {v:f}\n" for a, b, v in zip(i, j, S[i, j], strict=True)]
    with atomic_write(path, "w") as fh:
        fh.writelines(lines)


def read_plmc_couplings(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, str]:
    """Read a plmc couplings file; returns (scores (L, L) symmetric, positions (L,), focus sequence)."""
    path = check_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (expected a plmc couplings file)")
    rows = []
    try:
        with open(path, encoding="ascii") as fh:
            for lineno, line in enumerate(fh, 1):
                f = line.split()
                if not f:
                    continue
                if len(f) != 6:
                    raise ValueError(f"{path} is not a plmc couplings file: line {lineno} has {len(f)} fields, "
                                     "expected 'i ai j aj 0 score'")
                rows.append((int(f[0]), f[1], int(f[2]), f[3], float(f[5])))
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a plmc couplings file (not ASCII text)") from None
    except ValueError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ValueError(f"{path} is not a plmc couplings file: {exc}") from None
    if not rows:
        raise ValueError(f"{path} holds no couplings")
    res = {}
    for i, ai, j, aj, _ in rows:
        res[i], res[j] = ai, aj
    pos = np.array(sorted(res))
    index = {p: k for k, p in enumerate(pos)}
    L = len(pos)
    S = np.zeros((L, L))
    for i, _, j, _, v in rows:
        S[index[i], index[j]] = S[index[j], index[i]] = v
    if len(rows) != L * (L - 1) // 2:
        raise ValueError(f"{path}: {len(rows)} pairs for {L} positions, expected {L * (L - 1) // 2}")
    return S, pos, "".join(res[p] for p in pos)


@dataclass
class PlmcParams:
    """The content of a plmc parameter file (see the module docstring); ``model`` is the PottsModel
    (h, J with J_ij = e_ij, J_ji = e_ijᵀ)."""

    model: PottsModel
    alphabet: str
    focus_sequence: str
    positions: np.ndarray
    neighbors: np.ndarray
    fi: np.ndarray
    fij: np.ndarray  # (L, L, q, q), symmetric like J
    n_seqs: int
    n_skipped: int
    max_iter: int
    theta: float
    lambda_h: float
    lambda_e: float
    lambda_g: float
    neff: float


def pair_blocks(A: np.ndarray) -> np.ndarray:
    """The (L(L−1)/2, q, q) blocks A_ij, i < j in row order (plmc's layout), of an (L, L, q, q) array."""
    i, j = np.triu_indices(A.shape[0], 1)
    return A[i, j]


def from_pair_blocks(P: np.ndarray, L: int) -> np.ndarray:
    """The symmetric (L, L, q, q) float64 array (A_ji = A_ijᵀ, zero diagonal) of plmc-layout pair blocks."""
    q = P.shape[-1]
    A = np.zeros((L, L, q, q), dtype=np.float64)
    i, j = np.triu_indices(L, 1)
    A[i, j] = P
    A[j, i] = P.transpose(0, 2, 1)
    return A


def _fields_and_pairs(model) -> tuple[np.ndarray, np.ndarray]:
    """(h (L, q), e (P, q, q)) of a PottsModel or of a checked (h, e) pair."""
    if isinstance(model, PottsModel):
        check_model(model)
        return model.h, pair_blocks(model.J)
    if not isinstance(model, tuple) or len(model) != 2:
        raise TypeError(f"model must be a PottsModel or a pair (h, e), got {type(model).__name__}")
    h, e = (np.asarray(v) for v in model)
    if h.ndim != 2 or h.shape[0] < 2 or h.shape[1] < 2:
        raise ValueError(f"model's h must be (L, q) with L, q >= 2, got shape {h.shape}")
    L, q = h.shape
    if e.shape != (L * (L - 1) // 2, q, q):
        raise ValueError(f"model's e must be the (L(L-1)/2, q, q) = {(L * (L - 1) // 2, q, q)} pair blocks, "
                         f"got shape {e.shape}")
    for name, v in (("h", h), ("e", e)):
        if not np.issubdtype(v.dtype, np.floating) or not np.all(np.isfinite(v)):
            raise ValueError(f"model's {name} must be finite floats")
    return h, e


def write_plmc_params(path: str | os.PathLike, model, *, alphabet: str, fi, fij, neighbors,
                      n_skipped: int = 0, focus_sequence: str | None = None, positions=None, max_iter: int = 0,
                      theta: float = 0.2, lambda_h: float = 0.01, lambda_e: float = 16.0, lambda_g: float = 0.0,
                      neff: float | None = None) -> None:
    """Write plmc's binary parameter file (atomically). ``model``: a :class:`PottsModel`, or the pair
    ``(h, e)`` in plmc's layout (h (L, q), e (L(L−1)/2, q, q) the blocks of the pairs i < j in row
    order), written without forming (L, L, q, q) couplings. ``fi`` (L, q) and ``fij`` (L, L, q, q) are the
    weighted frequencies plmc stores beside the parameters (``fij`` also as the (P, q, q) blocks of
    the pairs i < j in row order); ``neighbors`` the per-sequence
    neighbourhood sizes of the file's sequences (0 for skipped ones)."""
    h, e = _fields_and_pairs(model)
    path = check_path(path)
    L, q = h.shape
    if not isinstance(alphabet, str) or len(alphabet) != q or not alphabet.isascii():
        raise ValueError(f"alphabet must be {q} ASCII symbols (one per state), got {alphabet!r}")
    fi = np.asarray(fi, dtype=float)
    fij = np.asarray(fij)
    P = L * (L - 1) // 2
    if fi.shape != (L, q) or fij.shape not in ((L, L, q, q), (P, q, q)):
        raise ValueError(f"fi must be (L, q) = {(L, q)} and fij (L, L, q, q) or the pairs i < j (P, q, q), "
                         f"got {fi.shape} and {fij.shape}")
    nb = np.asarray(neighbors, dtype=float).ravel()
    seq = _check_focus(focus_sequence, L) if focus_sequence is not None else alphabet[0] * L
    pos = _check_positions(positions, L)
    neff = float(np.sum(1.0 / nb[nb > 0])) if neff is None else float(neff)
    with atomic_write(path, "wb") as fh:
        np.array([L, q, len(nb) - n_skipped, n_skipped, max_iter], "<i4").tofile(fh)
        np.array([theta, lambda_h, lambda_e, lambda_g, neff], "<f4").tofile(fh)
        np.frombuffer(alphabet.encode("ascii"), np.int8).tofile(fh)
        nb.astype("<f4").tofile(fh)
        np.frombuffer(seq.encode("ascii"), np.int8).tofile(fh)
        pos.astype("<i4").tofile(fh)
        fi.astype("<f4").tofile(fh)
        h.astype("<f4", copy=False).tofile(fh)
        (fij if fij.shape == (P, q, q) else pair_blocks(fij)).astype("<f4", copy=False).tofile(fh)
        e.astype("<f4", copy=False).tofile(fh)


def read_plmc_params(path: str | os.PathLike) -> PlmcParams:
    """Read plmc's binary parameter file (``plmc -o``); ValueError naming the path when the sizes do not add up."""
    path = check_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (expected a plmc parameter file)")
    raw = path.read_bytes()
    if len(raw) < 40:
        raise ValueError(f"{path} is not a plmc parameter file: {len(raw)} bytes, shorter than its 40-byte header")
    L, q, M, skipped, max_iter = (int(v) for v in np.frombuffer(raw, "<i4", 5))
    theta, lh, le, lg, neff = (float(v) for v in np.frombuffer(raw, "<f4", 5, 20))
    if not (2 <= L <= 100_000 and 2 <= q <= 256 and M >= 0 and skipped >= 0):
        raise ValueError(f"{path} is not a plmc parameter file: header L={L}, q={q}, M={M}, skipped={skipped}")
    P = L * (L - 1) // 2
    expected = 40 + q + 4 * (M + skipped) + L + 4 * L + 8 * L * q + 8 * P * q * q
    if len(raw) != expected:
        raise ValueError(f"{path} is not a plmc parameter file: {len(raw)} bytes, header (L={L}, q={q}, M={M}, "
                         f"skipped={skipped}) implies {expected}")
    o = 40

    def take(dtype, n):
        nonlocal o
        a = np.frombuffer(raw, dtype, n, o)
        o += a.nbytes
        return a

    alphabet = take(np.uint8, q).tobytes().decode("ascii", errors="replace")
    neighbors = take("<f4", M + skipped).astype(float)
    focus = take(np.uint8, L).tobytes().decode("ascii", errors="replace")
    positions = take("<i4", L).astype(np.int64)
    fi = take("<f4", L * q).reshape(L, q).astype(float)
    h = take("<f4", L * q).reshape(L, q).astype(float)
    fij = from_pair_blocks(take("<f4", P * q * q).reshape(P, q, q), L)
    J = from_pair_blocks(take("<f4", P * q * q).reshape(P, q, q), L)
    return PlmcParams(PottsModel(h, J), alphabet, focus, positions, neighbors, fi, fij, M, skipped, max_iter,
                      theta, lh, le, lg, neff)
