"""Gaussian L1 MAP (graphical lasso) paths (filled in by the L1 work)."""

__all__: list[str] = []
