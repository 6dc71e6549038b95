"""Training: NLL, force matching and reverse KL each recover a known circular density;
checkpoints resume to the uninterrupted result."""

import math

import numpy as np
import pytest
import torch

from statgen.flows import FlowTrainer, SmoothFlow, train_flow

F64 = torch.float64
KAPPA, MU = 2.0, 0.3


def von_mises_log_density(x):
    """log p(x) on [0, 1): p ∝ exp(κ cos 2π(x − μ)), normaliser 1 / I₀(κ) (per unit length)."""
    return KAPPA * torch.cos(2 * math.pi * (x - MU)) - math.log(float(np.i0(KAPPA)))


def von_mises_force(x):
    return -2 * math.pi * KAPPA * torch.sin(2 * math.pi * (x - MU))


def new_flow(seed=0, layers=2):
    torch.manual_seed(seed)
    return SmoothFlow(["circle"], layers=layers, components=8, hidden=(8,), dtype=F64)


@pytest.mark.parametrize("objective", ["nll", "fm", "kl"])
def test_each_objective_recovers_von_mises(objective):
    rng = np.random.default_rng(0)
    n = 4096
    if objective == "nll":
        x = np.mod(rng.vonmises(0.0, KAPPA, n) / (2 * math.pi) + MU, 1.0)[:, None]
        kw = dict(w_nll=1.0)
    elif objective == "fm":  # forces at uniform points fix log p up to a constant; normalization fixes the rest
        x = rng.random((n, 1))
        kw = dict(w_nll=0.0, w_fm=1.0, forces=von_mises_force(torch.as_tensor(x)))
    else:
        x = rng.random((64, 1))  # unused by the KL term, sets the number of steps per epoch
        kw = dict(w_nll=0.0, w_kl=1.0, energy_fn=lambda v: -KAPPA * torch.cos(2 * math.pi * (v[:, 0] - MU)),
                  kl_batch=256)
    flow = new_flow(layers=1)
    epochs, bs = {"nll": (30, 256), "fm": (50, 256), "kl": (300, 64)}[objective]
    hist = train_flow(flow, x, epochs=epochs, batch_size=bs, lr=2e-2, progress=False, **kw)
    assert hist["loss"][-1] < hist["loss"][0]
    g = ((torch.arange(1000, dtype=F64) + 0.5) / 1000)[:, None]
    with torch.no_grad():
        log_q = flow.log_prob(g)
    log_p = von_mises_log_density(g[:, 0])
    kl_pq = float((log_p.exp() * (log_p - log_q)).mean())  # midpoint quadrature
    kl_qp = float((log_q.exp() * (log_q - log_p)).mean())
    # reference: the entropy-scale is 0.57 nats; a 4096-sample fit of ~40 parameters is ~0.005 off
    assert kl_pq < 0.01 and kl_qp < 0.01, (kl_pq, kl_qp)


