"""``statgen`` command line: a thin shell over the study and figure registries.

Modules that need their own command group (e.g. ``statgen md``) provide ``add_commands(subparsers)``
in a ``cli`` submodule listed in ``COMMAND_MODULES``; figures and studies only register.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES: tuple[str, ...] = ("statgen.md.cli",)


def _executor(args):
    """A dask.distributed executor when --scheduler is given, else None (local process pool)."""
    if not getattr(args, "scheduler", None):
        return None
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise SystemExit("--scheduler needs dask.distributed: pip install 'statgen[cluster]'") from exc
    return Client(args.scheduler).get_executor()


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="small variant (minutes on a laptop) instead of full size")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores; 1 = inline)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler address (tcp://host:8786): run the sweep on that cluster")
    p.add_argument("--results", default=None, metavar="DIR",
                   help="results cache directory (default: $STATGEN_RESULTS or ./results)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")


def _run_kwargs(args) -> dict:
    return dict(quick=args.quick, executor=_executor(args), workers=args.workers,
                results_dir=args.results, progress=args.progress)


def _figures_list(args) -> int:
    from statgen.figures import list_figures

    for f in list_figures():
        print(f"{f.name:32s} studies: {', '.join(f.studies)}")
    return 0


def _figures_make(args) -> int:
    from statgen.figures import list_figures, make_figure

    names = [f.name for f in list_figures()] if args.name == "all" else [args.name]
    for name in names:
        paths = make_figure(name, out=args.out, **_run_kwargs(args))
        print(f"{name}: " + ", ".join(str(p) for p in paths), flush=True)
    return 0


def _study_list(args) -> int:
    from statgen.studies import list_studies

    for s in list_studies():
        print(f"{s.name:32s} {s.description}")
    return 0


def _study_run(args) -> int:
    from statgen.studies import run_study

    result = run_study(args.name, **_run_kwargs(args))
    for k, v in sorted(result.items()):
        print(f"{k:40s} shape={v.shape} dtype={v.dtype}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="statgen", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    fig = sub.add_parser("figures", help="list and render the reproduced paper figures")
    fsub = fig.add_subparsers(dest="action", required=True)
    fsub.add_parser("list", help="list registered figures and the studies they render").set_defaults(func=_figures_list)
    mk = fsub.add_parser("make", help="run the needed studies (cached) and write PNG + PDF",
                         description="Render a figure (or all) to OUT/NAME.png and OUT/NAME.pdf; "
                                     "studies are computed once and cached under the results directory.")
    mk.add_argument("name", help="figure name from `statgen figures list`, or `all`")
    mk.add_argument("--out", default="figures", help="output directory (default: ./figures)")
    _add_run_options(mk)
    mk.set_defaults(func=_figures_make)

    st = sub.add_parser("study", help="list and run the studies behind the figures")
    ssub = st.add_subparsers(dest="action", required=True)
    ssub.add_parser("list", help="list registered studies").set_defaults(func=_study_list)
    rn = ssub.add_parser("run", help="run a study (resumes from its last completed task)",
                         description="Run a registered study; results are cached by config and written "
                                     "atomically, so an interrupted run resumes where it stopped.")
    rn.add_argument("name", help="study name from `statgen study list`")
    _add_run_options(rn)
    rn.set_defaults(func=_study_run)

    for mod in COMMAND_MODULES:
        importlib.import_module(mod).add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
