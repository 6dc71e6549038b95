"""Non-stationary Neyman–Scott cluster point processes.

Simulation, intensities, product densities, pair correlations, exact conditional (Palm)
intensities given many events via the O(3ⁿ) subset recursion, four approximations, and
fitting (Palm likelihood, minimum contrast) with parametric-bootstrap standard errors.
The model object is :class:`NeymanScott`; numpy randomness comes only from an explicit
``rng: numpy.random.Generator``.

Modules (one idea each): ``kernels`` (dispersal kernels), ``fields`` (κ and α), ``window``
(windows and point arrays), ``model`` (the process), ``simulation``, ``engine`` / ``integrals``
and the ``thomas_`` / ``matern_`` / ``quadrature_integrals`` engines (cluster integrals),
``recursion`` (subset recursion, set partitions), ``conditional`` (exact conditional
intensity), ``approximations``, ``assessment`` (Monte Carlo, approximation errors),
``geometry`` (ball intersections), ``quadrature`` (rules), ``trend`` (first order),
``kfunction`` (K-function), ``objectives`` and ``fit`` (:class:`ClusterFit`); spatstat's ``kppm``
as :class:`KppmFit` (``kppm``, with ``cluster_families``, ``summary`` (spatstat's K̂ and ĝ),
``pixel_cdf``, ``nelder_mead`` (R's optimizer), ``covariates`` (:class:`CovariateGrid`) and
``polygon`` (:class:`Polygon` windows) with ``polygon_quadrature`` (integrals over polygons and over
polygon ∩ disc)); ``parent_covariates`` (:class:`ParentCovariateFit`, :func:`palm_comparison`) with
``clic`` (the composite-likelihood information criterion).

References
----------
Neyman, J., Scott, E. L. (1958). Statistical approach to problems of cosmology. JRSS B 20, 1–43.
Tanaka, U., Ogata, Y., Stoyan, D. (2008). Parameter estimation and model selection for
Neyman–Scott point processes. Biometrical Journal 50, 43–57.
"""

from statgen.pointprocess.assessment import approximation_error, monte_carlo_conditional_intensity
from statgen.pointprocess.covariates import CovariateGrid
from statgen.pointprocess.datasets import load_pattern
from statgen.pointprocess.fields import CallableField, Constant, Field, Gridded, LogLinear
from statgen.pointprocess.fit import ClusterFit
from statgen.pointprocess.kernels import (
    CauchyKernel,
    Kernel,
    MaternKernel,
    ThomasKernel,
    VarGammaKernel,
)
from statgen.pointprocess.kfunction import expected_k_inhom, k_inhom
from statgen.pointprocess.kppm import KppmFit
from statgen.pointprocess.model import METHODS, NeymanScott
from statgen.pointprocess.parent_covariates import ParentCovariateFit, palm_comparison
from statgen.pointprocess.polygon import Polygon
from statgen.pointprocess.recursion import (
    bell_number,
    partition_sum,
    set_partitions,
    subset_recursion,
)
from statgen.pointprocess.simulation import Simulation
from statgen.pointprocess.trend import fit_loglinear_intensity

__all__ = [
    "ThomasKernel", "MaternKernel", "CauchyKernel", "VarGammaKernel", "Kernel",
    "NeymanScott", "Simulation", "METHODS",
    "Field", "Constant", "LogLinear", "Gridded", "CallableField",
    "monte_carlo_conditional_intensity", "approximation_error",
    "ClusterFit", "KppmFit", "Polygon", "CovariateGrid", "load_pattern",
    "ParentCovariateFit", "palm_comparison", "fit_loglinear_intensity", "k_inhom", "expected_k_inhom",
    "subset_recursion", "partition_sum", "set_partitions", "bell_number",
]
