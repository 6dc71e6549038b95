"""One checkpoint format for every statgen model and training run: plain data, no pickled code.

A statgen ``.pt`` file is a ``torch.save`` zip archive of a dict holding only tensors, dicts,
lists/tuples, strings, numbers, booleans and None, so ``torch.load(path, weights_only=True)``
reads it without running any code from the file. Files are written atomically (a temporary file
beside the target, fsync, rename): an interrupted save leaves the previous file intact.

Training checkpoints (written by :class:`statgen.flows.FlowTrainer`) hold

    format="statgen.flows.training", version=1, state_dict, config (the model's plain-data
    config or None), optimizer (Adam state), step, epoch, history, trainer (the settings that
    define the trajectory, checked on resume).
"""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import torch

from statgen._io import atomic_write

__all__ = ["save_checkpoint_atomic", "load_checkpoint", "load_torch_file", "check_plain_data", "TRAINING_FORMAT",
           "remove_stale_temporaries"]

TRAINING_FORMAT = "statgen.flows.training"
_PLAIN = (str, int, float, bool, type(None))


def check_plain_data(obj, name: str, *, _depth: int = 0) -> None:
    """Refuse anything ``torch.load(weights_only=True)`` could not read back: only tensors, dicts
    with string or integer keys, lists/tuples, strings, numbers, booleans and None."""
    if _depth > 50:
        raise ValueError(f"{name} is nested too deeply to be a checkpoint")
    if isinstance(obj, (torch.Tensor, *_PLAIN)):
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, str | int):
                raise TypeError(f"{name} keys must be strings or integers, got {k!r}")
            check_plain_data(v, f"{name}[{k!r}]", _depth=_depth + 1)
        return
    if isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            check_plain_data(v, f"{name}[{i}]", _depth=_depth + 1)
        return
    raise TypeError(f"{name} must hold only tensors, dicts, lists, strings, numbers, booleans and None "
                    f"(a checkpoint loadable with torch.load(weights_only=True)); got {type(obj).__name__}")


def remove_stale_temporaries(path: str | os.PathLike) -> int:
    """Delete the temporary files an atomic write of ``path`` leaves behind when its process is killed
    (``.NAME.*.tmp`` beside it); returns how many. Call it only while no other process writes ``path``."""
    path = Path(path)
    n = 0
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n


def save_checkpoint_atomic(path: str | os.PathLike, state: dict) -> None:
    """torch.save ``state`` (a dict of plain data, see :func:`check_plain_data`) to a temporary file in
    the same directory, then an atomic rename over ``path``."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path {path} is a directory; give a file name for the checkpoint")
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict, got {type(state).__name__}")
    check_plain_data(state, "state")
    with atomic_write(path) as fh:
        torch.save(state, fh)


def load_torch_file(path: str | os.PathLike, what: str, *, map_location="cpu"):
    """``torch.load(path, weights_only=True)`` of a zip-format torch file, every failure a
    ``ValueError(f"{path} is not a {what}: {reason}")`` (``FileNotFoundError`` when it is missing).

    Legacy (non-zip) torch files and plain pickles are refused before any unpickling."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (expected a {what})")
    if not path.is_file():
        raise ValueError(f"{path} is not a {what}: it is not a regular file")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a {what}: not a zip-format torch file (statgen files are written by "
                         "torch.save; legacy and plain pickle files are not read because loading them can run code)")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, OSError, EOFError, ValueError, KeyError, TypeError,
            AttributeError, IndexError, zipfile.BadZipFile, MemoryError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"{path} is not a {what}: {type(exc).__name__}: {reason[:300]}") from exc


def _check_tensor_dict(d, path, what: str, key: str) -> None:
    if not isinstance(d, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in d.items()):
        raise ValueError(f"{path} is not a {what}: {key!r} must map parameter names to tensors")
    for k, v in d.items():
        if v.is_floating_point() and not bool(torch.isfinite(v).all()):
            raise ValueError(f"{path} is not a {what}: {key}[{k!r}] contains NaN or infinite values")


def load_checkpoint(path: str | os.PathLike, *, what: str = "statgen training checkpoint") -> dict:
    """Read a training checkpoint of :class:`~statgen.flows.FlowTrainer` (``weights_only=True``)
    and check its structure: the keys of the module docstring, a tensor state dict with finite
    values, non-negative integer ``step`` and ``epoch``, a history of equal-length lists."""
    ck = load_torch_file(path, what)
    if not isinstance(ck, dict):
        raise ValueError(f"{path} is not a {what}: it holds a {type(ck).__name__}, not a dict")
    missing = [k for k in ("state_dict", "optimizer", "step", "epoch", "history", "trainer") if k not in ck]
    if missing or ck.get("format") != TRAINING_FORMAT:
        raise ValueError(f"{path} is not a {what}: format {ck.get('format')!r}, missing keys {missing}")
    _check_tensor_dict(ck["state_dict"], path, what, "state_dict")
    for key in ("step", "epoch"):
        if isinstance(ck[key], bool) or not isinstance(ck[key], int) or ck[key] < 0:
            raise ValueError(f"{path} is not a {what}: {key} must be an integer >= 0, got {ck[key]!r}")
    hist = ck["history"]
    if not isinstance(hist, dict) or not all(isinstance(v, list) for v in hist.values()):
        raise ValueError(f"{path} is not a {what}: history must map names to lists")
    lengths = {len(v) for k, v in hist.items() if not k.startswith("val_")}
    if len(lengths) > 1 or (lengths and lengths != {ck["step"]}):
        raise ValueError(f"{path} is not a {what}: history lengths {sorted(lengths)} do not match step {ck['step']}")
    if not isinstance(ck["optimizer"], dict) or not isinstance(ck["trainer"], dict):
        raise ValueError(f"{path} is not a {what}: optimizer and trainer must be dicts")
    return ck
