from pathlib import Path

import pytest

from statgen._threads import limited_threads


@pytest.fixture(autouse=True)
def _no_debug_tracebacks(monkeypatch):
    """The CLI tests check one-line errors: a developer's STATGEN_DEBUG=1 must not change them."""
    monkeypatch.delenv("STATGEN_DEBUG", raising=False)


@pytest.fixture(autouse=True)
def _one_thread():
    """One torch and one BLAS thread per test: the tests use small arrays, for which intra-op
    threads only add synchronisation cost (severe on a shared 2-core CI machine)."""
    with limited_threads(1):
        yield


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `gpu` when CUDA is not available."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA (torch.cuda.is_available() is False)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def statgen_project(tmp_path, monkeypatch):
    """``make(files) -> tmp_path``: a throw-away project root ``tmp_path/proj`` with ``studies/`` and
    ``paper_figures/`` holding ``files`` (relative path -> text), used through ``$STATGEN_ROOT``;
    results go to ``tmp_path/results`` (``$STATGEN_RESULTS``)."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "proj"
        for folder in ("studies", "paper_figures"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            (root / rel).write_text(text)
        monkeypatch.setenv("STATGEN_ROOT", str(root))
        monkeypatch.setenv("STATGEN_RESULTS", str(tmp_path / "results"))
        return tmp_path

    return make
