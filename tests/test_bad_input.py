"""Every adversarial case of every family is refused clearly (see tests/fuzz/harness.py)."""

import collections

import pytest

from tests.fuzz.harness import run_case
from tests.fuzz.report import load_cases

CASES = load_cases()


def test_case_ids_are_unique():
    counts = collections.Counter(c.id for _, c in CASES)
    assert not [k for k, n in counts.items() if n > 1], "duplicate fuzz case ids"


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[f"{f}: {c.id}" for f, c in CASES])
def test_bad_input_is_refused_clearly(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # cases that write files write them here
    out = run_case(case)
    assert out.verdict == "GOOD", out.detail
