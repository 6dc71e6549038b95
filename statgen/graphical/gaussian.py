"""Gaussian pairwise models (filled in by the Gaussian work)."""

__all__: list[str] = []
