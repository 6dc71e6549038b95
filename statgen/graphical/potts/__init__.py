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

Importing this package imports torch; ``import statgen.graphical`` alone does not (its Potts names
load this package on first use).
"""

from statgen.graphical.potts.alignment import (
    ALPHABETS,
    Alignment,
    decode_sequences,
    encode_sequences,
    get_alphabet,
    load_alignment,
    prepare_alignment,
    read_alignment,
    read_fasta,
    read_stockholm,
    sequence_weights,
    write_fasta,
)
from statgen.graphical.potts.dca import (
    PlmcParams,
    average_product_correction,
    contact_scores,
    fit_plmc,
    plmc_gammas,
    plmc_objective,
    read_adabmdca_params,
    read_ccmpred_mat,
    read_plmc_couplings,
    read_plmc_params,
    top_contacts,
    write_adabmdca_params,
    write_ccmpred_mat,
    write_plmc_couplings,
    write_plmc_params,
)
from statgen.graphical.potts.gauge import zero_sum_gauge
from statgen.graphical.potts.generators import (
    POTTS_GRAPHS,
    chain_potts,
    complete_potts,
    erdos_renyi_potts,
    lattice_potts,
    potts_couplings,
    potts_model,
)
from statgen.graphical.potts.graphs import (
    chain_edges,
    complete_edges,
    erdos_renyi_edges,
    lattice_edges,
)
from statgen.graphical.potts.inference import (
    BMHistory,
    BoltzmannMachinePotts,
    MaximumLikelihoodPotts,
    PseudoLikelihoodPotts,
    connected_correlation_pearson,
    fit_bm,
    fit_ml,
    fit_plm,
    ml_objective,
    pair_frequencies,
    plm_objective,
)
from statgen.graphical.potts.logz import LogZEstimate, ais_log_partition
from statgen.graphical.potts.model import MAX_ENUMERATION, PottsModel, potts_predicted_gamma
from statgen.graphical.potts.path import (
    PottsPath,
    exact_cross_log_likelihood,
    potts_likelihood_path,
)
from statgen.graphical.potts.sampling import PottsChains, color_classes, sample_chains

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
