"""Hostile files for the loaders' tests: pickles whose unpickling would run code (leaving a marker
file behind), random bytes, truncated copies of real files."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch


class RunsCode:
    """Unpickling this calls open(marker, "w"): code execution on load leaves the marker file behind."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def code_ran(marker: Path) -> str | None:
    """A reason string when the marker exists (for a fuzz Case's ``after``), else None."""
    return f"code ran on load: {marker} was created" if Path(marker).exists() else None


def pickle_that_runs_code(path: Path, marker: Path, *, key: str = "config", fmt: str = "zip") -> Path:
    """A file whose unpickling would create ``marker``: ``fmt`` "zip" (torch.save), "legacy" (torch's
    pre-1.6 format) or "plain" (pickle.dump). The marker is removed first."""
    Path(marker).unlink(missing_ok=True)
    payload = {key: RunsCode(marker), "state_dict": {}}
    if fmt == "plain":
        Path(path).write_bytes(pickle.dumps(payload))
    else:
        torch.save(payload, path, _use_new_zipfile_serialization=fmt == "zip")
    return Path(path)


def random_bytes(path: Path, n: int = 64, seed: int = 25) -> Path:
    Path(path).write_bytes(np.random.default_rng(seed).bytes(n))
    return Path(path)


def truncated_copy(source: Path, path: Path) -> Path:
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    return Path(path)
