"""Study registry and runner: cached, atomic, resumable sweeps on any Executor.

A study script in ``studies/`` defines three pure functions and registers them::

    def tasks(config) -> list[dict]                      # the sweep: one dict per unit of work
    def compute(task, ctx) -> dict[str, np.ndarray]      # one unit; ctx.workdir keeps checkpoints
    def combine(config, results) -> dict[str, np.ndarray]  # results in the order of tasks()
    register_study("name", tasks=tasks, compute=compute, combine=combine, config="name.toml")

``name.toml`` beside the script holds a ``[full]`` and a ``[quick]`` table. Every task's
result is written atomically to ``<results>/<name>/<variant>-<key>/tasks/`` as soon as it
is done, so an interrupted sweep restarts where it stopped; the combined result is cached
under the same key (a hash of the study name, version and config).
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

from statgen._io import load_npz, save_npz_atomic
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
]

Results = dict[str, np.ndarray]


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
        if variant not in self.configs:
            raise ValueError(f"variant must be one of {sorted(self.configs)} for study {self.name!r}, got {variant!r}")
        return self.configs[variant]


_STUDIES: dict[str, Study] = {}


def register_study(name: str, *, tasks, compute, combine, config: str | dict, description: str = "",
                   version: str = "1") -> Study:
    """Register a study; ``config`` is a TOML file name beside the calling script, or a dict
    ``{"full": {...}, "quick": {...}}``."""
    script = Path(sys.modules[compute.__module__].__file__).resolve()
    if isinstance(config, str):
        with open(script.parent / config, "rb") as fh:
            configs = tomllib.load(fh)
    else:
        configs = dict(config)
    missing = {"full", "quick"} - set(configs)
    if missing:
        raise ValueError(f"config of study {name!r} must have [full] and [quick] tables, missing {sorted(missing)}")
    study = Study(name, tasks, compute, combine, configs, script, description or (compute.__module__ or ""), version)
    _STUDIES[name] = study
    return study


def project_root() -> Path:
    """The directory holding ``studies/`` and ``paper_figures/`` (``$STATGEN_ROOT`` overrides)."""
    env = os.environ.get("STATGEN_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parent.parent


def results_root(results_dir: str | os.PathLike | None = None) -> Path:
    """Where study results live: the argument, else ``$STATGEN_RESULTS``, else ``./results``."""
    return Path(results_dir or os.environ.get("STATGEN_RESULTS", "results")).resolve()


def load_scripts(folder: str) -> None:
    """Import every ``*.py`` script of ``<project_root>/<folder>`` so that it registers itself."""
    directory = project_root() / folder
    if not directory.is_dir():
        raise FileNotFoundError(f"no {folder}/ directory at {directory}; set STATGEN_ROOT to the statgen checkout")
    for path in sorted(directory.glob("*.py")):
        if not path.name.startswith("_"):
            _import_script(path)


def _import_script(path: Path):
    module_name = f"statgen_scripts.{path.parent.name}.{path.stem}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def list_studies() -> list[Study]:
    load_scripts("studies")
    return [_STUDIES[k] for k in sorted(_STUDIES)]


def get_study(name: str) -> Study:
    if name not in _STUDIES:
        load_scripts("studies")
    if name not in _STUDIES:
        raise ValueError(f"name must be a registered study, one of {sorted(_STUDIES)}; got {name!r}")
    return _STUDIES[name]


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _run_task(script: str, name: str, task: dict, out: str, workdir: str, progress: bool) -> str:
    """Executed in a worker: import the script by path (works for dask workers sharing the
    file system), compute one task and write its result atomically."""
    _import_script(Path(script))
    result = _STUDIES[name].compute(task, TaskContext(Path(workdir), progress))
    if not isinstance(result, dict):
        raise TypeError(f"study {name!r}: compute() must return a dict of arrays, got {type(result).__name__}")
    save_npz_atomic(out, result)
    return out


def run_study(name: str, *, quick: bool = False, executor: cf.Executor | None = None, workers: int | None = None,
              results_dir: str | os.PathLike | None = None, progress: bool = True, config: dict | None = None) -> Results:
    """Run (or load from cache) a registered study and return its combined results.

    Parameters
    ----------
    name : registered study name (``statgen study list``).
    quick : use the ``[quick]`` config instead of ``[full]``.
    executor : any ``concurrent.futures.Executor`` (e.g. ``dask.distributed.Client.get_executor()``);
        by default a local process pool with ``workers`` processes (``workers=1`` runs inline).
    config : override the TOML config entirely (keyed separately in the cache).
    """
    study = get_study(name)
    variant = "quick" if quick else "full"
    cfg = dict(study.config(variant) if config is None else config)
    key = _hash({"study": name, "version": study.version, "config": cfg})
    base = results_root(results_dir) / name / f"{variant}-{key}"
    final = base / "result.npz"
    if final.exists():
        return load_npz(final)
    base.mkdir(parents=True, exist_ok=True)
    (base / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True, default=str))

    tasks = study.tasks(cfg)
    outs = [base / "tasks" / f"{i:05d}-{_hash(t)}.npz" for i, t in enumerate(tasks)]
    todo = [i for i, o in enumerate(outs) if not o.exists()]
    args = [(str(study.script), name, tasks[i], str(outs[i]), str(base / "work" / outs[i].stem), progress)
            for i in todo]
    bar = progress_bar(total=len(tasks), initial=len(tasks) - len(todo), desc=name, progress=progress)
    with bar:
        for _ in _execute(args, executor, workers):
            bar.update(1)
    result = study.combine(cfg, [load_npz(o) for o in outs])
    save_npz_atomic(final, result)
    return result


def _execute(args: list[tuple], executor: cf.Executor | None, workers: int | None) -> Iterator[str]:
    if not args:
        return
    if executor is None and (workers == 1 or len(args) == 1):
        for a in args:
            yield _run_task(*a)
        return
    own = executor is None
    pool = cf.ProcessPoolExecutor(max_workers=workers or os.cpu_count()) if own else executor
    try:
        futures = [pool.submit(_run_task, *a) for a in args]
        for fut in cf.as_completed(futures):
            yield fut.result()
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
