"""The exact conditional (Palm) intensity given n events, from an engine's cluster integrals.

    λ(x | y₁..yₙ) = ρ⁽ⁿ⁺¹⁾(x, y₁..yₙ) / ρ⁽ⁿ⁾(y₁..yₙ) = Σ_{B ⊆ Y} K_{B∪{x}}(x) ρ(Y ∖ B) / ρ(Y),

with the product densities ρ of every subset from the O(3ⁿ) subset recursion
(:func:`statgen.pointprocess.recursion.subset_recursion`). The recursion runs on
K̃_B = K_B / Π_{i∈B} λ(y_i), which keeps every quantity in floating-point range.

Inner code: events and locations are validated by
:meth:`~statgen.pointprocess.model.NeymanScott.conditional_intensity`; sizes are checked here.
"""

from __future__ import annotations

import numpy as np

from statgen.pointprocess.engine import BYTES_PER_SUBSET, Engine
from statgen.pointprocess.recursion import check_subset_memory, mask_sums, subset_recursion

__all__ = ["MAX_EXACT_EVENTS", "check_event_count", "log_product_densities", "log_weights", "exact"]

MAX_EXACT_EVENTS = 22  # 3**21 subset pairs; memory refuses well before on most machines


def check_event_count(n: int, name: str = "events", *, limit: int = MAX_EXACT_EVENTS) -> None:
    """Refuse more than ``limit`` events for an exact computation, and sizes that cannot fit in memory."""
    if n > limit:
        raise ValueError(f"{name}: the exact recursion handles at most {limit} events (2**n cluster integrals, "
                         f"3**n operations), got {n}; use method='grouped' or fewer events")
    check_subset_memory(n, BYTES_PER_SUBSET, f"{name}: the cluster integrals K_B of every subset")


def log_product_densities(engine: Engine, y: np.ndarray):
    """(log λ(y_i), ρ̃) for the events y: ρ̃(S) = ρ(S) / Π_{i∈S} λ(y_i) on every subset S
    (ρ̃ is None when some λ(y_i) = 0: then ρ(S) = 0 for every S holding y_i)."""
    logK, _ = engine.log_cluster_integrals(y)
    loglam = logK[1 << np.arange(y.shape[0])]
    if not np.all(np.isfinite(loglam)):
        return loglam, None
    return loglam, subset_recursion(np.exp(logK - mask_sums(loglam)))


def log_weights(engine: Engine, y: np.ndarray) -> np.ndarray:
    """logv_B = log[ρ(Y ∖ B) / ρ(Y)] for every subset B (bitmask) of the events y."""
    n = y.shape[0]
    loglam, rho_t = log_product_densities(engine, y)
    if rho_t is None:
        bad = int(np.flatnonzero(~np.isfinite(loglam))[0])
        raise ValueError(f"events: the intensity λ is 0 at event {bad} ({y[bad].tolist()}), so the events are "
                         f"impossible under the model and conditioning on them is undefined")
    lsum = mask_sums(loglam)
    full = (1 << n) - 1
    masks = np.arange(1 << n)
    with np.errstate(divide="ignore"):
        # ρ(Y∖B)/ρ(Y) = ρ̃(Y∖B)/ρ̃(Y) / Π_{i∈B} λ(y_i)
        logv = np.log(rho_t[full ^ masks]) - np.log(rho_t[full]) - lsum
    logv[0] = 0.0
    return logv


def exact(engine: Engine, x: np.ndarray, y: np.ndarray):
    """(λ(x | y), numerical error estimates) by the subset recursion; n = 0 gives λ(x)."""
    check_event_count(y.shape[0])
    if y.shape[0] == 0:
        return engine.intensity(x)
    return engine.x_terms(x, y, log_weights(engine, y))
