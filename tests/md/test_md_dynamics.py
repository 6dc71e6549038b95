"""NVT → NVE runs: drift and fluctuation on known traces, Amber's energy conservation, blow-up handling."""

import numpy as np
import pytest

pytest.importorskip("openmm")

from statgen.md.dynamics import energy_statistics, run_md  # noqa: E402


def test_energy_statistics_on_known_traces():
    t = np.linspace(0.0, 1.0, 101)
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(2, 101))
    noise -= noise.mean(1, keepdims=True)
    noise -= (noise @ (t - t.mean()))[:, None] * (t - t.mean()) / ((t - t.mean()) @ (t - t.mean()))
    total = np.array([3.0, -1.0])[:, None] * t + 5.0 + 0.2 * noise
    drift, fluct = energy_statistics(t, total)
    np.testing.assert_allclose(drift, [3.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(fluct, 0.2 * noise.std(1), rtol=1e-12)
    d, f = energy_statistics(t, np.full((1, 101), np.nan))
    assert np.isnan(d[0]) and np.isnan(f[0])


def test_amber_nve_conserves_energy(md_data):
    """Reference point for the flow's bound: Amber at 1 fs (no constraints) over 1 ps of NVE."""
    res = run_md("amber", md_data.positions[10], nvt_steps=100, nve_steps=1000, progress=False, seed=2)
    assert not res["blew_up"].any()
    assert res["fluctuation"][0] < 2.0 and abs(res["drift"][0]) < 2.0  # kJ/mol, kJ/mol/ps


class _Well:
    """U/k_BT = k |x − x0|², a harmonic well (k in 1/nm²) around a frame x0 (torch, differentiable)."""

    n_atoms = 22

    def __init__(self, x0, k=1e5):
        import torch

        self.x0, self.k = torch.as_tensor(x0), k

    def energy(self, x):
        return self.k * (x - self.x0.to(x)).pow(2).sum((1, 2))


def test_a_replica_that_blows_up_is_reported_and_the_others_run(md_data):
    """Replica 0 starts 0.5 nm up the well's wall (U ≈ 6e4 kJ/mol > blowup_energy): stopped at once and
    marked, its trace NaN, its drift NaN. Replica 1 of the same run starts at the bottom and runs."""
    x0 = md_data.positions[5]
    far = x0.copy()
    far[3, 0] += 0.5
    res = run_md(_Well(x0), np.stack([far, x0]), nvt_steps=0, nve_steps=20, report_every=10, blowup_energy=1e4,
                 progress=False)
    assert res["blew_up"].tolist() == [True, False]
    assert np.isnan(res["potential"][0]).all() and np.isnan(res["drift"][0])
    assert np.isfinite(res["total"][1]).all() and np.isfinite(res["drift"][1]) and res["fluctuation"][1] < 5.0
