"""Small real point patterns shipped with the package (for examples, figures and tests).

- ``redwoodfull``: 195 California redwood seedlings in the unit square (Strauss 1975), and
- ``redwood``: the 62-seedling subset of Ripley (1977) in [0, 1] × [−1, 0],

both from the R package spatstat.data 3.0-0 (datasets ``redwoodfull`` and ``redwood``).

References
----------
Strauss, D. J. (1975). A model for clustering. Biometrika 62, 467–475.
Ripley, B. D. (1977). Modelling spatial patterns. JRSS B 39, 172–212.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from statgen._checks import check_choice

__all__ = ["PATTERNS", "load_pattern"]

PATTERNS = ("redwoodfull", "redwood")
_DATA = Path(__file__).resolve().parent / "data"


def load_pattern(name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(points (n, 2), window ((x₀, x₁), (y₀, y₁)) as a (2, 2) array, source) of a shipped pattern."""
    check_choice(name, "name", PATTERNS)
    d = json.loads((_DATA / f"{name}.json").read_text())
    return np.column_stack([d["x"], d["y"]]), np.asarray(d["window"], dtype=float), d["source"]
