"""The checkpoint format: plain data round trips through torch.load(weights_only=True); hostile and
partial files are refused by path without running code; an interrupted save keeps the old file."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from statgen.flows import load_checkpoint, save_checkpoint_atomic
from statgen.flows.checkpoint import check_plain_data, load_torch_file, remove_stale_temporaries
from tests import hostile

leaves = st.one_of(st.none(), st.booleans(), st.integers(-2**62, 2**62), st.text(max_size=8),
                   st.floats(allow_nan=False), st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=5).map(
                       lambda v: torch.tensor(v, dtype=torch.float64)))
plain = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                     max_leaves=20)


def _equal(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))


@settings(max_examples=40, deadline=None)
@given(state=st.dictionaries(st.text(max_size=6), plain, max_size=5))
def test_plain_data_round_trips_through_weights_only_load(tmp_path_factory, state):
    path = tmp_path_factory.mktemp("ck") / "state.pt"
    save_checkpoint_atomic(path, state)
    assert _equal(torch.load(path, weights_only=True), state)
    assert _equal(load_torch_file(path, "test file"), state)


def test_non_plain_data_is_refused_before_writing(tmp_path):
    for bad, what in [({"a": np.zeros(2)}, "ndarray"), ({"f": len}, "builtin"), ({"o": object()}, "object"),
                      ({1.5: 2}, "keys")]:
        with pytest.raises(TypeError, match=what):
            save_checkpoint_atomic(tmp_path / "x.pt", bad)
    assert not (tmp_path / "x.pt").exists() and not list(tmp_path.iterdir())
    check_plain_data({"nested": [{"t": torch.zeros(1)}, (1, "a", None)]}, "state")


@pytest.mark.parametrize("kind", ["zip pickle", "plain pickle", "random bytes", "empty", "not a dict", "wrong keys"])
def test_hostile_or_foreign_files_are_refused_by_path(tmp_path, kind):
    path, marker = tmp_path / "ck.pt", tmp_path / "ran"
    if kind.endswith("pickle"):
        hostile.pickle_that_runs_code(path, marker, key="state_dict", fmt=kind.split()[0])
    elif kind == "random bytes":
        hostile.random_bytes(path, n=100, seed=7)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "not a dict":
        torch.save([1, 2], path)
    else:
        torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="ck.pt is not a statgen training checkpoint"):
        load_checkpoint(path)
    assert not marker.exists()


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    save_checkpoint_atomic(path, {"step": 1})
    real = torch.save

    def half_then_crash(obj, fh):
        fh.write(b"PK\x03\x04partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", half_then_crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint_atomic(path, {"step": 2})
    monkeypatch.setattr(torch, "save", real)
    assert torch.load(path, weights_only=True) == {"step": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.pt"]
    # what a kill -9 would leave behind instead: the temporary file, removed by the next writer
    (tmp_path / ".ck.pt.abc123.tmp").write_bytes(b"partial")
    assert remove_stale_temporaries(path) == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["ck.pt"]
