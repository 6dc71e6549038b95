"""Figure registry: each script in ``paper_figures/`` registers a renderer of study results.

A figure never trains or samples: ``make_figure`` runs (or loads from cache) the studies
it names and passes their results to its ``render`` function, then writes PNG and PDF.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from statgen.studies import Results, load_scripts, run_study

__all__ = ["Figure", "register_figure", "list_figures", "get_figure", "make_figure"]


@dataclass(frozen=True)
class Figure:
    name: str
    studies: tuple[str, ...]
    render: Callable  # render(results: dict[study name, Results], quick: bool) -> matplotlib Figure
    caption: str | Callable[[dict[str, Results]], str] = ""

    def caption_for(self, results: dict[str, Results]) -> str:
        return self.caption(results) if callable(self.caption) else self.caption


_FIGURES: dict[str, Figure] = {}


def register_figure(name: str, *, studies: str | tuple[str, ...], render: Callable,
                    caption: str | Callable = "") -> Figure:
    """Register ``render(results, quick) -> matplotlib.figure.Figure`` under ``name``.

    ``caption`` is a string or a function of the results (for captions that state a finding).
    """
    studies = (studies,) if isinstance(studies, str) else tuple(studies)
    fig = Figure(name, studies, render, caption)
    _FIGURES[name] = fig
    return fig


def list_figures() -> list[Figure]:
    load_scripts("paper_figures")
    return [_FIGURES[k] for k in sorted(_FIGURES)]


def get_figure(name: str) -> Figure:
    if name not in _FIGURES:
        load_scripts("paper_figures")
    if name not in _FIGURES:
        raise ValueError(f"name must be a registered figure, one of {sorted(_FIGURES)}; got {name!r}")
    return _FIGURES[name]


def make_figure(name: str, *, quick: bool = False, out: str | os.PathLike = "figures", **run_kwargs) -> list[Path]:
    """Render figure ``name`` to ``out/NAME.png``, ``out/NAME.pdf`` and its caption to ``out/NAME.txt``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig_def = get_figure(name)
    results = {s: run_study(s, quick=quick, **run_kwargs) for s in fig_def.studies}
    fig = fig_def.render(results, quick)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    for p in paths:
        fig.savefig(p, dpi=150, bbox_inches="tight")
    plt.close(fig)
    caption = fig_def.caption_for(results)
    if caption:
        (out / f"{name}.txt").write_text(caption + "\n")
        paths.append(out / f"{name}.txt")
    return paths
