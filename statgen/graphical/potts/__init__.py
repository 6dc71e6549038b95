"""Potts pairwise models: the model object (``model``), the zero-sum gauge (``gauge``), interaction
graphs and random models (``graphs``, ``generators``: chain, lattice, Erdős–Rényi, complete, and the
named-graph factory :func:`potts_model`), MCMC sampling (``sampling``, torch), log Z by annealed
importance sampling (``logz``), inference by pseudo-likelihood, exact maximum likelihood and
Boltzmann learning (``inference/``), likelihood paths along the penalty strength (``path``) and
multiple sequence alignments (``alignment/``), and direct-coupling analysis with plmc's, CCMpred's
and adabmDCA's files (``dca/``; ``statgen potts plm`` in ``cli``).

Conventions: E(s) = −Σ_i h_i(s_i) − Σ_{i<j} J_ij(s_i, s_j), h (L, q), J (L, L, q, q) with
J[i, j, a, b] = J[j, i, b, a] and J[i, i] = 0 (Fanthomme, Rizzato, Cocco & Monasson 2022,
J. Stat. Mech. (2022), arXiv:2112.01292, Potts part). Randomness: model generators (numpy) take
``rng: numpy.random.Generator``; samplers and estimators (torch) take ``seed`` (int ≥ 0) or
``generator`` (``torch.Generator``); torch code runs on CPU and CUDA (``device``, ``dtype``).

Names load on first use (PEP 562): importing this package, or its torch-free parts (alignments, the
DCA files, plmc's compiled fit ``fit_plmc``), does not import torch; the samplers and torch estimators do.
"""

from statgen._lazy import lazy_attributes as _lazy_attributes

#: where each public name lives; imported on first use (PEP 562), so that the torch-free parts
#: (alignments, plmc's compiled fit, the DCA files) load without torch
_WHERE = {
    'ALPHABETS': 'statgen.graphical.potts.alignment',
    'Alignment': 'statgen.graphical.potts.alignment',
    'decode_sequences': 'statgen.graphical.potts.alignment',
    'encode_sequences': 'statgen.graphical.potts.alignment',
    'get_alphabet': 'statgen.graphical.potts.alignment',
    'load_alignment': 'statgen.graphical.potts.alignment',
    'prepare_alignment': 'statgen.graphical.potts.alignment',
    'read_alignment': 'statgen.graphical.potts.alignment',
    'read_fasta': 'statgen.graphical.potts.alignment',
    'read_stockholm': 'statgen.graphical.potts.alignment',
    'sequence_weights': 'statgen.graphical.potts.alignment',
    'write_fasta': 'statgen.graphical.potts.alignment',
    'PlmcParams': 'statgen.graphical.potts.dca',
    'average_product_correction': 'statgen.graphical.potts.dca',
    'contact_scores': 'statgen.graphical.potts.dca',
    'fit_plmc': 'statgen.graphical.potts.dca',
    'plmc_gammas': 'statgen.graphical.potts.dca',
    'plmc_objective': 'statgen.graphical.potts.dca',
    'read_adabmdca_params': 'statgen.graphical.potts.dca',
    'read_ccmpred_mat': 'statgen.graphical.potts.dca',
    'read_plmc_couplings': 'statgen.graphical.potts.dca',
    'read_plmc_params': 'statgen.graphical.potts.dca',
    'top_contacts': 'statgen.graphical.potts.dca',
    'write_adabmdca_params': 'statgen.graphical.potts.dca',
    'write_ccmpred_mat': 'statgen.graphical.potts.dca',
    'write_plmc_couplings': 'statgen.graphical.potts.dca',
    'write_plmc_params': 'statgen.graphical.potts.dca',
    'zero_sum_gauge': 'statgen.graphical.potts.gauge',
    'POTTS_GRAPHS': 'statgen.graphical.potts.generators',
    'chain_potts': 'statgen.graphical.potts.generators',
    'complete_potts': 'statgen.graphical.potts.generators',
    'erdos_renyi_potts': 'statgen.graphical.potts.generators',
    'lattice_potts': 'statgen.graphical.potts.generators',
    'potts_couplings': 'statgen.graphical.potts.generators',
    'potts_model': 'statgen.graphical.potts.generators',
    'chain_edges': 'statgen.graphical.potts.graphs',
    'complete_edges': 'statgen.graphical.potts.graphs',
    'erdos_renyi_edges': 'statgen.graphical.potts.graphs',
    'lattice_edges': 'statgen.graphical.potts.graphs',
    'BMHistory': 'statgen.graphical.potts.inference',
    'BoltzmannMachinePotts': 'statgen.graphical.potts.inference',
    'MaximumLikelihoodPotts': 'statgen.graphical.potts.inference',
    'PseudoLikelihoodPotts': 'statgen.graphical.potts.inference',
    'connected_correlation_pearson': 'statgen.graphical.potts.inference',
    'fit_bm': 'statgen.graphical.potts.inference',
    'fit_ml': 'statgen.graphical.potts.inference',
    'fit_plm': 'statgen.graphical.potts.inference',
    'ml_objective': 'statgen.graphical.potts.inference',
    'pair_frequencies': 'statgen.graphical.potts.inference',
    'plm_objective': 'statgen.graphical.potts.inference',
    'LogZEstimate': 'statgen.graphical.potts.logz',
    'ais_log_partition': 'statgen.graphical.potts.logz',
    'MAX_ENUMERATION': 'statgen.graphical.potts.model',
    'PottsModel': 'statgen.graphical.potts.model',
    'potts_predicted_gamma': 'statgen.graphical.potts.model',
    'PottsPath': 'statgen.graphical.potts.path',
    'exact_cross_log_likelihood': 'statgen.graphical.potts.path',
    'potts_likelihood_path': 'statgen.graphical.potts.path',
    'PottsChains': 'statgen.graphical.potts.sampling',
    'color_classes': 'statgen.graphical.potts.sampling',
    'sample_chains': 'statgen.graphical.potts.sampling',
}

__all__ = [
    # model, gauge
    "PottsModel",
    "MAX_ENUMERATION",
    "zero_sum_gauge",
    "potts_predicted_gamma",
    # graphs and random models
    "chain_edges",
    "lattice_edges",
    "erdos_renyi_edges",
    "complete_edges",
    "potts_couplings",
    "chain_potts",
    "lattice_potts",
    "erdos_renyi_potts",
    "complete_potts",
    "potts_model",
    "POTTS_GRAPHS",
    # alignments
    "ALPHABETS",
    "get_alphabet",
    "read_fasta",
    "write_fasta",
    "encode_sequences",
    "decode_sequences",
    "load_alignment",
    "sequence_weights",
    "read_alignment",
    "read_stockholm",
    "prepare_alignment",
    "Alignment",
    # direct-coupling analysis: scores, plmc's problem, files
    "contact_scores",
    "top_contacts",
    "average_product_correction",
    "fit_plmc",
    "plmc_objective",
    "plmc_gammas",
    "PlmcParams",
    "read_plmc_couplings",
    "write_plmc_couplings",
    "read_plmc_params",
    "write_plmc_params",
    "read_ccmpred_mat",
    "write_ccmpred_mat",
    "read_adabmdca_params",
    "write_adabmdca_params",
    # sampling, log Z
    "color_classes",
    "PottsChains",
    "sample_chains",
    "LogZEstimate",
    "ais_log_partition",
    # inference
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
    # paths
    "PottsPath",
    "potts_likelihood_path",
    "exact_cross_log_likelihood",
]


__getattr__, __dir__ = _lazy_attributes(globals(), _WHERE)
