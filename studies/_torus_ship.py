"""Export the full torus study's combined results into the package (the quick torus figures render from them).

    statgen study run torus --workers 2     # studies/torus.toml [full]: about 30 min on 2 cores
    python studies/_torus_ship.py           # -> statgen/flows/data/torus_study_full.npz

Reads the cached ``[full]`` result (``$STATGEN_RESULTS`` or ``./results``, as the study runner; it is
computed first if absent), stores the model densities in float32, and adds ``n_train`` and a
``provenance`` string. (A leading underscore keeps the study loader from importing this file.)
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statgen._io import save_npz_atomic  # noqa: E402
from statgen.flows.torus import STUDY_RESULTS  # noqa: E402
from statgen.studies import get_study, load_scripts, run_study  # noqa: E402


def main() -> None:
    load_scripts("studies")
    cfg = get_study("torus").config("full")
    result = run_study("torus", variant="full", workers=2, progress=False)
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    provenance = (f"`statgen study run torus` [full] ({cfg['n_train']} Metropolis points, {cfg['layers']} layers, "
                  f"{cfg['components']} components, hidden {cfg['hidden']}, {cfg['epochs']} epochs of batch "
                  f"{cfg['batch_size']}, Adam {cfg['lr']:g}), exported by studies/_torus_ship.py on {date}")
    shipped = dict(result)
    shipped["log_q"] = result["log_q"].astype(np.float32)
    shipped["n_train"] = np.array(int(cfg["n_train"]))
    shipped["provenance"] = np.array(provenance)
    out = ROOT / "statgen" / "flows" / "data" / STUDY_RESULTS
    save_npz_atomic(out, shipped)
    print(out, provenance)


if __name__ == "__main__":
    main()
