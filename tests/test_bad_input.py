"""Every adversarial case of every family is refused clearly (see tests/fuzz/harness.py)."""

import pytest

from tests.fuzz.harness import run_case
from tests.fuzz.report import load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[c.id for _, c in CASES])
def test_bad_input_is_refused_clearly(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # cases that write files write them here
    out = run_case(case)
    assert out.verdict == "GOOD", out.detail
