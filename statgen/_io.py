"""Files written atomically and read without pickles.

A reader sees the old file or the complete new one, never a partial one; a loader names the
path and what is wrong with it instead of surfacing a raw zipfile/JSON/pickle error.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np

try:
    import fcntl
except ImportError:  # not POSIX: locks are skipped (see file_lock)
    fcntl = None

_UMASK = os.umask(0o022)  # read the process umask once (os.umask can only read it by setting it)
os.umask(_UMASK)

__all__ = ["cache_root", "atomic_write", "file_lock", "save_npz_atomic", "load_npz", "load_package_npz", "write_json_atomic", "read_json"]


def cache_root() -> Path:
    """statgen's cache of compiled code: ``$STATGEN_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/statgen``
    (``~/.cache/statgen`` by default)."""
    root = os.environ.get("STATGEN_CACHE_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "statgen"


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success fsync it and rename it over ``path``
    (atomic on POSIX), on any exception remove it and leave ``path`` untouched. Creates the
    parent directory. The file gets the permissions ``open`` would give it (those of the file it
    replaces, else 0666 less the umask), not the temporary file's private 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        perms = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        perms = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, perms)
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())  # the rename must not land before the data (kill -9, power loss)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def file_lock(lock: str | os.PathLike, *, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive flock on ``lock`` for the block; yields False (without waiting) when
    ``blocking`` is False and another process holds it. Released when the process dies.

    Where the file system has no locks (some network file systems, non-POSIX systems) the block
    runs unlocked: files stay whole (atomic writes), but two concurrent writers may do the same work twice."""
    lock = Path(lock)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as fh:
        try:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                raise
            yield True
            return
        try:
            yield True
        finally:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)


def save_npz_atomic(path: str | os.PathLike, data: dict) -> None:
    """Write ``data`` (name → array) to ``path`` as .npz through a temporary file and a rename."""
    arrays = {k: np.asarray(v) for k, v in data.items()}
    bad = [k for k, v in arrays.items() if v.dtype == object]
    if bad:
        raise TypeError(f"data[{bad[0]!r}] must be a numeric or string array, not Python objects (no pickles)")
    with atomic_write(path) as fh:
        np.savez(fh, **arrays)


def load_npz(path: str | os.PathLike, *, what: str = "statgen .npz file",
             required: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Read every array of an .npz file (``allow_pickle=False``).

    Raises ``FileNotFoundError`` when ``path`` is missing and ``ValueError(f"{path} is not a {what}: …")``
    when it cannot be read or lacks one of ``required``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (expected a {what})")
    import zipfile  # here: it loads the lzma and bz2 libraries, which most commands never need

    try:
        with np.load(path, allow_pickle=False) as f:
            out = {k: f[k] for k in f.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise ValueError(f"{path} is not a {what}: {type(exc).__name__}: {exc}") from exc
    missing = [k for k in required if k not in out]
    if missing:
        raise ValueError(f"{path} is not a {what}: missing arrays {missing}, found {sorted(out)}")
    return out


def load_package_npz(package: str, name: str, *, what: str) -> dict[str, np.ndarray]:
    """:func:`load_npz` of ``<package>/data/<name>``, a file shipped with statgen."""
    from importlib import resources

    with resources.as_file(resources.files(package) / "data" / name) as path:
        return load_npz(path, what=what)


def write_json_atomic(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as indented, key-sorted JSON through a temporary file and a rename."""
    with atomic_write(path, "w") as fh:
        json.dump(obj, fh, indent=2, sort_keys=True, default=str)


def read_json(path: str | os.PathLike, *, what: str = "statgen JSON file", required: tuple[str, ...] = ()):
    """Read a JSON file, naming ``path`` in every error; ``required`` keys must be present."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (expected a {what})")
    try:
        obj = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a {what}: {type(exc).__name__}: {exc}") from exc
    if required:
        if not isinstance(obj, dict):
            raise ValueError(f"{path} is not a {what}: expected a JSON object, got {type(obj).__name__}")
        missing = [k for k in required if k not in obj]
        if missing:
            raise ValueError(f"{path} is not a {what}: missing keys {missing}")
    return obj
