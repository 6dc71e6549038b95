"""From alignment records to the Potts data a DCA fit uses, the way plmc prepares them.

Steps (J. Hopf et al., Nat. Biotechnol. 35, 128 (2017); plmc, github.com/debbiemarkslab/plmc):

1. Encoding: symbols of the alphabet (any case) are states; with ``dots_as_gaps`` '.' is the gap.
   A sequence holding any other symbol (e.g. 'X', 'B', 'Z' for proteins) is discarded, as plmc does;
   how many were discarded is reported (``n_skipped``).
2. Focus mode (``focus`` = an id): the focus sequence is the first record whose name equals the id,
   or whose name up to '/' equals it, or (plmc's rule) that starts with it. ``focus_columns``
   selects the columns: ``"uppercase"`` (default; plmc's protein default) keeps the columns where
   the focus holds an uppercase residue (A2M/A3M lowercase inserts and gaps dropped), ``"ungapped"``
   keeps the non-gap focus columns (plmc with ``-a`` and ``-g``), ``"all"`` keeps every column
   (plmc with ``-a``). Positions are numbered as plmc does: region start (from ``NAME/start-end``,
   else 1) + column index in the file − 1, so gap columns of the focus still count.
3. Optional filters: columns with a gap fraction above ``max_column_gaps``, then sequences with a
   gap fraction above ``max_sequence_gaps`` (never the focus) are removed. A column that is a gap
   in every remaining sequence is refused (ValueError; plmc would fit it as a conserved gap).
4. Weights: 1 / (number of sequences with identity ≥ (1 − θ) L) when θ ∈ [0, 1] (else 1), times ``scale``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np

from statgen._checks import check_bool, check_choice, check_in_range, check_positive
from statgen.graphical.potts.alignment.encoding import check_sequences, get_alphabet
from statgen.graphical.potts.alignment.weights import sequence_weights

__all__ = ["Alignment", "prepare_alignment", "find_focus", "FOCUS_COLUMNS"]

FOCUS_COLUMNS = ("uppercase", "ungapped", "all")


@dataclass
class Alignment:
    """A prepared alignment: ``states`` (M, L) in [0, q) (gap = state 0 when the alphabet has '-'),
    ``weights`` (M,), the kept ``names``, the ``alphabet``, ``positions`` (L,) residue numbers,
    ``columns`` (L,) kept column indices of the file, ``focus`` (row of the focus or None),
    ``n_skipped`` sequences discarded for out-of-alphabet symbols and ``n_filtered`` by the gap filter,
    ``rows`` the file index of each kept sequence and ``n_records`` the number of records in the file."""

    states: np.ndarray
    weights: np.ndarray
    names: list[str]
    alphabet: str
    positions: np.ndarray
    columns: np.ndarray
    focus: int | None = None
    n_skipped: int = 0
    n_filtered: int = 0
    skipped: list[int] = field(default_factory=list)
    theta: float | None = None
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # file index of each kept row
    n_records: int = 0  # records in the file

    @property
    def neff(self) -> float:
        """Effective number of sequences Σ_m w_m."""
        return float(self.weights.sum())

    @property
    def focus_sequence(self) -> str:
        """The focus sequence over the kept columns (upper case), or the gap symbol repeated without a focus."""
        if self.focus is None:
            return self.alphabet[0] * self.states.shape[1]
        return "".join(self.alphabet[k] for k in self.states[self.focus])


def find_focus(names: list[str], focus: str) -> int:
    """Index of the focus record: exact name, then name before '/', then the first name starting with ``focus``."""
    if not isinstance(focus, str) or not focus:
        raise TypeError(f"focus must be a non-empty sequence id (str), got {focus!r}")
    for rule in (lambda n: n == focus, lambda n: n.split("/")[0].split()[0] == focus if n.strip() else False,
                 lambda n: n.startswith(focus)):
        for k, n in enumerate(names):
            if rule(n):
                return k
    close = difflib.get_close_matches(focus, [n.split("/")[0] for n in names], n=3)
    hint = f" (close: {close})" if close else ""
    raise ValueError(f"focus {focus!r} is not the id of any of the {len(names)} sequences{hint}")


def _region_start(name: str, focus: str) -> int:
    """plmc's rule: ``NAME/start-end`` with NAME the focus id gives the start; otherwise 1."""
    m = re.match(r"/(\d+)", name[len(focus):]) if name.startswith(focus) else None
    if m is None:
        m = re.search(r"/(\d+)-\d+$", name)
    return int(m[1]) if m else 1


def _encode(seqs: list[str], tokens: str, dots_as_gaps: bool):
    """(codes (M, L) with −1 for out-of-alphabet, lowercase (M, L) bool)."""
    table = np.full(256, -1, dtype=np.int64)
    lower = np.zeros(256, dtype=bool)
    for k, c in enumerate(tokens):
        table[ord(c)] = k
        if c.lower() != c:
            table[ord(c.lower())] = k
            lower[ord(c.lower())] = True
    if dots_as_gaps and "-" in tokens:
        table[ord(".")] = tokens.index("-")
    try:
        raw = np.frombuffer("".join(seqs).encode("ascii"), dtype=np.uint8).reshape(len(seqs), -1)
    except UnicodeEncodeError as exc:
        raise ValueError(f"sequences contain a non-ASCII symbol: {exc}") from None
    return table[raw], lower[raw]


