"""statgen: statistical physics and generative modelling.

Sub-packages (imported on demand, so ``import statgen`` is instant): ``statgen.graphical``
(Gaussian and Potts pairwise models), ``statgen.pointprocess`` (Neyman–Scott cluster processes),
``statgen.flows`` (smooth normalizing flows, torch), ``statgen.md`` (molecular systems in OpenMM).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
