"""True coupling matrices J of the Gaussian study: SK, ring, banded, Erdős–Rényi, 2-D lattice.

Each returns a symmetric N × N matrix with zero diagonal (the spherical μ is fixed later by the
constraint). Sizes are refused before allocating when the dense matrix cannot fit in memory.
Randomness: an explicit ``rng: numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import as_array, check_bool, check_int, check_memory, check_positive, check_rng
from statgen.graphical._graphs import GraphKind, check_graph_params

__all__ = [
    "sk_couplings",
    "ring_couplings",
    "band_couplings",
    "erdos_renyi_couplings",
    "lattice_couplings",
    "gaussian_couplings",
    "GAUSSIAN_GRAPHS",
]


def _dense(n: int, copies: int, what: str) -> None:
    """Refuse an n × n float64 computation that needs ``copies`` matrices at once."""
    check_memory(copies * 8.0 * n * n, f"{what}: {copies} dense {n} x {n} float64 matrices")


def _symmetrize_upper(upper: np.ndarray) -> np.ndarray:
    """Symmetric matrix with zero diagonal from the strict upper triangle of ``upper``."""
    u = np.triu(upper, 1)
    return u + u.T


def _rescale_rows(J: np.ndarray, sigma: float) -> np.ndarray:
    """Rescale J globally so that mean_i Σ_j J_ij² = σ² exactly (keeps symmetry)."""
    s2 = float(np.mean(np.sum(J * J, axis=1)))
    return J * (sigma / np.sqrt(s2)) if s2 > 0 else J


def _j(j) -> float:
    return float(as_array(j, "j", ndim=0))


def sk_couplings(n: int, sigma: float, *, rng: np.random.Generator) -> np.ndarray:
    """Sherrington–Kirkpatrick couplings: J_ij = J_ji ~ N(0, σ²/n) for i < j, J_ii = 0.

    So that E Σ_j J_ij² = σ² (n − 1)/n (the spherical SK model is condensed for σ > 1).
    """
    n = check_int(n, "n", minimum=2)
    sigma = check_positive(sigma, "sigma")
    rng = check_rng(rng)
    _dense(n, 3, f"sk_couplings(n={n})")
    return _symmetrize_upper(rng.normal(0.0, sigma / np.sqrt(n), size=(n, n)))


def ring_couplings(n: int, j: float) -> np.ndarray:
    """Periodic ring: J_{i,i+1} = J_{i+1,i} = j (indices mod n), zero elsewhere; Σ_j J_ij² = 2 j²."""
    n = check_int(n, "n", minimum=3)
    j = _j(j)
    _dense(n, 1, f"ring_couplings(n={n})")
    J = np.zeros((n, n))
    idx = np.arange(n)
    J[idx, (idx + 1) % n] = j
    J[(idx + 1) % n, idx] = j
    return J


def band_couplings(n: int, width: int, sigma: float, *, rng: np.random.Generator) -> np.ndarray:
    """Banded random couplings on a periodic chain: J_ij ~ N(0, 1) for 0 < |i − j| mod n ≤ width.

    The matrix is then rescaled (one global factor, so it stays symmetric) so that
    mean_i Σ_j J_ij² = σ² exactly: the prediction 1/Σ_j J_ij² = 1/σ² is the same for every width.
    """
    n = check_int(n, "n", minimum=3)
    width = check_int(width, "width", minimum=1)
    if 2 * width >= n:
        raise ValueError(f"width must be < n/2 (got width={width}, n={n}); use sk_couplings for a full matrix")
    sigma = check_positive(sigma, "sigma")
    rng = check_rng(rng)
    _dense(n, 4, f"band_couplings(n={n})")
    idx = np.arange(n)
    dist = np.abs(idx[:, None] - idx[None, :])
    dist = np.minimum(dist, n - dist)
    J = _symmetrize_upper(rng.normal(size=(n, n)) * (dist <= width))
    return _rescale_rows(J, sigma)


def erdos_renyi_couplings(n: int, degree: float, sigma: float, *, rng: np.random.Generator) -> np.ndarray:
    """Diluted Erdős–Rényi couplings: each pair linked with probability degree/(n − 1), weight N(0, 1).

    Rescaled globally so that mean_i Σ_j J_ij² = σ² exactly (mean connectivity ``degree``).
    """
    n = check_int(n, "n", minimum=2)
    degree = check_positive(degree, "degree")
    if degree > n - 1:
        raise ValueError(f"degree must be <= n - 1 = {n - 1}, got {degree}")
    sigma = check_positive(sigma, "sigma")
    rng = check_rng(rng)
    _dense(n, 4, f"erdos_renyi_couplings(n={n})")
    mask = rng.random((n, n)) < degree / (n - 1)
    J = _symmetrize_upper(rng.normal(size=(n, n)) * mask)
    return _rescale_rows(J, sigma)


def lattice_couplings(side: int, j: float, *, periodic: bool = True) -> np.ndarray:
    """2-D square lattice of side × side sites (N = side²), J = j between nearest neighbours.

    Site (r, c) has index r · side + c. With ``periodic=True`` Σ_j J_ij² = 4 j² on every site.
    """
    side = check_int(side, "side", minimum=3)
    j = _j(j)
    periodic = check_bool(periodic, "periodic")
    n = side * side
    _dense(n, 1, f"lattice_couplings(side={side}): N = side**2 = {n} sites,")
    r, c = np.divmod(np.arange(n), side)
    J = np.zeros((n, n))
    for dr, dc in ((0, 1), (1, 0)):
        rr, cc = r + dr, c + dc
        keep = np.ones(n, bool) if periodic else (rr < side) & (cc < side)
        nb = (rr % side) * side + (cc % side)
        J[np.arange(n)[keep], nb[keep]] = j
        J[nb[keep], np.arange(n)[keep]] = j
    return J


#: Parameters of each named graph of :func:`gaussian_couplings` (``"kind:value"`` sets the shorthand).
GAUSSIAN_GRAPHS = {
    "sk": GraphKind(("sigma",), shorthand="sigma"),
    "ring": GraphKind(("j",), shorthand="j"),
    "band": GraphKind(("width", "sigma"), shorthand="sigma"),
    "erdos_renyi": GraphKind(("degree", "sigma"), shorthand="sigma"),
    "lattice": GraphKind(("j",), {"periodic": True}, shorthand="j"),
}


def gaussian_couplings(graph: str, n: int, *, rng: np.random.Generator, **params) -> np.ndarray:
    """Couplings of a named graph on n sites.

    ``graph`` is a kind with its parameters as keywords, or a spec string (``"sk:0.5"``,
    ``"band:width=5,sigma=0.5"``): ``"sk"`` (sigma), ``"ring"`` (j), ``"band"`` (width, sigma),
    ``"erdos_renyi"`` (degree, sigma) or ``"lattice"`` (j, periodic=True; n must be a perfect
    square). Unknown or misspelt parameters are refused.
    """
    kind, p = check_graph_params(graph, params, GAUSSIAN_GRAPHS)
    n = check_int(n, "n", minimum=2)
    if kind == "sk":
        return sk_couplings(n, p["sigma"], rng=rng)
    if kind == "ring":
        return ring_couplings(n, p["j"])
    if kind == "band":
        return band_couplings(n, p["width"], p["sigma"], rng=rng)
    if kind == "erdos_renyi":
        return erdos_renyi_couplings(n, p["degree"], p["sigma"], rng=rng)
    side = int(round(np.sqrt(n)))
    if side * side != n:
        raise ValueError(f"n must be a perfect square for graph='lattice', got {n}")
    return lattice_couplings(side, p["j"], periodic=p["periodic"])
