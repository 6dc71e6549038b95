"""Study registry and runner: cached, atomic, resumable sweeps on any Executor.

A study script in ``studies/`` defines three pure functions and registers them::

    def tasks(config) -> list[dict]                      # the sweep: one dict per unit of work
    def compute(task, ctx) -> dict[str, np.ndarray]      # one unit; ctx.workdir keeps checkpoints
    def combine(config, results) -> dict[str, np.ndarray]  # results in the order of tasks()
    register_study("name", tasks=tasks, compute=compute, combine=combine, config="name.toml")

``name.toml`` beside the script holds a ``[full]``, a ``[quick]`` and (for the test suite) a
``[tiny]`` table. Layout of one run, keyed by a hash of the study name, version and config::

    <results>/<name>/<variant>-<key>/
        config.json        the config (written atomically)
        tasks/00003-<hash>.npz   one task's result, written atomically as soon as it is done
        work/00003-<hash>/ the task's private working directory (its checkpoints)
        locks/             one lock file per task and one for the combined result
        result.npz         the combined result

Crash safety: every file is written to a temporary file and renamed, so a reader (or a run
restarted after ``kill -9``) sees a complete file or none. Concurrency: a task is computed while
holding an exclusive ``flock`` on its lock file, so two processes (or two cluster jobs on a shared
file system) running the same study share the work instead of computing a task twice; the lock
dies with its process, so a killed run never leaves a stale lock. Temporary files left by a killed
writer are removed by the next holder of the same lock.

A cached file that cannot be read (``result.npz`` or a task file damaged outside statgen, e.g. by
an interrupted copy) is reported as a ``ValueError`` naming the path; delete it to recompute it.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import importlib.util
import json
import os
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from statgen._checks import check_bool, check_choice, check_int
from statgen._io import file_lock, load_npz, save_npz_atomic, write_json_atomic
from statgen._progress import progress_bar

__all__ = [
    "Study",
    "TaskContext",
    "register_study",
    "get_study",
    "list_studies",
    "run_study",
    "save_npz_atomic",
    "load_npz",
    "project_root",
    "results_root",
    "load_scripts",
    "broken_scripts",
    "script_of",
    "Registry",
]

Results = dict[str, np.ndarray]

#: The variants a study config must define; ``tiny`` is what the test suite runs (seconds).
REQUIRED_VARIANTS = ("full", "quick")


@dataclass(frozen=True)
class TaskContext:
    """What a task sees besides its own parameters.

    workdir: a directory private to this task that survives restarts (checkpoints go here).
    progress: whether the task may show its own progress bar.
    """

    workdir: Path
    progress: bool = True


@dataclass(frozen=True)
class Study:
    name: str
    tasks: Callable[[dict], list[dict]]
    compute: Callable[[dict, TaskContext], Results]
    combine: Callable[[dict, list[Results]], Results]
    configs: dict[str, dict]
    script: Path
    description: str = ""
    version: str = "1"

    def config(self, variant: str) -> dict:
        """The config table ``variant`` (``"full"``, ``"quick"``, ``"tiny"``, ...) of the TOML file."""
        check_choice(variant, f"variant of study {self.name!r}", sorted(self.configs))
        return self.configs[variant]


class Registry:
    """Registered entries (studies or figures) by the directory of the script that registered them,
    so that two project roots (``$STATGEN_ROOT``) in one process do not see each other's names."""

    def __init__(self, folder: str, kind: str):
        self.folder, self.kind = folder, kind
        self.by_dir: dict[Path, dict] = {}

    def add(self, name: str, entry, script: Path) -> None:
        self.by_dir.setdefault(script.parent, {})[name] = entry

    def current(self) -> dict:
        return self.by_dir.get(project_root() / self.folder, {})

    def all(self) -> list:
        load_scripts(self.folder)
        current = self.current()
        return [current[k] for k in sorted(current)]

    def get(self, name: str):
        if name not in self.current():
            load_scripts(self.folder)
        current = self.current()
        if name in current:
            return current[name]
        elsewhere = [reg[name] for reg in self.by_dir.values() if name in reg]  # registered from user code
        if elsewhere:
            return elsewhere[-1]
        raise unknown_name_error(self.kind, name, sorted(current), self.folder)


_STUDIES = Registry("studies", "study")
#: Scripts of ``studies/`` or ``paper_figures/`` that failed to import: path -> exception.
_BROKEN: dict[Path, BaseException] = {}


def script_of(fn) -> Path:
    """The file that defines function ``fn`` (the script a study or figure was registered from)."""
    return Path(sys.modules[fn.__module__].__file__).resolve()


