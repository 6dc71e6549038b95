"""The package's shape: every module imports on its own, no import cycle, layering, lazy torch.

- every module of ``statgen/`` imports cleanly in an interpreter that has imported no statgen
  module before (default suite: forked from one interpreter that preloaded only third-party
  libraries; ``-m slow``: one fresh ``python -c`` per module);
- the graph of module-level imports (top level, ``if TYPE_CHECKING:`` and class bodies; not the
  imports inside functions, which are the sanctioned lazy ones) has no cycle;
- no library module imports ``statgen.studies`` (only ``statgen.figures`` and ``statgen.cli`` may),
  and none imports the ``studies/`` or ``paper_figures/`` scripts;
- ``statgen.graphical``'s Gaussian functions and ``statgen.pointprocess`` run without torch.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "statgen"
#: The only modules allowed to import the study runner (figures render study results; the CLI runs them).
MAY_IMPORT_STUDIES = ("statgen.studies", "statgen.figures", "statgen.cli")
SCRIPT_PACKAGES = ("studies", "paper_figures", "statgen_scripts")


# ---------------------------------------------------------------- the static import graph

def module_names(package_dir: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``package_dir``."""
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _module_level_imports(tree: ast.Module):
    """Import nodes executed when the module is imported: top level, inside if/try/with/for/while
    (``if TYPE_CHECKING:`` included) and class bodies; not inside functions or lambdas."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        else:
            stack.extend(ast.iter_child_nodes(node))


def _all_imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _targets(node, module: str, is_package: bool, modules: set[str]) -> list[str]:
    """The modules an import statement imports (absolute names; statgen modules resolved to the
    deepest module that exists)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module
    out = []
    for alias in node.names:
        sub = f"{prefix}.{alias.name}"
        out.append(sub if sub in modules else prefix)  # `from pkg import submodule` imports the submodule
    return out


