"""adabmDCA's parameter file (``params.dat``): lines ``J i j a b value`` (pairs i < j) and
``h i a value``, positions from 0, states as alphabet letters (L. Rosset, R. Netti, A. P. Muntoni,
M. Weigt & F. Zamponi, "adabmDCA 2.0", arXiv:2501.18456 (2025); the energy E = −Σ h − Σ_{i<j} J
is statgen's)."""

from __future__ import annotations

import os

import numpy as np

from statgen._io import atomic_write
from statgen.graphical.potts.alignment.encoding import get_alphabet
from statgen.graphical.potts.alignment.fasta import check_path
from statgen.graphical.potts.model import PottsModel, check_model

__all__ = ["write_adabmdca_params", "read_adabmdca_params"]


def write_adabmdca_params(path: str | os.PathLike, model: PottsModel, alphabet: str = "protein") -> None:
    """Write a model as adabmDCA's ``params.dat`` (atomically); ``alphabet`` has one symbol per state."""
    check_model(model)
    path = check_path(path)
    tokens = get_alphabet(alphabet)
    if len(tokens) != model.q:
        raise ValueError(f"alphabet {tokens!r} has {len(tokens)} symbols, the model has q={model.q} states")
    L, q = model.L, model.q
    a, b = np.repeat(np.arange(q), q), np.tile(np.arange(q), q)
    with atomic_write(path, "w") as fh:
        for i in range(L):
            for j in range(i + 1, L):
                v = model.J[i, j][a, b]
                fh.writelines(f"J {i} {j} {tokens[x]} {tokens[y]} {z!r}\n" for x, y, z in zip(a, b, v.tolist(), strict=True))
        for i in range(L):
            fh.writelines(f"h {i} {tokens[x]} {z!r}\n" for x, z in enumerate(model.h[i].tolist()))


def read_adabmdca_params(path: str | os.PathLike, alphabet: str = "protein") -> PottsModel:
    """Read adabmDCA's ``params.dat``; missing couplings are 0. ValueError naming the path on a malformed line."""
    path = check_path(path)
    tokens = get_alphabet(alphabet)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (expected an adabmDCA params.dat file)")
    index = {c: k for k, c in enumerate(tokens)}
    q = len(tokens)
    hs, js = [], []
    try:
        with open(path, encoding="ascii") as fh:
            for lineno, line in enumerate(fh, 1):
                f = line.split()
                if not f or f[0].startswith("#"):
                    continue
                if f[0] == "J" and len(f) == 6:
                    js.append((int(f[1]), int(f[2]), index[f[3]], index[f[4]], float(f[5])))
                elif f[0] == "h" and len(f) == 4:
                    hs.append((int(f[1]), index[f[2]], float(f[3])))
                else:
                    raise ValueError(f"line {lineno} is neither 'J i j a b value' nor 'h i a value': {line[:60]!r}")
    except KeyError as exc:
        raise ValueError(f"{path}: state {exc} is not in the alphabet {tokens!r}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not an adabmDCA params.dat file (not ASCII text)") from None
    except ValueError as exc:
        raise ValueError(f"{path} is not an adabmDCA params.dat file: {exc}") from None
    if not hs:
        raise ValueError(f"{path} holds no field ('h') records")
    L = 1 + max(max(r[0] for r in hs), max((max(r[0], r[1]) for r in js), default=0))
    h = np.zeros((L, q))
    J = np.zeros((L, L, q, q))
    for i, a, v in hs:
        h[i, a] = v
    for i, j, a, b, v in js:
        if i == j or min(i, j) < 0:
            raise ValueError(f"{path}: coupling J {i} {j} is not between two different positions >= 0")
        J[i, j, a, b] = v
        J[j, i, b, a] = v
    return PottsModel(h, J)
