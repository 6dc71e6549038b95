"""Non-stationary Neyman–Scott cluster process: simulation, moments, conditional intensities.

Model (in R^d, d = 1, 2, 3): parents form a Poisson process of intensity κ(c); a parent at c
has N_c ~ Poisson(α(c)) offspring placed i.i.d. at c + U, U ~ k. The process X is the union
of the offspring observed in a rectangular window W.

    λ(x)     = ∫ κ(c) α(c) k(x − c) dc
    K_B      = ∫ κ(c) α(c)^{|B|} Π_{i∈B} k(y_i − c) dc
    ρ⁽ⁿ⁾(y)  = Σ_{partitions π} Π_{B∈π} K_B        (subset recursion, O(3ⁿ))
    λ(x | y₁..yₙ) = ρ⁽ⁿ⁺¹⁾(x, y₁..yₙ) / ρ⁽ⁿ⁾(y₁..yₙ)

References
----------
Neyman, J., Scott, E. L. (1958). Statistical approach to problems of cosmology. JRSS B 20.
Møller, J., Waagepetersen, R. (2004). Statistical Inference and Simulation for Spatial Point
Processes, ch. 5. Chapman & Hall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from statgen._checks import as_array, check_in_range
from statgen.pointprocess.fields import CallableField, Field, as_field
from statgen.pointprocess.integrals import ThomasExpEngine, select_engine
from statgen.pointprocess.kernels import Kernel, MaternKernel, lens_volume, ball_volume
from statgen.pointprocess.recursion import mask_sums, subset_recursion

__all__ = ["NeymanScott", "Simulation", "METHODS"]

METHODS = ("exact", "independent", "grouped", "reweighted", "slowly_varying")
_MAX_EXACT_EVENTS = 22


class Simulation(NamedTuple):
    """A simulated pattern with its cluster structure.

    points : (n, d) offspring inside the window.
    parents : (p, d) every parent generated on the dilated window (including those without
        offspring in the window).
    labels : (n,) index into ``parents`` of each point's parent.
    """

    points: np.ndarray
    parents: np.ndarray
    labels: np.ndarray


def _check_window(window) -> np.ndarray:
    try:
        w = np.asarray(window, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"window must be ((lo_1, hi_1), ..., (lo_d, hi_d)): {exc}") from exc
    if w.ndim != 2 or w.shape[1] != 2 or not 1 <= w.shape[0] <= 3:
        raise ValueError(f"window must be ((lo_1, hi_1), ..., (lo_d, hi_d)) with d in 1..3, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w[:, 1] <= w[:, 0]):
        raise ValueError(f"window must have finite bounds with lo < hi on every axis, got {w.tolist()}")
    return w


class NeymanScott:
    r"""Neyman–Scott cluster process with (possibly) inhomogeneous parents and offspring means.

    Parameters
    ----------
    parent_intensity : κ(c) in parents per unit volume: a float, a callable
        ``f(points (m, d)) -> (m,)``, or a :class:`~statgen.pointprocess.fields.Field`
        (:class:`LogLinear` κ(c) = exp(a + b·c) unlocks closed forms; :class:`Gridded` images).
    offspring_mean : α(c), mean number of offspring of a parent at c (same kinds).
    kernel : a :class:`~statgen.pointprocess.kernels.Kernel` (Thomas, Matérn, Cauchy, VarGamma).
    window : ((lo_1, hi_1), ..., (lo_d, hi_d)), d = 1, 2 or 3.
    integrals : "auto" (closed forms where they exist) or "quadrature" (force the general engine).

    Examples
    --------
    >>> from statgen.pointprocess import NeymanScott, ThomasKernel, LogLinear
    >>> m = NeymanScott(LogLinear(3.0, [0.3, 0.0]), 10.0, ThomasKernel(0.05), ((0, 1), (0, 1)))
    >>> pts = m.simulate(rng=np.random.default_rng(0))
    >>> lam = m.conditional_intensity([[0.5, 0.5]], [[0.52, 0.5], [0.45, 0.48]])
    """

    def __init__(self, parent_intensity, offspring_mean, kernel: Kernel, window, *, integrals: str = "auto"):
        self.window = _check_window(window)
        self.d = self.window.shape[0]
        if not isinstance(kernel, Kernel):
            raise TypeError(f"kernel must be a statgen.pointprocess Kernel, got {type(kernel).__name__}")
        self.kernel = kernel
        self.kappa: Field = as_field(parent_intensity, "parent_intensity", self.d)
        self.alpha: Field = as_field(offspring_mean, "offspring_mean", self.d)
        self.engine = select_engine(self.kappa, self.alpha, kernel, self.d, integrals)
        if self.kernel.__class__.__name__ == "CauchyKernel" and self.kappa.log_linear(self.d) is not None \
                and np.any(self.kappa.log_linear(self.d)[1] != 0):
            raise ValueError("parent_intensity: a log-linear κ with a Cauchy kernel has infinite intensity "
                             "(exponential growth beats polynomial tails)")

    def __repr__(self) -> str:
        return (f"NeymanScott({self.kappa!r}, {self.alpha!r}, {self.kernel!r}, "
                f"window={self.window.tolist()!r})")

    @property
    def volume(self) -> float:
        """|W|, the volume of the window."""
        return float(np.prod(self.window[:, 1] - self.window[:, 0]))

    # ------------------------------------------------------------------ validation
    def _points(self, x, name: str, *, inside: bool = False) -> np.ndarray:
        arr = as_array(x, name, ndim=(1, 2))
        if arr.ndim == 1:
            if arr.size == self.d:
                arr = arr[None, :]
            elif self.d == 1:
                arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != self.d:
            raise ValueError(f"{name} must have shape (m, {self.d}) for a {self.d}-D window, got {np.shape(x)}")
        if inside:
            lo, hi = self.window[:, 0], self.window[:, 1]
            bad = np.any((arr < lo) | (arr > hi), axis=1)
            if np.any(bad):
                raise ValueError(f"{name} must lie inside the window {self.window.tolist()}; "
                                 f"{int(bad.sum())} point(s) outside, e.g. {arr[bad][0].tolist()}")
        return arr

    # ------------------------------------------------------------------ simulation
    def dilation(self, edge_tol: float = 1e-4) -> float:
        """Radius r of the parent window W ⊕ b(0, r): the smallest r with P(|U| > r) <= edge_tol.

        For compact kernels (Matérn) r = R and nothing is truncated.
        """
        check_in_range(edge_tol, "edge_tol", 0.0, 1.0, closed=False)
        cache = self.__dict__.setdefault("_dilation", {})  # root finding costs ~1 ms; simulate calls it each time
        if edge_tol not in cache:
            cache[edge_tol] = self.kernel.effective_range(self.d, edge_tol)
        return cache[edge_tol]

    def truncation_error(self, radius: float) -> dict:
        r"""Expected number of offspring in W lost by generating parents only on W ⊕ b(0, r).

        A parent at c ∉ W ⊕ b(0, r) can put an offspring at x ∈ W only with |x − c| > r, so

        .. math:: E[\text{lost}] = \int_W E[\kappa\alpha(x - U)\, 1\{x - U \notin W\oplus b_r\}] dx
                  \le \sup(\kappa\alpha)\, |W|\, P(|U| > r),

        and the total-variation distance between the simulated and the exact pattern on W is at
        most E[lost]. Returns ``bound`` (the right-hand side, with sup κα over W ⊕ b(0, 2r) — for
        fields that keep growing beyond it the bound is indicative) and ``relative`` = bound /
        E[N(W)] (equal to P(|U| > r) for a stationary process).
        """
        tail = float(self.kernel.tail_mass(radius, self.d))
        box = np.column_stack([self.window[:, 0] - 2 * radius, self.window[:, 1] + 2 * radius])
        sup = self.kappa.max_on(box) * self.alpha.max_on(box)
        bound = sup * self.volume * tail
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

        Parameters
        ----------
        rng : numpy Generator (the only source of randomness).
        edge_tol : r is the radius with P(|U| > r) = edge_tol, capped at 5 kernel scales when the
            far field is simulated (heavy tails would otherwise need a huge box).
        far_field : simulate the offspring of parents outside B_r (exact simulation).
        far_tol : bound on the expected number of missed far parents.
        return_parents : also return the parents and each point's cluster label.
        max_parents : refuse (ValueError) when more proposal parents than this are expected.

        Returns
        -------
        points (n, d), or a :class:`Simulation` (points, parents, labels) if ``return_parents``.
        """
        from statgen.pointprocess.simulation import far_parent_offspring

        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        far = far_field and not self.kernel.compact
        r = self.dilation(edge_tol)
        if far:
            r = min(r, 5.0 * self.kernel.scale_length)
        box = np.column_stack([self.window[:, 0] - r, self.window[:, 1] + r])
        kmax = self.kappa.max_on(box)
        mean_parents = kmax * float(np.prod(box[:, 1] - box[:, 0]))
        if mean_parents > max_parents:
            raise ValueError(f"edge_tol={edge_tol:g} needs a dilation r = {r:.4g} and {mean_parents:.3g} proposal "
                             f"parents (> max_parents={max_parents:g}); raise edge_tol or max_parents")
        n_prop = rng.poisson(mean_parents)
        c = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((n_prop, self.d))
        if kmax > 0:
            kap = self.kappa(c)
            if isinstance(self.kappa, CallableField) and np.any(kap > kmax * (1 + 1e-12)):
                raise ValueError("parent_intensity exceeds its estimated maximum on the dilated window; "
                                 "wrap it as CallableField(fn, 'parent_intensity', maximum=...) with a true bound")
            c = c[rng.random(n_prop) * kmax < kap]
        counts = rng.poisson(self.alpha(c))
        pts = np.repeat(c, counts, axis=0)  # row repeat: cheaper than the gather c[labels]
        pts += self.kernel.sample(pts.shape[0], self.d, rng)
        keep = np.ones(pts.shape[0], dtype=bool)
        for k in range(self.d):  # per axis: cheaper than a (n, d) boolean array and a reduction
            col = pts[:, k]
            keep &= (col >= self.window[k, 0]) & (col <= self.window[k, 1])
        pts = pts[keep]
        labels = np.repeat(np.arange(c.shape[0]), counts)[keep] if return_parents else None
        if far:
            cf, pf, lf = far_parent_offspring(self, r, rng, far_tol=far_tol)
            pts = np.concatenate([pts, pf])
            if return_parents:
                labels = np.concatenate([labels, lf + c.shape[0]])
                c = np.concatenate([c, cf])
        if return_parents:
            return Simulation(pts, c, labels)
        return pts

    # ------------------------------------------------------------------ first and second moments
    def intensity(self, x, *, return_error: bool = False):
        """λ(x) = ∫ κ(c) α(c) k(x − c) dc (points per unit volume); x of shape (m, d) -> (m,)."""
        x = self._points(x, "x")
        lam, err = self.engine.intensity(x)
        return (lam, err) if return_error else lam

    def expected_count(self, *, n_per_axis: int | None = None) -> float:
        """E[N(W)] = ∫_W λ(x) dx (Gauss–Legendre on the window; exact for constant λ)."""
        n = n_per_axis or {1: 400, 2: 80, 3: 24}[self.d]
        nodes, w = np.polynomial.legendre.leggauss(n)
        axes = [0.5 * (lo + hi) + 0.5 * (hi - lo) * nodes for lo, hi in self.window]
        wts = [0.5 * (hi - lo) * w for lo, hi in self.window]
        grid = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], 1)
        weights = np.prod(np.meshgrid(*wts, indexing="ij"), axis=0).ravel()
        return float(self.intensity(grid) @ weights)

    def cluster_integrals(self, points, *, return_error: bool = False):
        """K_B for every subset B of ``points`` (n, d): an array of length 2ⁿ indexed by bitmask
        (bit i ↔ point i; entry 0 is 1)."""
        y = self._points(points, "points")
        logK, err = self.engine.log_cluster_integrals(y)
        K = np.exp(logK)
        return (K, err) if return_error else K

    def product_density(self, points) -> float:
        """ρ⁽ⁿ⁾(y₁..yₙ) = Σ_{partitions} Π_B K_B by the subset recursion (units 1/volumeⁿ)."""
        y = self._points(points, "points")
        if y.shape[0] > _MAX_EXACT_EVENTS:
            raise ValueError(f"points: at most {_MAX_EXACT_EVENTS} points for the exact recursion, got {y.shape[0]}")
        logK, _ = self.engine.log_cluster_integrals(y)
        loglam = logK[1 << np.arange(y.shape[0])]
        Kt = np.exp(logK - mask_sums(loglam))  # K_B / Π λ(y_i): keeps the recursion in range
        return float(subset_recursion(Kt)[-1] * np.exp(loglam.sum()))

    def pair_correlation(self, x, y) -> np.ndarray:
        """g(x, y) = ρ⁽²⁾(x, y) / (λ(x) λ(y)) = 1 + K_{xy} / (λ(x) λ(y)) for paired rows of x and y."""
        x, y = self._points(x, "x"), self._points(y, "y")
        if x.shape != y.shape:
            raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
        K, _ = self.engine.pair_integral(x, y)
        return 1.0 + K / (self.engine.intensity(x)[0] * self.engine.intensity(y)[0])

    # ------------------------------------------------------------------ conditional intensity
    def _log_weights(self, y):
        """logv_B = log[ρ(Y∖B) / ρ(Y)] for every subset B (bitmask), by the subset recursion."""
        n = y.shape[0]
        logK, kerr = self.engine.log_cluster_integrals(y)
        loglam = logK[1 << np.arange(n)]
        lsum = mask_sums(loglam)
        rho_t = subset_recursion(np.exp(logK - lsum))  # ρ̃(S) = ρ(S) / Π_{i∈S} λ(y_i)
        full = (1 << n) - 1
        masks = np.arange(1 << n)
        with np.errstate(divide="ignore"):
            # ρ(Y∖B)/ρ(Y) = ρ̃(Y∖B)/ρ̃(Y) / Π_{i∈B} λ(y_i)
            logv = np.log(rho_t[full ^ masks]) - np.log(rho_t[full]) - lsum
        logv[0] = 0.0
        return logv

    def conditional_intensity(self, x, events, *, method: str = "exact", return_error: bool = False,
                              group_tol: float = 1e-8, kappa_ref: float | None = None):
        r"""λ(x | y₁..yₙ) = ρ⁽ⁿ⁺¹⁾(x, y₁..yₙ) / ρ⁽ⁿ⁾(y₁..yₙ), vectorized over x.

        Parameters
        ----------
        x : (m, d) locations.
        events : (n, d) observed events, inside the window.
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
        from statgen.pointprocess import approximations as ap

        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        x = self._points(x, "x")
        y = self._points(events, "events", inside=True)
        if method == "exact":
            if isinstance(self.kernel, MaternKernel):
                val, err = ap.grouped(self, x, y, cutoff=2 * self.kernel.radius)
            else:
                val, err = self._exact(x, y)
        elif method == "independent":
            val, err = ap.independent(self, x, y)
        elif method == "grouped":
            cutoff = 2 * self.kernel.effective_range(self.d, group_tol)
            val, err = ap.grouped(self, x, y, cutoff=cutoff)
        elif method == "reweighted":
            val, err = ap.reweighted(self, x, y, kappa_ref=kappa_ref)
        else:
            val, err = ap.slowly_varying(self, x, y)
        return (val, err) if return_error else val

    def _exact(self, x, y):
        n = y.shape[0]
        if n > _MAX_EXACT_EVENTS:
            raise ValueError(f"events: the exact recursion handles at most {_MAX_EXACT_EVENTS} events "
                             f"(got {n}); use method='grouped'")
        if n == 0:
            return self.engine.intensity(x)
        return self.engine.x_terms(x, y, self._log_weights(y))

    def conditional_intensity_grid(self, axes: Sequence[np.ndarray], events, *, method: str = "exact") -> np.ndarray:
        """λ(x | events) on the product grid of ``axes`` (d 1-D arrays); returns shape (len(axes[0]), ...).

        For the Thomas kernel with exp-linear κ, α the exact sum over subsets factorizes over
        the axes and is evaluated as a matrix product (O(2ⁿ · Σ_k len(axes[k])) exponentials).
        """
        if len(axes) != self.d:
            raise ValueError(f"axes must hold {self.d} coordinate arrays, got {len(axes)}")
        axes = [as_array(a, f"axes[{k}]", ndim=1) for k, a in enumerate(axes)]
        y = self._points(events, "events", inside=True)
        shape = tuple(a.size for a in axes)
        if method == "exact" and isinstance(self.engine, ThomasExpEngine) and 0 < y.shape[0] <= _MAX_EXACT_EVENTS:
            val, _ = self.engine.x_terms_grid(axes, y, self._log_weights(y))
            return val.reshape(shape)
        grid = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
        return self.conditional_intensity(grid, y, method=method).reshape(shape)

    # ------------------------------------------------------------------ helpers for approximations
    def kernel_self_convolution(self, r) -> np.ndarray:
        """(k * k)(u) at distances r: ∫ k(u − c) k(c) dc for |u| = r (1/volume)."""
        r = np.asarray(r, dtype=float)
        if isinstance(self.kernel, MaternKernel):
            return lens_volume(r, self.kernel.radius, self.d) / ball_volume(self.kernel.radius, self.d) ** 2
        kk = self.kernel.self_convolution(self.d)
        u = np.zeros((r.size, self.d))
        u[:, 0] = r.ravel()
        return kk.pdf(u).reshape(r.shape)

    def mean_parent_intensity(self, *, n_per_axis: int = 64) -> float:
        """(1/|W|) ∫_W κ(c) dc by the midpoint rule."""
        axes = [lo + (hi - lo) * (np.arange(n_per_axis) + 0.5) / n_per_axis for lo, hi in self.window]
        grid = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], 1)
        return float(self.kappa(grid).mean())
