"""``statgen`` command line: a thin shell over the study and figure registries.

Modules that need their own command group (e.g. ``statgen md``) provide ``add_commands(subparsers)``
in a ``cli`` submodule listed in ``COMMAND_MODULES``; figures and studies only register.

Errors and exit status
----------------------
- 0: done.
- 1: a figure or study failed to compute or render. ``figures make`` still renders the others, prints
  one line per failure naming it and its log (the full traceback: ``OUT/NAME.log``; for
  ``study run``: ``RESULTS/logs/NAME.log``), and exits 1 at the end.
- 2: a usage or input error (bad option, unknown name, unreadable file, impossible size): one line
  ``statgen <command>: error: <message>`` on stderr, no traceback.
- 130: interrupted (Ctrl-C); finished tasks are kept, the same command resumes.

``--debug`` (anywhere on the command line) or ``STATGEN_DEBUG=1`` shows the Python traceback instead.
Any other exception is a bug of statgen and is shown with its traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
import traceback
from pathlib import Path

from statgen._cliargs import output_dir, positive_int

COMMAND_MODULES: tuple[str, ...] = ("statgen.md.cli", "statgen.graphical.potts.cli")

#: Exceptions that mean "the input was wrong": one line, exit status 2.
USER_ERRORS = (ValueError, TypeError, OSError, MemoryError, ImportError)
EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


class CommandError(SystemExit):
    """Raised by :func:`main` after printing a one-line error: ``str(exc)`` is the message and
    ``exc.code`` the exit status (2 for usage/input errors, 130 for an interrupt)."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (and the hint to ask for --help)."""

    def error(self, message: str):
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:
            close = difflib.get_close_matches(m[1], re.findall(r"'([^']*)'", m[2]), n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
        line = f"{self.prog}: error: {_one_line(message)} (see: {self.prog} --help)"
        print(line, file=sys.stderr)
        raise CommandError(line)


def _one_line(text: str) -> str:
    words = str(text).split()
    return " ".join(words) if words else "(no message)"


def _debug_requested(argv: list[str]) -> tuple[bool, list[str]]:
    env = os.environ.get("STATGEN_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    return env or "--debug" in argv, [a for a in argv if a != "--debug"]


def _executor(args):
    """A dask.distributed executor when --scheduler is given, else None (local process pool)."""
    if args.scheduler is None:
        return None
    if not args.scheduler.strip():
        raise ValueError("--scheduler: expected a dask scheduler address such as tcp://host:8786, got ''")
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ImportError("--scheduler needs dask.distributed: pip install 'statgen[cluster]'") from exc
    try:
        return Client(args.scheduler, timeout=30).get_executor()
    except (OSError, TimeoutError) as exc:
        raise OSError(f"--scheduler: cannot reach the dask scheduler at {args.scheduler!r}: {exc}") from exc


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="small variant (minutes on a laptop) instead of full size")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="local worker processes, >= 1 (default: all cores; 1 = inline)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler address (tcp://host:8786): run the sweep on that cluster")
    p.add_argument("--results", type=output_dir, default=None, metavar="DIR",
                   help="results cache directory (default: $STATGEN_RESULTS or ./results)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")


def _run_kwargs(args) -> dict:
    return dict(executor=_executor(args), workers=args.workers, results_dir=args.results, progress=args.progress)


def _write_log(path: Path, what: str, exc: BaseException) -> Path:
    from statgen._io import atomic_write

    with atomic_write(path, "w") as fh:
        fh.write(f"{what}\n\n")
        fh.write("".join(traceback.format_exception(exc)))
    return path


def _failure_line(prog: str, what: str, exc: BaseException, log: Path) -> str:
    return f"{prog}: {what} failed: {type(exc).__name__}: {_one_line(exc)} (log: {log})"