def register_study(name: str, *, tasks, compute, combine, config: str | dict, description: str = "",
                   version: str = "1") -> Study:
    """Register a study; ``config`` is a TOML file name beside the calling script, or a dict
    ``{"full": {...}, "quick": {...}, "tiny": {...}}``."""
    script = script_of(compute)
    if isinstance(config, str):
        path = script.parent / config
        try:
            with open(path, "rb") as fh:
                configs = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path} is not a valid TOML study config: {exc}") from exc
    else:
        configs = dict(config)
    missing = [v for v in REQUIRED_VARIANTS if v not in configs]
    if missing:
        raise ValueError(f"config of study {name!r} must have [full] and [quick] tables, missing {missing}")
    bad = [v for v, table in configs.items() if not isinstance(table, dict)]
    if bad:
        raise ValueError(f"config of study {name!r}: {bad} must be tables ([{bad[0]}]), not plain values")
    study = Study(name, tasks, compute, combine, configs, script,
                  description if description != "" else compute.__module__, version)
    _STUDIES.add(name, study, script)
    return study


def project_root() -> Path:
    """The directory holding ``studies/`` and ``paper_figures/`` (``$STATGEN_ROOT`` overrides)."""
    env = os.environ.get("STATGEN_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parent.parent


def results_root(results_dir: str | os.PathLike | None = None) -> Path:
    """Where study results live: the argument, else ``$STATGEN_RESULTS``, else ``./results``.

    Raises ``ValueError`` when the path exists and is not a directory."""
    if results_dir is None:
        results_dir = os.environ.get("STATGEN_RESULTS", "results")
    path = Path(results_dir).resolve()
    if path.exists() and not path.is_dir():
        raise ValueError(f"results directory {path} exists and is not a directory")
    return path


def load_scripts(folder: str) -> dict[Path, BaseException]:
    """Import every ``*.py`` script of ``<project_root>/<folder>`` so that it registers itself.

    A script that fails to import does not stop the others; the failures are returned (and
    remembered, so that asking for a name a broken script would have registered says why)."""
    directory = project_root() / folder
    if not directory.is_dir():
        raise FileNotFoundError(f"no {folder}/ directory at {directory}; set STATGEN_ROOT to the statgen checkout")
    failed = {}
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            _import_script(path)
        except Exception as exc:  # noqa: BLE001 - reported per script, the others still load
            failed[path] = exc
    _BROKEN.update(failed)
    return failed


def broken_scripts(folder: str) -> dict[Path, BaseException]:
    """The scripts of ``folder`` whose import failed (after ``load_scripts``)."""
    directory = project_root() / folder
    return {p: e for p, e in _BROKEN.items() if p.parent == directory}


def _import_script(path: Path):
    path = path.resolve()
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:10]  # one module per file, whatever the root
    module_name = f"statgen_scripts.{path.parent.name}.{path.stem}_{digest}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    _BROKEN.pop(path, None)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        del sys.modules[module_name]
        _BROKEN[path] = exc
        raise
    return module


def unknown_name_error(kind: str, name, known: list[str], folder: str) -> ValueError:
    """``ValueError`` for an unregistered study/figure name: did-you-mean, and the scripts that
    failed to import (one of them may have been meant to register it)."""
    import difflib

    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    msg = f"{name!r} is not a registered {kind}{hint}; registered: {', '.join(known) if known else 'none'}"
    broken = broken_scripts(folder)
    if broken:
        msg += "; these scripts failed to import: " + ", ".join(
            f"{p.parent.name}/{p.name} ({type(e).__name__}: {e})" for p, e in sorted(broken.items()))
    return ValueError(msg)


def list_studies() -> list[Study]:
    """The studies registered by the scripts of ``<project_root>/studies``."""
    return _STUDIES.all()


def get_study(name: str) -> Study:
    """The registered study ``name`` (``ValueError`` with a did-you-mean when there is none)."""
    return _STUDIES.get(name)


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]



def _remove_stale_temporaries(target: Path, workdir: Path | None = None) -> None:
    """Remove what a killed writer of ``target`` (and of files in ``workdir``) left behind.
    Only called while holding the lock that every writer of those files holds."""
    for tmp in target.parent.glob(f".{target.name}.*.tmp"):
        tmp.unlink(missing_ok=True)
    if workdir is not None and workdir.is_dir():
        for tmp in workdir.rglob("*.tmp"):
            if tmp.is_file():
                tmp.unlink(missing_ok=True)


def _load_cached(path: Path, what: str) -> Results:
    try:
        return load_npz(path, what=what)
    except ValueError as exc:
        raise ValueError(f"{exc}; delete {path} to recompute it") from exc


