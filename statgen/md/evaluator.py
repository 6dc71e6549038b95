"""Energies and forces of a learned density for MD, batched, eager or compiled ahead of time.

For positions x (R, N, 3) in nm of R configurations, :class:`EnergyForce` returns
U(x)/k_BT = −log p(x) (R,) and F = −∇ₓU/k_BT (R, N, 3) in k_BT/nm. It is the hot path of the
flow potential (:mod:`statgen.md.potential`), evaluated once per MD step for all replicas.

Routes (``method``):

- ``"eager"``: the model's energy and one autograd backward for the whole batch (the R energies
  are independent, so the gradient of their sum is every replica's own gradient). No input
  checks and no host synchronisation on the way. About 2 400 eager aten operations per call,
  which costs ~6 ms on one CPU core whatever R is (the arithmetic is ~1 MFLOP per replica).
- ``"compile"``: the function x ↦ (U, F) — energy *and* its backward — is traced once per batch
  shape into one flat graph of aten operations (``make_fx``: the autograd backward is recorded as
  ordinary operations, so there is no separate backward graph and no AOTAutograd runtime), the
  12 small ``cumsum`` of the mixture centres are rewritten as masked sums so they fuse, and the
  graph is compiled by TorchInductor into ~70 fused C++ (CPU) or Triton (CUDA) kernels. Compiled
  in-process on first use of a shape (1–2 min on a CPU; TorchInductor's own cache makes a repeat
  compile of the same graph take seconds).
- ``"aoti"``: the same graph, exported (``torch.export``) and compiled by AOTInductor into a
  shared library packaged as ``.pt2`` (:mod:`statgen.md.aot_cache`), cached on disk under the
  user cache directory, keyed by the SHA-256 of the traced graph's code and weights, the torch
  version, the batch shape, dtype and device (and the CPU's vector ISA / the GPU model). The first
  use of a shape compiles (1–3 min on a CPU); later uses — in any process — load it in ~10 ms.
  A call is one C++ function call (no Python wrapper between kernels).
- ``"auto"`` (default of :class:`FlowPotential` and :func:`run_md`): ``"aoti"`` for a
  :class:`statgen.md.BoltzmannGenerator` when its package for the shape is already cached, or when
  the caller announces at least :data:`AUTO_COMPILE_CALLS` calls (``calls``; :func:`run_md` passes
  its step count) so that compiling pays off; ``"eager"`` otherwise, for other models, without a
  C++ compiler on a CPU, or — with a warning — when tracing or compiling fails. The environment
  variable ``STATGEN_MD_METHOD`` (``eager``, ``compile``, ``aoti``) overrides what ``"auto"``
  picks (``STATGEN_MD_METHOD=eager`` never compiles, ``=aoti`` always does). AOTInductor needs a
  C++ compiler (``g++``/``clang++``) on CPU and on CUDA.

Compiled routes snapshot the weights when a shape is first used: change the model, make a new
``EnergyForce``. Their results equal the eager autograd path to rounding (float64: ~1e-15
relative; the tests require 1e-10 against stored references).

Messages (what is compiled or loaded, and how long it took) go to the ``logging`` logger
``statgen.md.evaluator``; ``statgen md run`` shows them.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import warnings
from pathlib import Path

import torch

from statgen._checks import check_choice

__all__ = ["EnergyForce", "METHODS", "trace_energy_force"]

#: evaluation methods of :class:`EnergyForce`.
METHODS = ("auto", "eager", "compile", "aoti")
#: environment variable overriding what ``method="auto"`` resolves to.
METHOD_ENV = "STATGEN_MD_METHOD"

log = logging.getLogger(__name__)


def _check_energy_model(model, name: str = "model") -> None:
    if not callable(getattr(model, "energy", None)):
        raise TypeError(f"{name} must have an energy(x) method returning -log p(x) in k_BT "
                        f"(e.g. statgen.md.BoltzmannGenerator), got {type(model).__name__}")


def model_dtype_device(model) -> tuple[torch.dtype, torch.device]:
    """(dtype, device) of a model's first parameter; float64 on the CPU for parameter-free models."""
    params = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
    if params:
        return params[0].dtype, params[0].device
    return torch.float64, torch.device("cpu")


