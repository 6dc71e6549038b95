"""SmoothFlow: a coupling flow on a product of circles and intervals with a uniform prior."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from statgen.flows.coupling import CouplingLayer
from statgen.flows.transformers import DOMAINS

__all__ = ["SmoothFlow", "default_couplings", "check_points"]


def default_couplings(d: int, layers: int) -> list[tuple[list[int], list[int]]]:
    """Alternating halves: layer 0 transforms the first ⌈d/2⌉ coordinates given the rest, layer 1
    the rest given the first half, and so on. With d = 1 every layer transforms the only coordinate."""
    if d == 1:
        return [([0], []) for _ in range(layers)]
    a, b = list(range((d + 1) // 2)), list(range((d + 1) // 2, d))
    return [(a, b) if k % 2 == 0 else (b, a) for k in range(layers)]


def check_points(x, d: int, name: str = "x", *, dtype=None, device=None) -> torch.Tensor:
    """Return ``x`` as a tensor of shape (n, d) after checking it is finite and inside [0, 1]^d."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x, dtype=dtype, device=device)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"{name} must be a tensor of shape (n, {d}): {exc}") from exc
    elif dtype is not None and x.dtype != dtype:
        x = x.to(dtype)
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d}), got {tuple(x.shape)}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    if x.numel() and (bool((x < 0).any()) or bool((x > 1).any())):
        raise ValueError(f"{name} must lie in the box [0, 1]^{d} (circles and intervals are scaled to "
                         f"[0, 1]); found values in [{float(x.min()):.6g}, {float(x.max()):.6g}]")
    return x


class SmoothFlow(nn.Module):
    r"""Normalizing flow on [0, 1]^d, each coordinate a circle or an interval, uniform prior.

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
        if isinstance(domains, str) or not len(domains):
            raise ValueError(f"domains must be a non-empty sequence of {DOMAINS}, got {domains!r}")
        for i, dom in enumerate(domains):
            if dom not in DOMAINS:
                raise ValueError(f"domains[{i}] must be one of {DOMAINS}, got {dom!r}")
        if transformer not in ("smooth", "spline"):
            raise ValueError(f"transformer must be 'smooth' or 'spline', got {transformer!r}")
        self.domains = tuple(domains)
        self.dim = len(self.domains)
        self.transformer = transformer
        if couplings is None:
            if int(layers) < 1:
                raise ValueError(f"layers must be >= 1, got {layers}")
            couplings = default_couplings(self.dim, int(layers))
        self.couplings = [(list(map(int, t)), list(map(int, c))) for t, c in couplings]
        kwargs = dict(beta=beta, tol=tol, max_iter=max_iter) if transformer == "smooth" else {}
        self.layers = nn.ModuleList(
            CouplingLayer(self.domains, t, c, transformer=transformer, components=components, hidden=hidden,
                          device=device, dtype=dtype, **kwargs)
            for t, c in self.couplings)
        self.to(device=device, dtype=dtype)

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def _check(self, x, name="x") -> torch.Tensor:
        return check_points(x, self.dim, name, dtype=self.dtype, device=self.device)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Data → latent, analytic: (z, log|det ∂z/∂x|), shapes (n, d) and (n,)."""
        return self._forward(self._check(x))

    def _forward(self, x):
        logdet = x.new_zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        return x, logdet

    def inverse(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent → data by root finding: (x, log|det ∂x/∂z|); differentiable via implicit gradients."""
        return self._inverse(self._check(z, "z"))

    def _inverse(self, z):
        logdet = z.new_zeros(z.shape[0])
        for layer in reversed(self.layers):
            z, ld = layer.inverse(z)
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
        """(x, log p(x)), differentiable in the parameters (reparameterized, for reverse KL)."""
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        z = torch.rand(int(n), self.dim, generator=generator, device=self.device, dtype=self.dtype)
        x, logdet = self._inverse(z)
        return x, -logdet
