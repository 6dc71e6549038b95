"""Non-stationary Neyman–Scott cluster process: the model object and the questions it answers.

Model (in R^d, d = 1, 2, 3): parents form a Poisson process of intensity κ(c); a parent at c
has N_c ~ Poisson(α(c)) offspring placed i.i.d. at c + U, U ~ k. The process X is the union
of the offspring observed in a rectangular window W.

    λ(x)     = ∫ κ(c) α(c) k(x − c) dc
    K_B      = ∫ κ(c) α(c)^{|B|} Π_{i∈B} k(y_i − c) dc
    ρ⁽ⁿ⁾(y)  = Σ_{partitions π} Π_{B∈π} K_B        (subset recursion, O(3ⁿ))
    λ(x | y₁..yₙ) = ρ⁽ⁿ⁺¹⁾(x, y₁..yₙ) / ρ⁽ⁿ⁾(y₁..yₙ)

References
----------
Neyman, J., Scott, E. L. (1958). Statistical approach to problems of cosmology. JRSS B 20, 1–43.
Møller, J., Waagepetersen, R. (2004). Statistical Inference and Simulation for Spatial Point
Processes, ch. 5. Chapman & Hall/CRC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from statgen._checks import as_array, check_bool, check_choice, check_int
from statgen.pointprocess import approximations, conditional, simulation
from statgen.pointprocess._args import check_in_range, check_memory, check_nonnegative
from statgen.pointprocess.engine import BYTES_PER_SUBSET
from statgen.pointprocess.fields import _LOG_MAX, Field, as_field
from statgen.pointprocess.geometry import _ball_volume, _lens_volume
from statgen.pointprocess.integrals import select_engine
from statgen.pointprocess.kernels import CauchyKernel, Kernel, MaternKernel, VarGammaKernel
from statgen.pointprocess.polygon import Polygon
from statgen.pointprocess.polygon_quadrature import polygon_rule
from statgen.pointprocess.quadrature import box_gauss_legendre, box_midpoints, tensor_grid
from statgen.pointprocess.recursion import check_subset_memory
from statgen.pointprocess.thomas_integrals import ThomasExpEngine
from statgen.pointprocess.window import check_points, check_window, window_volume

__all__ = ["NeymanScott", "METHODS"]

METHODS = ("exact", "independent", "grouped", "reweighted", "slowly_varying")
_BYTES_PER_POINT = 8 * 16  # a grid point's coordinates and the engines' per-point temporaries


def _check_exp_growth(kappa: Field, alpha: Field, kernel: Kernel, d: int) -> None:
    """Refuse log-linear fields whose growth makes λ or the pair correlation infinite."""
    ka, al = kappa.log_linear(d), alpha.log_linear(d)
    bk = np.zeros(d) if ka is None else np.asarray(ka[1])
    ba = np.zeros(d) if al is None else np.asarray(al[1])
    # E[exp(t·U)] is finite for |t| < 1/η (variance-Gamma), t = 0 only (Cauchy), every t otherwise
    limit = 0.0 if isinstance(kernel, CauchyKernel) else 1.0 / kernel.scale if isinstance(kernel, VarGammaKernel) \
        else math.inf
    for m in (1, 2):  # λ (m = 1) and the pair integral (m = 2, whose kernel product decays twice as fast)
        g = float(np.linalg.norm(bk + m * ba))
        if g > 0 and g >= m * limit:
            raise ValueError(f"parent_intensity: a log-linear κα with gradient |b| = {g:.3g} and a "
                             f"{type(kernel).__name__} has infinite intensity (the exponential growth beats the "
                             f"kernel's tail{'' if limit == 0 else f', which allows |b| < {m * limit:.3g}'})")


class NeymanScott:
    """Neyman–Scott cluster process with (possibly) inhomogeneous parents and offspring means.

    Parameters
    ----------
    parent_intensity : κ(c) in parents per unit volume: a float ≥ 0, a callable
        ``f(points (m, d)) -> (m,)``, or a :class:`~statgen.pointprocess.fields.Field`
        (:class:`LogLinear` κ(c) = exp(a + b·c) unlocks closed forms; :class:`Gridded` images).
    offspring_mean : α(c), mean number of offspring of a parent at c (same kinds).
    kernel : a :class:`~statgen.pointprocess.kernels.Kernel` (Thomas, Matérn, Cauchy, VarGamma).
    window : ((lo_1, hi_1), ..., (lo_d, hi_d)), d = 1, 2 or 3, or a 2-D
        :class:`~statgen.pointprocess.polygon.Polygon` (then ``window`` holds its bounding box,
        ``polygon`` the polygon: simulations are clipped to it, events must lie in it, and
        :meth:`volume` / :meth:`expected_count` are over it).
    integrals : "auto" (closed forms where they exist) or "quadrature" (force the general engine).

    Methods answer the questions of the model: :meth:`intensity`, :meth:`pair_correlation`,
    :meth:`product_density`, :meth:`cluster_integrals`, :meth:`conditional_intensity` (and on a
    grid), :meth:`expected_count`, :meth:`simulate`. Randomness comes only from the ``rng``
    (a ``numpy.random.Generator``) given to :meth:`simulate`.

    Examples
    --------
    >>> from statgen.pointprocess import NeymanScott, ThomasKernel, LogLinear
    >>> m = NeymanScott(LogLinear(3.0, [0.3, 0.0]), 10.0, ThomasKernel(0.05), ((0, 1), (0, 1)))
    >>> pts = m.simulate(rng=np.random.default_rng(0))
    >>> lam = m.conditional_intensity([[0.5, 0.5]], [[0.52, 0.5], [0.45, 0.48]])
    """

    def __init__(self, parent_intensity, offspring_mean, kernel: Kernel, window, *, integrals: str = "auto"):
        self.polygon = window if isinstance(window, Polygon) else None
        self.window = check_window(window.box_array() if self.polygon is not None else window)
        self.d = self.window.shape[0]
        if not isinstance(kernel, Kernel):
            raise TypeError(f"kernel must be a statgen.pointprocess Kernel (ThomasKernel, MaternKernel, CauchyKernel, "
                            f"VarGammaKernel), got {type(kernel).__name__}")
        self.kernel = kernel
        self.kappa: Field = as_field(parent_intensity, "parent_intensity", self.d)
        self.alpha: Field = as_field(offspring_mean, "offspring_mean", self.d)
        _check_exp_growth(self.kappa, self.alpha, kernel, self.d)
        for field, name in ((self.kappa, "parent_intensity"), (self.alpha, "offspring_mean")):
            top = field.log_max_on(self.window)
            if top is not None and top > _LOG_MAX - 10:
                raise ValueError(f"{name} reaches e^{top:.4g} on the window: beyond float64 (e^{_LOG_MAX:.0f}); "
                                 f"rescale the field or the window")
        self.engine = select_engine(self.kappa, self.alpha, kernel, self.d, integrals)

    def __repr__(self) -> str:
        return (f"NeymanScott({self.kappa!r}, {self.alpha!r}, {self.kernel!r}, "
                f"window={self.window.tolist()!r})")

    def volume(self) -> float:
        """|W|, the volume of the window (length^d; the polygon's area for a polygon window)."""
        return self.polygon.area() if self.polygon is not None else window_volume(self.window)

    # ------------------------------------------------------------------ validation
    def _points(self, x, name: str, *, inside: bool = False) -> np.ndarray:
        pts = check_points(x, name, self.d, window=self.window if inside else None)
        if inside and self.polygon is not None and pts.shape[0]:
            self.polygon.check_inside(pts, name)
        return pts

    def _check_grid_size(self, n_points: float, what: str) -> None:
        check_memory(float(n_points) * _BYTES_PER_POINT, what)

    # ------------------------------------------------------------------ simulation
    def dilation(self, edge_tol: float = 1e-4) -> float:
        """Radius r of the parent window W ⊕ b(0, r): the smallest r with P(|U| > r) ≤ edge_tol, 0 < edge_tol < 1.

        For compact kernels (Matérn) r = R and nothing is truncated.
        """
        edge_tol = check_in_range(edge_tol, "edge_tol", 0.0, 1.0, closed=False)
        cache = self.__dict__.setdefault("_dilation", {})  # root finding costs ~1 ms; simulate calls it each time
        if edge_tol not in cache:
            cache[edge_tol] = self.kernel.effective_range(self.d, edge_tol)
        return cache[edge_tol]

    def truncation_error(self, radius: float) -> dict:
        """Expected number of offspring in W lost by generating parents only on W ⊕ b(0, r), r = ``radius`` ≥ 0.

        A parent at c ∉ W ⊕ b(0, r) can put an offspring at x ∈ W only with |x − c| > r, so

            E[lost] = ∫_W E[κα(x − U) 1{x − U ∉ W ⊕ b_r}] dx ≤ sup(κα) |W| P(|U| > r),

        and the total-variation distance between the simulated and the exact pattern on W is at
        most E[lost]. Returns ``bound`` (the right-hand side, with sup κα over W ⊕ b(0, 2r); for
        fields that keep growing beyond it the bound is indicative) and ``relative`` = bound /
        E[N(W)] (equal to P(|U| > r) for a stationary process).
        """
        radius = check_nonnegative(radius, "radius")
        tail = float(self.kernel.tail_mass(radius, self.d))
        box = np.column_stack([self.window[:, 0] - 2 * radius, self.window[:, 1] + 2 * radius])
        sup = self.kappa._max_on(box) * self.alpha._max_on(box)
        bound = sup * self.volume() * tail
        return {"radius": float(radius), "tail_mass": tail, "bound": bound,
                "relative": bound / max(self.expected_count(), 1e-300)}

    def simulate(self, *, rng: np.random.Generator, edge_tol: float = 1e-4, far_field: bool = True,
                 far_tol: float = 1e-9, return_parents: bool = False, max_parents: float = 5e7):
        """Simulate the process in the window.

        Parents near the window: Poisson(κ_max) on the box B_r = W ⊕ [−r, r]^d, thinned with
        probability κ(c)/κ_max; each has Poisson(α(c)) offspring at c + U, those outside W dropped.
        Parents outside B_r (``far_field=True``, non-compact kernels): their offspring in W are
        simulated exactly by :func:`statgen.pointprocess.simulation.far_parent_offspring`, which
        misses on average at most ``far_tol`` relevant parents (a bound on the total-variation
        error). With ``far_field=False`` they are dropped and the error is bounded by
        :meth:`truncation_error`. For the Matérn kernel r = R and the simulation is exact.
        Fields whose expected count is infinite (growing faster than the kernel's tail decays)
        are refused with a ValueError that says so.

        Parameters
        ----------
        rng : numpy Generator (the only source of randomness).
        edge_tol : r is the radius with P(|U| > r) = edge_tol, capped at 5 kernel scales when the
            far field is simulated (heavy tails would otherwise need a huge box).
        far_field : simulate the offspring of parents outside B_r (exact simulation).
        far_tol : bound on the expected number of missed far parents, 0 < far_tol < 1.
        return_parents : also return the parents and each point's cluster label.
        max_parents : refuse (ValueError) when more proposal parents than this are expected.
            A pattern whose offspring cannot fit in memory is refused (MemoryError, with the
            count) before the offspring are allocated.

        Returns
        -------
        points (n, d), or a :class:`~statgen.pointprocess.simulation.Simulation` (points,
        parents, labels) if ``return_parents``.
        """
        out = simulation.simulate(self, rng=rng, edge_tol=edge_tol, far_field=far_field, far_tol=far_tol,
                                  return_parents=return_parents, max_parents=max_parents)
        if self.polygon is None:
            return out
        # the process restricted to a sub-window is the same process: clip to the polygon
        if return_parents:
            keep = self.polygon.contains(out.points)
            return simulation.Simulation(out.points[keep], out.parents, out.labels[keep])
        return out[self.polygon.contains(out)]

    # ------------------------------------------------------------------ first and second moments
    def intensity(self, x, *, return_error: bool = False):
        """λ(x) = ∫ κ(c) α(c) k(x − c) dc (points per unit volume); x of shape (m, d) → (m,)."""
        return_error = check_bool(return_error, "return_error")
        x = self._points(x, "x")
        lam, err = self.engine.intensity(x)
        return (lam, err) if return_error else lam

    def expected_count(self, *, n_per_axis: int | None = None) -> float:
        """E[N(W)] = ∫_W λ(x) dx (n_per_axis^d-point Gauss–Legendre on the window; exact for constant λ).

        Default n_per_axis: 400 (d = 1), 80 (d = 2), 24 (d = 3). A polygon window uses a Gauss rule
        of n_per_axis² nodes (default 16²) on each triangle of its ear-clipping triangulation
        (:func:`~statgen.pointprocess.polygon_quadrature.polygon_rule`): exact for constant λ, and to
        ≈ 1e-12 for the smooth λ of a log-linear κ with kernel scale ≳ diam/100.
        """
        n = {1: 400, 2: 80, 3: 24}[self.d] if n_per_axis is None else check_int(n_per_axis, "n_per_axis", minimum=1)
        self._check_grid_size(float(n) ** self.d, f"n_per_axis={n}: a {n}**{self.d}-point quadrature grid")
        if self.polygon is not None:
            nodes, weights = polygon_rule(self.polygon, 16 if n_per_axis is None else n)
            return float(self.intensity(nodes) @ weights)
        grid, weights = box_gauss_legendre(self.window, n)
        return float(self.intensity(grid) @ weights)

    def cluster_integrals(self, points, *, return_error: bool = False):
        """K_B for every subset B of ``points`` (n, d): an array of length 2ⁿ indexed by bitmask
        (bit i ↔ point i; entry 0 is 1). Sizes whose 2ⁿ entries cannot fit are refused (MemoryError)."""
        return_error = check_bool(return_error, "return_error")
        y = self._points(points, "points")
        check_subset_memory(y.shape[0], BYTES_PER_SUBSET, "points: the cluster integrals K_B of every subset")
        if y.shape[0] == 0:
            return (np.ones(1), np.zeros(1)) if return_error else np.ones(1)
        logK, err = self.engine.log_cluster_integrals(y)
        K = np.exp(logK)
        return (K, err) if return_error else K

    def product_density(self, points) -> float:
        """ρ⁽ⁿ⁾(y₁..yₙ) = Σ_{partitions} Π_B K_B by the subset recursion (units 1/volumeⁿ), n ≤ 22."""
        y = self._points(points, "points")
        conditional.check_event_count(y.shape[0], "points")
        if y.shape[0] == 0:
            return 1.0
        loglam, rho_t = conditional.log_product_densities(self.engine, y)
        if rho_t is None:
            return 0.0  # some λ(y_i) = 0
        return float(rho_t[-1] * np.exp(loglam.sum()))

    def pair_correlation(self, x, y) -> np.ndarray:
        """g(x, y) = ρ⁽²⁾(x, y) / (λ(x) λ(y)) = 1 + K_{xy} / (λ(x) λ(y)) for paired rows of x and y.

        Undefined (ValueError) where λ(x) or λ(y) is 0.
        """
        x, y = self._points(x, "x"), self._points(y, "y")
        if x.shape != y.shape:
            raise ValueError(f"x and y must have the same shape (paired rows), got {x.shape} and {y.shape}")
        K, _ = self.engine.pair_integral(x, y)
        denom = self.engine.intensity(x)[0] * self.engine.intensity(y)[0]
        if np.any(denom <= 0):
            raise ValueError("x, y: the pair correlation is undefined where the intensity λ is 0 "
                             f"({int(np.sum(denom <= 0))} pair(s))")
        return 1.0 + K / denom

    # ------------------------------------------------------------------ conditional intensity
    def conditional_intensity(self, x, events, *, method: str = "exact", return_error: bool = False,
                              group_tol: float = 1e-8, kappa_ref: float | None = None):
        """λ(x | y₁..yₙ) = ρ⁽ⁿ⁺¹⁾(x, y₁..yₙ) / ρ⁽ⁿ⁾(y₁..yₙ), vectorized over x.

        Parameters
        ----------
        x : (m, d) locations.
        events : (n, d) observed events, inside the window (n ≤ 22 for "exact" and within each group).
        method : "exact" (subset recursion; exact factorization over 2R-groups for Matérn),
            or one of the approximations of :mod:`statgen.pointprocess.approximations`:
            "independent", "grouped", "reweighted", "slowly_varying".
        return_error : also return an estimate of the absolute numerical error (0 for closed forms).
        group_tol : for "grouped", events are linked when closer than 2 r with P(|U| > r) = group_tol.
        kappa_ref : for "reweighted", the parent intensity of the stationary reference g₀
            (default: the mean of κ over the window).

        Returns
        -------
        (m,) conditional intensities (points per unit volume) [, (m,) error estimates].
        """
        method = check_choice(method, "method", METHODS)
        return_error = check_bool(return_error, "return_error")
        x = self._points(x, "x")
        y = self._points(events, "events", inside=True)
        if method == "exact":
            if isinstance(self.kernel, MaternKernel):
                val, err = approximations.grouped(self, x, y, cutoff=2 * self.kernel.radius)
            else:
                val, err = conditional.exact(self.engine, x, y)
        elif method == "independent":
            val, err = approximations.independent(self, x, y)
        elif method == "grouped":
            group_tol = check_in_range(group_tol, "group_tol", 0.0, 1.0, closed=False)
            cutoff = 2 * self.kernel.effective_range(self.d, group_tol)
            val, err = approximations.grouped(self, x, y, cutoff=cutoff)
        elif method == "reweighted":
            val, err = approximations.reweighted(self, x, y, kappa_ref=kappa_ref)
        else:
            val, err = approximations.slowly_varying(self, x, y)
        return (val, err) if return_error else val

    def conditional_intensity_grid(self, axes: Sequence[np.ndarray], events, *, method: str = "exact",
                                   return_error: bool = False):
        """λ(x | events) on the product grid of ``axes`` (d 1-D arrays); returns shape (len(axes[0]), ...).

        For the Thomas kernel with exp-linear κ, α the exact sum over subsets factorizes over
        the axes and is evaluated as a matrix product (O(2ⁿ · Σ_k len(axes[k])) exponentials).
        For the Thomas kernel with any other κ, α (callables, gridded images) the quadrature over the
        parent location is a tensor mesh, so the sum is again a product of per-axis Gaussian matrices:
        λ(x) = K₁ F K₂ᵀ with F the weighted κα on a mesh over the grid, and the event terms
        K₁ G K₂ᵀ with G the weighted Σ_B over a mesh around the events (the 2ⁿ products by a
        split-half matrix product). The error estimate (``return_error=True``) is the difference of
        Gauss–Legendre orders 8 and 6 on the same panels of width σ/2 (the mesh's truncation at 6σ
        around the events and the grid is not part of it: it is below e^{-18} relative).
        Grids that cannot fit in memory are refused (MemoryError, with the size).
        """
        method = check_choice(method, "method", METHODS)
        return_error = check_bool(return_error, "return_error")
        if isinstance(axes, np.ndarray) and axes.ndim == 1 or not isinstance(axes, Sequence | np.ndarray):
            raise TypeError(f"axes must be a sequence of {self.d} 1-D coordinate arrays, got {type(axes).__name__}")
        if len(axes) != self.d:
            raise ValueError(f"axes must hold {self.d} coordinate arrays, got {len(axes)}")
        axes = [as_array(a, f"axes[{k}]", ndim=1) for k, a in enumerate(axes)]
        y = self._points(events, "events", inside=True)
        shape = tuple(a.size for a in axes)
        size = float(np.prod([float(s) for s in shape]))
        gridded = isinstance(self.engine, ThomasExpEngine) or getattr(self.engine, "supports_grid", False)
        if method == "exact" and gridded and 0 < y.shape[0]:
            conditional.check_event_count(y.shape[0])
            check_memory(8.0 * size + 8.0 * 4 * 2.0 ** y.shape[0] * sum(shape),
                         f"axes of sizes {list(shape)} with {y.shape[0]} events: the grid and its per-axis factors")
            val, err = self.engine.x_terms_grid(axes, y, conditional.log_weights(self.engine, y))
            if return_error:
                return val.reshape(shape), (np.zeros(shape) if err is None else err.reshape(shape))
            return val.reshape(shape)
        self._check_grid_size(size, f"axes of sizes {list(shape)}: a grid of {size:.3g} points")
        grid = tensor_grid(axes)
        out = self.conditional_intensity(grid, y, method=method, return_error=return_error)
        if return_error:
            return out[0].reshape(shape), out[1].reshape(shape)
        return out.reshape(shape)

    # ------------------------------------------------------------------ helpers for approximations
    def kernel_self_convolution(self, r) -> np.ndarray:
        """(k * k)(u) at distances r = |u| ≥ 0: ∫ k(u − c) k(c) dc (1/volume), any shape of r."""
        r = as_array(r, "r")
        if np.any(r < 0):
            raise ValueError(f"r must be >= 0 (distances), got min {float(r.min())!r}")
        if isinstance(self.kernel, MaternKernel):
            return _lens_volume(r, self.kernel.radius, self.d) / _ball_volume(self.kernel.radius, self.d) ** 2
        return self.kernel.self_convolution(self.d)._density(r, self.d)

    def mean_parent_intensity(self, *, n_per_axis: int = 64) -> float:
        """(1/|W|) ∫_W κ(c) dc by the midpoint rule on n_per_axis^d cells (a polygon window: the Gauss
        rule of :meth:`expected_count` with min(n_per_axis, 16)² nodes per triangle)."""
        n = check_int(n_per_axis, "n_per_axis", minimum=1)
        self._check_grid_size(float(n) ** self.d, f"n_per_axis={n}: a {n}**{self.d}-point grid")
        if self.polygon is not None:
            nodes, weights = polygon_rule(self.polygon, min(n, 16))
            return float(self.kappa._values(nodes) @ weights) / self.polygon.area()
        return float(self.kappa._values(box_midpoints(self.window[:, 0], self.window[:, 1], n)).mean())
