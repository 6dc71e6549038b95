"""Thread limits for small problems: torch intra-op and BLAS threads only add synchronisation cost
on small tensors, and oversubscribe the machine when tasks already run in parallel processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def limited_threads(n: int | None = 1, *, blas: bool = True) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads (and ``n`` BLAS threads when ``blas``),
    restoring the previous settings afterwards. ``n=None`` leaves everything as it is."""
    if n is None:
        yield
        return
    import torch
    from threadpoolctl import threadpool_limits

    old = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        if blas:
            with threadpool_limits(limits=int(n), user_api="blas"):
                yield
        else:
            yield
    finally:
        torch.set_num_threads(old)
