"""Random Potts models on a graph (zero-sum Gaussian couplings), and the named-graph factory.

Randomness: model generators are numpy code and take ``rng: numpy.random.Generator`` (as the
Gaussian generators do); sampling from a model is torch code and takes ``seed`` / ``generator``.
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_int, check_memory, check_nonnegative, check_rng
from statgen.graphical._graphs import GraphKind, check_graph_params
from statgen.graphical.potts.graphs import (
    chain_edges,
    check_edges,
    complete_edges,
    erdos_renyi_edges,
    lattice_edges,
)
from statgen.graphical.potts.model import PottsModel

__all__ = ["potts_couplings", "chain_potts", "lattice_potts", "erdos_renyi_potts", "complete_potts",
           "potts_model", "POTTS_GRAPHS"]


def potts_couplings(L: int, q: int, edges, sigma: float, *, rng: np.random.Generator,
                    sigma_h: float = 0.0) -> PottsModel:
    """Random Potts model on a graph: each edge carries a zero-sum Gaussian coupling matrix.

    For every edge (i, j), G ~ N(0, 1)^{q×q} is projected on the zero-sum subspace (double
    centring, (q−1)² free directions) and scaled so that each free direction has variance σ²:
    E ||J_ij||²_F = σ² (q−1)². Fields: zero-sum Gaussian with per-direction std ``sigma_h``.

    Parameters
    ----------
    L : sites ≥ 1.  q : states ≥ 2.  edges : (E, 2) distinct pairs of distinct sites in [0, L).
    sigma, sigma_h : standard deviations ≥ 0.  rng : numpy Generator.
    """
    L, q = check_int(L, "L", minimum=1), check_int(q, "q", minimum=2)
    sigma, sigma_h = check_nonnegative(sigma, "sigma"), check_nonnegative(sigma_h, "sigma_h")
    rng = check_rng(rng)
    check_memory(4 * 8.0 * L * L * q * q, f"potts_couplings(L={L}, q={q}): (L, L, q, q) couplings")
    edges = check_edges(edges, L)
    G = rng.standard_normal((len(edges), q, q))
    G = G - G.mean(1, keepdims=True) - G.mean(2, keepdims=True) + G.mean((1, 2), keepdims=True)
    G *= sigma  # an orthogonal projection keeps unit variance along each of its (q−1)² directions
    J = np.zeros((L, L, q, q))
    J[edges[:, 0], edges[:, 1]] = G
    J[edges[:, 1], edges[:, 0]] = G.transpose(0, 2, 1)
    hg = rng.standard_normal((L, q))
    h = (hg - hg.mean(1, keepdims=True)) * sigma_h
    return PottsModel(h, J)


def chain_potts(L: int, q: int, sigma: float, *, rng: np.random.Generator, sigma_h: float = 0.0,
                periodic: bool = False) -> PottsModel:
    """Random zero-sum Potts couplings on a chain (see :func:`potts_couplings`)."""
    return potts_couplings(L, q, chain_edges(L, periodic=periodic), sigma, rng=rng, sigma_h=sigma_h)


def lattice_potts(rows: int, cols: int, q: int, sigma: float, *, rng: np.random.Generator,
                  sigma_h: float = 0.0, periodic: bool = False) -> PottsModel:
    """Random zero-sum Potts couplings on a 2-D square lattice (see :func:`potts_couplings`)."""
    edges = lattice_edges(rows, cols, periodic=periodic)
    return potts_couplings(rows * cols, q, edges, sigma, rng=rng, sigma_h=sigma_h)


def erdos_renyi_potts(L: int, q: int, sigma: float, *, mean_degree: float, rng: np.random.Generator,
                      sigma_h: float = 0.0) -> PottsModel:
    """Random zero-sum Potts couplings on an Erdős–Rényi graph (see :func:`potts_couplings`)."""
    return potts_couplings(L, q, erdos_renyi_edges(L, mean_degree, rng=rng), sigma, rng=rng, sigma_h=sigma_h)


def complete_potts(L: int, q: int, sigma: float, *, rng: np.random.Generator, sigma_h: float = 0.0) -> PottsModel:
    """Random zero-sum Potts couplings on the complete graph (SK-like; pass σ ∝ 1/√L)."""
    return potts_couplings(L, q, complete_edges(L), sigma, rng=rng, sigma_h=sigma_h)


#: Parameters of each named graph of :func:`potts_model` (``"kind:value"`` sets the shorthand).
POTTS_GRAPHS = {
    "chain": GraphKind(("L",), {"periodic": False}, shorthand="L"),
    "lattice": GraphKind(("rows", "cols"), {"periodic": False}),
    "erdos_renyi": GraphKind(("L", "degree")),
    "complete": GraphKind(("L",), shorthand="L"),
}


def potts_model(graph: str, q: int, sigma: float, *, rng: np.random.Generator, sigma_h: float = 0.0,
                **params) -> PottsModel:
    """A random zero-sum Potts model on a named graph (the Potts counterpart of
    :func:`statgen.graphical.gaussian_couplings`, same spec syntax and checks).

    ``graph`` is a kind with its parameters as keywords, or a spec string: ``"chain"`` (L,
    periodic=False), ``"lattice"`` (rows, cols, periodic=False), ``"erdos_renyi"`` (L, degree: the
    mean degree) or ``"complete"`` (L); e.g. ``potts_model("lattice:rows=3,cols=3", 3, 0.5, rng=rng)``
    or ``potts_model("chain", 3, 0.5, rng=rng, L=9)``. Unknown or misspelt parameters are refused.
    Couplings and fields as in :func:`potts_couplings`.
    """
    kind, p = check_graph_params(graph, params, POTTS_GRAPHS)
    if kind == "chain":
        return chain_potts(p["L"], q, sigma, rng=rng, sigma_h=sigma_h, periodic=p["periodic"])
    if kind == "lattice":
        return lattice_potts(p["rows"], p["cols"], q, sigma, rng=rng, sigma_h=sigma_h, periodic=p["periodic"])
    if kind == "erdos_renyi":
        return erdos_renyi_potts(p["L"], q, sigma, mean_degree=p["degree"], rng=rng, sigma_h=sigma_h)
    return complete_potts(p["L"], q, sigma, rng=rng, sigma_h=sigma_h)