def prepare_alignment(names, sequences, alphabet: str = "protein", *, focus: str | None = None,
                      focus_columns: str = "uppercase", theta: float | None = 0.2, scale: float = 1.0,
                      max_column_gaps: float | None = None, max_sequence_gaps: float | None = None,
                      dots_as_gaps: bool = True, what: str = "alignment") -> Alignment:
    """Encode, select focus columns, filter and weight aligned records (see the module docstring).

    Parameters
    ----------
    names, sequences : records as read (equal aligned lengths).  alphabet : preset or symbols.
    focus : id of the focus sequence, or None (all columns, positions 1…L).
    focus_columns : ``"uppercase"``, ``"ungapped"`` or ``"all"``.
    theta : θ of the weights; None or a value outside [0, 1] gives weights 1 (plmc's rule).
    scale : weights multiplier s > 0.  max_column_gaps, max_sequence_gaps : fractions in [0, 1] or None.
    dots_as_gaps : read '.' as the gap.  what : how errors name the input (e.g. the path).
    """
    tokens = get_alphabet(alphabet)
    names = check_sequences(names, "names")
    seqs = check_sequences(sequences)
    focus_columns = check_choice(focus_columns, "focus_columns", FOCUS_COLUMNS)
    dots_as_gaps = check_bool(dots_as_gaps, "dots_as_gaps")
    scale = check_positive(scale, "scale")
    if theta is not None:
        theta = float(check_in_range(theta, "theta", -np.inf, np.inf))
    gap_limits = {}
    for nm, v in (("max_column_gaps", max_column_gaps), ("max_sequence_gaps", max_sequence_gaps)):
        gap_limits[nm] = None if v is None else check_in_range(v, nm, 0.0, 1.0)
    if len(names) != len(seqs):
        raise ValueError(f"names and sequences must have equal lengths, got {len(names)} and {len(seqs)}")
    if not seqs:
        raise ValueError(f"{what} holds no sequences")
    empty = [n for n, s in zip(names, seqs, strict=True) if not s]
    if empty:
        raise ValueError(f"{what}: record {empty[0]!r} has an empty sequence")
    lengths = np.array([len(s) for s in seqs])
    if np.any(lengths != lengths[0]):
        k = int(np.argmax(lengths != lengths[0]))
        raise ValueError(f"{what} is ragged: sequence {k + 1} ({names[k]!r}) has {lengths[k]} aligned columns, "
                         f"the first has {lengths[0]}")
    codes, lower = _encode(seqs, tokens, dots_as_gaps)
    row_ok = np.all(codes >= 0, axis=1)
    skipped = [int(k) for k in np.flatnonzero(~row_ok)]
    gap = tokens.index("-") if "-" in tokens else None
    L0 = codes.shape[1]
    if focus is not None:
        f0 = find_focus(names, focus)
        if not row_ok[f0]:
            bad = seqs[f0][int(np.argmax(codes[f0] < 0))]
            raise ValueError(f"{what}: focus {names[f0]!r} holds the symbol {bad!r} outside the alphabet {tokens!r}")
        keep = np.ones(L0, dtype=bool)
        if focus_columns == "uppercase":
            keep &= ~lower[f0]
        if focus_columns != "all" and gap is not None:
            keep &= codes[f0] != gap
        if not keep.any():
            raise ValueError(f"{what}: the focus {names[f0]!r} has no {focus_columns} column")
        start = _region_start(names[f0], focus)
    else:
        f0, keep, start = None, np.ones(L0, dtype=bool), 1
    if not row_ok.any():
        raise ValueError(f"{what}: every sequence holds a symbol outside the alphabet {tokens!r} "
                         f"(e.g. {seqs[0][int(np.argmax(codes[0] < 0))]!r} in {names[0]!r})")
    rows = np.flatnonzero(row_ok)
    cols = np.flatnonzero(keep)
    s = codes[np.ix_(rows, cols)]
    n_filtered = 0
    if gap is not None and gap_limits["max_column_gaps"] is not None:
        ok = (s == gap).mean(0) <= gap_limits["max_column_gaps"]
        if not ok.any():
            raise ValueError(f"{what}: every column has a gap fraction above max_column_gaps="
                             f"{gap_limits['max_column_gaps']}")
        cols, s = cols[ok], s[:, ok]
    if gap is not None and gap_limits["max_sequence_gaps"] is not None:
        ok = (s == gap).mean(1) <= gap_limits["max_sequence_gaps"]
        if f0 is not None:
            ok[np.searchsorted(rows, f0)] = True
        n_filtered = int((~ok).sum())
        rows, s = rows[ok], s[ok]
    if gap is not None:
        allgap = np.flatnonzero(np.all(s == gap, axis=0))
        if allgap.size:
            raise ValueError(f"{what}: column {int(cols[allgap[0]]) + 1} (of the file) is a gap in every sequence; "
                             "remove it or set a maximum column gap fraction (max_column_gaps; "
                             "statgen potts plm --max-column-gaps) below 1")
    if theta is not None and 0.0 <= theta <= 1.0:
        w = sequence_weights(s, len(tokens), theta=theta, chunk=1024)  # (1024, L·q) one-hot blocks
    else:
        w = np.ones(len(s))
    focus_row = None if f0 is None else int(np.searchsorted(rows, f0))
    return Alignment(s, w * scale, [names[k] for k in rows], tokens, cols + start, cols, focus_row,
                     len(skipped), n_filtered, skipped, theta, rows, len(seqs))