def _resolve(name: str, modules: set[str]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(package_dir: Path = PACKAGE, *, lazy: bool = False) -> dict[str, set[str]]:
    """Edges module -> statgen modules it imports at module level (every import when ``lazy``)."""
    files = module_names(package_dir)
    modules = set(files)
    graph = {}
    for mod, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        nodes = _all_imports(tree) if lazy else _module_level_imports(tree)
        edges = set()
        for node in nodes:
            for target in _targets(node, mod, path.name == "__init__.py", modules):
                if lazy:
                    edges.add(target)
                else:
                    resolved = _resolve(target, modules)
                    if resolved is not None and resolved != mod:
                        edges.add(resolved)
        graph[mod] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """``(members, cycle)`` per strongly connected component with a cycle: its sorted members and
    one shortest closed path ``a -> ... -> a`` through its first member."""
    index, low, on_stack, stack, sccs = {}, {}, set(), [], []
    counter = [0]

    def strongconnect(v):  # Tarjan; recursion depth is bounded by the number of modules
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                sccs.append(set(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    cycles = []
    for comp in sccs:  # a shortest closed path through the component's smallest member
        start = min(comp)
        paths, seen = {start: [start]}, {start}
        frontier = [start]
        cycle = None
        while frontier and cycle is None:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & comp):
                    if w == start:
                        cycle = paths[v] + [start]
                        break
                    if w not in seen:
                        seen.add(w)
                        paths[w] = paths[v] + [w]
                        nxt.append(w)
                if cycle:
                    break
            frontier = nxt
        cycles.append((sorted(comp), cycle))
    return cycles


# ---------------------------------------------------------------- the checker checks itself

def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "pkg"
    for rel, text in files.items():
        p = pkg / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return pkg


def test_the_cycle_finder_sees_a_cycle_and_ignores_lazy_imports(tmp_path):
    pkg = _fake_package(tmp_path, {
        "__init__.py": "from pkg.sub import model\n",
        "sub/__init__.py": "from .model import Model\n",
        "sub/model.py": "import numpy\nfrom pkg.sub.path import f\nclass Model: pass\n",
        "sub/path.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import model\n"
                       "def f():\n    from pkg.sub import model\n",
        "other.py": "def g():\n    import pkg.sub.model\n",
    })
    graph = import_graph(pkg)
    assert graph["pkg.sub.model"] == {"pkg.sub.path"}
    assert graph["pkg.sub.path"] == {"pkg.sub.model"}  # the TYPE_CHECKING import counts, the lazy one not
    assert graph["pkg.other"] == set()
    assert graph["pkg"] == {"pkg.sub.model"}
    assert find_cycles(graph) == [(["pkg.sub.model", "pkg.sub.path"], ["pkg.sub.model", "pkg.sub.path", "pkg.sub.model"])]
    (pkg / "sub" / "path.py").write_text("def f():\n    from pkg.sub import model\n")
    assert find_cycles(import_graph(pkg)) == []


def test_the_cycle_finder_sees_an_aggregator_cycle(tmp_path):
    # a module importing a name from its own package's __init__, which imports that module
    pkg = _fake_package(tmp_path, {
        "__init__.py": "",
        "g/__init__.py": "from .a import f\nfrom .b import h\n",
        "g/a.py": "def f(): pass\n",
        "g/b.py": "from pkg.g import f\ndef h(): pass\n",
    })
    assert find_cycles(import_graph(pkg)) == [(["pkg.g", "pkg.g.b"], ["pkg.g", "pkg.g.b", "pkg.g"])]


# ---------------------------------------------------------------- the real package

def test_statgen_has_no_import_cycle():
    graph = import_graph()
    cycles = find_cycles(graph)
    assert not cycles, "import cycles among statgen modules (module-level imports):\n" + "\n".join(
        f"  {' -> '.join(cycle)}   (component of {len(members)}: {', '.join(members)})"
        for members, cycle in cycles)


def test_library_modules_do_not_import_the_study_runner_or_scripts():
    files = module_names()
    offenders = []
    for mod, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in _all_imports(tree):
            for target in _targets(node, mod, path.name == "__init__.py", set(files)):
                if target.split(".")[0] in SCRIPT_PACKAGES:
                    offenders.append(f"{mod} imports the script package {target} (line {node.lineno})")
                if (target == "statgen.studies" or target.startswith("statgen.studies.")) and \
                        not any(mod == m or mod.startswith(m + ".") for m in MAY_IMPORT_STUDIES):
                    offenders.append(f"{mod} imports statgen.studies (line {node.lineno}); use statgen._io")
    assert not offenders, "\n".join(offenders)


_FORK_IMPORTER = r"""
import importlib, json, os, sys, traceback
for lib in ("numpy", "scipy.linalg", "scipy.optimize", "scipy.special", "scipy.stats", "scipy.integrate",
            "torch", "numba", "matplotlib", "tqdm", "sklearn", "openmm"):
    try:
        importlib.import_module(lib)
    except ImportError:
        pass
assert not [m for m in sys.modules if m == "statgen" or m.startswith("statgen.")], "parent imported statgen"
failures = {}
for name in json.loads(sys.argv[1]):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            importlib.import_module(name)
            code = 0
        except BaseException:
            os.write(w, traceback.format_exc()[-4000:].encode())
            code = 1
        os.close(w)
        os._exit(code)
    os.close(w)
    with os.fdopen(r) as fh:
        text = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failures[name] = text or f"exit status {status}"
print(json.dumps(failures))
"""


def _run(code: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_every_module_imports_on_its_own():
    """Each module in a child forked before any statgen import (third-party libraries preloaded
    to keep this fast): a module that works only after another one was imported fails here."""
    names = sorted(module_names())
    proc = _run(_FORK_IMPORTER, json.dumps(names))
    assert proc.returncode == 0, proc.stderr[-3000:]
    failures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not failures, "modules that do not import on their own:\n" + "\n".join(
        f"--- {k}\n{v}" for k, v in failures.items())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(module_names()))
def test_every_module_imports_in_a_fresh_interpreter(name):
    proc = _run(f"import {name}")
    assert proc.returncode == 0, proc.stderr[-3000:]


_TORCH_TRACER = r"""
import sys, traceback

class _Tracer:  # records who imports torch first
    stack = None
    def find_spec(self, name, path=None, target=None):
        if name == "torch" and _Tracer.stack is None:
            _Tracer.stack = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack()
                             if "statgen" in f.filename and "<frozen" not in f.filename]
        return None

sys.meta_path.insert(0, _Tracer())

def check(what):
    if "torch" in sys.modules:
        raise SystemExit(f"{what} imported torch; first imported from: {_Tracer.stack}")
"""


def test_gaussian_functions_do_not_import_torch():
    code = _TORCH_TRACER + textwrap.dedent("""
        import numpy as np
        import statgen.graphical as g
        check("import statgen.graphical")
        rng = np.random.default_rng(0)
        J = g.sk_couplings(12, 0.5, rng=rng)
        g.ring_couplings(12, 0.3)
        g.band_couplings(12, 2, 0.5, rng=rng)
        X = rng.standard_normal((120, 12))
        C = X.T @ X / 120
        mu = g.spherical_mu(np.linalg.eigvalsh(J))
        Jmap, mu_map = g.map_l2(C, 1.0, 10.0)
        path = g.l2_path(C, np.logspace(-2, 2, 5), 10.0, C_true=C)
        g.predicted_gamma(J)
        g.map_l1(C, 0.1)
        check("the Gaussian functions (sk/ring/band couplings, spherical_mu, map_l2, l2_path, map_l1)")
        print("ok", path.gamma_opt)
    """)
    proc = _run(code, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-500:]


def test_pointprocess_does_not_import_torch():
    code = _TORCH_TRACER + textwrap.dedent("""
        import numpy as np
        import statgen.pointprocess as pp
        check("import statgen.pointprocess")
        m = pp.NeymanScott(20.0, 5.0, pp.ThomasKernel(0.05), ((0, 1), (0, 1)))
        pts = m.simulate(rng=np.random.default_rng(0))
        x = np.array([[0.5, 0.5], [0.2, 0.7]])
        m.intensity(x)
        m.pair_correlation(x, x[::-1])
        m.conditional_intensity(x, pts[:3])
        check("NeymanScott simulate/intensity/pair_correlation/conditional_intensity")
        print("ok", len(pts))
    """)
    proc = _run(code, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-500:]


def _packages() -> list[str]:
    return sorted(m for m, p in module_names().items() if p.name == "__init__.py" and m != "statgen")


@pytest.mark.parametrize("package", _packages())
def test_each_package_declares_its_public_names(package):
    """``__all__``: unique names that resolve, and nothing public in the namespace left out of it
    (a re-export that drifted, as ``flows`` once omitted a loss function)."""
    import importlib
    import types

    mod = importlib.import_module(package)
    names = getattr(mod, "__all__", None)
    assert isinstance(names, list | tuple) and all(isinstance(n, str) for n in names), \
        f"{package} must define __all__ as a list of names"
    assert len(set(names)) == len(names), f"{package}.__all__ lists a name twice"
    unresolved = [n for n in names if not hasattr(mod, n)]
    assert not unresolved, f"{package}.__all__ names what it does not define: {unresolved}"
    public = {k for k, v in vars(mod).items() if not k.startswith("_") and not isinstance(v, types.ModuleType)
              and k != "annotations"}
    left_out = sorted(public - set(names))
    assert not left_out, f"{package} exposes names missing from its __all__: {left_out}"
