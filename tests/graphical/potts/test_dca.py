"""Alignments, plmc's objective, contact scores and files, checked against plmc's own output (tests/data/potts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from statgen.graphical import (
    PottsModel,
    average_product_correction,
    contact_scores,
    load_alignment,
    plmc_objective,
    prepare_alignment,
    read_adabmdca_params,
    read_alignment,
    read_ccmpred_mat,
    read_plmc_couplings,
    read_plmc_params,
    top_contacts,
    write_adabmdca_params,
    write_ccmpred_mat,
    write_plmc_couplings,
    write_plmc_params,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "potts"


def _last_fx(stderr: Path) -> float:
    rows = [line.split("\t") for line in stderr.read_text().splitlines() if line[:1].isdigit() and "\t" in line]
    return float(rows[-1][3])


def _prepared(name: str):
    names, seqs = read_alignment(DATA / name)
    return prepare_alignment(names, seqs, focus="DYR_ECOLI", theta=0.2)


@pytest.mark.parametrize("name", ["tiny.weights", "slice.weights"])
def test_weights_equal_plmc_save_weights(name):
    a = _prepared("tiny.a2m" if name.startswith("tiny") else "DHFR_slice.a2m")
    expected = np.loadtxt(DATA / name)
    np.testing.assert_array_equal(a.weights, expected)


def test_focus_columns_and_positions_as_plmc():
    a = _prepared("DHFR_slice.a2m")
    S, pos, seq = read_plmc_couplings(DATA / "slice.couplings")
    assert a.states.shape == (400, 85)
    np.testing.assert_array_equal(a.positions, pos)
    assert a.focus_sequence == seq
    assert "85 sites out of 90" in (DATA / "slice_g.stderr").read_text()


@pytest.mark.parametrize("stem,gap_ignore", [("tiny", False), ("tiny_g", True), ("tiny_lg", False)])
def test_objective_equals_plmc_at_its_parameters(stem, gap_ignore):
    """Our λ conversion, gap-ignore and group terms: f at plmc's (float32) parameters = plmc's printed fx."""
    a = _prepared("tiny.a2m")
    p = read_plmc_params(DATA / f"{stem}.params")
    assert p.model.q == (20 if gap_ignore else 21) and (p.lambda_e, p.max_iter) == (16.0, 20)
    assert p.lambda_g == (5.0 if stem == "tiny_lg" else 0.0)
    np.testing.assert_allclose(p.neff, a.neff, rtol=1e-6)
    f = plmc_objective(p.model, a.states, a.weights, lambda_e=p.lambda_e, lambda_h=p.lambda_h, lambda_g=p.lambda_g,
                       gap_ignore=gap_ignore)
    assert abs(f - _last_fx(DATA / f"{stem}.stderr")) <= 0.05 + 1e-6 * abs(f)  # fx printed with one decimal


@pytest.mark.parametrize("stem", ["tiny", "tiny_g"])
def test_plmc_params_reader_matches_its_couplings_file(stem):
    """Scores from the parameters plmc wrote equal the scores plmc wrote (%f, 6 decimals; float32 storage)."""
    p = read_plmc_params(DATA / f"{stem}.params")
    S, pos, seq = read_plmc_couplings(DATA / f"{stem}.couplings")
    np.testing.assert_array_equal(p.positions, pos)
    assert p.focus_sequence == seq
    np.testing.assert_allclose(contact_scores(p.model), S, atol=2e-6)
    assert p.alphabet == ("ACDEFGHIKLMNPQRSTVWY" if stem.endswith("_g") else "-ACDEFGHIKLMNPQRSTVWY")


def test_apc_equals_direct_numpy():
    rng = np.random.default_rng(3)
    L, q = 7, 4
    J = rng.normal(size=(L, L, q, q))
    J = J + J.transpose(1, 0, 3, 2)
    J[np.arange(L), np.arange(L)] = 0
    m = PottsModel(rng.normal(size=(L, q)), J)
    F = np.array([[np.sqrt((J[i, j] ** 2).sum()) if i != j else 0.0 for j in range(L)] for i in range(L)])
    Fi = np.array([sum(F[i, j] for j in range(L) if j != i) / (L - 1) for i in range(L)])
    Fm = sum(F[i, j] for i in range(L) for j in range(i + 1, L)) / (L * (L - 1) / 2)
    expected = np.array([[F[i, j] - Fi[i] * Fi[j] / Fm if i != j else 0.0 for j in range(L)] for i in range(L)])
    np.testing.assert_allclose(contact_scores(m), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(contact_scores(m, apc=False), F, rtol=1e-12)
    np.testing.assert_allclose(average_product_correction(F), expected, rtol=1e-12, atol=1e-12)


def _ccmpred_scores_by_loops(J, gap, apc):
    """CCMpred's sum_submatrices and apc (src/util.c), loop for loop: each block centred by the mean of
    its q² entries, the gap row and column left out, sqrt; APC means over all L² entries (zero
    diagonal included); then the smallest score i < j subtracted and the diagonal set to 0."""
    L, q = J.shape[0], J.shape[2]
    states = [a for a in range(q) if a != gap]
    out = np.zeros((L, L))
    for k in range(L):
        for j in range(L):
            mean = sum(J[k, j, a, b] for a in range(q) for b in range(q)) / (q * q)
            out[k, j] = np.sqrt(sum((J[k, j, a, b] - mean) ** 2 for a in states for b in states))
        out[k, k] = 0.0
    if not apc:
        return out
    means = [sum(out[i, j] / L for i in range(L)) for j in range(L)]
    meansum = sum(out[i, j] for i in range(L) for j in range(L)) / (L * L)
    mat = np.array([[out[i, j] - means[i] * means[j] / meansum for j in range(L)] for i in range(L)])
    low = min(mat[i, j] for i in range(L) for j in range(i + 1, L))
    mat -= low
    np.fill_diagonal(mat, 0.0)
    return mat


@pytest.mark.parametrize("q, gap", [(4, None), (21, 0), (21, 5)])
def test_ccmpred_convention_equals_ccmpreds_loops(q, gap):
    rng = np.random.default_rng(q + (gap or 0))
    L = 6
    J = rng.normal(size=(L, L, q, q)) + 0.3  # a block mean ≠ 0, so the centring matters
    J = J + J.transpose(1, 0, 3, 2)
    J[np.arange(L), np.arange(L)] = 0
    m = PottsModel(rng.normal(size=(L, q)), J)
    kw = {} if gap is None or (q == 21 and gap == 0) else {"gap": gap}  # None: state 0 is the gap for q = 21
    for apc in (True, False):
        np.testing.assert_allclose(contact_scores(m, apc=apc, convention="ccmpred", **kw),
                                   _ccmpred_scores_by_loops(J, gap, apc), rtol=1e-12, atol=1e-12)


def test_ccmpred_mat_layout_is_ccmpreds(tmp_path):
    """write_matrix in CCMpred's src/io.c: fprintf("%.20e\\t") for every value, a newline per row."""
    S = np.array([[0.0, 1.25, -3e-7], [1.25, 0.0, 2.0], [-3e-7, 2.0, 0.0]])
    write_ccmpred_mat(tmp_path / "c.mat", S)
    want = "".join("".join("%.20e\t" % v for v in row) + "\n" for row in S)  # noqa: UP031 (C printf, as CCMpred)
    assert (tmp_path / "c.mat").read_text() == want


