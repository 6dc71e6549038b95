"""Molecular systems and flows as OpenMM potentials (alanine dipeptide, Köhler, Krämer & Noé 2021).

- :func:`alanine_dipeptide` — ACE-ALA-NME in Amber99SB-ILDN + OBC (OpenMM objects, nothing downloaded).
- :func:`generate_md_data` / :func:`load_md_data` — chunked, resumable reference Langevin MD.
- :class:`ZMatrix`, :class:`InternalCoordinates` — internal coordinates with the log-det of the Jacobian.
- :class:`BoltzmannGenerator` — smooth (or RQ-spline) flow over internal coordinates; save / load /
  :func:`pretrained_boltzmann_generator`; :func:`train_boltzmann_generator` (the flows' training loop).
- :func:`ramachandran`, :func:`basin_free_energies`, :func:`evaluate_boltzmann_generator` — analysis.
- :class:`EnergyForce` — batched energies and forces: eager, TorchInductor, or AOTInductor packages cached on disk.
- :func:`flow_force` — the flow as an OpenMM ``Force`` (U = −k_BT log p, kJ/mol; R replicas in one batch);
  :func:`run_md` — NVT → NVE, replicas integrated together, DCD trajectories.
- :func:`vibrational_frequencies` — normal-mode frequencies of a flow or an OpenMM System (the stiffest
  mode sets the largest stable time step).

OpenMM is imported lazily (``pip install 'statgen[md]'``).
"""

import importlib

# name -> submodule; imported on first access (PEP 562) so that `statgen md --help` and the
# top-level CLI do not pay for torch and OpenMM imports.
_SUBMODULE = {
    **dict.fromkeys(["BASINS", "amber_energies", "amber_forces", "basin_free_energies", "effective_sample_size", "evaluate_boltzmann_generator", "ramachandran",
                     "ramachandran_basins", "ramachandran_free_energy"], "analysis"),
    **dict.fromkeys(["MDData", "generate_md_data", "load_md_data"], "data"),
    **dict.fromkeys(["MDRun", "energy_statistics", "maxwell_boltzmann_velocities", "run_md"], "dynamics"),
    "vibrational_frequencies": "modes",
    **dict.fromkeys(["EnergyForce"], "evaluator"),
    **dict.fromkeys(["run_alanine_experiment"], "experiment"),
    **dict.fromkeys(["InternalCoordinates", "data_ranges"], "internal"),
    **dict.fromkeys(["BoltzmannGenerator", "alanine_couplings", "load_boltzmann_generator",
                     "pretrained_boltzmann_generator", "pretrained_starting_frames", "pretrained_study_results",
                     "save_boltzmann_generator"],
                    "model"),
    **dict.fromkeys(["FlowPotential", "ZeroPotential", "alanine_masses", "flow_force", "flow_system",
                     "flow_torch_force"], "potential"),
    **dict.fromkeys(["ALANINE_ZMATRIX", "PHI_ATOMS", "PSI_ATOMS", "alanine_dipeptide", "alanine_zmatrix", "kbt"],
                    "system"),
    **dict.fromkeys(["tail_configurations", "train_boltzmann_generator"], "training"),
    "ZMatrix": "zmatrix",
}
__all__ = sorted(_SUBMODULE)


def __getattr__(name: str):
    if name in _SUBMODULE:
        value = getattr(importlib.import_module(f"statgen.md.{_SUBMODULE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'statgen.md' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