def _energy_and_force(fn, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(U, −∇U) of an energy function ``fn`` at x (R, N, 3), detached (one backward for the batch)."""
    with torch.enable_grad():
        xr = x.detach().requires_grad_(True)
        e = fn(xr)
        if not isinstance(e, torch.Tensor) or e.shape != xr.shape[:1]:
            raise ValueError(f"model.energy must return one energy per configuration, shape ({len(xr)},), got "
                             f"{tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__}")
        (g,) = torch.autograd.grad(e.sum(), xr)
    return e.detach(), -g


def _cumsum_to_masked_sum(gm: torch.fx.GraphModule) -> int:
    """Rewrite every ``aten.cumsum(x, d)`` of a traced graph as Σ_j M[k, j] x_j with the lower-triangular
    mask M (a broadcast product and a sum, which TorchInductor fuses; it has no CPU kernel for
    cumsum and calls ATen once per cumsum). Same values up to summation order. Returns the count."""
    aten = torch.ops.aten
    graph, count = gm.graph, 0
    for node in list(graph.nodes):
        if node.op != "call_function" or node.target is not aten.cumsum.default or node.kwargs or len(node.args) != 2:
            continue
        x, dim = node.args
        val = x.meta.get("val") if isinstance(x, torch.fx.Node) else None
        if val is None or not val.is_floating_point():
            continue
        d = dim % val.ndim
        k = val.shape[d]
        mask = torch.tril(torch.ones(k, k, dtype=val.dtype, device=val.device)).reshape(k, k, *[1] * (val.ndim - d - 1))
        name = f"_cumsum_mask{count}"
        gm.register_buffer(name, mask)
        with graph.inserting_before(node):
            m = graph.get_attr(name)
            s = graph.call_function(aten.sum.dim_IntList,
                                    (graph.call_function(aten.mul.Tensor, (graph.call_function(
                                        aten.unsqueeze.default, (x, d)), m)), [d + 1]))
        node.replace_all_uses_with(s)
        graph.erase_node(node)
        count += 1
    graph.lint()
    gm.recompile()
    return count


def trace_energy_force(model, x: torch.Tensor) -> torch.fx.GraphModule:
    """One flat aten graph of x ↦ (U/k_BT, F k_BT/nm) for the batch shape of ``x`` (forward and its
    autograd backward recorded together by ``make_fx``; the weights become constants of the graph).

    ``model`` is a :class:`statgen.md.BoltzmannGenerator` (its unchecked ``_energy`` is traced) or an
    energy function of x. The graph has no data-dependent control flow: it is valid for every
    input of this shape, dtype and device.
    """
    from torch.fx.experimental.proxy_tensor import make_fx

    fn = getattr(model, "_energy", None) or model
    gm = make_fx(lambda xx: _energy_and_force(fn, xx))(x.detach())
    for target in sorted({n.target for n in gm.graph.nodes if n.op == "get_attr"}):
        owner_name, _, name = target.rpartition(".")
        owner = gm.get_submodule(owner_name) if owner_name else gm
        t = getattr(owner, name)
        if isinstance(t, torch.Tensor):  # a snapshot of the weights, outside autograd (the graph is inference only)
            owner._parameters.pop(name, None)
            owner._buffers.pop(name, None)
            owner.register_buffer(name, t.detach().clone())
    _cumsum_to_masked_sum(gm)
    return gm


def _have_cxx() -> bool:
    return any(shutil.which(c) for c in (os.environ.get("CXX", "g++"), "g++", "clang++", "c++"))


#: with ``method="auto"`` and no cached package, compile only for runs of at least this many calls (MD
#: steps): at ~6 ms saved per step, 20 000 steps repay a 1-2 min compile.
AUTO_COMPILE_CALLS = 20_000


def _cacheable(model) -> bool:
    return callable(getattr(model, "_energy", None)) and isinstance(getattr(model, "config", None), dict) \
        and callable(getattr(model, "state_dict", None))


class EnergyForce:
    """x (R, N, 3) nm ↦ (U/k_BT (R,), F = −∇U/k_BT (R, N, 3) k_BT/nm) of ``model``, detached.

    Parameters
    ----------
    model : object with ``energy(x)`` (−log p in k_BT, shape (R,)); a model with an unchecked
        ``_energy`` (:class:`statgen.md.BoltzmannGenerator`) is evaluated through it.
    method : "eager" (default here), "compile", "aoti" or "auto" (module docstring). "compile" and
        "aoti" build one compiled function per batch shape, on first use (or in :meth:`prepare`);
        with "auto" a failure to trace or compile falls back to eager with a warning, with an
        explicit "compile"/"aoti" it raises ``RuntimeError``. A damaged cache entry raises
        ``ValueError`` naming it, whatever the method.
    cache_dir : directory of the AOTInductor packages (default :func:`statgen.md.aot_cache.cache_dir`).
    calls : expected number of calls (MD steps), or None (unknown); only "auto" uses it.

    The positions must already be a tensor of the model's dtype and device (see :attr:`dtype`,
    :attr:`device`); non-finite energies are returned as they are (the caller decides).
    :attr:`routes` maps each batch shape used so far to the route that evaluates it.
    """

    def __init__(self, model, *, method: str = "eager", cache_dir: str | os.PathLike | None = None,
                 calls: int | None = None):
        from statgen._checks import check_int

        _check_energy_model(model)
        self.method = check_choice(method, "method", METHODS)
        self.model = model
        self.dtype, self.device = model_dtype_device(model)
        fn = getattr(model, "_energy", None)
        self._fn = fn if callable(fn) else model.energy
        self.cache_dir = cache_dir
        self.calls = None if calls is None else check_int(calls, "calls", minimum=0)
        self._compiled: dict[tuple, object] = {}
        self._entries: dict[tuple, tuple[Path, dict]] = {}
        self.routes: dict[tuple[int, ...], str] = {}

    def _entry(self, shape):
        """(cache entry path, key ingredients) of ``shape``; the key hashes the weights and the graph's
        sources, so it is computed once per shape (``_choose`` and ``_build`` both need it)."""
        if shape not in self._entries:
            from statgen.md import aot_cache

            key, info = aot_cache.model_key(self.model, shape, self.dtype, self.device)
            root = Path(self.cache_dir) if self.cache_dir is not None else aot_cache.cache_dir()
            self._entries[shape] = (root / key, info)
        return self._entries[shape]

    def _choose(self, shape) -> tuple[str, str]:
        """(route, why) for a batch shape: the explicit method, or what "auto" resolves to."""
        if self.method != "auto":
            return self.method, f"method={self.method!r}"
        override = os.environ.get(METHOD_ENV, "").strip().lower()
        if override:
            return check_choice(override, f"environment variable {METHOD_ENV}", METHODS[1:]), f"{METHOD_ENV}={override}"
        if not _cacheable(self.model):
            return "eager", "the model is not a statgen.md.BoltzmannGenerator"
        if not _have_cxx():  # also on CUDA: AOTInductor compiles a C++ wrapper around the kernels
            return "eager", "no C++ compiler found for AOTInductor"
        if self._entry(shape)[0].exists():
            return "aoti", "a compiled package is cached"
        if self.calls is not None and self.calls >= AUTO_COMPILE_CALLS:
            return "aoti", f"{self.calls} steps repay compiling"
        return "eager", (f"no compiled package is cached and {self.calls} steps" if self.calls is not None
                         else "no compiled package is cached") + \
            " (method='aoti' compiles one in 1-3 min, once per model, replica count and machine)"

    def prepare(self, shape) -> str:
        """Build (or load) the compiled function for positions of ``shape`` (R, N, 3) now instead of
        on the first call; returns the route used for it ("eager", "compile" or "aoti")."""
        shape = tuple(int(s) for s in shape)
        if shape not in self.routes:
            self._build(self._example(shape))
        return self.routes[shape]

    def _example(self, shape) -> torch.Tensor:
        """Positions of ``shape`` to trace and check a compiled route with: the configuration at the
        centre of the flow's box (u = ½) for a Boltzmann generator, zeros otherwise."""
        ic = getattr(self.model, "ic", None)
        if len(shape) == 3 and callable(getattr(ic, "_inverse", None)) and getattr(ic, "n_atoms", None) == shape[1]:
            with torch.no_grad():
                u = torch.full((shape[0], ic.dim), 0.5, dtype=self.dtype, device=self.device)
                return ic._inverse(u)[0].contiguous()
        return torch.zeros(shape, dtype=self.dtype, device=self.device)

    def _build(self, x: torch.Tensor) -> None:
        shape = tuple(x.shape)
        route, why = self._choose(shape)
        if route == "eager":
            log.info("flow energy+force for batch shape %s: eager (%s)", shape, why)
            self.routes[shape] = "eager"
            return
        t0 = time.perf_counter()
        try:
            if route == "compile":
                log.info("compiling the flow energy+force for batch shape %s with TorchInductor "
                         "(once per shape and process; 1-2 min on a CPU)", shape)
                from torch._inductor import compile as inductor_compile

                from statgen.md.aot_cache import inductor_options

                gm = trace_energy_force(self.model, x)
                fn = inductor_compile(gm, [x], options=inductor_options(x.device))
                fn(x)
            else:
                from statgen.md import aot_cache

                if not _cacheable(self.model):
                    raise TypeError("method='aoti' needs a statgen.md.BoltzmannGenerator (a model with _energy, "
                                    f"config and state_dict), got {type(self.model).__name__}")
                entry, info = self._entry(shape)
                if entry.exists():
                    log.info("flow energy+force for batch shape %s: loading the AOTInductor package %s", shape, entry)
                    fn = aot_cache.load_package(entry, self.device)
                else:
                    log.info("compiling the flow energy+force for batch shape %s with AOTInductor (%s; once per "
                             "model, shape and machine, 1-3 min on a CPU) into %s", shape, why, entry)
                    fn = aot_cache.build_package(entry, trace_energy_force(self.model, x), x, info)
        except Exception as exc:  # noqa: BLE001 - tracing/compiling can fail in many ways; report and fall back
            from statgen.md.aot_cache import CacheEntryError

            if isinstance(exc, CacheEntryError):
                raise  # a damaged cache entry: refused with its own message, never silently replaced
            self._failed(route, shape, exc)
            return
        log.info("flow energy+force for batch shape %s: %s, ready in %.1f s", shape, route, time.perf_counter() - t0)
        self._compiled[shape] = fn
        self.routes[shape] = route

    def _failed(self, route: str, shape, exc: Exception) -> None:
        """An explicit compiled method re-raises as RuntimeError; "auto" warns and uses eager for ``shape``."""
        msg = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        if self.method != "auto":
            raise RuntimeError(f"method={route!r} failed for batch shape {shape}: {msg}") from exc
        warnings.warn(f"statgen.md.EnergyForce: {route} failed for batch shape {shape} ({msg}); "
                      "using the eager path", RuntimeWarning, stacklevel=4)
        self.routes[shape] = "eager"

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        fn = self._compiled.get(tuple(x.shape))
        if fn is None and tuple(x.shape) not in self.routes:
            self._build(x)
            fn = self._compiled.get(tuple(x.shape))
        if fn is not None:
            return fn(x.contiguous())  # compiled for the contiguous layout (a no-op for OpenMM's positions)
        return _energy_and_force(self._fn, x)