def test_top_contacts_ranked_with_separation():
    S = np.zeros((6, 6))
    for (i, j), v in {(0, 1): 9.0, (0, 5): 5.0, (1, 4): 7.0, (2, 3): 8.0}.items():
        S[i, j] = S[j, i] = v
    top = top_contacts(S, 3, min_separation=3)
    np.testing.assert_array_equal(top, [[1, 4, 7.0], [0, 5, 5.0], [0, 3, 0.0]])
    assert top_contacts(S, 100).shape == (15, 3)


def _model(L=5, q=21, seed=0):
    rng = np.random.default_rng(seed)
    J = rng.normal(size=(L, L, q, q))
    J = J + J.transpose(1, 0, 3, 2)
    J[np.arange(L), np.arange(L)] = 0
    return PottsModel(rng.normal(size=(L, q)), J)


def test_file_round_trips(tmp_path):
    m = _model()
    S = contact_scores(m)
    write_plmc_couplings(tmp_path / "c.txt", S, positions=np.arange(3, 8), focus_sequence="MKVLA")
    S2, pos, seq = read_plmc_couplings(tmp_path / "c.txt")
    np.testing.assert_allclose(S2, S, atol=5e-7)
    assert seq == "MKVLA" and list(pos) == [3, 4, 5, 6, 7]
    write_ccmpred_mat(tmp_path / "c.mat", S)
    np.testing.assert_allclose(read_ccmpred_mat(tmp_path / "c.mat"), S, rtol=1e-10)
    write_adabmdca_params(tmp_path / "params.dat", m)
    m2 = read_adabmdca_params(tmp_path / "params.dat")
    np.testing.assert_array_equal(m2.h, m.h)
    np.testing.assert_array_equal(m2.J, m.J)
    fi = np.full((5, 21), 1 / 21)
    fij = np.full((5, 5, 21, 21), 1 / 441)
    write_plmc_params(tmp_path / "p.bin", m, alphabet="-ACDEFGHIKLMNPQRSTVWY", fi=fi, fij=fij,
                      neighbors=[1.0, 2.0, 0.0], n_skipped=1, focus_sequence="MKVLA", positions=np.arange(3, 8),
                      max_iter=100, lambda_e=16.0)
    p = read_plmc_params(tmp_path / "p.bin")
    np.testing.assert_allclose(p.model.J, m.J, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(p.model.h, m.h, rtol=1e-6, atol=1e-6)
    assert (p.n_seqs, p.n_skipped, p.max_iter, p.lambda_e, p.focus_sequence) == (2, 1, 100, 16.0, "MKVLA")
    np.testing.assert_allclose(p.neff, 1.5)


def test_adabmdca_reads_our_params(tmp_path):
    torch = pytest.importorskip("torch")
    io = pytest.importorskip("adabmDCA.io")
    m = _model(L=4, seed=1)
    write_adabmdca_params(tmp_path / "params.dat", m)
    params = io.load_params(str(tmp_path / "params.dat"), tokens="protein", device=torch.device("cpu"),
                            dtype=torch.float64)
    np.testing.assert_allclose(params["bias"].numpy(), m.h, rtol=1e-12)
    np.testing.assert_allclose(params["coupling_matrix"].numpy().transpose(0, 2, 1, 3), m.J, rtol=1e-12)


def test_formats_a3m_and_stockholm(tmp_path):
    (tmp_path / "x.a3m").write_text(">q/5-8\nAC-D\n>b\nAgCcD.D\n")
    names, seqs = read_alignment(tmp_path / "x.a3m")
    assert seqs == ["AC-D", "ACDD"]
    (tmp_path / "x.sto").write_text("# STOCKHOLM 1.0\n#=GF ID x\nq/5-8 AC\nb     AC\n\nq/5-8 -D\nb     DD\n//\n")
    names, seqs = read_alignment(tmp_path / "x.sto")
    assert names == ["q/5-8", "b"] and seqs == ["AC-D", "ACDD"]
    a = prepare_alignment(names, seqs, focus="q", theta=None)
    np.testing.assert_array_equal(a.positions, [5, 6, 8])  # region start + column index; the gap column counts


def test_out_of_alphabet_sequences_are_discarded_and_counted(tmp_path):
    (tmp_path / "x.fasta").write_text(">a\nACDE\n>b\nACXE\n>c\nACDD\n")
    s, w, names = load_alignment(tmp_path / "x.fasta")
    assert names == ["a", "c"] and s.shape == (2, 4)
    a = prepare_alignment(*read_alignment(tmp_path / "x.fasta"))
    assert (a.n_skipped, a.skipped) == (1, [1])


def test_gap_filters(tmp_path):
    a = prepare_alignment(["a", "b", "c"], ["AC--", "ACD-", "A-DE"], theta=None, max_column_gaps=0.5,
                          max_sequence_gaps=0.0)
    np.testing.assert_array_equal(a.columns, [0, 1, 2])
    assert a.names == ["b"] and a.n_filtered == 2


@pytest.mark.parametrize("content,match", [
    (">a\nACD\n>b\nAC\n", "ragged"),
    ("", "no FASTA records"),
    (">a\nA-D\n>b\nC-D\n", "gap in every sequence"),
])
def test_malformed_alignments(tmp_path, content, match):
    (tmp_path / "x.fasta").write_text(content)
    with pytest.raises(ValueError, match=match):
        load_alignment(tmp_path / "x.fasta")


def test_binary_file_and_unknown_focus(tmp_path):
    (tmp_path / "x.fasta").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match="not a FASTA text file"):
        load_alignment(tmp_path / "x.fasta")
    with pytest.raises(ValueError, match="focus 'NOPE_HUMAN'"):
        load_alignment(DATA / "tiny.a2m", focus="NOPE_HUMAN")


