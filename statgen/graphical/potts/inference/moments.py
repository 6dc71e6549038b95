"""One- and two-site frequencies of Potts states, and the connected-correlation Pearson of
Boltzmann learning (adabmDCA's convergence measure). torch, on any device.
"""

from __future__ import annotations

import torch

from statgen._checks import check_int

__all__ = ["pair_frequencies", "connected_correlation_pearson"]


def _pair_frequencies(idx: torch.Tensor, w: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Hot inner version of :func:`pair_frequencies` (Boltzmann learning calls it every epoch on checked chains)."""
    X = torch.zeros(idx.shape[0], n, device=idx.device, dtype=w.dtype).scatter_(1, idx, 1.0)
    return w @ X, X.T @ (X * w[:, None])


def pair_frequencies(idx: torch.Tensor, w: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Weighted one- and two-site frequencies f_r = Σ_m w_m X_mr, f_rs = Σ_m w_m X_mr X_ms of one-hot
    configurations X given by their flat indices.

    Parameters
    ----------
    idx : (M, L) integer tensor of flat one-hot indices r = i·q + s_i in [0, n).
    w : (M,) floating weights (e.g. 1/M each).
    n : L·q.

    Returns
    -------
    (n,) and (n, n) tensors of ``w``'s dtype.
    """
    n = check_int(n, "n", minimum=1)
    if not isinstance(idx, torch.Tensor) or idx.dtype not in (torch.int64, torch.int32) or idx.ndim != 2:
        raise TypeError(f"idx must be a 2-D integer torch tensor of flat indices, got {type(idx).__name__} "
                        f"{getattr(idx, 'dtype', '')} {tuple(getattr(idx, 'shape', ()))}")
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise ValueError(f"idx must hold flat indices in [0, {n}), found [{int(idx.min())}, {int(idx.max())}]")
    if not isinstance(w, torch.Tensor) or not w.dtype.is_floating_point or tuple(w.shape) != (idx.shape[0],):
        raise ValueError(f"w must be a floating torch tensor of shape ({idx.shape[0]},), got "
                         f"{getattr(w, 'dtype', type(w).__name__)} {tuple(getattr(w, 'shape', ()))}")
    return _pair_frequencies(idx.long(), w, n)


def _pearson(f1, f2, p1, p2, L: int, q: int) -> float:
    """Hot inner version of :func:`connected_correlation_pearson` (NaN when undefined)."""
    iu, ju = torch.triu_indices(L, L, 1, device=f1.device)

    def conn(m1, m2):
        C = (m2 - torch.outer(m1, m1)).view(L, q, L, q).permute(0, 2, 1, 3)
        return C[iu, ju].reshape(-1)

    return float(torch.corrcoef(torch.stack([conn(f1, f2), conn(p1, p2)]))[0, 1])


def connected_correlation_pearson(f1, f2, p1, p2, L: int, q: int) -> float:
    """Pearson correlation between data and model connected correlations
    C_ij(a, b) = f_ij(a, b) − f_i(a) f_j(b) over all i < j and a, b (adabmDCA's convergence measure).

    ``f1, p1``: (L·q,) one-site, ``f2, p2``: (L·q, L·q) two-site frequencies (data, model). ValueError
    when the correlation is undefined (one of the two sets of connected correlations is constant).
    """
    L, q = check_int(L, "L", minimum=2), check_int(q, "q", minimum=2)
    n = L * q
    for name, t, shape in (("f1", f1, (n,)), ("p1", p1, (n,)), ("f2", f2, (n, n)), ("p2", p2, (n, n))):
        if not isinstance(t, torch.Tensor) or tuple(t.shape) != shape:
            raise ValueError(f"{name} must be a torch tensor of shape {shape} for L={L}, q={q}, got "
                             f"{tuple(getattr(t, 'shape', ()))}")
    r = _pearson(f1, f2, p1, p2, L, q)
    if r != r:
        raise ValueError("the Pearson correlation is undefined: the data or the model connected correlations are "
                         "constant (no variance)")
    return r
