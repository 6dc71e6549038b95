"""Pairwise graphical models: Gaussian (spherical) and Potts; MAP inference with L1/L2 penalties and
the train / test / generated likelihood curves along the penalty strength.

Fanthomme, Rizzato, Cocco & Monasson, "Optimal regularizations for data generation with probabilistic
graphical models", J. Stat. Mech. (2022), arXiv:2112.01292, doi:10.1088/1742-5468/ac650c.

Layout: :mod:`statgen.graphical.gaussian` (numpy/scipy), :mod:`statgen.graphical.potts` (torch), and
``_paths`` / ``_graphs`` (what both share: path results, grids, named-graph specs). Every public name
of both sub-packages is re-exported here, each imported on first use (PEP 562 ``__getattr__``):
``import statgen.graphical`` imports neither torch (Potts) nor scipy (Gaussian), so a Potts fit of an
alignment does not carry scipy's ~40 MiB.
"""

from statgen._lazy import lazy_attributes as _lazy_attributes
from statgen.graphical._paths import grid_argmax, grid_crossing

#: The Gaussian names (``statgen.graphical.gaussian.__all__``, checked by a test), resolved lazily (scipy).
_GAUSSIAN = (
    "sk_couplings", "ring_couplings", "band_couplings", "erdos_renyi_couplings", "lattice_couplings",
    "gaussian_couplings", "GAUSSIAN_GRAPHS", "spherical_mu", "spherical_model", "spherical_log_partition",
    "spherical_log_likelihood", "gaussian_log_likelihood", "sample_gaussian", "empirical_covariance",
    "wishart_covariance", "SphericalGaussian", "map_l2", "l2_path", "L2Path", "predicted_gamma",
    "small_alpha_gamma", "map_l1", "l1_objective", "l1_duality_gap", "l1_path", "L1Path", "GaussianL2MAP",
    "GaussianL1MAP", "l2_free_energy", "sample_l2_posterior", "coupling_curves", "posterior_curves",
    "PosteriorCurves", "l2_sweep", "l1_sweep", "sweep_paths", "graph_params", "sweep_tasks", "run_sweep_task",
    "combine_sweeps",
)

#: The Potts names, resolved lazily from :mod:`statgen.graphical.potts` (which imports torch).
_POTTS = (
    "PottsModel", "MAX_ENUMERATION", "zero_sum_gauge", "potts_predicted_gamma", "chain_edges", "lattice_edges",
    "erdos_renyi_edges", "complete_edges", "potts_couplings", "chain_potts", "lattice_potts", "erdos_renyi_potts",
    "complete_potts", "potts_model", "POTTS_GRAPHS", "ALPHABETS", "get_alphabet", "read_fasta", "write_fasta",
    "encode_sequences", "decode_sequences", "load_alignment", "sequence_weights", "color_classes", "PottsChains",
    "sample_chains", "LogZEstimate", "ais_log_partition", "fit_plm", "fit_ml", "fit_bm", "PseudoLikelihoodPotts",
    "MaximumLikelihoodPotts", "BoltzmannMachinePotts", "plm_objective", "ml_objective", "pair_frequencies",
    "connected_correlation_pearson", "BMHistory", "PottsPath", "potts_likelihood_path", "exact_cross_log_likelihood",
    "read_alignment", "read_stockholm", "prepare_alignment", "Alignment", "contact_scores", "top_contacts", "average_product_correction", "fit_plmc",
    "plmc_objective", "plmc_gammas", "PlmcParams", "read_plmc_couplings", "write_plmc_couplings", "read_plmc_params", "write_plmc_params", "read_ccmpred_mat", "write_ccmpred_mat", "read_adabmdca_params", "write_adabmdca_params",
)

__all__ = [*_GAUSSIAN, *_POTTS, "grid_argmax", "grid_crossing"]


__getattr__, __dir__ = _lazy_attributes(globals(), {**dict.fromkeys(_GAUSSIAN, "statgen.graphical.gaussian"),
                                                 **dict.fromkeys(_POTTS, "statgen.graphical.potts")})
