"""``statgen potts plm``: plmc's command line, plmc's files, one-line errors and no partial output."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from statgen.cli import CommandError, main
from statgen.graphical import read_plmc_couplings, read_plmc_params

DATA = Path(__file__).resolve().parents[2] / "data" / "potts"


@pytest.mark.parametrize("chunk_bytes", [None, 4 * 13 * 20 * 7])  # default: one block; else blocks of 7 sequences
def test_plmc_command_line_writes_plmc_files(tmp_path, capsys, monkeypatch, chunk_bytes):
    if chunk_bytes is not None:
        import statgen.graphical.potts.cli as plm_cli

        monkeypatch.setattr(plm_cli, "FREQUENCY_CHUNK_BYTES", chunk_bytes)
    c, o, w = tmp_path / "t.couplings", tmp_path / "t.params", tmp_path / "t.weights"
    argv = ["potts", "plm", "-c", str(c), "-o", str(o), "--save-weights", str(w), "-le", "16.0", "-lh", "0.01",
            "-m", "200", "-g", "-f", "DYR_ECOLI", "-n", "1", str(DATA / "tiny.a2m")]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "Effective number of samples (to 1 decimal place): 9.9" in err and "Region starts at 1" in err
    assert (DATA / "tiny.weights").read_text() == w.read_text()  # byte for byte as plmc --save-weights
    lines = c.read_text().splitlines()
    assert lines[0].split()[:5] == ["1", "I", "2", "M", "0"] and len(lines) == 13 * 12 // 2
    S, pos, seq = read_plmc_couplings(c)
    P, ppos, pseq = read_plmc_couplings(DATA / "tiny_g.couplings")  # plmc stopped at 20 iterations
    assert seq == pseq and (pos == ppos).all()
    i, j = np.triu_indices(len(pos), 1)
    assert spearmanr(S[i, j], P[i, j]).correlation > 0.9
    p = read_plmc_params(o)
    ref = read_plmc_params(DATA / "tiny_g.params")
    assert (p.model.q, p.alphabet, p.n_seqs, p.max_iter) == (20, ref.alphabet, ref.n_seqs, 200)
    np.testing.assert_allclose(p.neighbors, ref.neighbors)
    np.testing.assert_allclose(p.fi, ref.fi, atol=1e-6)
    np.testing.assert_allclose(p.fij, ref.fij, atol=1e-6)


def test_no_weighting_outside_unit_interval(tmp_path, capsys):
    w = tmp_path / "w.txt"
    assert main(["potts", "plm", "--save-weights", str(w), "-t", "-1", "-m", "1", "-f", "DYR", str(DATA / "tiny.a2m")]) == 0
    assert "no sequence reweighting" in capsys.readouterr().err
    np.testing.assert_array_equal(np.loadtxt(w), np.ones(150))


@pytest.mark.parametrize("content,match", [
    (b">a\nACD\n>b\nAC\n", "ragged"),
    (b"", "no FASTA records"),
    (bytes(range(256)), "not a FASTA text file"),
    (b">a\nA-DE\n>b\nC-DE\n", "gap in every sequence"),
])
def test_malformed_alignment_one_line_error_no_output(tmp_path, capsys, content, match):
    ali = tmp_path / "x.fasta"
    ali.write_bytes(content)
    out = tmp_path / "x.couplings"
    with pytest.raises(CommandError) as exc:
        main(["potts", "plm", "-c", str(out), "-m", "1", str(ali)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert match in err[-1] and err[-1].startswith("statgen potts plm: error:")
    assert not out.exists() and list(tmp_path.iterdir()) == [ali]


def test_unknown_focus_and_unimplemented_flags(tmp_path, capsys):
    out = tmp_path / "x.couplings"
    for extra, match in ((["-f", "NOPE_HUMAN"], "focus 'NOPE_HUMAN'"), (["--fast"], "--fast"),
                         (["-m", "-3"], "-m/--maxiter")):
        with pytest.raises(CommandError):
            main(["potts", "plm", "-c", str(out), *extra, str(DATA / "tiny.a2m")])
        assert match in capsys.readouterr().err
        assert not out.exists()


def test_memory_refused_before_allocating(tmp_path, capsys, monkeypatch):
    import statgen._checks as checks

    monkeypatch.setattr(checks, "available_memory", lambda: 10_000_000)
    out = tmp_path / "x.couplings"
    with pytest.raises(CommandError):
        main(["potts", "plm", "-c", str(out), "-f", "DYR_ECOLI", str(DATA / "DHFR_slice.a2m")])
    err = capsys.readouterr().err
    assert "400 sequences x 85 sites" in err and "needs about" in err
    assert not out.exists()


def test_discarded_sequences_in_weights_and_params_as_plmc(tmp_path, capsys):
    """Records with an out-of-alphabet symbol: plmc writes weight 0.0 / 0 neighbours at their place."""
    w, o = tmp_path / "w.txt", tmp_path / "p.params"
    assert main(["potts", "plm", "--save-weights", str(w), "-o", str(o), "-le", "16.0", "-lh", "0.01", "-m", "3",
                 "-f", "DYR_ECOLI", "-n", "1", str(DATA / "tiny_x.a2m")]) == 0
    assert "2 discarded for symbols outside the alphabet: 148 valid sequences" in capsys.readouterr().err
    assert w.read_text() == (DATA / "tiny_x.weights").read_text()
    p, ref = read_plmc_params(o), read_plmc_params(DATA / "tiny_x.params")
    assert (p.n_seqs, p.n_skipped) == (ref.n_seqs, ref.n_skipped) == (148, 2)
    np.testing.assert_allclose(p.neighbors, ref.neighbors)
    # plmc's weights file read back with -w (one line per record of the file) gives the same Neff
    assert main(["potts", "plm", "-w", str(DATA / "tiny_x.weights"), "-m", "1", "-f", "DYR_ECOLI",
                 str(DATA / "tiny_x.a2m")]) == 0
    assert f"Effective number of samples: {ref.neff:.1f}" in capsys.readouterr().err


def test_plm_command_line_imports_no_torch_numba_or_scipy_subpackages(tmp_path):
    """The plmc path stays lean: no torch, no LLVM (numba), none of scipy's ~40 MiB sub-packages
    (its line search is loaded from one file). Checked in a fresh interpreter."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from statgen.cli import main\n"
        f"assert main(['potts', 'plm', '-c', {str(tmp_path / 't.couplings')!r}, '-le', '16', '-lh', '0.01',"
        f" '-m', '5', '-g', '-f', 'DYR_ECOLI', '-n', '1', {str(DATA / 'tiny.a2m')!r}]) == 0\n"
        "heavy = ('torch', 'numba', 'llvmlite', 'scipy.optimize', 'scipy.linalg', 'scipy.sparse', 'scipy.stats')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numba', 'llvmlite')"
        " or any(m == h or m.startswith(h + '.') for h in heavy)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "[]"
    assert (tmp_path / "t.couplings").stat().st_size > 0


def test_no_c_compiler_one_line_error_no_output(tmp_path):
    import os
    import subprocess

    out = tmp_path / "t.couplings"
    env = {**os.environ, "CC": str(tmp_path / "no-such-cc"), "STATGEN_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([str(Path(sys.executable).with_name("statgen")), "potts", "plm", "-c", str(out), "-m", "2",
                           str(DATA / "tiny.a2m")], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("statgen potts plm: error: NativeUnavailable: no C compiler found") and "backend='torch'" in line
    assert not out.exists()