@pytest.mark.parametrize("with_tail", [False, True])
def test_checkpoint_resume_reproduces_uninterrupted_run(tmp_path, monkeypatch, with_tail):
    x = np.random.default_rng(1).random((200, 1))
    forces = torch.zeros(200, 1, dtype=F64)
    kw = dict(epochs=3, batch_size=32, lr=1e-2, w_fm=0.1, forces=forces, progress=False, seed=4, checkpoint_every=3)
    if with_tail:  # the tail batches are drawn per step from their own seed stream: resumed runs draw the same
        xt = np.random.default_rng(2).random((50, 1))
        kw |= dict(w_tail=0.05, tail=(xt, von_mises_force(torch.as_tensor(xt))))

    ref_flow = new_flow(2)
    ref = train_flow(ref_flow, x, **kw)

    flow = new_flow(2)
    ckpt = tmp_path / "ck.pt"
    real_step, calls = torch.optim.Adam.step, {"n": 0}

    def interrupted_step(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 12:  # mid-epoch 2 (7 steps per epoch); last checkpoint after step 3 of epoch 2
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(torch.optim.Adam, "step", interrupted_step)
    with pytest.raises(KeyboardInterrupt):
        train_flow(flow, x, checkpoint=ckpt, **kw)
    monkeypatch.setattr(torch.optim.Adam, "step", real_step)
    assert ckpt.exists()
    flow = new_flow(99)  # a fresh process would rebuild the model: the checkpoint restores everything
    hist = train_flow(flow, x, checkpoint=ckpt, **kw)
    for a, b in zip(ref_flow.parameters(), flow.parameters(), strict=True):
        assert torch.equal(a, b)
    np.testing.assert_allclose(hist["loss"], ref["loss"], rtol=1e-12)
    # a finished run just reloads
    again = train_flow(flow, x, checkpoint=ckpt, **kw)
    np.testing.assert_array_equal(again["loss"], hist["loss"])


def test_training_argument_checks():
    flow = new_flow()
    x = np.full((10, 1), 0.5)
    with pytest.raises(ValueError, match="forces"):
        train_flow(flow, x, w_fm=1.0, progress=False)
    with pytest.raises(ValueError, match="energy_fn"):
        train_flow(flow, x, w_kl=1.0, progress=False)
    with pytest.raises(ValueError, match="box"):
        train_flow(flow, x + 1.0, progress=False)
    with pytest.raises(ValueError, match="w_nll"):
        train_flow(flow, x, w_nll=-1.0, progress=False)
    with pytest.raises(ValueError, match="forces must have exactly the shape of x"):
        train_flow(flow, x, w_fm=1.0, forces=np.zeros((10, 2)), progress=False)


def test_steps_and_epochs_are_one_loop_and_history_has_one_schema():
    """epochs=E and steps=E·⌈N/B⌉ run the same loop; a partial last batch is part of every epoch."""
    x = np.random.default_rng(2).random((70, 1))
    kw = dict(batch_size=32, lr=1e-2, seed=5, progress=False)
    a, b = new_flow(3), new_flow(3)
    ta = FlowTrainer(epochs=2, **kw).fit(a, x)
    tb = FlowTrainer(steps=6, **kw).fit(b, x)
    assert ta.steps_per_epoch_ == 3 and ta.n_steps_ == tb.n_steps_ == 6
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert set(ta.history_) == {"step", "epoch", "loss", "nll", "force_mse", "reverse_kl", "tail_force_mse",
                                "val_step", "val_nll", "val_force_mse"}
    np.testing.assert_array_equal(ta.history_["step"], np.arange(1, 7))
    np.testing.assert_array_equal(ta.history_["epoch"], [0, 0, 0, 1, 1, 1])
    assert np.isnan(ta.history_["force_mse"]).all() and np.isnan(ta.history_["reverse_kl"]).all()
    assert np.isnan(ta.history_["tail_force_mse"]).all()
    # the first step's NLL is that of the untouched flow on the first batch of the documented permutation
    perm = torch.randperm(70, generator=torch.Generator().manual_seed(
        int(np.random.SeedSequence([5, 0, 0]).generate_state(1)[0])))
    with torch.no_grad():
        want = float(-new_flow(3).log_prob(torch.as_tensor(x[perm[:32].numpy()])).mean())
    assert ta.history_["nll"][0] == pytest.approx(want, rel=1e-12)


def test_validation_score_clone_and_resume_settings(tmp_path):
    rng = np.random.default_rng(4)
    x, xv = rng.random((64, 1)), rng.random((40, 1))
    fv = rng.normal(size=(40, 1))
    trainer = FlowTrainer(epochs=2, batch_size=16, lr=1e-2, validate_every=3, progress=False)
    flow = new_flow(6)
    trainer.fit(flow, x, validation=(xv, fv))
    h = trainer.history_
    np.testing.assert_array_equal(h["val_step"], [3, 4, 6, 8])  # every 3 steps and at every epoch end (4 steps)
    # the last validation is the trained model on the held-out data: mean −log p and the force MSE
    assert h["val_nll"][-1] == pytest.approx(-trainer.score(xv), rel=1e-12)
    with torch.no_grad():
        assert trainer.score(xv) == pytest.approx(float(flow.log_prob(torch.as_tensor(xv)).mean()), rel=1e-12)
    assert h["val_force_mse"][-1] == pytest.approx(float(((flow.force(torch.as_tensor(xv)) - torch.as_tensor(fv)) ** 2)
                                                         .mean()), rel=1e-12)
    # clone: same configuration, unfitted; refitting a fresh model with it reproduces the run
    twin = trainer.clone()
    assert twin.get_params() == trainer.get_params() and not hasattr(twin, "model_")
    other = new_flow(6)
    twin.fit(other, x, validation=(xv, fv))
    np.testing.assert_array_equal(twin.history_["loss"], h["loss"])
    # a checkpoint resumes only the run that wrote it
    ck = tmp_path / "ck.pt"
    FlowTrainer(epochs=1, batch_size=16, checkpoint=ck, progress=False).fit(new_flow(7), x)
    with pytest.raises(ValueError, match="batch_size: 16 then, 32 now"):
        FlowTrainer(epochs=2, batch_size=32, checkpoint=ck, progress=False).fit(new_flow(7), x)
    with pytest.raises(ValueError, match="n_data: 64 then, 40 now"):
        FlowTrainer(epochs=2, batch_size=16, checkpoint=ck, progress=False).fit(new_flow(7), xv)
    with pytest.raises(ValueError, match=r"data \(same size, other values\)"):
        FlowTrainer(epochs=2, batch_size=16, checkpoint=ck, progress=False).fit(new_flow(7), x[::-1] * 0.5)
    with pytest.raises(ValueError, match="give epochs or steps, not both"):
        FlowTrainer(epochs=1, steps=3).fit(new_flow(), x)


KILL_SCRIPT = """
import sys
import numpy as np
import torch
torch.set_num_threads(1)
from statgen.flows import SmoothFlow, train_flow
x = np.random.default_rng(1).random((600, 2))
torch.manual_seed(0)
flow = SmoothFlow(["circle", "interval"], layers=2, components=4, hidden=(16,), dtype=torch.float64)
train_flow(flow, x, epochs=8, batch_size=20, lr=1e-2, w_fm=0.1, forces=np.zeros((600, 2)), seed=3,
           checkpoint=sys.argv[1], checkpoint_every=2, progress=False)
"""


@pytest.mark.slow
def test_kill9_at_a_random_point_then_resume_reproduces_the_uninterrupted_run(tmp_path, monkeypatch):
    """SIGKILL a training process at a random step, restart it: the same parameters and history as a
    run that was never interrupted, and no partial file left beside the checkpoint."""
    from statgen.flows import load_checkpoint
    from tests.kill9 import kill_at_random_point, leftovers, python, run

    ref_path, path = tmp_path / "ref" / "flow.pt", tmp_path / "run" / "flow.pt"
    monkeypatch.setattr("sys.argv", ["-c", str(ref_path)])
    exec(KILL_SCRIPT, {"__name__": "reference"})  # the uninterrupted run, in this process
    delay = kill_at_random_point(python(KILL_SCRIPT, path), path.exists, np.random.default_rng(), max_delay=1.0)
    killed_at = load_checkpoint(path)["step"]
    run(python(KILL_SCRIPT, path))
    ref, got = load_checkpoint(ref_path), load_checkpoint(path)
    assert got["step"] == ref["step"] == 240 and 0 < killed_at < 240, (killed_at, delay)
    for k, v in ref["state_dict"].items():
        assert torch.equal(got["state_dict"][k], v), k
    assert got["history"].keys() == ref["history"].keys()
    for k, v in ref["history"].items():  # NaN marks terms that are off: compare as arrays (NaN == NaN)
        np.testing.assert_array_equal(np.asarray(got["history"][k], float), np.asarray(v, float), err_msg=k)
    assert leftovers(tmp_path) == []


def test_lr_decay_is_pytorch_steplr_per_epoch_and_resumes(tmp_path):
    """lr_decay = γ trains exactly as Adam + StepLR(step_size=1 epoch, γ) with the documented batch order,
    also when the run is split in two calls through a checkpoint (the schedule depends on the step only)."""
    x = np.random.default_rng(6).random((70, 1))
    kw = dict(batch_size=32, lr=1e-2, lr_decay=0.5, seed=5, progress=False)
    a = new_flow(3)
    FlowTrainer(epochs=3, **kw).fit(a, x)
    split = new_flow(3)
    ckpt = tmp_path / "decay.pt"
    FlowTrainer(epochs=1, checkpoint=ckpt, **kw).fit(split, x)
    FlowTrainer(epochs=3, checkpoint=ckpt, **kw).fit(new_flow(99), x)
    split_trained = new_flow(99)
    FlowTrainer(epochs=3, checkpoint=ckpt, **kw).fit(split_trained, x)  # finished: reloads

    b = new_flow(3)
    opt = torch.optim.Adam(b.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    xt = torch.as_tensor(x)
    for epoch in range(3):
        perm = torch.randperm(70, generator=torch.Generator().manual_seed(
            int(np.random.SeedSequence([5, 0, epoch]).generate_state(1)[0])))
        for k in range(3):
            loss = -b.log_prob(xt[perm[k * 32:(k + 1) * 32]]).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
    for pa, pb, ps in zip(a.parameters(), b.parameters(), split_trained.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=1e-12, atol=1e-14)
        assert torch.equal(pa, ps)
    # a different decay is a different run: resuming it from this checkpoint is refused
    with pytest.raises(ValueError, match="lr_decay"):
        FlowTrainer(epochs=4, checkpoint=ckpt, **(kw | {"lr_decay": 0.7})).fit(new_flow(3), x)
    with pytest.raises(ValueError, match="lr_decay"):
        FlowTrainer(epochs=1, **(kw | {"lr_decay": 1.5})).fit(new_flow(3), x)


GAUSS_MEAN, GAUSS_SD = 0.5, 0.1


def _gauss_force(x):
    return -(x - GAUSS_MEAN) / GAUSS_SD**2


def test_tail_term_of_the_first_step_is_the_force_error_on_the_documented_tail_batch():
    rng = np.random.default_rng(3)
    x, xt = rng.random((40, 1)), rng.random((30, 1))
    ft = _gauss_force(xt)
    tr = FlowTrainer(w_nll=1.0, w_tail=0.5, steps=1, batch_size=16, seed=7, progress=False)
    tr.fit(new_flow(5), x, tail=(xt, ft))
    g = torch.Generator().manual_seed(int(np.random.SeedSequence([7, 2, 0]).generate_state(1)[0]))
    it = torch.randint(30, (16,), generator=g)
    xb = torch.as_tensor(xt[it.numpy()]).requires_grad_(True)
    (f,) = torch.autograd.grad(new_flow(5).log_prob(xb).sum(), xb)
    want = float(((f - torch.as_tensor(ft[it.numpy()])) ** 2).mean())
    h = tr.history_
    assert h["tail_force_mse"][0] == pytest.approx(want, rel=1e-12)
    assert h["loss"][0] == pytest.approx(h["nll"][0] + 0.5 * want, rel=1e-12)


def test_tail_force_matching_teaches_the_density_beyond_the_data():
    """Gaussian data (σ = 0.1) on [0, 1]: NLL alone leaves the density beyond 3σ unconstrained (its force there
    is ~unrelated to the Gaussian's, relative RMS error ~1); forces at off-data configurations fix it."""
    rng = np.random.default_rng(0)
    x = rng.normal(GAUSS_MEAN, GAUSS_SD, 4000)
    x = x[(x > 0) & (x < 1)][:, None]
    xt = np.concatenate([rng.uniform(0.05, 0.2, 500), rng.uniform(0.8, 0.95, 500)])[:, None]
    grid = torch.as_tensor(np.concatenate([np.linspace(0.06, 0.19, 50), np.linspace(0.81, 0.94, 50)])[:, None])
    exact_nll = 0.5 * math.log(2 * math.pi * GAUSS_SD**2) + 0.5
    errors, nlls = {}, {}
    for w_tail in (0.0, 1e-2):
        torch.manual_seed(0)
        flow = SmoothFlow(["interval"], layers=1, components=8, hidden=(8,), dtype=F64)
        train_flow(flow, x, epochs=30, batch_size=256, lr=2e-2, progress=False, w_tail=w_tail,
                   tail=(xt, _gauss_force(xt)) if w_tail else None)
        g = grid.clone().requires_grad_(True)
        (f,) = torch.autograd.grad(flow.log_prob(g).sum(), g)
        fg = _gauss_force(grid)
        errors[w_tail] = float(((f - fg) ** 2).mean().sqrt() / (fg**2).mean().sqrt())
        with torch.no_grad():
            nlls[w_tail] = float(-flow.log_prob(torch.as_tensor(x)).mean())
    assert errors[0.0] > 0.5 and errors[1e-2] < 0.15, errors
    assert abs(nlls[1e-2] - exact_nll) < 0.15 and abs(nlls[0.0] - exact_nll) < 0.03, (nlls, exact_nll)


def test_tail_argument_checks(tmp_path):
    flow = new_flow()
    x = np.full((10, 1), 0.5)
    xt = np.full((4, 1), 0.2)
    with pytest.raises(ValueError, match="tail must be given when w_tail > 0"):
        train_flow(flow, x, w_tail=1.0, progress=False)
    with pytest.raises(TypeError, match="tail must be a pair"):
        train_flow(flow, x, w_tail=1.0, tail=xt, progress=False)
    with pytest.raises(ValueError, match="tail: tail forces must have exactly the shape"):
        train_flow(flow, x, w_tail=1.0, tail=(xt, np.zeros((4, 2))), progress=False)
    with pytest.raises(ValueError, match="tail: .*box"):
        train_flow(flow, x, w_tail=1.0, tail=(xt + 1.0, np.zeros((4, 1))), progress=False)
    with pytest.raises(ValueError, match="tail: tail positions is empty"):
        train_flow(flow, x, w_tail=1.0, tail=(np.zeros((0, 1)), np.zeros((0, 1))), progress=False)
    with pytest.raises(ValueError, match="w_tail"):
        train_flow(flow, x, w_tail=-1.0, tail=(xt, np.zeros((4, 1))), progress=False)
    ck = tmp_path / "ck.pt"
    train_flow(new_flow(), x, epochs=1, w_tail=0.1, tail=(xt, np.zeros((4, 1))), checkpoint=ck, progress=False)
    with pytest.raises(ValueError, match="w_tail: 0.1 then, 0.2 now"):
        train_flow(new_flow(), x, epochs=2, w_tail=0.2, tail=(xt, np.zeros((4, 1))), checkpoint=ck, progress=False)
    with pytest.raises(ValueError, match=r"tail \(same size, other values or order\)"):
        train_flow(new_flow(), x, epochs=2, w_tail=0.1, tail=(xt, np.ones((4, 1))), checkpoint=ck, progress=False)
    with pytest.raises(ValueError, match="tail is given but w_tail = 0"):
        train_flow(new_flow(), x, tail=(xt, np.zeros((4, 1))), progress=False)
    # forces that sum to the same value (scaled zero-sum forces, a reordered set) are still another tail set
    xs = np.linspace(0.1, 0.9, 4)[:, None]
    fs = np.array([[1.0], [-1.0], [2.0], [-2.0]])
    ck2 = tmp_path / "ck2.pt"
    train_flow(new_flow(), x, epochs=1, w_tail=0.1, tail=(xs, fs), checkpoint=ck2, progress=False)
    for other in ((xs, 40 * fs), (xs[::-1], fs[::-1])):
        with pytest.raises(ValueError, match="tail .same size, other values or order"):
            train_flow(new_flow(), x, epochs=2, w_tail=0.1, tail=other, checkpoint=ck2, progress=False)


def test_a_checkpoint_from_before_the_tail_term_resumes(tmp_path):
    """Checkpoints written before w_tail existed have no such setting and no tail_force_mse history."""
    from statgen.flows.checkpoint import load_checkpoint, save_checkpoint_atomic

    x = np.random.default_rng(6).random((40, 1))
    kw = dict(batch_size=16, lr=1e-2, seed=2, progress=False)
    ref = new_flow(4)
    FlowTrainer(steps=6, **kw).fit(ref, x)
    ck = tmp_path / "old.pt"
    FlowTrainer(steps=3, checkpoint=ck, **kw).fit(new_flow(4), x)
    old = load_checkpoint(ck)
    del old["trainer"]["w_tail"], old["history"]["tail_force_mse"]
    save_checkpoint_atomic(ck, old)
    flow = new_flow(9)
    tr = FlowTrainer(steps=6, checkpoint=ck, **kw).fit(flow, x)
    for a, b in zip(ref.parameters(), flow.parameters(), strict=True):
        assert torch.equal(a, b)
    assert len(tr.history_["tail_force_mse"]) == 6 and np.isnan(tr.history_["tail_force_mse"]).all()
