"""One training loop for every density with ``log_prob``: NLL, force matching and reverse KL.

Loss per optimizer step (energies in k_BT; the terms of :mod:`statgen.flows.losses`):

    L = w_nll · NLL + w_fm · FM + w_kl · KL + w_tail · FM_tail,
    FM = mean over the batch's samples and coordinates of (F_θ − F_ref)²   ((k_BT/length)²)

FM_tail is the same force error on a second set of configurations, ``tail = (x_tail, F_tail)``, that
are *not* samples of the target density (e.g. perturbed data frames with their reference forces):
they enter no likelihood term. NLL leaves a flow's density beyond the data unconstrained (a flat
floor there, where an MD run under the flow's energy finds no restoring force); forces at such
configurations teach the flow the tails. Each step draws ``batch_size`` of them with replacement.

Adam (Kingma & Ba 2015, arXiv:1412.6980) with optional weight decay and gradient-norm clipping; the
learning rate of epoch e is lr · lr_decay^e (PyTorch's StepLR with one-epoch steps, as in the paper's
code with lr_decay = 0.7; a pure function of the step, so a resumed run follows the same schedule).
The length of a run is given in epochs (passes over the data) or in optimizer steps; an epoch is
⌈N / batch_size⌉ steps, its batches the consecutive slices of a permutation of the N samples.

Seeds. Everything random is a pure function of ``seed`` and the position in the run, so an
interrupted and resumed run reproduces the uninterrupted one exactly:

    batch order of epoch e:       torch.randperm(N, generator=G(s_perm(e)))
    reverse-KL samples of step t: z ~ U[0, 1]^d with generator G(s_kl(t))
    tail batch of step t:         torch.randint(N_tail, (batch_size,), generator=G(s_tail(t)))
    (t = 0, 1, … counts optimizer steps from 0; the history's ``step`` of that step is t + 1)
    s_·(k) = numpy.random.SeedSequence([seed, stream, k]).generate_state(1)[0]   (stream 0: batches, 1: KL, 2: tail)

History: one entry per optimizer step under the keys ``step`` (1, 2, …), ``epoch`` (0-based epoch
of the step), ``loss``, ``nll``, ``force_mse``, ``reverse_kl``, ``tail_force_mse`` (NaN where a term is not computed),
and one entry per validation under ``val_step``, ``val_nll``, ``val_force_mse``.

Checkpoints (format of :mod:`statgen.flows.checkpoint`) are written atomically every
``checkpoint_every`` steps, at the end of every epoch and at the end; calling ``fit`` again with the
same ``checkpoint`` resumes from it (the settings that define the trajectory must match).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from statgen._checks import check_bool, check_int, check_nonnegative, check_positive
from statgen._estimator import Estimator
from statgen._progress import progress_bar
from statgen.flows.checkpoint import (
    TRAINING_FORMAT,
    check_plain_data,
    load_checkpoint,
    remove_stale_temporaries,
    save_checkpoint_atomic,
)
from statgen.flows.losses import (
    _as_batch,
    _as_forces,
    check_energy_fn,
    check_model,
    energy_of,
    log_prob_and_force,
)

__all__ = ["FlowTrainer", "train_flow", "HISTORY_KEYS", "stream_seed"]

HISTORY_KEYS = ("step", "epoch", "loss", "nll", "force_mse", "reverse_kl", "tail_force_mse")
VALIDATION_KEYS = ("val_step", "val_nll", "val_force_mse")
#: trainer settings that define the trajectory: a resumed run must use the same ones
_TRAJECTORY = ("w_nll", "w_fm", "w_kl", "w_tail", "batch_size", "kl_batch", "lr", "lr_decay", "weight_decay", "clip_grad",
               "seed")


def support_mask(model, x: torch.Tensor, batch: int = 4096) -> torch.Tensor:
    """(n,) bool: where ``model.log_prob(x)`` is finite (x inside the model's support), in batches, no graph."""
    with torch.no_grad():
        return torch.cat([torch.isfinite(model.log_prob(x[i:i + batch])).cpu() for i in range(0, len(x), batch)])


def _digest(*tensors: torch.Tensor) -> str:
    """SHA-256 of the float64 values of ``tensors`` in order: a resumed run must see the same tail set."""
    import hashlib

    h = hashlib.sha256()
    for t in tensors:
        h.update(t.detach().to("cpu", torch.float64).contiguous().numpy().tobytes())
    return h.hexdigest()


def stream_seed(seed: int, stream: int, index: int) -> int:
    """s = SeedSequence([seed, stream, index]).generate_state(1)[0]: independent seeds per stream and index."""
    return int(np.random.SeedSequence([int(seed), int(stream), int(index)]).generate_state(1)[0])


class FlowTrainer(Estimator):
    """Adam on w_nll·NLL + w_fm·FM + w_kl·KL for any model with ``log_prob`` (module docstring).

    Parameters
    ----------
    w_nll, w_fm, w_kl, w_tail : loss weights (>= 0, not all 0). FM needs ``forces``, KL ``energy_fn``
        and a model with ``sample_and_log_prob``, the tail term ``tail`` (:meth:`fit`).
    epochs, steps : length of the run, in passes over the data or in optimizer steps (give at most
        one; neither: 10 epochs). A resumed run continues up to this length.
    batch_size : samples per step; kl_batch : samples per reverse-KL estimate (default batch_size).
    lr, weight_decay : Adam's learning rate and L2 weight decay; clip_grad : max gradient norm or None.
    lr_decay : factor in (0, 1] applied to the learning rate after every epoch (1: constant).
    seed : the seed of the batch order and of the reverse-KL samples (module docstring).
    checkpoint : file path; resumes from it when it exists. checkpoint_every : steps between
        checkpoints (besides the end of every epoch and of the run), or None. One process per
        checkpoint file: a start removes the temporary files a killed run left beside it.
    validate_every : steps between validations (besides the end of every epoch), or None.
    progress : show a progress bar (silent off a terminal).

    Attributes (after ``fit``)
    --------------------------
    model_ : the trained model (the one passed to ``fit``, trained in place).
    history_ : dict of numpy arrays (module docstring). n_steps_ : optimizer steps done in all.
    steps_per_epoch_ : ⌈N / batch_size⌉.
    """

    def __init__(self, *, w_nll: float = 1.0, w_fm: float = 0.0, w_kl: float = 0.0, w_tail: float = 0.0,
                 epochs: int | None = None,
                 steps: int | None = None, batch_size: int = 128, kl_batch: int | None = None, lr: float = 5e-4,
                 lr_decay: float = 1.0, weight_decay: float = 0.0, clip_grad: float | None = None, seed: int = 0,
                 checkpoint: str | os.PathLike | None = None, checkpoint_every: int | None = 500,
                 validate_every: int | None = None, progress: bool = True):
        self.w_nll = w_nll
        self.w_fm = w_fm
        self.w_kl = w_kl
        self.w_tail = w_tail
        self.epochs = epochs
        self.steps = steps
        self.batch_size = batch_size
        self.kl_batch = kl_batch
        self.lr = lr
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.clip_grad = clip_grad
        self.seed = seed
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every
        self.validate_every = validate_every
        self.progress = progress

    # -- validation ------------------------------------------------------------------------------
    def _settings(self) -> dict:
        s = {name: check_nonnegative(getattr(self, name), name) for name in ("w_nll", "w_fm", "w_kl", "w_tail")}
        if s["w_nll"] == 0 and s["w_fm"] == 0 and s["w_kl"] == 0 and s["w_tail"] == 0:
            raise ValueError("w_nll, w_fm, w_kl and w_tail are all 0: nothing to train; give at least one positive weight")
        if self.epochs is not None and self.steps is not None:
            raise ValueError(f"give epochs or steps, not both (got epochs={self.epochs!r}, steps={self.steps!r})")
        s["epochs"] = None if self.epochs is None else check_int(self.epochs, "epochs", minimum=0)
        s["steps"] = None if self.steps is None else check_int(self.steps, "steps", minimum=0)
        s["batch_size"] = check_int(self.batch_size, "batch_size", minimum=1)
        s["kl_batch"] = s["batch_size"] if self.kl_batch is None else check_int(self.kl_batch, "kl_batch", minimum=1)
        s["lr"] = check_positive(self.lr, "lr")
        s["lr_decay"] = check_positive(self.lr_decay, "lr_decay")
        if s["lr_decay"] > 1:
            raise ValueError(f"lr_decay must be in (0, 1] (a factor per epoch), got {self.lr_decay!r}")
        s["weight_decay"] = check_nonnegative(self.weight_decay, "weight_decay")
        s["clip_grad"] = None if self.clip_grad is None else check_positive(self.clip_grad, "clip_grad")
        s["seed"] = check_int(self.seed, "seed", minimum=0)
        s["checkpoint_every"] = (None if self.checkpoint_every is None
                                 else check_int(self.checkpoint_every, "checkpoint_every", minimum=1))
        s["validate_every"] = (None if self.validate_every is None
                               else check_int(self.validate_every, "validate_every", minimum=1))
        s["progress"] = check_bool(self.progress, "progress")
        s["checkpoint"] = None if self.checkpoint is None else Path(self.checkpoint)
        if s["checkpoint"] is not None and s["checkpoint"].is_dir():
            raise ValueError(f"checkpoint {s['checkpoint']} is a directory; give a file name")
        return s

    @staticmethod
    def _validation_data(model, validation):
        if validation is None:
            return None, None
        if isinstance(validation, tuple) and len(validation) == 2:
            xv, fv = validation
        else:
            xv, fv = validation, None
        try:
            xv = _as_batch(model, xv, "validation")
            fv = None if fv is None else _as_forces(fv, xv, "validation forces")
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"validation: {exc}") from exc
        return xv, fv

    # -- the loop ----------------------------------------------------------------------------------
    def fit(self, model, x, forces=None, *, energy_fn: Callable[[torch.Tensor], torch.Tensor] | None = None,
            validation=None, tail=None) -> FlowTrainer:
        """Train ``model`` in place on samples ``x`` (and reference ``forces`` F = −∇U in k_BT per unit of
        x, same shape as x); ``energy_fn`` U(x) in k_BT for the reverse KL; ``validation`` = x_val or
        (x_val, forces_val), evaluated every ``validate_every`` steps and at the end of every epoch;
        ``tail`` = (x_tail, F_tail), configurations off the data with their reference forces, for the
        w_tail term (every x_tail must lie where the model's density is positive)."""
        cfg = self._settings()
        check_model(model, "log_prob", "parameters")
        x = _as_batch(model, x, "x")
        f_all = None
        if cfg["w_fm"] > 0:
            if forces is None:
                raise ValueError("forces must be given when w_fm > 0 (reference forces F = −∇U, shape of x)")
            f_all = _as_forces(forces, x)
        if cfg["w_kl"] > 0:
            if energy_fn is None:
                raise ValueError("energy_fn must be given when w_kl > 0 (U(x) in k_BT, one value per sample)")
            check_energy_fn(energy_fn)
            check_model(model, "sample_and_log_prob")
        xv, fv = self._validation_data(model, validation)
        if tail is not None and cfg["w_tail"] == 0:
            raise ValueError("tail is given but w_tail = 0: give w_tail > 0 to train on it, or leave tail out")
        xt, ft = self._tail_data(model, tail) if cfg["w_tail"] > 0 else (None, None)
        n = x.shape[0]
        spe = math.ceil(n / cfg["batch_size"])
        total = cfg["steps"] if cfg["steps"] is not None else spe * (10 if cfg["epochs"] is None else cfg["epochs"])
        opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
        trainer = {k: cfg[k] for k in _TRAJECTORY} | {"n_data": int(n), "data_sum": float(x.double().sum())}
        if xt is not None:
            trainer |= {"n_tail": int(xt.shape[0]), "tail_sha256": _digest(xt, ft)}
        history = {k: [] for k in (*HISTORY_KEYS, *VALIDATION_KEYS)}
        step = 0
        path = cfg["checkpoint"]
        if path is not None:
            remove_stale_temporaries(path)  # a run killed while saving leaves its temporary file behind
        if path is not None and path.exists():
            step, history = self._resume(path, model, opt, trainer)
        config = getattr(model, "config", None)
        if config is not None:
            check_plain_data(config, "model.config")
        device = next(iter(model.parameters())).device

        def save():
            if path is not None:
                save_checkpoint_atomic(path, {"format": TRAINING_FORMAT, "version": 1, "state_dict": model.state_dict(),
                                              "config": config, "optimizer": opt.state_dict(), "step": step,
                                              "epoch": step // spe, "history": history, "trainer": trainer})

        kl_gen = torch.Generator(device=device)
        tail_gen = torch.Generator()  # CPU: the tail indices are drawn there, as documented
        perm, perm_epoch = None, -1
        model.train()
        try:
            with progress_bar(total=total, initial=min(step, total), desc="train", progress=cfg["progress"]) as bar:
                while step < total:
                    epoch, k = divmod(step, spe)
                    if epoch != perm_epoch:
                        g = torch.Generator().manual_seed(stream_seed(cfg["seed"], 0, epoch))
                        perm, perm_epoch = torch.randperm(n, generator=g).to(x.device), epoch
                        for group in opt.param_groups:
                            group["lr"] = cfg["lr"] * cfg["lr_decay"] ** epoch
                    idx = perm[k * cfg["batch_size"]:(k + 1) * cfg["batch_size"]]
                    tail_batch = None
                    if xt is not None:
                        tail_gen.manual_seed(stream_seed(cfg["seed"], 2, step))
                        it = torch.randint(xt.shape[0], (cfg["batch_size"],), generator=tail_gen).to(xt.device)
                        tail_batch = (xt[it], ft[it])
                    loss, terms = self._loss(model, x[idx], None if f_all is None else f_all[idx], cfg, energy_fn,
                                             kl_gen, step, tail_batch)
                    if not bool(torch.isfinite(loss)):
                        raise FloatingPointError(f"training loss is not finite at step {step + 1} ({terms}); "
                                                 "lower lr, check the data, or resume from the last checkpoint")
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    if cfg["clip_grad"] is not None:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip_grad"])
                    opt.step()
                    step += 1
                    for key, v in (("step", step), ("epoch", epoch), ("loss", float(loss.detach())), *terms.items()):
                        history[key].append(v)
                    bar.update(1)
                    bar.set_postfix(loss=f"{history['loss'][-1]:.4g}")
                    end_of_epoch = step % spe == 0
                    if xv is not None and (end_of_epoch or step == total or (
                            cfg["validate_every"] and step % cfg["validate_every"] == 0)):
                        self._validate(model, xv, fv, history, step)
                    if end_of_epoch or step == total or (cfg["checkpoint_every"] and step % cfg["checkpoint_every"] == 0):
                        save()
                if step == 0 or (path is not None and not path.exists()):
                    save()
        finally:
            model.eval()
        self.model_ = model
        self.history_ = {k: np.asarray(v, dtype=float) for k, v in history.items()}
        self.n_steps_ = step
        self.steps_per_epoch_ = spe
        return self

    @staticmethod
    def _loss(model, xb, fb, cfg, energy_fn, kl_gen, step, tail_batch=None):
        nan = float("nan")
        terms = {"nll": nan, "force_mse": nan, "reverse_kl": nan, "tail_force_mse": nan}
        loss = xb.new_zeros(())
        if cfg["w_fm"] > 0:  # one forward pass serves the NLL and the force term (double backward)
            log_p, f = log_prob_and_force(model, xb, create_graph=True)
            fm = ((f - fb) ** 2).mean()
            loss = loss + cfg["w_fm"] * fm
            terms["force_mse"] = float(fm.detach())
            nll = -log_p.mean()
        elif cfg["w_nll"] > 0:
            nll = -model.log_prob(xb).mean()
        else:
            nll = None
        if nll is not None:
            terms["nll"] = float(nll.detach())
            if cfg["w_nll"] > 0:
                loss = loss + cfg["w_nll"] * nll
        if cfg["w_kl"] > 0:
            kl_gen.manual_seed(stream_seed(cfg["seed"], 1, step))
            xs, log_q = model.sample_and_log_prob(cfg["kl_batch"], generator=kl_gen)
            kl = (log_q + energy_of(energy_fn, xs)).mean()
            loss = loss + cfg["w_kl"] * kl
            terms["reverse_kl"] = float(kl.detach())
        if tail_batch is not None:
            _, f_tail = log_prob_and_force(model, tail_batch[0], create_graph=True)
            tail = ((f_tail - tail_batch[1]) ** 2).mean()
            loss = loss + cfg["w_tail"] * tail
            terms["tail_force_mse"] = float(tail.detach())
        return loss, terms

    @staticmethod
    def _tail_data(model, tail, batch: int = 4096):
        """(x_tail, F_tail) checked: shapes, and a finite log-density at every configuration."""
        if tail is None:
            raise ValueError("tail must be given when w_tail > 0: (x_tail, F_tail), configurations off the data "
                             "with their reference forces")
        if not (isinstance(tail, tuple | list) and len(tail) == 2):
            raise TypeError(f"tail must be a pair (x_tail, F_tail), got {type(tail).__name__}")
        try:
            xt = _as_batch(model, tail[0], "tail positions")
            ft = _as_forces(tail[1], xt, "tail forces")
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"tail: {exc}") from exc
        ok = support_mask(model, xt, batch)
        if not bool(ok.all()):
            bad = torch.nonzero(~ok).flatten()
            raise ValueError(f"tail: {len(bad)} of {len(xt)} configurations lie where the model's density is 0 (first: "
                             f"{int(bad[0])}); keep only configurations inside its support")
        return xt, ft

    @staticmethod
    def _validate(model, xv, fv, history, step, batch: int = 4096) -> None:
        nll, fm = 0.0, 0.0
        for i in range(0, xv.shape[0], batch):
            xb = xv[i:i + batch]
            if fv is None:
                with torch.no_grad():
                    nll -= float(model.log_prob(xb).sum())
            else:
                log_p, f = log_prob_and_force(model, xb, create_graph=False)
                nll -= float(log_p.detach().sum())
                fm += float(((f - fv[i:i + batch]) ** 2).sum())
        history["val_step"].append(step)
        history["val_nll"].append(nll / xv.shape[0])
        history["val_force_mse"].append(fm / fv.numel() if fv is not None else float("nan"))

    @staticmethod
    def _resume(path: Path, model, opt, trainer: dict) -> tuple[int, dict]:
        ck = load_checkpoint(path)
        old = ck["trainer"]
        # checkpoints from before the decay and tail options trained at a constant lr, without a tail term
        old = {"lr_decay": 1.0, "w_tail": 0.0} | old
        changed = [k for k in trainer if k not in ("data_sum", "tail_sha256") and old.get(k) != trainer[k]]
        if not changed and not math.isclose(old.get("data_sum", math.nan), trainer["data_sum"], rel_tol=1e-6,
                                            abs_tol=1e-6):
            changed = ["data (same size, other values)"]
        if not changed and "tail_sha256" in trainer and old.get("tail_sha256") != trainer["tail_sha256"]:
            changed = ["tail (same size, other values or order)"]
        if changed:
            detail = ", ".join(f"{k}: {old.get(k)!r} then, {trainer.get(k)!r} now" for k in changed)
            raise ValueError(f"checkpoint {path} was written by a different training run ({detail}); "
                             "use the same settings to resume, or another checkpoint path")
        try:
            model.load_state_dict(ck["state_dict"])
            opt.load_state_dict(ck["optimizer"])
        except (RuntimeError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} is not a statgen training checkpoint of this model: "
                             f"{str(exc).splitlines()[0][:300]}") from exc
        saved = ck["history"]
        n_saved = len(saved.get("step", []))
        # a key added since the checkpoint was written: NaN for its steps, so every per-step list stays aligned
        history = {k: list(saved.get(k, [math.nan] * n_saved if k in HISTORY_KEYS else []))
                   for k in (*HISTORY_KEYS, *VALIDATION_KEYS)}
        return ck["step"], history

    # -- evaluation --------------------------------------------------------------------------------
    def score(self, x) -> float:
        """Mean log-likelihood mean_i log p(x_i) of the trained model (nats per sample; higher is better)."""
        self._check_fitted("model_")
        x = _as_batch(self.model_, x, "x")
        with torch.no_grad():
            return float(self.model_.log_prob(x).double().mean())


