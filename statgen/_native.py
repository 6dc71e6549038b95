"""C kernels shipped as source, compiled on first use by the system's C compiler and loaded with ctypes.

A library is built once per source, compiler and CPU into ``<cache_root>/native/<name>-<key>.so``
(``$STATGEN_CACHE_DIR`` or ``~/.cache/statgen``; :func:`statgen._io.cache_root`) with
``-O3 -march=native -fopenmp``: the key hashes the source files, the compiler's version, the flags
and the CPU's instruction-set flags, so a changed kernel, compiler or machine gets its own library.
The build writes a temporary file and renames it into place under an flock (an interrupted build
leaves nothing half-written; concurrent processes wait instead of compiling twice). ``$CC`` names
the compiler (default ``cc``). Without one, :func:`load_library` raises :class:`NativeUnavailable`
and callers take their pure-Python/torch route.

Compared with a numba JIT this imports no LLVM: the process stays ~100 MiB smaller, which matters
when a fit's own arrays are what should fill the memory.
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from statgen._io import cache_root, file_lock

__all__ = ["NativeUnavailable", "load_library", "native_available"]

FLAGS = ("-O3", "-march=native", "-fopenmp", "-fno-math-errno", "-fPIC", "-shared")
_LOADED: dict[Path, ctypes.CDLL] = {}
_FAILED: dict[Path, str] = {}


class NativeUnavailable(ImportError):
    """No C compiler, or the kernel did not compile or load here (an ImportError: a component is missing)."""


def _compiler() -> str | None:
    cc = os.environ.get("CC") or "cc"
    return shutil.which(cc)


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _hasher():
    """BLAKE2b from CPython's own module: ``import hashlib`` loads OpenSSL's libcrypto, ~4 MiB of
    resident memory in every process that loads a kernel (the plm fit counts its megabytes)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # an interpreter without it
        from hashlib import blake2b
    return blake2b(digest_size=32)


def _key(sources: list[Path], cc: str) -> str:
    h = _hasher()
    for src in sources:
        h.update(src.name.encode() + b"\0" + src.read_bytes())
    version = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False).stdout
    h.update("\0".join([cc, version, *FLAGS, platform.machine(), _cpu_flags()]).encode())
    return h.hexdigest()[:20]


def load_library(source: str | os.PathLike, *, headers: tuple[str, ...] = ()) -> ctypes.CDLL:
    """The ctypes library built from the C file ``source`` (``headers``: files beside it that it
    includes, hashed too), compiled on first use and then loaded from the cache."""
    src = Path(source).resolve()
    if src in _LOADED:
        return _LOADED[src]
    if src in _FAILED:
        raise NativeUnavailable(_FAILED[src])
    try:
        lib = _build_and_load(src, [src, *(src.parent / h for h in headers)])
    except NativeUnavailable as exc:
        _FAILED[src] = str(exc)
        raise
    _LOADED[src] = lib
    return lib


def _build_and_load(src: Path, sources: list[Path]) -> ctypes.CDLL:
    cc = _compiler()
    if cc is None:
        raise NativeUnavailable(f"no C compiler found (looked for {os.environ.get('CC') or 'cc'!r}; set CC)")
    out_dir = cache_root() / "native"
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lib = out_dir / f"{src.stem}-{_key(sources, cc)}.so"
    with file_lock(lib.with_suffix(".lock")):
        if not lib.exists():
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{lib.name}.", suffix=".tmp")
            os.close(fd)
            try:
                run = subprocess.run([cc, *FLAGS, "-o", tmp, str(src)], capture_output=True, text=True, check=False)
                if run.returncode != 0:
                    raise NativeUnavailable(f"{cc} could not compile {src.name}:\n{run.stderr.strip()[-2000:]}")
                os.replace(tmp, lib)
            finally:
                Path(tmp).unlink(missing_ok=True)
    try:
        return ctypes.CDLL(str(lib))
    except OSError as exc:
        raise NativeUnavailable(f"could not load {lib}: {exc}") from exc


def native_available(source: str | os.PathLike, *, headers: tuple[str, ...] = ()) -> bool:
    """Whether :func:`load_library` succeeds for ``source`` (compiling it if needed)."""
    try:
        load_library(source, headers=headers)
    except NativeUnavailable:
        return False
    return True
