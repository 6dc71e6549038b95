"""Inference of Potts models, one file per estimator family: pseudo-likelihood (``plm``), exact
maximum likelihood (``ml``), Boltzmann-machine learning (``bm``); the penalty convention they share
(``penalty``), the data layout (``_problem``), the optimizers (``_optimize``), the estimator
contract (``base``) and the frequencies / Pearson of the moments (``moments``).
"""

from statgen._lazy import lazy_attributes as _lazy_attributes

#: where each public name lives; imported on first use (PEP 562), so that the torch-free parts
#: (alignments, plmc's compiled fit, the DCA files) load without torch
_WHERE = {
    'BMHistory': 'statgen.graphical.potts.inference.bm',
    'BoltzmannMachinePotts': 'statgen.graphical.potts.inference.bm',
    'fit_bm': 'statgen.graphical.potts.inference.bm',
    'MaximumLikelihoodPotts': 'statgen.graphical.potts.inference.ml',
    'fit_ml': 'statgen.graphical.potts.inference.ml',
    'ml_objective': 'statgen.graphical.potts.inference.ml',
    'connected_correlation_pearson': 'statgen.graphical.potts.inference.moments',
    'pair_frequencies': 'statgen.graphical.potts.inference.moments',
    'PseudoLikelihoodPotts': 'statgen.graphical.potts.inference.plm',
    'fit_plm': 'statgen.graphical.potts.inference.plm',
    'plm_objective': 'statgen.graphical.potts.inference.plm',
}

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


__getattr__, __dir__ = _lazy_attributes(globals(), _WHERE)