def _run_task(script: str, name: str, task: dict, out: str, workdir: str, lock: str, progress: bool,
              blocking: bool) -> str | None:
    """Executed in a worker: import the script by path (works for dask workers sharing the file
    system), compute one task under its lock and write its result atomically.

    Returns ``out`` when the result exists afterwards, ``None`` when another process holds the
    task (only when ``blocking`` is False)."""
    out_p, work_p = Path(out), Path(workdir)
    with file_lock(Path(lock), blocking=blocking) as held:
        if not held:
            return None
        if out_p.exists():  # another process finished it while we waited
            return out
        _remove_stale_temporaries(out_p, work_p)
        _import_script(Path(script))
        result = _STUDIES.by_dir[Path(script).parent][name].compute(task, TaskContext(work_p, progress))
        if not isinstance(result, dict):
            raise TypeError(f"study {name!r}: compute() must return a dict of arrays, got {type(result).__name__}")
        save_npz_atomic(out_p, result)
    return out


def run_study(name: str, *, quick: bool = False, variant: str | None = None, executor: cf.Executor | None = None,
              workers: int | None = None, results_dir: str | os.PathLike | None = None, progress: bool = True,
              config: dict | None = None) -> Results:
    """Run (or load from cache) a registered study and return its combined results.

    Parameters
    ----------
    name : registered study name (``statgen study list``).
    quick : use the ``[quick]`` config instead of ``[full]``.
    variant : the config table to use (``"full"``, ``"quick"``, ``"tiny"``, ...); overrides ``quick``.
    executor : any ``concurrent.futures.Executor`` (e.g. ``dask.distributed.Client.get_executor()``);
        by default a local process pool with ``workers`` processes (``workers=1`` runs inline).
    workers : local worker processes, >= 1 (default: all cores); ignored when ``executor`` is given.
    results_dir : the results cache (default ``$STATGEN_RESULTS`` or ``./results``).
    config : override the TOML config entirely (keyed separately in the cache).

    Raises
    ------
    ValueError
        Unknown study or variant, bad arguments, or an unreadable cached file (named; delete it
        to recompute).
    """
    check_bool(quick, "quick")
    check_bool(progress, "progress")
    if workers is not None:
        workers = check_int(workers, "workers", minimum=1)
    if executor is not None and not isinstance(executor, cf.Executor):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    if config is not None and not isinstance(config, dict):
        raise TypeError(f"config must be a dict (one table of the study's TOML), got {type(config).__name__}")
    study = get_study(name)
    if variant is None:
        variant = "quick" if quick else "full"
    cfg = dict(study.config(variant) if config is None else config)
    key = _hash({"study": name, "version": study.version, "config": cfg})
    base = results_root(results_dir) / name / f"{variant}-{key}"
    final = base / "result.npz"
    what = f"statgen result of study {name!r}"
    if final.exists():
        return _load_cached(final, what)
    with file_lock(base / "locks" / "study.lock"):
        _remove_stale_temporaries(base / "config.json")
        write_json_atomic(base / "config.json", cfg)

    tasks = study.tasks(cfg)
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise TypeError(f"study {name!r}: tasks() must return a list of dicts")
    stems = [f"{i:05d}-{_hash(t)}" for i, t in enumerate(tasks)]
    outs = [base / "tasks" / f"{s}.npz" for s in stems]

    def args(i: int, blocking: bool) -> tuple:
        return (str(study.script), name, tasks[i], str(outs[i]), str(base / "work" / stems[i]),
                str(base / "locks" / f"{stems[i]}.lock"), progress, blocking)

    todo = [i for i, o in enumerate(outs) if not o.exists()]
    bar = progress_bar(total=len(tasks), initial=len(tasks) - len(todo), desc=name, progress=progress)
    with bar:
        # first pass: skip the tasks another process is computing; then wait for those
        busy = []
        for i, done in _execute({i: args(i, False) for i in todo}, executor, workers):
            if done is None:
                busy.append(i)
            else:
                bar.update(1)
        for _ in _execute({i: args(i, True) for i in sorted(busy)}, executor, workers):
            bar.update(1)

    with file_lock(base / "locks" / "study.lock"):
        if final.exists():  # another process combined meanwhile
            return _load_cached(final, what)
        _remove_stale_temporaries(final)
        result = study.combine(cfg, [_load_cached(o, f"statgen task result of study {name!r}") for o in outs])
        if not isinstance(result, dict):
            raise TypeError(f"study {name!r}: combine() must return a dict of arrays, got {type(result).__name__}")
        save_npz_atomic(final, result)
    return result


def _execute(args: dict[int, tuple], executor: cf.Executor | None,
             workers: int | None) -> Iterator[tuple[int, str | None]]:
    """Yield ``(i, _run_task(*a))`` for every ``i: a`` of ``args``, as they complete."""
    if not args:
        return
    if executor is None and (workers == 1 or len(args) == 1):
        for i, a in args.items():
            yield i, _run_task(*a)
        return
    own = executor is None
    pool = cf.ProcessPoolExecutor(max_workers=workers if workers is not None else os.cpu_count()) if own else executor
    try:
        futures = {pool.submit(_run_task, *a): i for i, a in args.items()}
        for fut in cf.as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
