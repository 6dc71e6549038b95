"""Training a Boltzmann generator: the flows' one training loop with molecular names and defaults."""

from __future__ import annotations

import os

import numpy as np

from statgen.flows.losses import check_model
from statgen.flows.training import FlowTrainer
from statgen.md.internal import as_positions

__all__ = ["train_boltzmann_generator", "tail_configurations"]


def train_boltzmann_generator(model, positions, forces=None, *, steps: int = 1000, batch_size: int = 128,
                              lr: float = 5e-4, lr_decay: float = 1.0, w_nll: float = 1.0, w_fm: float = 0.0,
                              w_tail: float = 0.0, tail=None,
                              checkpoint: str | os.PathLike | None = None, checkpoint_every: int | None = 200,
                              seed: int = 0, validation=None, progress: bool = True) -> dict[str, np.ndarray]:
    """Train by likelihood and/or force matching with Adam (:class:`statgen.flows.FlowTrainer`); resumable.

    loss = w_nll · mean(−log p_x(x)) + w_fm · mean_{frames, atoms, xyz} (F_model − F_ref)²
           + w_tail · the same force error on ``tail`` configurations (off the data, in no likelihood term)

    Parameters
    ----------
    model : a :class:`BoltzmannGenerator` (or any density over positions with ``log_prob`` and ``n_atoms``).
    positions : (n, N, 3) nm. forces : (n, N, 3) reference forces in k_BT/nm (divide OpenMM's
        kJ/mol/nm by k_BT = RT); needed when ``w_fm > 0``.
    steps : total optimizer steps (a resumed run continues up to ``steps``; 0 trains nothing).
    lr, lr_decay : Adam's learning rate, multiplied by ``lr_decay`` after every epoch (the paper: 0.7).
    checkpoint : file written atomically every ``checkpoint_every`` steps, at every epoch end and
        at the end (the training-checkpoint format of :mod:`statgen.flows.checkpoint`, which
        :func:`load_boltzmann_generator` also reads); an existing file resumes training.
    seed : minibatch order (the seed scheme of :mod:`statgen.flows.training`).
    tail, w_tail : (positions (m, N, 3) nm, forces (m, N, 3) k_BT/nm) beyond the data, e.g. from
        :func:`tail_configurations`, and their weight: NLL leaves the density beyond the data flat, and an MD
        run under the flow's energy escapes there; forces at such configurations teach the flow the tails.
    validation : held-out (positions, forces) or positions, evaluated at every epoch end.

    Returns
    -------
    history : the per-step history of :class:`statgen.flows.FlowTrainer` (``step``, ``epoch``,
    ``loss``, ``nll``, ``force_mse``, ``reverse_kl``, ``val_*``).
    """
    check_model(model, "log_prob", "parameters")
    n_atoms = getattr(model, "n_atoms", None)
    if n_atoms is None:
        raise TypeError(f"model must have n_atoms (e.g. statgen.md.BoltzmannGenerator), got {type(model).__name__}")
    dtype = next(iter(model.parameters())).dtype
    device = next(iter(model.parameters())).device
    x = as_positions(positions, n_atoms, dtype=dtype, device=device, name="positions")
    if not len(x):
        raise ValueError("positions is empty: training needs at least one frame")
    f = None
    if forces is not None:
        f = as_positions(forces, n_atoms, dtype=dtype, device=device, name="forces")
        if len(f) != len(x):
            raise ValueError(f"forces must have as many frames as positions ({len(x)}), got {len(f)}")
    trainer = FlowTrainer(w_nll=w_nll, w_fm=w_fm, w_tail=w_tail, steps=steps, batch_size=batch_size, lr=lr,
                          lr_decay=lr_decay, seed=seed,
                          checkpoint=checkpoint, checkpoint_every=checkpoint_every, progress=progress)
    if isinstance(tail, tuple | list) and len(tail) == 2:  # anything else: FlowTrainer refuses it by name
        tail = (as_positions(tail[0], n_atoms, dtype=dtype, device=device, name="tail positions"),
                as_positions(tail[1], n_atoms, dtype=dtype, device=device, name="tail forces"))
    return trainer.fit(model, x, f, validation=validation, tail=tail).history_


def tail_configurations(positions, *, sigma: float = 0.003, n: int = 20000, seed: int = 0, model=None,
                        platform: str = "Reference"):
    """Configurations beyond the data with their Amber99SB-ILDN + OBC forces, for ``w_tail`` training.

    ``n`` frames drawn (with replacement) from ``positions`` (m, 22, 3) nm, each atom displaced by
    N(0, ``sigma``²) nm per component (σ = 0.003 nm moves a bond by ≈ 1.7 times its thermal spread at
    300 K, so the set reaches 3–6 σ where the data thin out). With ``model``, configurations where its
    density is 0 (outside its internal-coordinate box) are dropped. Returns (positions (n', 22, 3) nm,
    forces (n', 22, 3) kJ/mol/nm); divide the forces by k_BT for training."""
    import torch

    from statgen._checks import check_int, check_positive
    from statgen.flows.training import support_mask
    from statgen.md.analysis import amber_forces
    from statgen.md.evaluator import model_dtype_device

    x = as_positions(positions, 22, dtype=torch.float64, name="positions").numpy()
    if not len(x):
        raise ValueError("positions is empty: tail configurations are drawn from at least one frame")
    sigma = check_positive(sigma, "sigma")
    n = check_int(n, "n", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    xt = x[rng.integers(len(x), size=n)] + sigma * rng.normal(size=(n, *x.shape[1:]))
    if model is not None:
        check_model(model, "log_prob")
        dtype, device = model_dtype_device(model)
        xt = xt[support_mask(model, torch.as_tensor(xt, dtype=dtype, device=device)).numpy()]
    return xt, amber_forces(xt, platform=platform)
