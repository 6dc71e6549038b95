"""Posterior fluctuations of Gaussian couplings with PyMC (filled in by the posterior work)."""

__all__: list[str] = []
