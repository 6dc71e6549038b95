"""Edge lists (E, 2) of the interaction graphs of the Potts studies: chain, square lattice,
Erdős–Rényi, complete. Each edge (i, j) has i < j; sizes are refused before allocating when the
list cannot fit in memory. numpy only.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_bool, check_int, check_memory, check_nonnegative, check_rng

__all__ = ["chain_edges", "lattice_edges", "erdos_renyi_edges", "complete_edges", "check_edges"]


def chain_edges(L: int, *, periodic: bool = False) -> np.ndarray:
    """Edges (i, i+1) of an open (or periodic, closing (0, L−1) when L > 2) chain, shape (E, 2)."""
    L = check_int(L, "L", minimum=1)
    periodic = check_bool(periodic, "periodic")
    check_memory(16.0 * L, f"chain_edges(L={L})")
    i = np.arange(L - 1, dtype=np.int64)
    e = np.stack([i, i + 1], 1)
    if periodic and L > 2:
        e = np.concatenate([e, [[0, L - 1]]])
    return e.reshape(-1, 2)


def lattice_edges(rows: int, cols: int, *, periodic: bool = False) -> np.ndarray:
    """Nearest-neighbour edges of a rows × cols square lattice (site = r · cols + c), shape (E, 2)."""
    rows, cols = check_int(rows, "rows", minimum=1), check_int(cols, "cols", minimum=1)
    periodic = check_bool(periodic, "periodic")
    check_memory(8.0 * 12 * rows * cols, f"lattice_edges(rows={rows}, cols={cols}) on {rows * cols} sites")
    site = np.arange(rows * cols).reshape(rows, cols)
    e = [np.stack([site[:, :-1].ravel(), site[:, 1:].ravel()], 1),
         np.stack([site[:-1, :].ravel(), site[1:, :].ravel()], 1)]
    if periodic and cols > 2:
        e.append(np.stack([site[:, -1], site[:, 0]], 1))
    if periodic and rows > 2:
        e.append(np.stack([site[-1, :], site[0, :]], 1))
    return np.sort(np.concatenate(e), axis=1)


def _pairs_memory(L: int, what: str) -> None:
    """triu_indices of an L × L matrix: an L² boolean mask and two int64 index arrays of the L(L−1)/2 pairs."""
    check_memory(L * L * (1 + 8.0), what)


def erdos_renyi_edges(L: int, mean_degree: float, *, rng: np.random.Generator) -> np.ndarray:
    """Edges of an Erdős–Rényi graph G(L, p) with p = mean_degree / (L − 1), shape (E, 2)."""
    L = check_int(L, "L", minimum=1)
    mean_degree = check_nonnegative(mean_degree, "mean_degree")
    p = mean_degree / max(L - 1, 1)
    if p > 1:
        raise ValueError(f"mean_degree must be <= L - 1 = {L - 1}, got {mean_degree}")
    rng = check_rng(rng)
    _pairs_memory(L, f"erdos_renyi_edges(L={L}): the L(L-1)/2 candidate pairs")
    i, j = np.triu_indices(L, 1)
    keep = rng.random(i.size) < p
    return np.stack([i[keep], j[keep]], 1)


def complete_edges(L: int) -> np.ndarray:
    """All L(L−1)/2 edges of the complete graph, shape (E, 2)."""
    L = check_int(L, "L", minimum=1)
    _pairs_memory(L, f"complete_edges(L={L}): L(L-1)/2 = {L * (L - 1) // 2} edges")
    i, j = np.triu_indices(L, 1)
    return np.stack([i, j], 1)


def check_edges(edges, L: int, name: str = "edges") -> np.ndarray:
    """``edges`` as an (E, 2) int64 array of distinct pairs of distinct sites in [0, L), each pair once
    (in either orientation); returned with i < j."""
    raw = np.asarray(edges)
    if raw.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if raw.dtype == object or raw.ndim != 2 or raw.shape[1] != 2:
        raise ValueError(f"{name} must be an (E, 2) array of site pairs, got shape {raw.shape}")
    if not np.issubdtype(raw.dtype, np.integer):
        if not np.issubdtype(raw.dtype, np.floating) or not np.all(np.isfinite(raw)) \
                or not np.all(raw == np.round(raw)):
            raise ValueError(f"{name} must hold integer site indices, got {raw.dtype} values such as {raw.flat[0]!r}")
    e = raw.astype(np.int64)
    if e.min() < 0 or e.max() >= L or np.any(e[:, 0] == e[:, 1]):
        raise ValueError(f"{name} must hold pairs of distinct sites in [0, {L})")
    e = np.sort(e, axis=1)
    if len(np.unique(e, axis=0)) != len(e):
        raise ValueError(f"{name} must list each pair once ((i, j) and (j, i) are the same edge)")
    return e
