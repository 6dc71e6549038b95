"""Analysis of alanine-dipeptide configurations: Ramachandran angles, basins, free energies, Amber
energies, and the validation metrics of a Boltzmann generator against MD frames.

Free energies are in k_BT: F(φ, ψ) = −log p(φ, ψ) on a histogram (shifted to min 0) and
F_b = −log P_b per basin b. Angles are in radians in [−π, π] (degrees are refused).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from statgen._checks import as_array, check_int, check_memory
from statgen.md.system import N_ATOMS, PHI_ATOMS, PSI_ATOMS
from statgen.md.zmatrix import dihedral

__all__ = ["ramachandran", "ramachandran_basins", "ramachandran_free_energy", "basin_free_energies",
           "amber_energies", "evaluate_boltzmann_generator", "effective_sample_size", "BASINS"]

#: Ramachandran basins (degrees): αL/C7ax for φ > 0; for φ ≤ 0, αR where −120° < ψ ≤ 50°, else β/PII/C5.
BASINS = ("beta", "alpha_R", "alpha_L")
_PI = math.pi * (1 + 1e-12)


def _frames(x, n_atoms: int, name: str = "x") -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if isinstance(x, str):
        raise TypeError(f"{name} must be an array of positions (n, {n_atoms}, 3) in nm, got the string {x!r}")
    x = as_array(x, name)
    if x.ndim != 3 or x.shape[1:] != (n_atoms, 3):
        raise ValueError(f"{name} must have shape (n, {n_atoms}, 3) in nm, got {x.shape}")
    return x


def ramachandran(x) -> tuple[np.ndarray, np.ndarray]:
    """(φ, ψ) in radians of alanine-dipeptide positions (n, 22, 3) nm (numpy or torch), φ = C-N-CA-C,
    ψ = N-CA-C-N (IUPAC sign convention)."""
    x = torch.as_tensor(_frames(x, N_ATOMS))
    phi = dihedral(*(x[:, i] for i in PHI_ATOMS))
    psi = dihedral(*(x[:, i] for i in PSI_ATOMS))
    bad = ~(torch.isfinite(phi) & torch.isfinite(psi))
    if bool(bad.any()):
        raise ValueError(f"x has {int(bad.sum())} frames where φ or ψ is undefined (coincident or collinear atoms)")
    return phi.numpy(), psi.numpy()


def _angles(phi, psi, *, allow_empty: bool = True) -> tuple[np.ndarray, np.ndarray]:
    phi = as_array(phi, "phi")
    psi = as_array(psi, "psi")
    if phi.shape != psi.shape:
        raise ValueError(f"psi must have the shape of phi {phi.shape}, got {psi.shape}")
    for name, a in (("phi", phi), ("psi", psi)):
        if a.size and np.abs(a).max() > _PI:
            raise ValueError(f"{name} must be in radians in [−π, π]; got values up to {np.abs(a).max():.4g} "
                             "(degrees? convert with numpy.radians)")
    if not allow_empty and not phi.size:
        raise ValueError("phi and psi are empty: need at least one configuration")
    return phi, psi


def _weights(weights, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = as_array(weights, "weights")
    if w.shape != (n,):
        raise ValueError(f"weights must have one entry per configuration ({n},), got {w.shape}")
    if (w < 0).any():
        raise ValueError(f"weights must be >= 0, got a minimum of {w.min():.4g}")
    if not w.sum() > 0:
        raise ValueError("weights sum to 0: no configuration carries weight")
    return w


def ramachandran_basins(phi, psi) -> np.ndarray:
    """Basin index (0 β, 1 αR, 2 αL, see :data:`BASINS`) of (φ, ψ) in radians in [−π, π]."""
    phi, psi = _angles(phi, psi)
    phi, psi = np.degrees(phi), np.degrees(psi)
    return np.where(phi > 0, 2, np.where((psi > -120) & (psi <= 50), 1, 0))


def ramachandran_free_energy(phi, psi, *, bins: int = 36, weights=None) -> np.ndarray:
    """F(φ, ψ) = −log p(φ, ψ) in k_BT on a ``bins``×``bins`` grid over [−π, π)², shifted to min 0;
    +inf in empty bins. ``weights`` (e.g. importance weights of flow samples, >= 0) are optional."""
    phi, psi = _angles(phi, psi, allow_empty=False)
    bins = check_int(bins, "bins", minimum=1)
    check_memory(8.0 * 4 * bins * bins, f"bins={bins} ({bins}² histogram cells)")
    w = _weights(weights, phi.size)
    h, _, _ = np.histogram2d(phi.ravel(), psi.ravel(), bins=bins, range=[[-np.pi, np.pi]] * 2, weights=w)
    with np.errstate(divide="ignore"):
        f = -np.log(h / h.sum())
    return f - f[np.isfinite(f)].min()


def basin_free_energies(phi, psi, *, weights=None) -> np.ndarray:
    """F_b = −log P_b in k_BT for the basins of :data:`BASINS` (P_b the fraction in basin b; +inf if empty).

    Differences F_b − F_b' are the basin free-energy differences; comparing F_b of flow samples
    with MD needs no choice of reference basin."""
    phi, psi = _angles(phi, psi, allow_empty=False)
    w = _weights(weights, phi.size)
    p = np.bincount(ramachandran_basins(phi, psi).ravel(), weights=w, minlength=3)
    with np.errstate(divide="ignore"):
        return -np.log(p / p.sum())


def amber_energies(x, *, platform: str = "Reference") -> np.ndarray:
    """Amber99SB-ILDN + OBC potential energies (kJ/mol) of configurations x (n, N, 3) nm, N the system's atoms.

    Raises ``ValueError`` when an energy is not finite (overlapping atoms)."""
    return _refuse_nonfinite(_amber_energies(x, platform), "the Amber energy is")


def amber_forces(x, *, platform: str = "Reference") -> np.ndarray:
    """Amber99SB-ILDN + OBC forces (n, N, 3) kJ/mol/nm of configurations x (n, N, 3) nm.

    Raises ``ValueError`` when a force is not finite (overlapping atoms)."""
    return _refuse_nonfinite(_amber_eval(x, platform, forces=True), "the Amber forces are")


def _refuse_nonfinite(out: np.ndarray, what: str) -> np.ndarray:
    """``out`` (one row per frame), or a ValueError naming the frames where ``what`` not finite."""
    bad = np.flatnonzero(~np.isfinite(out).all(axis=tuple(range(1, out.ndim))))
    if bad.size:
        raise ValueError(f"x: {what} not finite for {bad.size} of {len(out)} frames (first: frame "
                         f"{bad[0]}); overlapping atoms?")
    return out


def _amber_energies(x, platform: str = "Reference") -> np.ndarray:
    """Amber energies (kJ/mol), non-finite where OpenMM gives a non-finite energy (flow samples may clash)."""
    return _amber_eval(x, platform, forces=False)


def _amber_eval(x, platform: str, *, forces: bool) -> np.ndarray:
    """Amber energies (n,) kJ/mol or forces (n, N, 3) kJ/mol/nm of alanine dipeptide configurations."""
    from statgen.md.system import alanine_dipeptide

    _, system, _ = alanine_dipeptide()
    return system_eval(system, _frames(x, system.getNumParticles()), platform, forces=forces)


def system_eval(system, x: np.ndarray, platform: str, *, forces: bool) -> np.ndarray:
    """Energies (n,) kJ/mol or forces (n, N, 3) kJ/mol/nm of an OpenMM System at configurations x (n, N, 3) nm
    (shape already checked), one OpenMM call per configuration in one Context."""
    from statgen.md.data import get_platform
    from statgen.md.system import import_openmm

    openmm = import_openmm()
    unit = openmm.unit
    out = np.empty((len(x), *x.shape[1:]) if forces else len(x))
    if not len(x):
        return out
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), get_platform(platform))
    for i, xi in enumerate(x):
        ctx.setPositions(xi)
        if forces:
            f = ctx.getState(getForces=True).getForces(asNumpy=True)
            out[i] = f.value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
        else:
            out[i] = ctx.getState(getEnergy=True).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    return out


def effective_sample_size(log_weights) -> float:
    """Kish effective sample size (Σw)² / Σw² of importance weights w = exp(log_weights), as a fraction
    of the number of weights (1: all equal; 1/n: one sample carries everything). ``-inf`` entries are
    zero weights; NaN is refused; all zero gives 0."""
    lw = as_array(log_weights, "log_weights", ndim=1, finite=False)
    if np.isnan(lw).any() or np.isposinf(lw).any():
        raise ValueError("log_weights must not contain NaN or +inf (a zero weight is -inf)")
    if not lw.size:
        raise ValueError("log_weights is empty: need at least one weight")
    if not np.isfinite(lw).any():
        return 0.0
    w = np.exp(lw - lw[np.isfinite(lw)].max())
    return float(w.sum() ** 2 / (w * w).sum() / lw.size)


def evaluate_boltzmann_generator(model, positions, forces=None, *, temperature: float = 300.0,
                                 n_samples: int = 1000, batch_size: int = 512, seed: int = 0,
                                 bins: int = 36) -> dict[str, np.ndarray | float]:
    """Validation metrics of a Boltzmann generator against MD frames.

    Parameters
    ----------
    positions : (n, N, 3) nm validation frames; forces : (n, N, 3) reference forces in k_BT/nm.
    temperature : K (> 0; k_BT = RT converts the OpenMM energies).
    n_samples : flow samples for the reverse KL and the Ramachandran plot (>= 1).

    Returns
    -------
    dict with
    ``nll`` : mean −log p_x over the frames (nats; density per nm^{3N−6}, see :mod:`statgen.md.zmatrix`);
    ``force_mse`` : mean over frames, atoms and xyz of (F_flow − F_MD)² in (k_BT/nm)²;
    ``reverse_kl`` : mean_{x~q}[log q(x) + U_amber(x)/k_BT], the reverse KL up to the constant −log Z
    (over the samples whose Amber energy is finite);
    ``ess`` : :func:`effective_sample_size` of the importance weights w = exp(−U_amber/k_BT − log q) of the
    samples (a sample with a non-finite Amber energy has weight 0), as a fraction of ``n_samples``;
    ``phi_md, psi_md, phi_flow, psi_flow`` : dihedrals (rad); ``fes_md, fes_flow`` (bins, bins) in k_BT;
    ``basin_df_md, basin_df_flow`` (3,) F_b = −log P_b of :data:`BASINS` (k_BT); ``fes_mae`` : mean |F_flow − F_MD − c|
    over bins populated by both, c the mean difference (free energies are defined up to a constant; k_BT).
    """
    from statgen.flows.losses import check_model
    from statgen.md.system import kbt

    check_model(model, "log_prob", "energy", "force", "sample_and_log_prob")
    k = kbt(temperature)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    bins = check_int(bins, "bins", minimum=1)
    x = model.check_input(positions, "positions") if hasattr(model, "check_input") else torch.as_tensor(positions)
    if not len(x):
        raise ValueError("positions is empty: need at least one validation frame")
    f_all = None
    if forces is not None:
        f_all = model.check_input(forces, "forces")
        if f_all.shape != x.shape:
            raise ValueError(f"forces must have the shape of positions {tuple(x.shape)}, got {tuple(f_all.shape)}")
    nll, fmse = 0.0, 0.0
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]
        if f_all is not None:
            fmse += float(((model.force(xb) - f_all[i:i + batch_size]) ** 2).sum())
        with torch.no_grad():
            nll += float(model.energy(xb).sum())
    out: dict = {"nll": nll / len(x), "force_mse": fmse / f_all.numel() if f_all is not None else float("nan")}
    gen = torch.Generator(device=x.device).manual_seed(seed)
    with torch.no_grad():
        xs, log_q = model.sample_and_log_prob(n_samples, generator=gen)
    u = _amber_energies(xs) / k
    ok = np.isfinite(u) & np.isfinite(log_q.cpu().numpy())
    lq = log_q.cpu().numpy()
    out["reverse_kl"] = float(np.mean(lq[ok] + u[ok])) if ok.any() else float("inf")
    out["ess"] = effective_sample_size(np.where(ok, -u - lq, -np.inf))
    out["phi_md"], out["psi_md"] = ramachandran(x)
    out["phi_flow"], out["psi_flow"] = ramachandran(xs)
    out["fes_md"] = ramachandran_free_energy(out["phi_md"], out["psi_md"], bins=bins)
    out["fes_flow"] = ramachandran_free_energy(out["phi_flow"], out["psi_flow"], bins=bins)
    both = np.isfinite(out["fes_md"]) & np.isfinite(out["fes_flow"])
    diff = out["fes_flow"][both] - out["fes_md"][both]
    out["fes_mae"] = float(np.mean(np.abs(diff - diff.mean()))) if both.any() else np.nan  # aligned up to a constant
    out["basin_df_md"] = basin_free_energies(out["phi_md"], out["psi_md"])
    out["basin_df_flow"] = basin_free_energies(out["phi_flow"], out["psi_flow"])
    return out
