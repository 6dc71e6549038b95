"""Inference of Potts models, one file per estimator family: pseudo-likelihood (``plm``), exact
maximum likelihood (``ml``), Boltzmann-machine learning (``bm``); the penalty convention they share
(``penalty``), the data layout (``_problem``), the optimizers (``_optimize``), the estimator
contract (``base``) and the frequencies / Pearson of the moments (``moments``).
"""

from statgen.graphical.potts.inference.bm import BMHistory, BoltzmannMachinePotts, fit_bm
from statgen.graphical.potts.inference.ml import MaximumLikelihoodPotts, fit_ml, ml_objective
from statgen.graphical.potts.inference.moments import (
    connected_correlation_pearson,
    pair_frequencies,
)
from statgen.graphical.potts.inference.plm import PseudoLikelihoodPotts, fit_plm, plm_objective

__all__ = [
    "fit_plm",
    "fit_ml",
    "fit_bm",
    "PseudoLikelihoodPotts",
    "MaximumLikelihoodPotts",
    "BoltzmannMachinePotts",
    "plm_objective",
    "ml_objective",
    "pair_frequencies",
    "connected_correlation_pearson",
    "BMHistory",
]
