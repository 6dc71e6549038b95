"""Export the full alanine study's trained models and combined results into the package.

    statgen study run alanine            # the paper's settings (studies/alanine.toml [full])
    python studies/_alanine_ship.py      # -> statgen/md/data/ala2_{smooth,smooth_fm,spline}.pt, ala2_study_full.npz

Reads ``<results>/alanine/full-<key>/`` of the current ``[full]`` config (``$STATGEN_RESULTS`` or
``./results``, as the study runner), writes each flow's weights (float32, plain data: read with
``torch.load(weights_only=True)``) with its validation metrics under ``info`` and the held-out starting
frames of the study's MD under ``frames``, and the combined study output (Ramachandran dihedrals of
MD thinned to every 4th frame in float32) with a ``provenance`` string. (A leading underscore keeps the
study loader from importing this file.)
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statgen._io import save_npz_atomic  # noqa: E402
from statgen.md import load_boltzmann_generator, save_boltzmann_generator  # noqa: E402
from statgen.md.experiment import reference_split  # noqa: E402
from statgen.studies import _hash, get_study, load_scripts, results_root  # noqa: E402


def main() -> None:
    load_scripts("studies")
    study = get_study("alanine")
    cfg = study.config("full")
    base = results_root() / "alanine" / f"full-{_hash({'study': 'alanine', 'version': study.version, 'config': cfg})}"
    result = dict(np.load(base / "result.npz", allow_pickle=False))
    tasks = study.tasks(cfg)
    stems = [f"{i:05d}-{_hash(t)}" for i, t in enumerate(tasks)]
    _, val = reference_split(base / "md_data", ns=cfg["ns"], platform=cfg["platform"], seed=cfg["seed"],
                             val_fraction=cfg["val_fraction"], burn_in_ps=cfg.get("burn_in_ps", 0.0))
    rng = np.random.default_rng(cfg["seed"])
    frames = val["positions"][rng.choice(len(val["positions"]), cfg["replicas"], replace=False)]
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    provenance = (f"`statgen study run alanine` [full] ({cfg['ns']:g} ns of Reference-platform MD, first "
                  f"{cfg.get('burn_in_ps', 0) / 1000:g} ns discarded, last {cfg['val_fraction']:.0%} held out; "
                  f"{cfg['epochs']} epochs, batch {cfg['batch_size']}, Adam {cfg['lr']:g}, StepLR "
                  f"{cfg.get('lr_decay', 1.0):g} per epoch), exported by "
                  f"studies/_alanine_ship.py on {date}")
    out = ROOT / "statgen" / "md" / "data"
    models = [str(m) for m in result["models"]]
    for i, (m, stem) in enumerate(zip(models, stems, strict=True)):
        if m == "amber":
            continue
        bg = load_boltzmann_generator(base / "work" / stem / "model.pt").float()
        info = {k: float(result[k][i]) for k in ("nll", "force_mse", "reverse_kl", "ess", "fes_mae")}
        ok = ~result["blew_up"][i]
        info.update(md_replicas=int(ok.size), md_blew_up=int((~ok).sum()),
                    md_abs_drift_mean=float(np.mean(np.abs(result["drift"][i][ok]))) if ok.any() else float("nan"),
                    md_fluctuation_mean=float(np.mean(result["fluctuation"][i][ok])) if ok.any() else float("nan"),
                    provenance=provenance, training={k: (list(v) if isinstance(v, list) else v) for k, v in cfg.items()
                                                     if k not in ("models",)})
        path = save_boltzmann_generator(bg, out / f"ala2_{m}.pt", info=info,
                                        frames=torch.tensor(frames, dtype=torch.float64))
        print(f"{path}: {info['nll']:.2f} nats, force MSE {info['force_mse']:.4g}")
    shipped = {k: v for k, v in result.items()}
    shipped["phi_md"] = result["phi_md"][::4].astype(np.float32)
    shipped["psi_md"] = result["psi_md"][::4].astype(np.float32)
    shipped["provenance"] = np.array(provenance)
    save_npz_atomic(out / "ala2_study_full.npz", shipped)
    print(out / "ala2_study_full.npz", provenance)


if __name__ == "__main__":
    main()
