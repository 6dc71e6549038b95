"""Sequence reweighting: w_m = 1 / #{m′ : identity(s_m, s_m′) ≥ (1 − θ) L} (plmc's convention, so
``plmc --save-weights`` is reproduced exactly).

On the CPU (the default) the identity counts are a compiled C loop over all pairs of
sequences, O(M² L) time and no memory beyond the states; on a torch device they are products
X_a X_bᵀ of one-hot chunks, O(chunk · L · q + chunk²) memory and O(M² L q) time. Both count the
same integers, so the weights are identical. References: F. Morcos et al., PNAS 108, E1293 (2011); J. Hopf et al., Nat. Biotechnol. 35,
128 (2017) (plmc).
"""

from __future__ import annotations

import math

import numpy as np

from statgen._checks import check_in_range, check_int, check_int_states, check_memory

__all__ = ["sequence_weights"]


def sequence_weights(s, q: int, *, theta: float = 0.2, device=None, chunk: int = 4096) -> np.ndarray:
    """Reweighting w_m = 1 / #{m′ : identity(s_m, s_m′) ≥ (1 − θ) L}, identity = number of equal
    positions (the sequence itself always counts; θ = 0 counts exact duplicates, θ = 1 every sequence).
    The threshold is ⌈(1 − θ) L⌉ computed in double precision, as plmc compares.

    Parameters
    ----------
    s : (M, L) states in [0, q).  q : states ≥ 2.
    theta : divergence threshold θ in [0, 1].
    device : None or "cpu" for the compiled CPU loop, else the torch device of the identity
        products.  chunk : sequences per block of the torch products, ≥ 1.
    """
    q = check_int(q, "q", minimum=2)
    s = check_int_states(s, "s", q)
    theta = check_in_range(theta, "theta", 0.0, 1.0)
    chunk = check_int(chunk, "chunk", minimum=1)
    M, L = s.shape
    need = math.ceil((1.0 - theta) * L)  # identity ≥ (1 − θ)L ⇔ identity ≥ ⌈(1 − θ)L⌉ for integer identity
    from statgen.graphical.potts import native

    if device in (None, "cpu") and q <= 256 and native.available():  # else (no C compiler): torch's products
        counts = native.identity_counts(np.ascontiguousarray(s, dtype=np.uint8), need)
        return 1.0 / np.maximum(counts, 1).astype(float)
    import torch

    from statgen.graphical.potts._torch import resolve_device

    dev = resolve_device(device)
    c = min(chunk, M)
    check_memory(4.0 * (2 * c * L * q + c * c) + 16.0 * M * L, f"sequence_weights on ({M}, {L}) with chunk={chunk}")
    idx = torch.as_tensor(s + q * np.arange(L), device=dev)

    def onehot(a: int) -> torch.Tensor:
        part = idx[a:a + c]
        return torch.zeros(len(part), L * q, device=dev, dtype=torch.float32).scatter_(1, part, 1.0)

    counts = torch.zeros(M, device=dev, dtype=torch.float64)
    for a in range(0, M, c):
        Xa = onehot(a)
        for b in range(0, M, c):
            ident = Xa @ onehot(b).T  # matching positions, exact in float32 up to 2**24
            counts[a:a + c] += (ident >= need).sum(1).double()
    return 1.0 / np.maximum(counts.cpu().numpy(), 1.0)
