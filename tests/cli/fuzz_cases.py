"""Adversarial command lines for ``statgen figures`` / ``statgen study``: each must be refused with one
line on stderr (``statgen <command>: error: ...``) naming the option, a non-zero exit, no traceback,
and before any study runs. (``statgen md ...`` cases live with the md family.)"""

from tests.fuzz.harness import cli_case

BAD_INTS = [("0", ">= 1"), ("-1", ">= 1"), ("abc", "integer"), ("2.5", "integer"), ("nan", "integer"),
            ("", "integer"), ("1e400", "integer")]

CASES = [
    cli_case("cli: no command", [], "{figures,study"),
    cli_case("cli: only --debug", ["--debug"], "{figures,study"),
    cli_case("cli: typo of a command (figurs)", ["figurs", "list"], ("figures",)),
    cli_case("cli: figures without an action", ["figures"], "{list,make}"),
    cli_case("cli: study without an action", ["study"], "{list,run}"),
    cli_case("cli: figures make without a name", ["figures", "make"], "NAME"),
    cli_case("cli: figures make unknown figure", ["figures", "make", "no_such_figure"], "no_such_figure"),
    cli_case("cli: figures make typo suggests the figure", ["figures", "make", "gaussian_l2_gapp"],
             "did you mean 'gaussian_l2_gap'"),
    cli_case("cli: figures make one unknown among known ones", ["figures", "make", "gaussian_l2_gap", "nope_fig"],
             "nope_fig"),
    cli_case("cli: figures make --out is a file", ["figures", "make", "all", "--out", "/dev/null"], "/dev/null"),
    cli_case("cli: figures make --out below a file", ["figures", "make", "all", "--out", "/dev/null/x"], "--out"),
    cli_case("cli: figures make --results is a file", ["figures", "make", "all", "--results", "/dev/null"],
             "--results"),
    cli_case("cli: figures make --results empty", ["figures", "make", "all", "--results", ""], "--results"),
    cli_case("cli: figures make unknown option", ["figures", "make", "all", "--fast"], "--fast"),
    cli_case("cli: figures list extra argument", ["figures", "list", "extra"], "extra"),
    cli_case("cli: study run without a name", ["study", "run"], "name"),
    cli_case("cli: study run unknown study", ["study", "run", "no_such_study"], "no_such_study"),
    cli_case("cli: study run typo suggests the study", ["study", "run", "gaussian_l22"], "did you mean 'gaussian_l2'"),
    cli_case("cli: study run a path as the name", ["study", "run", "../studies/gaussian_l2.py"], "gaussian_l2.py"),
    cli_case("cli: study run --results is a file", ["study", "run", "gaussian_l2", "--results", "/dev/null"],
             "--results"),
    cli_case("cli: study run --results below a file", ["study", "run", "gaussian_l2", "--results", "/dev/null/r"],
             "--results"),
    cli_case("cli: study run --scheduler empty", ["study", "run", "gaussian_l2", "--scheduler", ""], "--scheduler"),
    cli_case("cli: study run --workers without a value", ["study", "run", "gaussian_l2", "--workers"], "--workers"),
    cli_case("cli: study run unknown option", ["study", "run", "gaussian_l2", "--tiny"], "--tiny"),
    cli_case("cli: study list extra argument", ["study", "list", "extra"], "extra"),
]
for value, why in BAD_INTS:
    CASES.append(cli_case(f"cli: figures make --workers {value!r} ({why})",
                          ["figures", "make", "all", "--workers", value], "--workers"))
    CASES.append(cli_case(f"cli: study run --workers {value!r} ({why})",
                          ["study", "run", "gaussian_l2", "--workers", value], "--workers"))
