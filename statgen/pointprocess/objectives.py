"""What each fitting method of :class:`~statgen.pointprocess.fit.ClusterFit` minimizes.

An objective is built once per observed pattern (points in a window — a box, or for ``palm`` also
a 2-D :class:`~statgen.pointprocess.polygon.Polygon` —, the interaction range
r_max and the fitted first-order intensity λ̂ at the points) and evaluated on candidate models;
``likelihood = True`` marks objectives whose negative is a log-likelihood (what ``score`` reports).
A new method is a new class registered in :data:`OBJECTIVES`; the settings it reads from the
estimator are listed in ``settings``.

- ``palm``: the Palm likelihood (Tanaka, Ogata & Stoyan 2008), for non-stationary processes with
  the exact Palm intensity of the model,

      ℓ_P(θ) = Σ_{i≠j, r_ij ≤ r_max} log λ(x_j | x_i) − Σ_i ∫_{W ∩ b(x_i, r_max)} λ(u | x_i) du
  (the integral in polar coordinates around each x_i, clipped exactly by the window: a box, or a
  polygon through :func:`~statgen.pointprocess.polygon_quadrature.polygon_ball_rule`);

- ``mincon``: minimum contrast on the inhomogeneous K-function with translation edge correction,
  Σ_k (K̂(r_k)^q − E K̂(r_k)^q)² at 20 radii r_k evenly spaced on [r_max/20, r_max] (q = 1/4 by default).

References
----------
Tanaka, U., Ogata, Y., Stoyan, D. (2008). Parameter estimation and model selection for
Neyman–Scott point processes. Biometrical Journal 50, 43–57. doi:10.1002/bimj.200610339
Diggle, P. J., Gratton, R. J. (1984). Monte Carlo methods of inference for implicit statistical
models. JRSS B 46, 193–227 (minimum contrast).
"""

from __future__ import annotations

import numpy as np

from statgen.pointprocess.kfunction import close_pairs, expected_k_inhom, k_inhom
from statgen.pointprocess.polygon import Polygon
from statgen.pointprocess.polygon_quadrature import polygon_ball_rule
from statgen.pointprocess.quadrature import clipped_ball_rule

__all__ = ["Objective", "PalmLikelihood", "MinimumContrastK", "OBJECTIVES"]


class Objective:
    """Base class: ``objective(model) -> float`` to minimize (inner code: the estimator validates)."""

    likelihood: bool = False
    settings: tuple[str, ...] = ()

    def __init__(self, points: np.ndarray, window: np.ndarray, rmax: float, lam_hat: np.ndarray, **settings):
        self.points, self.window, self.rmax, self.lam_hat = points, window, rmax, lam_hat

    def __call__(self, model) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class PalmLikelihood(Objective):
    """−ℓ_P(θ), the negative Palm log-likelihood.

    The integral over W ∩ b(x_i, r_max) uses :func:`~statgen.pointprocess.quadrature.clipped_ball_rule`
    (polar coordinates around x_i, 12 radial nodes up to the window's boundary, 24 directions, or
    angular panels between the kinks of a 2-D disc that the window clips); for a polygon window
    :func:`~statgen.pointprocess.polygon_quadrature.polygon_ball_rule` (the same rule inside, signed
    triangles between critical angles for cut discs).
    """

    likelihood = True

    def __init__(self, points, window, rmax, lam_hat, **settings):
        super().__init__(points, window, rmax, lam_hat)
        if isinstance(window, Polygon):
            self.i, self.j, _, _ = close_pairs(points, window.box_array(), rmax)
            self.src, self.nodes, self.wn = polygon_ball_rule(points, window, rmax)
        else:
            self.i, self.j, _, _ = close_pairs(points, window, rmax)
            self.src, self.nodes, self.wn = clipped_ball_rule(points, window, rmax)

    @staticmethod
    def _palm_intensity(model, frm, to):
        K, _ = model.engine.pair_integral(to, frm)
        return model.engine.intensity(to)[0] + K / model.engine.intensity(frm)[0]

    def __call__(self, model) -> float:
        x = self.points
        with np.errstate(divide="ignore"):
            first = np.log(self._palm_intensity(model, x[self.i], x[self.j])).sum()
        return float(-(first - self._palm_intensity(model, x[self.src], self.nodes) @ self.wn))


class MinimumContrastK(Objective):
    """Σ_k (K̂(r_k)^q − E K̂(r_k)^q)² on 20 radii up to r_max (not a likelihood)."""

    settings = ("q",)

    def __init__(self, points, window, rmax, lam_hat, *, q: float = 0.25, **settings):
        super().__init__(points, window, rmax, lam_hat)
        self.q = q
        self.r = np.linspace(rmax / 20, rmax, 20)
        self.K_hat = k_inhom(points, window, self.r, lam_hat)

    def __call__(self, model) -> float:
        return float(np.sum((self.K_hat**self.q - expected_k_inhom(model, self.r) ** self.q) ** 2))


OBJECTIVES: dict[str, type[Objective]] = {"palm": PalmLikelihood, "mincon": MinimumContrastK}
