"""Pairwise graphical models: Gaussian (spherical) and Potts; MAP inference with L1/L2 penalties.

Conventions and equations: ``shared/science/graphical.md`` (Fanthomme, Rizzato, Cocco & Monasson 2022).
Each submodule lists its public names in ``__all__``; they are all re-exported here.
"""

from statgen.graphical import gaussian as _gaussian
from statgen.graphical import gaussian_l1 as _gaussian_l1
from statgen.graphical import posterior as _posterior
from statgen.graphical import potts as _potts
from statgen.graphical.gaussian import *  # noqa: F403
from statgen.graphical.gaussian_l1 import *  # noqa: F403
from statgen.graphical.posterior import *  # noqa: F403
from statgen.graphical.potts import *  # noqa: F403

__all__ = [*_gaussian.__all__, *_gaussian_l1.__all__, *_posterior.__all__, *_potts.__all__]
