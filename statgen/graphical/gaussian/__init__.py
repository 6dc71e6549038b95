"""Spherical Gaussian pairwise models: generators, the spherical constraint, sampling, the model
object, the closed-form L2 MAP and its path, small-α theory, the graphical lasso (L1) and its path,
posterior fluctuations (PyMC, optional), estimators and the sweeps of the studies.

numpy / scipy only (no torch). Conventions and equations: Fanthomme, Rizzato, Cocco & Monasson,
"Optimal regularizations for data generation with probabilistic graphical models", J. Stat. Mech.
(2022), arXiv:2112.01292. Randomness: an explicit ``rng: numpy.random.Generator``.
"""

from statgen.graphical.gaussian.estimators import GaussianL1MAP, GaussianL2MAP
from statgen.graphical.gaussian.generators import (
    GAUSSIAN_GRAPHS,
    band_couplings,
    erdos_renyi_couplings,
    gaussian_couplings,
    lattice_couplings,
    ring_couplings,
    sk_couplings,
)
from statgen.graphical.gaussian.l1 import l1_duality_gap, l1_objective, map_l1
from statgen.graphical.gaussian.l1_path import L1Path, l1_path
from statgen.graphical.gaussian.l2 import map_l2
from statgen.graphical.gaussian.l2_path import L2Path, l2_path
from statgen.graphical.gaussian.model import SphericalGaussian
from statgen.graphical.gaussian.posterior import (
    PosteriorCurves,
    coupling_curves,
    l2_free_energy,
    posterior_curves,
    sample_l2_posterior,
)
from statgen.graphical.gaussian.sampling import (
    empirical_covariance,
    sample_gaussian,
    wishart_covariance,
)
from statgen.graphical.gaussian.spherical import (
    gaussian_log_likelihood,
    spherical_log_likelihood,
    spherical_log_partition,
    spherical_model,
    spherical_mu,
)
from statgen.graphical.gaussian.sweeps import (
    combine_sweeps,
    graph_params,
    l1_sweep,
    l2_sweep,
    run_sweep_task,
    sweep_paths,
    sweep_tasks,
)
from statgen.graphical.gaussian.theory import predicted_gamma, small_alpha_gamma

__all__ = [
    # generators
    "sk_couplings",
    "ring_couplings",
    "band_couplings",
    "erdos_renyi_couplings",
    "lattice_couplings",
    "gaussian_couplings",
    "GAUSSIAN_GRAPHS",
    # spherical constraint, likelihoods
    "spherical_mu",
    "spherical_model",
    "spherical_log_partition",
    "spherical_log_likelihood",
    "gaussian_log_likelihood",
    # sampling, the model
    "sample_gaussian",
    "empirical_covariance",
    "wishart_covariance",
    "SphericalGaussian",
    # L2 MAP, path, theory
    "map_l2",
    "l2_path",
    "L2Path",
    "predicted_gamma",
    "small_alpha_gamma",
    # L1 MAP, path
    "map_l1",
    "l1_objective",
    "l1_duality_gap",
    "l1_path",
    "L1Path",
    # estimators
    "GaussianL2MAP",
    "GaussianL1MAP",
    # posterior (PyMC)
    "l2_free_energy",
    "sample_l2_posterior",
    "coupling_curves",
    "posterior_curves",
    "PosteriorCurves",
    # sweeps (studies)
    "l2_sweep",
    "l1_sweep",
    "sweep_paths",
    "graph_params",
    "sweep_tasks",
    "run_sweep_task",
    "combine_sweeps",
]
