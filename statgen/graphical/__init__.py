"""Pairwise graphical models: Gaussian (spherical) and Potts; MAP inference with L1/L2 penalties.

Conventions and equations: ``shared/science/graphical.md`` (Fanthomme, Rizzato, Cocco & Monasson 2022).
"""

from statgen.graphical import gaussian as _gaussian
from statgen.graphical import potts as _potts
from statgen.graphical.gaussian import *  # noqa: F403
from statgen.graphical.potts import *  # noqa: F403

__all__ = [*_gaussian.__all__, *_potts.__all__]
