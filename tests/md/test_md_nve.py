"""The packaged smooth + force-matching flow as the only MD force: physics of its forces, NVE stability."""

import math

import numpy as np
import pytest

pytest.importorskip("openmm")

from statgen.md import kbt, pretrained_boltzmann_generator, pretrained_starting_frames, run_md  # noqa: E402


def test_pretrained_forces_match_amber():
    """Force matching worked: on its frames the flow's forces explain > 80 % of the Amber force variance."""
    import openmm

    from statgen.md import alanine_dipeptide

    model = pretrained_boltzmann_generator()
    x = pretrained_starting_frames()
    _, system, _ = alanine_dipeptide()
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    ref = []
    for xi in x:
        ctx.setPositions(xi)
        ref.append(ctx.getState(getForces=True).getForces(asNumpy=True)._value / kbt(300.0))
    ref = np.array(ref)  # k_BT/nm
    f = model.force(x).numpy()
    mse, ms = np.mean((f - ref) ** 2), np.mean(ref**2)
    assert mse < 0.2 * ms, (mse, ms)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["smooth", "smooth_fm"])
def test_smooth_flow_nve_conserves_energy_over_1ps(kind):
    """1 ps of velocity-Verlet NVE (1 fs) with U = −k_BT log p_flow as the only force, 300 K velocities,
    for each shipped smooth model, from its first 4 packaged starting frames (held-out MD frames).

    Bound: σ_K = sqrt(3N/2) k_BT = 14.3 kJ/mol (N = 22) is the canonical kinetic-energy fluctuation,
    the scale that non-conservative, discontinuous or blown-up dynamics reach within a ps (the C¹
    spline flow: ~1e8 kJ/mol in the paper). A smooth conservative force integrated by velocity Verlet
    keeps a bounded shadow-energy error, ≈ Σ_modes (ω dt)²/8 k_BT ≈ 0.4 kJ/mol for Amber-like X–H
    stretches (ω ≈ 0.6/fs); Amber itself gives 0.2–0.4 kJ/mol. We require fluctuation about the
    linear trend < σ_K / 2 and energy change over the ps, |drift| · 1 ps, < σ_K. NVE only (no
    Langevin phase), so the run is deterministic.

    History: the earlier packaged model (1 ns of data, 1200 steps) failed this bound on one replica
    (drift 21 kJ/mol/ps). Cause, measured: not a wrong force (along the worst steps ΔU equals the
    line integral of the force to 1e-5 kJ/mol, and the energy is smooth there) but stiffness — that
    flow had regions with a largest mass-weighted Hessian frequency ω ≈ 1.45/fs (Amber at equilibrium:
    0.62/fs), so ω·dt approached velocity Verlet's stability limit 2; the same replica at 0.5 / 0.25 fs
    drifted 16.9 / −0.30 kJ/mol/ps. A model trained on more data is the fix, not a looser bound.

    The smooth + FM model shipped before this one (100 ns, w_fm 2e-4) failed here from its starting
    frame 2 (total energy 38 kJ/mol up after 10 fs at 1 fs, stable at 0.5 fs): stiff X–H stretches of
    the flow's own bond densities, whose curvature swings to ±3× Amber's C–H force constant a few σ
    out, sharper with more force-matching weight. The current one (w_fm 5e-5) passes.
    """
    model = pretrained_boltzmann_generator(kind)
    x = pretrained_starting_frames(kind)[:4]
    res = run_md(model, x, nvt_steps=0, nve_steps=1000, report_every=10, seed=0, progress=False)
    sigma_k = math.sqrt(3 * 22 / 2) * kbt(300.0)
    assert sigma_k == pytest.approx(14.33, abs=0.01)
    assert not res["blew_up"].any()
    assert np.all(res["fluctuation"] < sigma_k / 2), res["fluctuation"]
    assert np.all(np.abs(res["drift"]) * 1.0 < sigma_k), res["drift"]
    # the kinetic energy stays thermal: NVE mean within a factor 2 of (3N/2) k_BT (82 kJ/mol)
    kin = res["kinetic"][:, res["nve"]].mean(1)
    assert np.all((kin > 0.5 * 33 * kbt(300.0)) & (kin < 2 * 33 * kbt(300.0))), kin