def test_gap_ignore_value_and_gradient_equal_a_direct_autograd_computation():
    """plmc's -g conditional likelihood written out directly (loops over non-gap sites), differentiated by torch."""
    import torch

    from statgen.graphical.potts.inference._problem import make_problem
    from statgen.graphical.potts.inference.plm import plm_value_grad

    rng = np.random.default_rng(5)
    M, L, q = 9, 5, 4  # data states 0 (gap) … 3; the model has 3 states
    s = rng.integers(0, q, (M, L))
    s[0] = 0
    s[1, :2] = 0
    w = rng.uniform(0.5, 2.0, M)
    p = make_problem(s, q, "l2", 0.3, 0.2, w, 0.0, "cpu", torch.float64, gap_ignore=True, group_l1=0.7)
    x = torch.as_tensor(rng.normal(size=p.n_params) * 0.5)
    f, g = plm_value_grad(p, x)
    xa = x.clone().requires_grad_(True)
    hq, pairs = L * (q - 1), np.triu_indices(L, 1)
    h = xa[:hq].view(L, q - 1)
    Jp = xa[hq:].view(-1, q - 1, q - 1)
    J = {}
    for k, (i, j) in enumerate(zip(*pairs, strict=True)):
        J[i, j], J[j, i] = Jp[k], Jp[k].T
    wn = torch.as_tensor(w / w.sum())
    nll = 0.0
    for m in range(M):
        for i in range(L):
            if s[m, i] == 0:
                continue
            field = h[i] + sum(J[i, j][:, s[m, j] - 1] for j in range(L) if j != i and s[m, j] > 0)
            nll = nll - wn[m] * torch.log_softmax(field, 0)[s[m, i] - 1]
    alpha = w.sum() / L
    ref = nll + 0.3 / alpha * (q - 2) ** 2 / 2 * (Jp**2).sum() + 0.2 / 2 * (h**2).sum()
    ref = ref + 0.7 * torch.sqrt(1e-3 + (Jp**2).sum((1, 2))).sum()
    ref.backward()
    np.testing.assert_allclose(float(f), float(ref.detach()), rtol=1e-12)
    np.testing.assert_allclose(g.numpy(), xa.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.slow
def test_dhfr_scores_match_plmc_reference(tmp_path):
    """The issue's target on the shipped DHFR data: plmc's example command line (-le 16 -lh 0.01 -m 100 -g
    -f DYR_ECOLI), Spearman ≥ 0.99 of all pair scores and ≥ 95 % of plmc's top-L pairs (|i − j| ≥ 6)."""
    import gzip
    import shutil

    import torch
    from scipy.stats import spearmanr

    import statgen.graphical.potts as potts
    from statgen.graphical import fit_plmc

    data = Path(potts.__file__).resolve().parent / "data"
    for name in ("DHFR.a2m", "DHFR.couplings"):
        with gzip.open(data / f"{name}.gz", "rb") as fi, open(tmp_path / name, "wb") as fo:
            shutil.copyfileobj(fi, fo)
    names, seqs = read_alignment(tmp_path / "DHFR.a2m")
    a = prepare_alignment(names, seqs, focus="DYR_ECOLI", theta=0.2)
    assert a.states.shape == (3616, 159) and round(a.neff, 1) == 1568.1
    est = fit_plmc(a.states, a.weights, 21, lambda_e=16.0, lambda_h=0.01, max_iter=100, gap_ignore=True,
                   dtype=torch.float32)
    S = contact_scores(est.model_)
    P, pos, seq = read_plmc_couplings(tmp_path / "DHFR.couplings")
    assert seq == a.focus_sequence and np.array_equal(pos, a.positions)
    i, j = np.triu_indices(len(pos), 1)
    assert spearmanr(S[i, j], P[i, j])[0] >= 0.99
    far = pos[j] - pos[i] >= 6

    def top(A):
        o = np.argsort(-A[i[far], j[far]])[: len(pos)]
        return set(zip(i[far][o].tolist(), j[far][o].tolist(), strict=True))

    assert len(top(S) & top(P)) >= 0.95 * len(pos)
