"""statgen._native: C source compiled on first use into a keyed cache, atomically, and refused clearly
when it cannot be built. Each case runs in a fresh interpreter (a loaded library stays loaded)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(shutil.which(os.environ.get("CC") or "cc") is None, reason="needs a C compiler")

_LOAD = """
import ctypes, json, sys
from statgen._native import NativeUnavailable, load_library
try:
    lib = load_library(sys.argv[1], headers=("inc.h",))
    lib.add.argtypes, lib.add.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    print(json.dumps({"add": lib.add(2, 3)}))
except NativeUnavailable as exc:
    print(json.dumps({"error": str(exc), "is_import_error": isinstance(exc, ImportError)}))
"""


def _load(src, cache, **env):
    proc = subprocess.run([sys.executable, "-c", _LOAD, str(src)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "STATGEN_CACHE_DIR": str(cache), **env})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _libraries(cache):
    return sorted(p.name for p in (cache / "native").glob("*.so"))


def test_compiles_once_then_loads_from_the_cache_and_a_changed_header_rebuilds(tmp_path):
    src, inc, cache = tmp_path / "k.c", tmp_path / "inc.h", tmp_path / "cache"
    inc.write_text("#define OFFSET 0\n")
    src.write_text('#include "inc.h"\nint add(int a, int b) { return a + b + OFFSET; }\n')
    assert _load(src, cache) == {"add": 5}
    (built,) = _libraries(cache)
    mtime = (cache / "native" / built).stat().st_mtime_ns
    assert _load(src, cache) == {"add": 5}
    assert _libraries(cache) == [built] and (cache / "native" / built).stat().st_mtime_ns == mtime  # not rebuilt
    inc.write_text("#define OFFSET 10\n")  # an included file is part of the key
    assert _load(src, cache) == {"add": 15}
    assert len(_libraries(cache)) == 2
    assert not list((cache / "native").glob(".*.tmp"))  # no temporary file left behind


def test_a_compile_error_and_a_missing_compiler_raise_native_unavailable(tmp_path):
    src, cache = tmp_path / "k.c", tmp_path / "cache"
    (tmp_path / "inc.h").write_text("\n")
    src.write_text("int add(int a, int b) { return a + ; }\n")
    out = _load(src, cache)
    assert out["is_import_error"] and "could not compile k.c" in out["error"] and "error" in out["error"].lower()
    assert _libraries(cache) == [] and not list((cache / "native").glob(".*.tmp"))
    src.write_text("int add(int a, int b) { return a + b; }\n")
    out = _load(src, cache, CC=str(tmp_path / "no-such-cc"))
    assert out["is_import_error"] and "no C compiler found" in out["error"] and "no-such-cc" in out["error"]
