"""Figure registry: each script in ``paper_figures/`` registers a renderer of study results
(:func:`register_figure`); :func:`make_figure` runs the studies it needs and writes PNG + PDF."""

from statgen.figures.registry import (
    Figure,
    get_figure,
    list_figures,
    make_figure,
    register_figure,
    save_figure,
)

__all__ = ["Figure", "register_figure", "list_figures", "get_figure", "make_figure", "save_figure"]
