"""``statgen potts plm``: a drop-in for plmc (J. Hopf et al., Nat. Biotechnol. 35, 128 (2017)).

    statgen potts plm -c DHFR.couplings -le 16.0 -lh 0.01 -m 100 -g -f DYR_ECOLI DHFR.a2m

plmc's flags with plmc's meanings and defaults (λ_e = 100, λ_h = 0.01, θ = 0.2, s = 1, no
iteration limit): ``-c/--couplings`` (scores, plmc's text format), ``-o/--output`` (parameters,
plmc's binary format), ``--save-weights``, ``-w/--weights``, ``-le/--lambdae``, ``-lh/--lambdah``,
``-t/--theta`` (weights off outside [0, 1]), ``-s/--scale``, ``-f/--focus``, ``-g/--gapignore``
(plmc spells the long form ``--gapreduce``; both are accepted), ``-m/--maxiter``, ``-n/--ncores``,
``-a/--alphabet`` (as in plmc, a given alphabet keeps the lowercase focus columns, keeps gap
columns unless ``-g``, and does not read '.' as a gap). Differences, on purpose: an unknown focus
id, an unreadable or malformed alignment and an unknown option are errors (one line, exit 2; plmc
warns or ignores them); ``--fast`` and ``-ee`` are refused as not implemented. ``-lg/--lambdag``
is plmc's group term λ_g Σ_{i<j} √(10⁻³ + ‖e_ij‖²).
statgen's own options: ``--float32`` (single precision, like plmc32), ``--max-column-gaps``,
``--max-sequence-gaps``, ``--format``. Output files are written atomically after the fit: a failed
run leaves none behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from statgen._cliargs import (
    existing_file,
    finite_float,
    new_file,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    probability,
)


def _threads(text: str) -> int:
    if text == "max":
        return os.cpu_count() or 1
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1 or 'max', got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1 or 'max', got {text!r}")
    return n


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _read_weights(path, a) -> np.ndarray:
    """Weights of the kept sequences from a file with one weight per record of the alignment (as plmc's
    ``-w`` reads and ``--save-weights`` writes: discarded records included)."""
    try:
        w = np.loadtxt(path, dtype=float, ndmin=1)
    except ValueError as exc:
        raise ValueError(f"weights file {path} is not one number per line: {exc}") from None
    if w.ndim != 1 or len(w) != a.n_records:
        raise ValueError(f"weights file {path} has {w.size} values, but the alignment has {a.n_records} sequences")
    w = w[a.rows]
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(f"weights file {path} holds a negative or non-finite weight, or they sum to 0")
    return w


#: the one-hot block of sequences behind the -o file's marginals (the whole (M, L q′) one would be the peak)
FREQUENCY_CHUNK_BYTES = 1 << 22


def _frequencies(states: np.ndarray, w: np.ndarray, q: int, gap_ignore: bool):
    """plmc's stored marginals: weighted f_i (L, q′) and f_ij of the pairs i < j (P, q′, q′), float32,
    from one-hot blocks of FREQUENCY_CHUNK_BYTES at most, one site's row block at a time (gap-ignore:
    over the non-gap states, renormalised; empty → flat)."""
    M, L = states.shape
    qm = q - 1 if gap_ignore else q
    fi = np.zeros(L * qm)
    fij = np.zeros((L * (L - 1) // 2, qm, qm), dtype=np.float32)
    wf = w.astype(np.float32)
    B = max(1, min(M, FREQUENCY_CHUNK_BYTES // (4 * L * qm)))
    for a in range(0, M, B):
        st = states[a:a + B].astype(np.int64)  # the CLI keeps them as uint8
        X = np.zeros((len(st), L * qm), dtype=np.float32)
        rows = np.repeat(np.arange(len(st)), L)
        cols = (st - (1 if gap_ignore else 0) + qm * np.arange(L)).ravel()
        ok = st.ravel() > 0 if gap_ignore else slice(None)
        X[rows[ok], cols[ok]] = 1.0
        del st, rows, cols
        fi += wf[a:a + B] @ X
        k = 0
        for i in range(L - 1):
            block = ((X[:, i * qm:(i + 1) * qm] * wf[a:a + B, None]).T @ X[:, (i + 1) * qm:])  # (q′, (L−i−1) q′)
            fij[k:k + L - i - 1] += block.reshape(qm, L - i - 1, qm).transpose(1, 0, 2)
            k += L - i - 1
    fi = fi.reshape(L, qm)
    if gap_ignore:
        zi = fi.sum(1, keepdims=True)
        fi = np.where(zi > 0, fi / np.where(zi > 0, zi, 1), 1.0 / qm)
        zij = fij.sum((1, 2), keepdims=True)
        np.divide(fij, np.where(zij > 0, zij, 1), out=fij)
        fij[(zij == 0)[:, 0, 0]] = 1.0 / qm**2
    else:
        fi = fi / w.sum()
        fij /= np.float32(w.sum())
    return fi, fij


def _plm(args) -> int:
    from statgen._checks import check_memory
    from statgen._io import atomic_write
    from statgen._malloc import return_freed_memory
    from statgen.graphical.potts.alignment.formats import read_alignment
    from statgen.graphical.potts.alignment.msa import prepare_alignment
    from statgen.graphical.potts.dca.plmc_files import write_plmc_couplings, write_plmc_params
    from statgen.graphical.potts.dca.plmc_fit import fit_plmc, plm_memory_bytes
    from statgen.graphical.potts.dca.scores import pair_block_scores
    from statgen.graphical.potts.inference.plm_kernel import set_threads

    for flag, value in (("--fast", args.fast), ("-ee/--estimatele", args.ee)):
        if value:
            raise ValueError(f"{flag} is not implemented in statgen potts plm (plmc's option; leave it out)")
    return_freed_memory()  # the freed alignment temporaries must not stay resident through the fit
    if args.couplings is None and args.output is None and args.save_weights is None:
        _log("warning: none of -c, -o, --save-weights given: the fit is computed but nothing is written")
    _log(f"Threads: using {set_threads(args.ncores)} of {os.cpu_count()}")
    names, seqs = read_alignment(args.alignment, args.format)
    custom = args.alphabet is not None
    a = prepare_alignment(names, seqs, args.alphabet if custom else "protein", focus=args.focus,
                          focus_columns=("ungapped" if args.gapignore else "all") if custom else "uppercase",
                          theta=args.theta, scale=args.scale, max_column_gaps=args.max_column_gaps,
                          max_sequence_gaps=args.max_sequence_gaps, dots_as_gaps=not custom,
                          what=str(args.alignment))
    width = len(seqs[0])
    del seqs  # the text: the fit's own arrays are what should fill the memory
    if len(a.alphabet) <= 256:  # one byte per state (int64 otherwise), for the whole fit
        a.states = a.states.astype(np.uint8)
    M, L = a.states.shape
    if args.focus is not None:
        _log(f"Found focus {args.focus} as sequence {names.index(a.names[a.focus]) + 1}")
    del names
    _log(f"{M + a.n_skipped} sequences read, {a.n_skipped} discarded for symbols outside the alphabet"
         f"{f', {a.n_filtered} by the gap filter' if a.n_filtered else ''}: {M} valid sequences")
    _log(f"{L} sites out of {width}" if args.focus is not None or L != width else f"{L} sites")
    if args.focus is not None:
        _log(f"Region starts at {a.positions[0] - a.columns[0]}")
    if args.weights is not None:
        a.weights = _read_weights(args.weights, a)
        _log(f"Weights loaded from {args.weights}. Effective number of samples: {a.neff:.1f}")
    elif 0 <= args.theta <= 1:
        _log(f"Effective number of samples (to 1 decimal place): {a.neff:.1f}\t"
             f"({100 * (1 - args.theta):.0f}% identical neighborhood = {args.scale:.3f} samples)")
    else:
        _log(f"Theta not between 0 and 1, no sequence reweighting applied (N = {a.neff:.2f})")
    q = len(a.alphabet)
    qm = q - 1 if args.gapignore else q
    dtype = np.float32 if args.float32 else np.float64
    need = plm_memory_bytes(M, L, qm, itemsize=4 if args.float32 else 8)
    if args.output is not None:  # after the fit (L-BFGS's vectors freed): one-hot chunks and f_ij, float32
        need = max(need, 3.0 * FREQUENCY_CHUNK_BYTES + 4.0 * (L * (L - 1) // 2 + 2 * L) * qm * qm)
    check_memory(need, f"statgen potts plm on {args.alignment} ({M} sequences x {L} sites, q={qm}, "
                       f"{'float32' if args.float32 else 'float64'})")
    t0 = time.time()
    _log("iter\ttime\tfx")
    est = fit_plmc(a.states, a.weights, q, lambda_e=args.lambdae, lambda_h=args.lambdah, lambda_g=args.lambdag,
                   max_iter=args.maxiter,
                   gap_ignore=args.gapignore, dtype=dtype, threads=args.ncores,
                   callback=lambda k, f: _log(f"{k}\t{time.time() - t0:.1f}\t{f:.1f}"))
    _log(f"Gradient optimization: {est.n_iter_} iterations, fx = {est.f:.1f} ({est.status})")
    if args.couplings is not None:
        S = pair_block_scores(est.e, L)
        write_plmc_couplings(args.couplings, S, positions=a.positions,
                             focus_sequence=a.focus_sequence if a.focus is not None else None)
    if args.output is not None:
        fi, fij = _frequencies(a.states, a.weights, q, args.gapignore)
        neighbors = np.zeros(a.n_records)  # per record of the file; 0 for a discarded one (plmc)
        neighbors[a.rows] = 1.0 / (a.weights * args.scale)
        write_plmc_params(args.output, (est.h, est.e), alphabet=a.alphabet[1:] if args.gapignore else a.alphabet, fi=fi,
                          fij=fij, neighbors=neighbors, n_skipped=a.n_records - M,
                          focus_sequence=a.focus_sequence if a.focus is not None else a.alphabet[0] * L,
                          positions=a.positions, max_iter=args.maxiter, theta=args.theta, lambda_h=args.lambdah,
                          lambda_e=args.lambdae, lambda_g=args.lambdag, neff=a.neff)
    if args.save_weights is not None:  # one line per record, "0.0" for a discarded one, as plmc writes
        lines = ["0.0\n"] * a.n_records
        for k, v in zip(a.rows.tolist(), a.weights.tolist(), strict=True):
            lines[k] = f"{v:.16e}\n"
        with atomic_write(args.save_weights, "w") as fh:
            fh.writelines(lines)
    return 0


def add_commands(subparsers) -> None:
    """Register ``statgen potts plm``."""
    group = subparsers.add_parser("potts", help="Potts models of sequence alignments (plmc-compatible)")
    sub = group.add_subparsers(dest="action", required=True)
    p = sub.add_parser("plm", help="pseudo-likelihood fit of an alignment, a drop-in for plmc",
                       description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=_plm, prog=p.prog)
    p.add_argument("alignment", type=existing_file, help="FASTA / A2M / A3M / Stockholm alignment")
    p.add_argument("-c", "--couplings", type=new_file, help="write coupling scores (plmc's text format)")
    p.add_argument("-o", "--output", type=new_file, help="write the parameters (plmc's binary format)")
    p.add_argument("--save-weights", type=new_file, help="write the sequence weights, one per line")
    p.add_argument("-w", "--weights", "--weights_file", type=existing_file, help="read sequence weights (one per line)")
    p.add_argument("-s", "--scale", type=positive_float, default=1.0, help="weights: neighbourhood weight (default 1)")
    p.add_argument("-t", "--theta", type=finite_float, default=0.2,
                   help="weights: neighbourhood divergence (default 0.2; outside [0, 1]: no reweighting)")
    p.add_argument("-lh", "--lambdah", type=nonnegative_float, default=0.01, help="L2 lambda of the fields (0.01)")
    p.add_argument("-le", "--lambdae", type=nonnegative_float, default=100.0, help="L2 lambda of the couplings (100)")
    p.add_argument("-lg", "--lambdag", type=nonnegative_float, default=0.0, help="group L1 lambda of the couplings (0)")
    p.add_argument("-a", "--alphabet", help="alternative alphabet, e.g. -ACGU (default: -ACDEFGHIKLMNPQRSTVWY)")
    p.add_argument("-f", "--focus", help="focus sequence id: keep its uppercase, non-gapped columns")
    p.add_argument("-g", "--gapignore", "--gapreduce", action="store_true",
                   help="model only the non-gapped residues (gaps neither predicted nor coupled)")
    p.add_argument("-m", "--maxiter", type=nonnegative_int, default=0, help="L-BFGS iterations (0: until converged)")
    p.add_argument("-n", "--ncores", type=_threads, default=None,
                   help="threads (an integer or 'max'; default: all, as plmc's OpenMP)")
    p.add_argument("--fast", action="store_true", help="plmc's fast weights and SGD (not implemented)")
    p.add_argument("-ee", "--estimatele", dest="ee", action="store_true", help="plmc's -ee (not implemented)")
    p.add_argument("--float32", action="store_true", help="single precision, like plmc32 (faster, half the memory)")
    p.add_argument("--max-column-gaps", type=probability, help="drop columns with a larger gap fraction")
    p.add_argument("--max-sequence-gaps", type=probability, help="drop sequences with a larger gap fraction")
    p.add_argument("--format", choices=("fasta", "a2m", "a3m", "stockholm"), help="alignment format (default: suffix)")
