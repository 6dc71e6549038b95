"""Smooth normalizing flows on products of circles and intervals (Köhler, Krämer & Noé 2021).

C∞ mixture transformers built from smooth ramps, root-finding inverses with implicit
(inverse-function-theorem) gradients of any order, one training loop (:class:`FlowTrainer`:
NLL / force matching / reverse KL for any density with ``log_prob``), a checkpoint format read
with ``torch.load(weights_only=True)``, and a C¹ rational-quadratic spline baseline
(Durkan et al. 2019). Torch; CPU or CUDA; float32/float64.
"""

from statgen.flows.checkpoint import load_checkpoint, save_checkpoint_atomic
from statgen.flows.conditioners import Conditioner, embed
from statgen.flows.coupling import CouplingLayer
from statgen.flows.flow import SmoothFlow, check_points, default_couplings
from statgen.flows.inverse import (
    RootFindingError,
    default_tolerance,
    implicit_inverse,
    solve_monotone,
)
from statgen.flows.losses import (
    force_error,
    force_matching_loss,
    nll_and_force_matching_loss,
    nll_loss,
    reverse_kl_loss,
)
from statgen.flows.ramps import smooth_ramp, smooth_sigmoid, smooth_sigmoid_and_log_derivative
from statgen.flows.torus import TorusDensity, pretrained_torus_results, run_torus_experiment
from statgen.flows.training import FlowTrainer, train_flow
from statgen.flows.transformers import (
    RQSplineTransformer,
    SmoothMixtureTransformer,
    evaluate_rq_spline,
    evaluate_smooth_circle,
    evaluate_smooth_interval,
)

__all__ = [
    "SmoothFlow", "CouplingLayer", "Conditioner", "embed", "default_couplings", "check_points",
    "SmoothMixtureTransformer", "RQSplineTransformer", "evaluate_smooth_circle", "evaluate_smooth_interval",
    "evaluate_rq_spline", "smooth_ramp", "smooth_sigmoid", "smooth_sigmoid_and_log_derivative",
    "RootFindingError", "default_tolerance", "implicit_inverse", "solve_monotone",
    "TorusDensity", "run_torus_experiment", "pretrained_torus_results",
    "FlowTrainer", "train_flow", "nll_loss", "force_matching_loss", "nll_and_force_matching_loss", "reverse_kl_loss",
    "force_error", "save_checkpoint_atomic", "load_checkpoint",
]
