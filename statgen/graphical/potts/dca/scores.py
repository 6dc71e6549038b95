"""Contact scores of a Potts model: block Frobenius norms with the average product correction (APC).

``convention="plmc"`` (plmc, EVcouplings): F_ij = ‖J_ij‖_F over all q × q states of the raw
blocks, gap state included, then APC over the pairs i ≠ j:
F^APC_ij = F_ij − F̄_i F̄_j / F̄ with F̄_i = Σ_{j≠i} F_ij / (L − 1) and F̄ the mean over pairs
(J. Hopf et al., Nat. Biotechnol. 35, 128 (2017)). ``convention="ccmpred"`` (CCMpred's
``sum_submatrices`` and ``apc``): each block is centred by the mean of all its q² entries, the gap
state is then left out of the norm, the means of the APC run over the full L × L matrix, its zero
diagonal included, and the corrected matrix is shifted so that its smallest off-diagonal score is 0
(S. Seemayer, M. Gruber & J. Söding, Bioinformatics 30, 3128 (2014)). APC:
S. D. Dunn, L. M. Wahl & G. B. Gloor, Bioinformatics 24, 333 (2008).
"""

from __future__ import annotations

import numpy as np

from statgen._checks import check_bool, check_choice, check_int
from statgen.graphical.potts.model import PottsModel, check_model

__all__ = ["CONTACT_CONVENTIONS", "contact_scores", "average_product_correction", "top_contacts", "pair_block_scores"]

CONTACT_CONVENTIONS = ("plmc", "ccmpred")


def check_score_matrix(scores, name: str = "scores", *, min_size: int = 1) -> np.ndarray:
    """A float copy of a finite square (L, L) matrix with L ≥ ``min_size``; ValueError naming ``name``."""
    S = np.array(scores, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1] or S.shape[0] < min_size:
        at_least = f" with L >= {min_size}" if min_size > 1 else ""
        raise ValueError(f"{name} must be a square (L, L) matrix{at_least}, got shape {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError(f"{name} holds NaN or inf")
    return S


def average_product_correction(F, *, diagonal: bool = False) -> np.ndarray:
    """Average product correction of a symmetric (L, L) score matrix; the diagonal of the result is 0.

    ``diagonal=False``: means over the pairs i ≠ j (plmc); ``True``: over all L² entries with F_ii = 0
    (CCMpred)."""
    F = check_score_matrix(F, "F", min_size=3)
    L = F.shape[0]
    np.fill_diagonal(F, 0.0)
    if diagonal:
        row, mean = F.mean(1), F.mean()
    else:
        row, mean = F.sum(1) / (L - 1), F.sum() / (L * (L - 1))
    if mean == 0:
        raise ValueError("F is zero everywhere off the diagonal: the APC (a division by its mean) is undefined")
    out = F - np.outer(row, row) / mean
    np.fill_diagonal(out, 0.0)
    return out


def contact_scores(model: PottsModel, *, apc: bool = True, convention: str = "plmc",
                   gap: int | None = None) -> np.ndarray:
    """(L, L) symmetric contact scores of a Potts model (zero diagonal); see the module docstring.

    Parameters
    ----------
    model : the fitted PottsModel.  apc : apply the average product correction.
    convention : ``"plmc"`` or ``"ccmpred"``.
    gap : the model's gap state, left out of the norm by ``"ccmpred"`` (ignored by ``"plmc"``);
        None means state 0 when q is 21 or 5 (statgen's protein/RNA/DNA alphabets put the gap
        first) and no gap state otherwise (e.g. a gap-ignored fit with q = 20).
    """
    check_model(model)
    convention = check_choice(convention, "convention", CONTACT_CONVENTIONS)
    use_apc = check_bool(apc, "apc")
    J = model.J
    if convention == "ccmpred":
        if gap is None:
            gap = 0 if model.q in (5, 21) else None
        else:
            gap = check_int(gap, "gap", minimum=0, maximum=model.q - 1)
        J = J - J.mean(axis=(2, 3), keepdims=True)  # centred over all q² states, the gap's included
        if gap is not None:
            keep = np.delete(np.arange(model.q), gap)
            J = J[:, :, keep][:, :, :, keep]
    F = np.sqrt(np.einsum("ijab,ijab->ij", J, J))
    np.fill_diagonal(F, 0.0)
    if not use_apc:
        return F
    if model.L < 3:
        raise ValueError(f"apc=True needs L >= 3 sites, the model has L={model.L}; use apc=False")
    if convention == "plmc":
        return average_product_correction(F)
    S = average_product_correction(F, diagonal=True)
    S -= S[np.triu_indices(model.L, 1)].min()
    np.fill_diagonal(S, 0.0)
    return S


def pair_block_scores(e, L: int, *, apc: bool = True) -> np.ndarray:
    """(L, L) ``convention="plmc"`` scores from the coupling blocks ``e`` (L(L−1)/2, q, q) of the pairs
    i < j in row order (plmc's layout), without forming the (L, L, q, q) couplings."""
    L = check_int(L, "L", minimum=3 if apc is True else 2)
    use_apc = check_bool(apc, "apc")
    e = np.asarray(e)
    P = L * (L - 1) // 2
    if e.ndim != 3 or e.shape[0] != P or e.shape[1] != e.shape[2] or not np.issubdtype(e.dtype, np.floating):
        raise ValueError(f"e must be float ({P}, q, q) pair blocks for L={L}, got shape {e.shape} dtype {e.dtype}")
    norms = np.sqrt(np.einsum("kab,kab->k", e, e, dtype=np.float64))
    if not np.all(np.isfinite(norms)):
        raise ValueError("e holds NaN or inf")
    F = np.zeros((L, L))
    i, j = np.triu_indices(L, 1)
    F[i, j] = F[j, i] = norms
    return average_product_correction(F) if use_apc else F


def top_contacts(scores, n: int, *, min_separation: int = 1) -> np.ndarray:
    """The n highest-scoring pairs (i, j), i < j, with j − i ≥ ``min_separation``, best first.

    Returns an (n′, 3) float array of rows (i, j, score), n′ = min(n, available pairs); ties keep
    the order (i, j) ascending."""
    S = np.asarray(scores, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"scores must be a square (L, L) matrix, got shape {S.shape}")
    n = check_int(n, "n", minimum=0)
    min_separation = check_int(min_separation, "min_separation", minimum=1)
    i, j = np.triu_indices(S.shape[0], min_separation)
    v = S[i, j]
    if not np.all(np.isfinite(v)):
        raise ValueError("scores holds NaN or inf")
    order = np.argsort(-v, kind="stable")[:n]
    return np.column_stack([i[order], j[order], v[order]])
