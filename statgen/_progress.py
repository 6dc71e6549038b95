"""Progress bars: shown on a terminal, silent otherwise or when ``progress=False``."""

from __future__ import annotations

from collections.abc import Iterable

from tqdm.auto import tqdm


def progress_bar(iterable: Iterable | None = None, *, total: int | None = None, desc: str = "",
                 progress: bool = True, **kwargs) -> tqdm:
    """A tqdm bar; ``disable=None`` makes tqdm silent when stderr is not a terminal."""
    return tqdm(iterable, total=total, desc=desc, disable=None if progress else True,
                leave=False, dynamic_ncols=True, **kwargs)