def train_flow(flow, data, *, forces=None, w_nll: float = 1.0, w_fm: float = 0.0, w_kl: float = 0.0,
               w_tail: float = 0.0, tail=None, energy_fn: Callable[[torch.Tensor], torch.Tensor] | None = None, kl_batch: int | None = None,
               epochs: int = 10, batch_size: int = 128, lr: float = 5e-4, lr_decay: float = 1.0,
               weight_decay: float = 0.0, clip_grad: float | None = None, seed: int = 0, checkpoint: str | os.PathLike | None = None,
               checkpoint_every: int | None = 500, progress: bool = True) -> dict[str, np.ndarray]:
    """Train ``flow`` for ``epochs`` passes over ``data`` with :class:`FlowTrainer`; returns its history.

    ``data`` (N, d) in the flow's box; ``forces`` (N, d) reference forces F = −∇U in k_BT per box
    unit (needed if w_fm > 0); ``energy_fn`` U(x) in k_BT (needed if w_kl > 0); ``tail`` = (x_tail,
    F_tail) off-data configurations with reference forces (needed if w_tail > 0). The remaining
    arguments are those of :class:`FlowTrainer`; the history is :attr:`FlowTrainer.history_`.
    """
    check_model(flow, "log_prob", "parameters", name="flow")
    if callable(getattr(flow, "check_input", None)):
        data = flow.check_input(data, "data")
        if data.shape[0] == 0:
            raise ValueError(f"data is empty (shape {tuple(data.shape)}): training needs at least one sample")
    trainer = FlowTrainer(w_nll=w_nll, w_fm=w_fm, w_kl=w_kl, w_tail=w_tail, epochs=epochs, batch_size=batch_size, kl_batch=kl_batch,
                          lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, clip_grad=clip_grad, seed=seed, checkpoint=checkpoint,
                          checkpoint_every=checkpoint_every, progress=progress)
    return trainer.fit(flow, data, forces, energy_fn=energy_fn, tail=tail).history_
