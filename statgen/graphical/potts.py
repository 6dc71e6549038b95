"""Potts pairwise models (filled in by the Potts work)."""

__all__: list[str] = []