def _report_broken(prog: str, folder: str, log_dir: Path | None) -> list[str]:
    """One line (and a log in ``log_dir``) per script of ``folder`` that failed to import;
    returns their names."""
    from statgen.studies import broken_scripts

    names = []
    for path, exc in sorted(broken_scripts(folder).items()):
        name = f"{folder}/{path.name}"
        if log_dir is None:
            print(f"{prog}: {name} failed to import: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        else:
            log = _write_log(log_dir / f"{folder}-{path.stem}.log", f"importing {path}", exc)
            print(_failure_line(prog, name, exc, log), file=sys.stderr, flush=True)
        names.append(name)
    return names


def _figures_list(args) -> int:
    from statgen.figures import list_figures

    for f in list_figures():
        print(f"{f.name:32s} studies: {', '.join(f.studies)}")
    return EXIT_FAILED if _report_broken(args.prog, "paper_figures", None) else 0


def _figures_make(args) -> int:
    from statgen.figures import get_figure, list_figures, save_figure
    from statgen.studies import run_study

    out = args.out
    every = "all" in args.names
    figs = [get_figure(n) for n in dict.fromkeys(args.names) if n != "all"]  # unknown names: before any work
    if every:
        figs = list_figures()
    kwargs = _run_kwargs(args)
    failed = _report_broken(args.prog, "paper_figures", out) if every else []
    total = len(figs) + len(failed)
    results, study_errors = {}, {}
    for fig in figs:
        log = out / f"{fig.name}.log"
        try:
            for s in fig.studies:
                if s in study_errors:
                    raise RuntimeError(f"study {s!r} failed (see the log of the first figure that needed it)") \
                        from study_errors[s]
                if s not in results:
                    try:
                        results[s] = run_study(s, quick=args.quick, **kwargs)
                    except Exception as exc:
                        study_errors[s] = exc
                        raise RuntimeError(f"study {s!r}: {type(exc).__name__}: {_one_line(exc)}") from exc
            paths = save_figure(fig, {s: results[s] for s in fig.studies}, args.quick, out)
        except Exception as exc:  # noqa: BLE001 - one line per failing figure; the others still render
            _write_log(log, f"figure {fig.name} (studies: {', '.join(fig.studies)})", exc)
            print(_failure_line(args.prog, fig.name, exc, log), file=sys.stderr, flush=True)
            failed.append(fig.name)
            continue
        log.unlink(missing_ok=True)  # a log from an earlier failed attempt
        print(f"{fig.name}: " + ", ".join(str(p) for p in paths), flush=True)
    if failed:
        print(f"{args.prog}: {len(failed)} of {total} failed: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _study_list(args) -> int:
    from statgen.studies import list_studies

    for s in list_studies():
        print(f"{s.name:32s} {s.description}")
    return EXIT_FAILED if _report_broken(args.prog, "studies", None) else 0


def _study_run(args) -> int:
    from statgen.studies import get_study, results_root, run_study

    study = get_study(args.name)  # an unknown name or variant is a usage error, not a failed study
    if args.variant is not None:
        if args.quick:
            raise ValueError(f"--quick and --variant {args.variant} both choose the config table; give one")
        study.config(args.variant)
    kwargs = _run_kwargs(args)
    try:
        result = run_study(args.name, quick=args.quick, variant=args.variant, **kwargs)
    except Exception as exc:  # noqa: BLE001 - one line and a log, like a failing figure
        log = _write_log(results_root(args.results) / "logs" / f"{args.name}.log", f"study {args.name}", exc)
        print(_failure_line(args.prog, f"study {args.name}", exc, log), file=sys.stderr)
        return EXIT_FAILED
    for k, v in sorted(result.items()):
        print(f"{k:40s} shape={v.shape} dtype={v.dtype}")
    return 0


def _command(group, name: str, func, help: str, description: str | None = None) -> argparse.ArgumentParser:
    p = group.add_parser(name, help=help, description=description if description is not None else help)
    p.set_defaults(func=func, prog=p.prog)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="statgen", description=__doc__.split("\n\n")[0],
                     epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks (also: STATGEN_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", required=True)

    fsub = sub.add_parser("figures", help="list and render the reproduced paper figures").add_subparsers(
        dest="action", required=True)
    _command(fsub, "list", _figures_list, "list registered figures and the studies they render")
    mk = _command(fsub, "make", _figures_make, "run the needed studies (cached) and write PNG + PDF",
                  "Render figures to OUT/NAME.png and OUT/NAME.pdf (and the caption to OUT/NAME.txt); studies "
                  "are computed once and cached under the results directory. A failing figure is reported in "
                  "one line with its log (OUT/NAME.log); the others still render and the exit status is 1.")
    mk.add_argument("names", nargs="+", metavar="NAME", help="figure names from `statgen figures list`, or `all`")
    mk.add_argument("--out", type=output_dir, default=Path("figures"), help="output directory (default: ./figures)")
    _add_run_options(mk)

    ssub = sub.add_parser("study", help="list and run the studies behind the figures").add_subparsers(
        dest="action", required=True)
    _command(ssub, "list", _study_list, "list registered studies")
    rn = _command(ssub, "run", _study_run, "run a study (resumes from its last completed task)",
                  "Run a registered study; results are cached by config and written atomically, so an "
                  "interrupted run resumes where it stopped. Two runs of the same study on the same results "
                  "directory share the work.")
    rn.add_argument("name", help="study name from `statgen study list`")
    _add_run_options(rn)
    rn.add_argument("--variant", default=None, metavar="TABLE",
                    help="config table of the study's TOML to run (e.g. full_tail) instead of full; not with --quick")

    for mod in COMMAND_MODULES:
        importlib.import_module(mod).add_commands(sub)
    for group in (sub, fsub, ssub):  # "required: {list,make}" rather than "required: action"
        group.metavar = "{" + ",".join(group.choices) + "}"
    return parser


def _prog(args) -> str:
    prog = getattr(args, "prog", None)
    if prog is not None:
        return prog
    return " ".join(["statgen", *(str(v) for v in (args.command, getattr(args, "action", None)) if v is not None)])


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status (0, or 1
    when a figure/study failed). Usage and input errors print one line to stderr and raise
    :class:`CommandError` (a ``SystemExit``, status 2; 130 on Ctrl-C)."""
    debug, argv = _debug_requested(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(argv)
    args.prog = _prog(args)
    if debug:
        return args.func(args)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        line = f"{args.prog}: interrupted (finished tasks are kept; the same command resumes)"
        print(line, file=sys.stderr)
        raise CommandError(line, EXIT_INTERRUPTED) from None
    except SystemExit as exc:  # a command that ended itself with a message
        if isinstance(exc.code, int | None):
            raise
        line = _one_line(exc.code)
        print(line, file=sys.stderr)
        raise CommandError(line) from None
    except USER_ERRORS as exc:
        line = f"{args.prog}: error: {_one_line(exc)}"
        if isinstance(exc, MemoryError | ImportError) or not str(exc):
            line = f"{args.prog}: error: {type(exc).__name__}: {_one_line(exc)}"
        print(line, file=sys.stderr)
        raise CommandError(line) from None


if __name__ == "__main__":
    sys.exit(main())
