"""EVcouplings' CouplingsModel reads statgen's plmc parameter files as it reads plmc's own.

Optional: needs the ``evcouplings`` package (``pip install evcouplings``; not a statgen dependency),
skipped without it. The independent value is EVcouplings reading the file plmc itself wrote
(tests/data/potts/tiny*.params): statgen's rewrite of its content must give EVcouplings the same arrays."""

from pathlib import Path

import numpy as np
import pytest

from statgen.graphical import read_plmc_params, write_plmc_params

evc = pytest.importorskip("evcouplings.couplings", reason="evcouplings is not installed (optional)")
DATA = Path(__file__).resolve().parents[2] / "data" / "potts"
FIELDS = ("L", "num_symbols", "N_valid", "N_invalid", "num_iter", "theta", "lambda_h", "lambda_J", "lambda_group",
          "N_eff")
ARRAYS = ("alphabet", "weights", "target_seq", "index_list", "f_i", "f_ij", "h_i", "J_ij")


@pytest.mark.parametrize("stem", ["tiny", "tiny_g", "tiny_lg", "tiny_x"])
def test_evcouplings_reads_statgens_params_as_plmcs(stem, tmp_path):
    p = read_plmc_params(DATA / f"{stem}.params")
    ours = tmp_path / f"{stem}.params"
    write_plmc_params(ours, p.model, alphabet=p.alphabet, fi=p.fi, fij=p.fij, neighbors=p.neighbors,
                      n_skipped=p.n_skipped, focus_sequence=p.focus_sequence, positions=p.positions,
                      max_iter=p.max_iter, theta=p.theta, lambda_h=p.lambda_h, lambda_e=p.lambda_e,
                      lambda_g=p.lambda_g, neff=p.neff)
    theirs, mine = evc.CouplingsModel(str(DATA / f"{stem}.params")), evc.CouplingsModel(str(ours))
    for name in FIELDS:
        assert getattr(mine, name) == getattr(theirs, name), name
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name), err_msg=name)
    np.testing.assert_array_equal(mine.cn(), theirs.cn())
    # and EVcouplings' J_ij / h_i are statgen's model
    np.testing.assert_array_equal(mine.J_ij, p.model.J.astype(np.float32))
    np.testing.assert_array_equal(mine.h_i, p.model.h.astype(np.float32))
