"""The figure registry: each script in ``paper_figures/`` registers a renderer of study results.

A figure never trains or samples: ``make_figure`` runs (or loads from cache) the studies
it names and passes their results to its ``render`` function, then writes PNG and PDF
(each atomically: a reader never sees half a picture).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from statgen._io import atomic_write
from statgen.studies import Registry, Results, run_study, script_of

__all__ = ["Figure", "register_figure", "list_figures", "get_figure", "make_figure", "save_figure"]


@dataclass(frozen=True)
class Figure:
    name: str
    studies: tuple[str, ...]
    render: Callable  # render(results: dict[study name, Results], quick: bool) -> matplotlib Figure
    caption: str | Callable[[dict[str, Results]], str] = ""

    def caption_for(self, results: dict[str, Results]) -> str:
        return self.caption(results) if callable(self.caption) else self.caption


_FIGURES = Registry("paper_figures", "figure")


def register_figure(name: str, *, studies: str | tuple[str, ...], render: Callable,
                    caption: str | Callable = "") -> Figure:
    """Register ``render(results, quick) -> matplotlib.figure.Figure`` under ``name``.

    ``caption`` is a string or a function of the results (for captions that state a finding).
    """
    studies = (studies,) if isinstance(studies, str) else tuple(studies)
    if not studies or not all(isinstance(s, str) for s in studies):
        raise TypeError(f"figure {name!r}: studies must be a study name or a tuple of names, got {studies!r}")
    if not callable(render):
        raise TypeError(f"figure {name!r}: render must be callable, got {type(render).__name__}")
    fig = Figure(name, studies, render, caption)
    _FIGURES.add(name, fig, script_of(render))
    return fig


def list_figures() -> list[Figure]:
    """The figures registered by the scripts of ``<project_root>/paper_figures``."""
    return _FIGURES.all()


def get_figure(name: str) -> Figure:
    """The registered figure ``name`` (``ValueError`` with a did-you-mean when there is none)."""
    return _FIGURES.get(name)


def save_figure(fig_def: Figure, results: dict[str, Results], quick: bool,
                out: str | os.PathLike) -> list[Path]:
    """Render ``fig_def`` from study ``results`` to ``out/NAME.png``, ``out/NAME.pdf`` and its
    caption (when it has one) to ``out/NAME.txt``; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = fig_def.render(results, quick)
    out = Path(out)
    paths = [out / f"{fig_def.name}.png", out / f"{fig_def.name}.pdf"]
    try:
        caption = fig_def.caption_for(results)
        for p in paths:
            with atomic_write(p) as fh:
                fig.savefig(fh, format=p.suffix[1:], dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)
    if caption:
        with atomic_write(out / f"{fig_def.name}.txt", "w") as fh:
            fh.write(caption + "\n")
        paths.append(out / f"{fig_def.name}.txt")
    return paths


def make_figure(name: str, *, quick: bool = False, out: str | os.PathLike = "figures", **run_kwargs) -> list[Path]:
    """Run (or load) the studies figure ``name`` needs, then render it to ``out/NAME.png``,
    ``out/NAME.pdf`` and its caption to ``out/NAME.txt``. ``run_kwargs`` go to ``run_study``."""
    fig_def = get_figure(name)
    results = {s: run_study(s, quick=quick, **run_kwargs) for s in fig_def.studies}
    return save_figure(fig_def, results, quick, out)
