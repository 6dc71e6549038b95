"""Property tests (hypothesis, bounded): the validators accept what they promise and refuse the rest;
FASTA write/read and encode/decode are exact round trips."""

import string

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from statgen.graphical import (
    GAUSSIAN_GRAPHS,
    POTTS_GRAPHS,
    decode_sequences,
    encode_sequences,
    get_alphabet,
    read_fasta,
    write_fasta,
)
from statgen.graphical._graphs import check_graph_params, parse_graph_spec
from statgen.graphical._paths import argmax_on_grid, crossing_on_grid
from statgen.graphical.gaussian._linalg import check_covariance
from statgen.graphical.potts.graphs import check_edges

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# names: printable, no line breaks, no leading/trailing whitespace, not empty (what survives a read)
names = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")), min_size=1,
                max_size=30).filter(lambda s: s == s.strip() and s.isprintable())
sequences = st.text(alphabet="-ACDEFGHIKLMNPQRSTVWYacdefghiklmnpqrstvwy.", min_size=0, max_size=60)


@FAST
@given(st.lists(st.tuples(names, sequences), min_size=1, max_size=8))
def test_fasta_round_trip(tmp_path, records):
    path = tmp_path / "r.fasta"
    ns, ss = [r[0] for r in records], [r[1] for r in records]
    write_fasta(path, ns, ss)
    assert read_fasta(path) == (ns, ss)


@FAST
@given(st.lists(names, min_size=1, max_size=3), st.sampled_from(["\n", "\r", "\x00", " lead", "trail\t"]))
def test_write_fasta_refuses_names_that_would_not_survive(tmp_path, ns, bad):
    ns = [*ns[:-1], (bad + ns[-1]) if bad.startswith(" ") else (ns[-1] + bad)]
    path = tmp_path / "bad.fasta"
    with pytest.raises(ValueError, match="names"):
        write_fasta(path, ns, ["AC"] * len(ns))
    assert not path.exists()  # nothing was written


@FAST
@given(st.integers(1, 6), st.integers(1, 12), st.sampled_from(["protein", "rna", "dna"]), st.data())
def test_encode_decode_round_trip(M, L, alphabet, data):
    q = len(get_alphabet(alphabet))
    s = np.array(data.draw(st.lists(st.lists(st.integers(0, q - 1), min_size=L, max_size=L), min_size=M, max_size=M)))
    np.testing.assert_array_equal(encode_sequences(decode_sequences(s, alphabet), alphabet), s)


custom_symbols = st.lists(st.sampled_from(string.ascii_uppercase + string.digits + "*#+"), min_size=1, max_size=12,
                          unique=True)


@FAST
@given(custom_symbols)
def test_custom_alphabets_with_a_gap_are_accepted(symbols):
    alphabet = "-" + "".join(symbols)
    assert get_alphabet(alphabet.lower()) == alphabet.upper()


@FAST
@given(st.sampled_from(["protein", "rna", "dna"]), st.integers(0, 6), st.data())
def test_preset_typos_are_refused(preset, pos, data):
    word = list(preset)
    pos = pos % len(word)
    kind = data.draw(st.sampled_from(["swap", "drop", "double"]))
    if kind == "swap" and pos + 1 < len(word):
        word[pos], word[pos + 1] = word[pos + 1], word[pos]
    elif kind == "drop":
        del word[pos]
    else:
        word.insert(pos, word[pos])
    typo = "".join(word)
    assume(typo != preset and len(typo) > 2)
    with pytest.raises(ValueError, match="did you mean"):
        get_alphabet(typo)


@FAST
@given(st.sampled_from(sorted({**GAUSSIAN_GRAPHS, **POTTS_GRAPHS})), st.data())
def test_graph_specs_round_trip_and_refuse_unknown_parameters(kind, data):
    kinds = GAUSSIAN_GRAPHS if kind in GAUSSIAN_GRAPHS else POTTS_GRAPHS
    spec = kinds[kind]
    values = {k: data.draw(st.one_of(st.integers(1, 50), st.floats(0.01, 10, allow_nan=False)), label=k)
              for k in spec.required}
    text = f"{kind}:" + ",".join(f"{k}={v!r}" for k, v in values.items())
    k2, parsed = check_graph_params(text, {}, kinds)
    assert k2 == kind and all(parsed[k] == pytest.approx(v) for k, v in values.items())
    assert parse_graph_spec(text, kinds)[1].keys() == values.keys()
    with pytest.raises(ValueError, match="unknown parameter"):
        check_graph_params(kind, {**values, "zz_" + spec.required[0]: 1.0}, kinds)
    if len(spec.required) > 0:
        missing = dict(values)
        missing.pop(spec.required[-1])
        with pytest.raises(ValueError, match="needs parameter"):
            check_graph_params(kind, missing, kinds)


@FAST
@given(st.integers(1, 6), st.integers(0, 6), st.data())
def test_covariance_validator_accepts_psd_and_refuses_negative_eigenvalues(n, rank, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    A = rng.standard_normal((n, min(rank, n)))
    C = A @ A.T  # PSD of any rank (0 included)
    np.testing.assert_array_equal(check_covariance(C, "C"), C)
    v = rng.standard_normal(n)
    v /= np.linalg.norm(v)
    bad = C - (np.linalg.eigvalsh(C).max() + 0.5) * np.outer(v, v) * 2
    assume(np.linalg.eigvalsh(bad)[0] < -1e-6 * max(1.0, np.abs(bad).max()))
    with pytest.raises(ValueError, match="C must be positive semi-definite"):
        check_covariance(bad, "C")


@FAST
@given(st.integers(2, 9), st.data())
def test_edge_validator(L, data):
    pairs = [(i, j) for i in range(L) for j in range(i + 1, L)]
    chosen = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    flipped = [(j, i) if data.draw(st.booleans()) else (i, j) for i, j in chosen]
    e = check_edges(np.array(flipped, dtype=float).reshape(-1, 2), L)
    assert sorted(map(tuple, e.tolist())) == sorted(chosen)
    if chosen:
        with pytest.raises(ValueError, match="each pair once"):
            check_edges([*flipped, flipped[0][::-1]], L)
        with pytest.raises(ValueError, match="distinct sites"):
            check_edges([*flipped, (0, L)], L)


@FAST
@given(st.lists(st.floats(0.05, 1.0), min_size=4, max_size=12), st.floats(0.0, 1.0), st.floats(-3, 3),
       st.sampled_from(["log", "linear"]))
def test_grid_refinements_are_exact_on_their_model_curves(steps, frac, offset, scale):
    t = np.cumsum(steps) + offset
    k = len(t) // 2
    vertex = t[k] + (frac - 0.5) * min(t[k + 1] - t[k], t[k] - t[k - 1])
    x = np.exp(t) if scale == "log" else t
    y = -((t - vertex) ** 2)
    assume(int(np.argmax(y)) == k)
    back = np.exp(vertex) if scale == "log" else vertex
    assert argmax_on_grid(x, y, scale=scale, refine="parabola") == pytest.approx(back, rel=1e-9, abs=1e-12)
    d = 2.0 * (t - vertex)  # a line in t: linear interpolation is exact
    assert crossing_on_grid(x, d, back, scale=scale) == pytest.approx(back, rel=1e-9, abs=1e-12)
