"""FASTA alignments: encoding, round trips, reweighting against a brute-force count, bad input."""

import numpy as np
import pytest

from statgen.graphical import (
    decode_sequences,
    encode_sequences,
    fit_plm,
    get_alphabet,
    load_alignment,
    read_fasta,
    sequence_weights,
    write_fasta,
)


def test_presets():
    assert get_alphabet("protein") == "-ACDEFGHIKLMNPQRSTVWY" and len(get_alphabet("protein")) == 21
    assert get_alphabet("rna") == "-ACGU" and get_alphabet("DNA") == "-ACGT"


def test_encode_decode_round_trip(tmp_path):
    seqs = ["AC-DY", "ac.dy", "WWWWW"]
    s = encode_sequences(seqs, "protein")
    np.testing.assert_array_equal(s, [[1, 2, 0, 3, 20], [1, 2, 0, 3, 20], [19] * 5])
    assert decode_sequences(s, "protein") == ["AC-DY", "AC-DY", "WWWWW"]
    path = tmp_path / "a.fasta"
    write_fasta(path, ["x", "y", "z"], decode_sequences(s, "protein"))
    # multi-line records and blank lines are read back
    path.write_text(path.read_text().replace("AC-DY\n", "AC-\nDY\n\n", 1))
    names, back = read_fasta(path)
    assert names == ["x", "y", "z"] and back == ["AC-DY", "AC-DY", "WWWWW"]
    s2, w, _ = load_alignment(path, "protein")
    np.testing.assert_array_equal(s2, s)
    np.testing.assert_array_equal(w, 1.0)


def test_sequence_weights_match_loop():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 4, 12)
    s = np.where(rng.random((60, 12)) < 0.25, rng.integers(0, 4, (60, 12)), base)
    theta = 0.2
    d = (s[:, None, :] != s[None, :, :]).sum(2)
    expected = 1.0 / (12 - d >= (1 - theta) * 12).sum(1)  # plmc: identity ≥ (1 − θ)L
    np.testing.assert_allclose(sequence_weights(s, 4, theta=theta), expected, rtol=0, atol=0)


def test_weights_equal_duplication():
    """Integer weights are the same as duplicated rows (PLM objective is a weighted mean)."""
    rng = np.random.default_rng(1)
    s = rng.integers(0, 3, (30, 4))
    w = rng.integers(1, 4, 30)
    a = fit_plm(s, 3, gamma=0.5, weights=w.astype(float))
    b = fit_plm(np.repeat(s, w, axis=0), 3, gamma=0.5)
    np.testing.assert_allclose(a.J, b.J, atol=1e-4)


def test_alignment_bad_input(tmp_path):
    with pytest.raises(ValueError, match="unknown symbol 'B'"):
        encode_sequences(["ACB"], "rna")
    with pytest.raises(ValueError, match="same aligned length"):
        encode_sequences(["AC", "ACG"], "dna")
    with pytest.raises(ValueError, match="empty"):
        encode_sequences([], "dna")
    with pytest.raises(ValueError, match="alphabet"):
        get_alphabet("AA")
    p = tmp_path / "bad.fasta"
    p.write_text("ACGT\n>x\nACGT\n")
    with pytest.raises(ValueError, match="not FASTA"):
        read_fasta(p)
    p.write_text("")
    with pytest.raises(ValueError, match="no FASTA records"):
        read_fasta(p)
    with pytest.raises(ValueError, match="theta"):
        sequence_weights([[0, 1]], 2, theta=1.5)
