"""Non-stationary Neyman–Scott cluster point processes.

Simulation, intensities, product densities, pair correlations, exact conditional (Palm)
intensities given many events via the O(3ⁿ) subset recursion, four approximations, and
fitting (Palm likelihood, minimum contrast) with parametric-bootstrap standard errors.
See ``science/pointprocess.md`` and :mod:`statgen.pointprocess.model`.
"""

from statgen.pointprocess.assessment import approximation_error, monte_carlo_conditional_intensity
from statgen.pointprocess.fit import ClusterFit, expected_k_inhom, fit_loglinear_intensity, k_inhom
from statgen.pointprocess.fields import CallableField, Constant, Field, Gridded, LogLinear
from statgen.pointprocess.kernels import CauchyKernel, Kernel, MaternKernel, ThomasKernel, VarGammaKernel
from statgen.pointprocess.model import METHODS, NeymanScott, Simulation
from statgen.pointprocess.recursion import bell_number, partition_sum, set_partitions, subset_recursion

__all__ = [
    "ThomasKernel", "MaternKernel", "CauchyKernel", "VarGammaKernel", "Kernel",
    "NeymanScott", "Simulation", "METHODS",
    "Field", "Constant", "LogLinear", "Gridded", "CallableField",
    "monte_carlo_conditional_intensity", "approximation_error",
    "ClusterFit", "fit_loglinear_intensity", "k_inhom", "expected_k_inhom",
    "subset_recursion", "partition_sum", "set_partitions", "bell_number",
]
