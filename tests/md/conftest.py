"""Shared tiny alanine-dipeptide data for the md tests (generated once per session, ~2 s on Reference)."""

import pytest


@pytest.fixture(scope="session")
def md_data_dir(tmp_path_factory):
    from statgen.md.data import generate_md_data

    out = tmp_path_factory.mktemp("ala2") / "data"
    return generate_md_data(out, ns=0.1, platform="Reference", seed=3, equilibration_ps=2.0, chunk_frames=40,
                            progress=False)


@pytest.fixture(scope="session")
def md_data(md_data_dir):
    from statgen.md.data import load_md_data

    return load_md_data(md_data_dir)


@pytest.fixture(scope="session")
def ranges(md_data):
    """Per-coordinate bond and angle ranges of the shared MD data."""
    from statgen.md.internal import data_ranges

    return data_ranges(md_data.positions)
