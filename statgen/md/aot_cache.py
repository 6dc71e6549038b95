"""On-disk cache of AOTInductor packages of a traced energy+force graph (``EnergyForce(method="aoti")``).

Layout: ``<cache_dir>/<key>/package.pt2`` (the AOTInductor package: a zip holding the compiled
shared library, its weights as raw bytes and JSON metadata) and ``<key>/meta.json`` (the key's
ingredients and the SHA-256 of ``package.pt2``). The key (:func:`model_key`) is a SHA-256 over the
model's config and every tensor of its state dict, the source code of the modules that build the
traced graph, the torch version, the batch shape, dtype and device, and the code generation target
(CPU architecture and vector ISA, or the GPU's name and compute capability), so a retrained model,
changed statgen code, a new torch or another machine's CPU gets its own package; the cache can be
looked up without tracing the model.

Writes are atomic: a package is built in a temporary sibling directory, checked by loading it, and
renamed to ``<key>`` as a whole (a concurrent builder that lost the race discards its copy; an
``flock`` on ``<key>.lock`` makes concurrent processes wait instead of compiling twice).

What loading executes. :func:`load_package` checks ``meta.json`` (JSON) and the SHA-256 of the
package, then hands the file to ``torch._C._aoti.AOTIModelPackageLoader`` (C++), which unzips it,
reads JSON metadata and the raw weight bytes, and ``dlopen``s the shared library: loading *is*
running native code from the cache, as with any compiled extension. No pickle is read (the Python
``torch._inductor.aoti_load_package`` → ``load_pt2`` route is not used; it would also deserialize
exported programs and, for some packages, ``torch.load`` weights). The checksum protects against
truncated or corrupted files (refused with a ``ValueError`` naming the file), not against someone
who can write to your cache directory — who could equally replace your Python packages. The
directory is created with mode 0700.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import torch

from statgen._io import cache_root, file_lock

__all__ = ["cache_dir", "inductor_options", "model_key", "load_package", "build_package", "CacheEntryError"]

FORMAT = "statgen.md.aot_cache/1"
PACKAGE, META = "package.pt2", "meta.json"


def cache_dir() -> Path:
    """``$STATGEN_CACHE_DIR/md-aoti`` if set, else ``$XDG_CACHE_HOME/statgen/md-aoti`` (``~/.cache`` by default)."""
    return cache_root() / "md-aoti"


class CacheEntryError(ValueError):
    """A cache entry that is damaged (checksum, JSON, format, missing or unloadable package)."""


def _target(device: torch.device) -> str:
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return f"cuda:{props.name}:sm{props.major}{props.minor}:cuda{torch.version.cuda}"
    try:
        from torch._inductor.cpu_vec_isa import pick_vec_isa

        isa = str(pick_vec_isa())
    except Exception:  # noqa: BLE001 - a torch without this helper: key on the platform only
        isa = "unknown"
    import platform

    return f"{device.type}:{platform.machine()}:{isa}"


def inductor_options(device: torch.device) -> dict:
    """TorchInductor options for the energy+force graph on ``device`` (both compiled routes use them).

    On x86 CPUs, 256-bit vectors: the graph's inner loops run over the K = 8 mixture components, which
    fill a 256-bit vector of float32 (and two of float64) exactly, while AVX-512's 16 lanes leave half
    of every vector masked. Measured on the packaged smooth model (2-core AMD EPYC, one thread, float64,
    10 replicas): 2.2–2.3 ms per call against 3.1–3.3 ms with 512-bit vectors and 2.75 ms with 128."""
    import platform

    if device.type == "cpu" and platform.machine().lower() in ("x86_64", "amd64"):
        return {"cpp.simdlen": 256}
    return {}


#: modules whose code shapes the traced energy+force graph of a Boltzmann generator (their source is hashed).
_GRAPH_MODULES = ("statgen.md.evaluator", "statgen.md.model", "statgen.md.internal", "statgen.md.zmatrix",
                  "statgen.flows.flow", "statgen.flows.coupling", "statgen.flows.conditioners",
                  "statgen.flows.transformers", "statgen.flows.ramps")


def _source_digest() -> str:
    import importlib
    import inspect

    h = hashlib.sha256()
    for name in _GRAPH_MODULES:
        h.update(inspect.getsource(importlib.import_module(name)).encode())
    return h.hexdigest()


def model_key(model, shape, dtype: torch.dtype, device: torch.device) -> tuple[str, dict]:
    """(hex key, its ingredients as plain data) of ``model`` (a :class:`statgen.md.BoltzmannGenerator`:
    its ``config`` and every tensor of its ``state_dict``) compiled for inputs of ``shape``, ``dtype`` and
    ``device``, with the source of the modules that build its graph, the torch version and the target."""
    h = hashlib.sha256(json.dumps(model.config, sort_keys=True).encode())
    for name, t in sorted(model.state_dict().items()):
        t = t.detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    info = {"format": FORMAT, "torch": torch.__version__, "shape": [int(s) for s in shape], "dtype": str(dtype),
            "device": str(device), "target": _target(device), "inductor": inductor_options(device),
            "model_sha256": h.hexdigest(),
            "source_sha256": _source_digest()}
    key = hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()[:32]
    return key, info


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Runner:
    """Call an AOTInductor model: x ↦ (U, F), one C++ call (``boxed_run``), no pytree work per call."""

    def __init__(self, loader):
        self.loader = loader

    def __call__(self, x):
        e, f = self.loader.boxed_run([x])
        return e, f


def load_package(entry: str | os.PathLike, device: torch.device) -> _Runner:
    """Load ``entry/package.pt2`` after checking ``entry/meta.json`` and the package's SHA-256.
    A damaged entry raises :class:`CacheEntryError` (a ``ValueError``) naming the file (delete the
    directory to rebuild it)."""
    entry = Path(entry)
    pkg, meta_path = entry / PACKAGE, entry / META
    what = "statgen AOTInductor cache entry"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        raise CacheEntryError(f"{meta_path} is not a valid {what} ({type(exc).__name__}: {exc}); "
                         f"delete {entry} to rebuild it") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("sha256"), str):
        raise CacheEntryError(f"{meta_path} is not a valid {what}: format {meta.get('format') if isinstance(meta, dict) else meta!r}; "
                         f"delete {entry} to rebuild it")
    if not pkg.is_file():
        raise CacheEntryError(f"{pkg} is missing from the {what} {entry}; delete {entry} to rebuild it")
    got = _sha256(pkg)
    if got != meta["sha256"]:
        raise CacheEntryError(f"{pkg} is corrupt: SHA-256 {got[:16]}… does not match {meta['sha256'][:16]}… recorded in "
                         f"{meta_path}; delete {entry} to rebuild it")
    index = device.index if device.type == "cuda" and device.index is not None else -1
    try:
        loader = torch._C._aoti.AOTIModelPackageLoader(str(pkg), "model", False, 1, index)
    except Exception as exc:  # noqa: BLE001 - the C++ loader raises RuntimeError with its own text
        raise CacheEntryError(f"{pkg} cannot be loaded as an AOTInductor package ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:300] if str(exc) else ''}); delete {entry} to rebuild it") from exc
    return _Runner(loader)



def build_package(entry: str | os.PathLike, gm: torch.fx.GraphModule, x: torch.Tensor, info: dict) -> _Runner:
    """Export ``gm`` (the traced energy+force graph), compile it with AOTInductor for inputs shaped like
    ``x``, check the package reproduces ``gm`` (1e-8 relative), store it as ``entry`` (atomically, under
    a lock) and load it. An entry built meanwhile by another process is loaded instead."""
    entry = Path(entry)
    root = entry.parent
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with file_lock(root / f"{entry.name}.lock"):
        if entry.exists():  # built by another process while we waited
            return load_package(entry, x.device)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{entry.name}."))
        try:
            ep = torch.export.export(gm, (x,))
            torch._inductor.aoti_compile_and_package(ep, package_path=str(tmp / PACKAGE),
                                                     inductor_configs=inductor_options(x.device))
            meta = {**info, "sha256": _sha256(tmp / PACKAGE)}
            with open(tmp / META, "w") as fh:
                json.dump(meta, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            e, f = load_package(tmp, x.device)(x)
            e0, f0 = gm(x)
            tol = 1e-8 if x.dtype == torch.float64 else 1e-4
            finite = f0[torch.isfinite(f0)]
            scale = float(finite.abs().max()) if finite.numel() else 1.0
            if not (torch.allclose(e, e0, rtol=tol, atol=0, equal_nan=True)
                    and torch.allclose(f, f0, rtol=0, atol=tol * scale, equal_nan=True)):
                raise RuntimeError("the AOTInductor package does not reproduce the traced graph")
            try:
                os.rename(tmp, entry)
            except OSError:
                if not entry.exists():
                    raise
            return load_package(entry, x.device)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
