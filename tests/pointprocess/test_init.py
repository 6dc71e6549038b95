"""The package's public names, and that importing it needs no torch."""

import subprocess
import sys

import statgen.pointprocess as pp


def test_every_public_name_exists_and_the_design_api_is_there():
    for name in pp.__all__:
        assert hasattr(pp, name), name
    for name in ("ThomasKernel", "MaternKernel", "CauchyKernel", "VarGammaKernel", "NeymanScott", "ClusterFit"):
        assert name in pp.__all__
    for method in ("simulate", "intensity", "pair_correlation", "conditional_intensity"):
        assert callable(getattr(pp.NeymanScott, method))
    assert pp.METHODS == ("exact", "independent", "grouped", "reweighted", "slowly_varying")


def test_import_does_not_load_torch():
    code = "import sys, statgen.pointprocess; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
