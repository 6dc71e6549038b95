"""SmoothFlow: a coupling flow on a product of circles and intervals with a uniform prior."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from statgen._checks import check_choice, check_int, check_memory, check_positive
from statgen.flows._validate import as_float_tensor, check_dtype
from statgen.flows.conditioners import check_domains, check_hidden
from statgen.flows.coupling import TRANSFORMERS, CouplingLayer

__all__ = ["SmoothFlow", "default_couplings", "check_points", "check_sample_size", "check_device"]


def check_sample_size(n, bytes_per_sample: float, what: str = "n") -> int:
    """``n`` as an int >= 0 (no bools, no 2.5), refused with the estimate when n samples cannot fit in memory."""
    n = check_int(n, "n", minimum=0)
    check_memory(n * bytes_per_sample, f"{what}={n}")
    return n


def check_device(device, name: str = "device"):
    """``device`` as a torch.device after checking this torch can allocate on it (None stays None)."""
    if device is None:
        return None
    try:
        dev = torch.device(device)
        torch.empty(0, device=dev)
    except (RuntimeError, TypeError, ValueError, AssertionError) as exc:
        raise ValueError(f"{name} must be a torch device available here (cpu, cuda, cuda:0, ...), got {device!r}: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    return dev


def check_generator(generator) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


def default_couplings(d: int, layers: int) -> list[tuple[list[int], list[int]]]:
    """Alternating halves: layer 0 transforms the first ⌈d/2⌉ coordinates given the rest, layer 1
    the rest given the first half, and so on. With d = 1 every layer transforms the only coordinate."""
    d = check_int(d, "d", minimum=1)
    layers = check_int(layers, "layers", minimum=1)
    if d == 1:
        return [([0], []) for _ in range(layers)]
    a, b = list(range((d + 1) // 2)), list(range((d + 1) // 2, d))
    return [(a, b) if k % 2 == 0 else (b, a) for k in range(layers)]


def check_points(x, d: int, name: str = "x", *, dtype=None, device=None) -> torch.Tensor:
    """Return ``x`` as a tensor of shape (n, d) after checking it is finite and inside [0, 1]^d."""
    d = check_int(d, "d", minimum=1)
    try:
        x = as_float_tensor(x, name, dtype=dtype, device=device, finite=False)
    except TypeError as exc:
        raise TypeError(f"{name} must be a tensor of shape (n, {d}): {exc}") from exc
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d}), got {tuple(x.shape)}")
    x = as_float_tensor(x, name)
    if x.numel() and (bool((x < 0).any()) or bool((x > 1).any())):
        raise ValueError(f"{name} must lie in the box [0, 1]^{d} (circles and intervals are scaled to "
                         f"[0, 1]); found values in [{float(x.min()):.6g}, {float(x.max()):.6g}]")
    return x


def _check_couplings(couplings) -> list[tuple[list[int], list[int]]]:
    if isinstance(couplings, str) or not isinstance(couplings, Sequence) or not len(couplings):
        raise ValueError(f"couplings must be a non-empty list of (transformed, conditioning) index lists, "
                         f"got {couplings!r}")
    out = []
    for k, pair in enumerate(couplings):
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"couplings[{k}] must be a pair (transformed indices, conditioning indices), got {pair!r}")
        t, c = pair
        try:
            t = [check_int(i, f"couplings[{k}] transformed index") for i in t]
            c = [check_int(i, f"couplings[{k}] conditioning index") for i in c]
        except TypeError as exc:
            raise TypeError(f"couplings: {exc}") from exc
        out.append((t, c))
    return out


class SmoothFlow(nn.Module):
    """Normalizing flow on [0, 1]^d, each coordinate a circle or an interval, uniform prior.

    The analytic direction is data → latent: ``forward(x) -> (z, log|det ∂z/∂x|)``, so
    ``log_prob(x) = log|det ∂z/∂x|`` (the uniform prior has log-density 0), ``energy`` and
    ``force`` need no root finding. ``inverse(z)`` (latent → data, used by ``sample``) solves
    every smooth transformer by bracketed Newton–bisection; its gradients (any order) come
    from the inverse function theorem, so reverse-KL training differentiates through it.

    With ``transformer="smooth"`` every transformer is a C∞ mixture of smooth sigmoids
    (:class:`~statgen.flows.transformers.SmoothMixtureTransformer`), so energies and forces are
    C∞, including across the circle wrap; ``transformer="spline"`` gives the C¹ (circular)
    rational-quadratic spline baseline with ``components`` bins.

    Parameters
    ----------
    domains : sequence of "circle" | "interval", one per coordinate; every coordinate in [0, 1].
    layers : number of coupling layers (ignored when ``couplings`` is given).
    components : mixture components (or spline bins) per transformed coordinate.
    hidden : hidden layer sizes of each conditioner (SiLU).
    transformer : "smooth" or "spline".
    couplings : optional explicit layout, a list of ``(transformed_indices, conditioning_indices)``,
        one per coupling layer, applied in order data → latent. Default: alternating halves.
    beta : smooth-ramp exponent, a float or "trainable" (β ∈ [0.5, 2]).
    tol, max_iter : root-finding tolerance on x (None: 1e-6 float32, 1e-10 float64) and cap.
    device, dtype : torch device and dtype of the parameters.
    """

    def __init__(self, domains: Sequence[str], *, layers: int = 4, components: int = 8,
                 hidden: Sequence[int] = (64, 64), transformer: str = "smooth",
                 couplings: Sequence[tuple[Sequence[int], Sequence[int]]] | None = None,
                 beta: float | str = 1.0, tol: float | None = None, max_iter: int = 100,
                 device=None, dtype=None):
        super().__init__()
        self.domains = check_domains(domains)
        self.dim = len(self.domains)
        self.transformer = check_choice(transformer, "transformer", TRANSFORMERS)
        layers = check_int(layers, "layers", minimum=1)
        components = check_int(components, "components", minimum=1)
        hidden = check_hidden(hidden)
        dtype = check_dtype(dtype)
        device = check_device(device)
        if isinstance(beta, str):
            check_choice(beta, "beta", ["trainable"])
        else:
            check_positive(beta, "beta")
        if tol is not None:
            check_positive(tol, "tol")
        check_int(max_iter, "max_iter", minimum=1)
        if couplings is None:
            couplings = default_couplings(self.dim, layers)
        self.couplings = _check_couplings(couplings)
        kwargs = dict(beta=beta, tol=tol, max_iter=max_iter) if transformer == "smooth" else {}
        layers_ = []
        for k, (t, c) in enumerate(self.couplings):
            try:
                layers_.append(CouplingLayer(self.domains, t, c, transformer=transformer, components=components,
                                             hidden=hidden, device=device, dtype=dtype, **kwargs))
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"couplings[{k}] = {(t, c)}: {exc}") from exc
        self.layers = nn.ModuleList(layers_)
        self.to(device=device, dtype=dtype)

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def _check(self, x, name="x") -> torch.Tensor:
        return check_points(x, self.dim, name, dtype=self.dtype, device=self.device)

    def check_input(self, x, name: str = "x") -> torch.Tensor:
        """``x`` as a tensor (n, d) of this flow's dtype after checking it is finite and in [0, 1]^d
        (what :class:`~statgen.flows.FlowTrainer` calls once on the whole data set)."""
        return self._check(x, name)

    def sample_bytes(self) -> int:
        """Estimated peak bytes per sample of :meth:`sample` (the widest layer's root-finding parameters)."""
        item = torch.finfo(self.dtype).bits // 8
        widest = max(tr.dims * tr.params_per_dim for layer in self.layers for tr in layer.transformers)
        return item * (4 * widest + 8 * self.dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Data → latent, analytic: (z, log|det ∂z/∂x|), shapes (n, d) and (n,)."""
        return self._forward(self._check(x))

    def _forward(self, x):
        logdet = x.new_zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer._transform(x, inverse=False)
            logdet = logdet + ld
        return x, logdet

    def inverse(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent → data by root finding: (x, log|det ∂x/∂z|); differentiable via implicit gradients."""
        return self._inverse(self._check(z, "z"))

    def _inverse(self, z):
        logdet = z.new_zeros(z.shape[0])
        for layer in reversed(self.layers):
            z, ld = layer._transform(z, inverse=True)
            logdet = logdet + ld
        return z, logdet

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x) = log|det ∂z/∂x| (uniform prior on the box), shape (n,)."""
        return self._forward(self._check(x))[1]

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        """U(x) = −log p(x) in units of k_BT, shape (n,)."""
        return -self.log_prob(x)

    def force(self, x: torch.Tensor, *, create_graph: bool = False) -> torch.Tensor:
        """F(x) = −∇ₓU(x) = ∇ₓ log p(x) in k_BT per unit box coordinate, shape (n, d).

        ``create_graph=True`` keeps the graph (force matching differentiates F w.r.t. parameters).
        """
        x = self._check(x)
        with torch.enable_grad():
            xr = x.detach().requires_grad_(True)
            lp = self._forward(xr)[1]
            (g,) = torch.autograd.grad(lp.sum(), xr, create_graph=create_graph)
        return g

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n samples (n, d), no graph: z ~ U[0, 1]^d, x = inverse(z)."""
        with torch.no_grad():
            return self.sample_and_log_prob(n, generator=generator)[0]

    def sample_and_log_prob(self, n: int, *, generator: torch.Generator | None = None
                            ) -> tuple[torch.Tensor, torch.Tensor]:
        """(x, log p(x)), differentiable in the parameters (reparameterized, for reverse KL).

        ``n`` is refused up front (``MemoryError`` with the estimate) when the samples cannot fit."""
        n = check_sample_size(n, self.sample_bytes())
        check_generator(generator)
        z = torch.rand(n, self.dim, generator=generator, device=self.device, dtype=self.dtype)
        x, logdet = self._inverse(z)
        return x, -logdet
