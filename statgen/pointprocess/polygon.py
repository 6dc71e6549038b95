"""Planar observation windows for the spatstat-style fits: rectangles and simple polygons.

A :class:`Polygon` is a simple (non-self-intersecting) polygon given by its vertices in order
(either orientation; stored counter-clockwise). It answers what the estimators need: area,
bounding frame, which points lie inside, and the fraction of a circle b(x, r)'s boundary
inside the window (Ripley's isotropic edge correction and the Palm likelihood's integral).
A rectangle is a polygon with four axis-parallel sides; its circle fractions have a closed
form (:mod:`statgen.pointprocess.summary`).
"""

from __future__ import annotations

import math

import numpy as np

from statgen._checks import as_array

__all__ = ["Polygon", "as_polygon"]


def _segments_cross(p1, p2, q1, q2) -> bool:
    """Proper or touching intersection of segments p1p2 and q1q2."""
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    def on_seg(a, b, c):
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    o1, o2, o3, o4 = orient(p1, p2, q1), orient(p1, p2, q2), orient(q1, q2, p1), orient(q1, q2, p2)
    if (o1 > 0) != (o2 > 0) and (o3 > 0) != (o4 > 0) and o1 != 0 and o2 != 0 and o3 != 0 and o4 != 0:
        return True
    return ((o1 == 0 and on_seg(p1, p2, q1)) or (o2 == 0 and on_seg(p1, p2, q2))
            or (o3 == 0 and on_seg(q1, q2, p1)) or (o4 == 0 and on_seg(q1, q2, p2)))


class Polygon:
    """A simple polygon window in the plane.

    Parameters
    ----------
    vertices : (m, 2) array, m ≥ 3 distinct vertices in order (the last is joined to the first).
        Self-intersecting outlines and zero-area polygons are refused.
    """

    def __init__(self, vertices, name: str = "window"):
        v = as_array(vertices, name, ndim=2)
        if v.shape[1] != 2 or v.shape[0] < 3:
            raise ValueError(f"{name} must be an (m, 2) array of m >= 3 polygon vertices, got shape {v.shape}")
        if np.all(v[0] == v[-1]) and v.shape[0] > 3:
            v = v[:-1]
        m = v.shape[0]
        for a in range(m):
            for b in range(a + 1, m):
                if b == a + 1 or (a == 0 and b == m - 1):
                    continue
                if _segments_cross(v[a], v[(a + 1) % m], v[b], v[(b + 1) % m]):
                    raise ValueError(f"{name} must be a simple polygon, but its edges {a} and {b} intersect "
                                     f"(a self-intersecting outline has no well-defined inside)")
        x, y = v[:, 0], v[:, 1]
        signed = 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
        if not abs(signed) > 0:
            raise ValueError(f"{name} must enclose a positive area, got a degenerate polygon {v.tolist()}")
        if signed < 0:
            v = v[::-1].copy()
        self.vertices = v
        self._area = abs(signed)
        lo, hi = v.min(axis=0), v.max(axis=0)
        self.is_rectangle = m == 4 and bool(np.all(np.isin(v[:, 0], [lo[0], hi[0]])) and
                                            np.all(np.isin(v[:, 1], [lo[1], hi[1]])))

    @classmethod
    def box(cls, xrange, yrange) -> Polygon:
        """The rectangle [x₀, x₁] × [y₀, y₁]."""
        (x0, x1), (y0, y1) = xrange, yrange
        return cls(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float))

    def __repr__(self) -> str:
        if self.is_rectangle:
            lo, hi = self.frame()
            return f"Polygon.box(({lo[0]!r}, {hi[0]!r}), ({lo[1]!r}, {hi[1]!r}))"
        return f"Polygon({self.vertices.shape[0]} vertices, area {self._area:.6g})"

    def area(self) -> float:
        """|W| (length²)."""
        return self._area

    def frame(self) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) corners of the bounding rectangle."""
        return self.vertices.min(axis=0), self.vertices.max(axis=0)

    def box_array(self) -> np.ndarray:
        """The bounding rectangle as a (2, 2) window array ((x₀, x₁), (y₀, y₁))."""
        lo, hi = self.frame()
        return np.column_stack([lo, hi])

    def contains(self, points) -> np.ndarray:
        """(m,) bool: points inside or on the boundary (ray casting; boundary points count as inside)."""
        p = np.asarray(points, dtype=float)
        if self.is_rectangle:
            lo, hi = self.frame()
            return np.all((p >= lo) & (p <= hi), axis=1)
        a, b = self.vertices, np.roll(self.vertices, -1, axis=0)
        px, py = p[:, 0:1], p[:, 1:2]
        ax, ay, bx, by = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
        straddle = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xcross = ax + (py - ay) * (bx - ax) / (by - ay)
        inside = np.sum(straddle & (px < xcross), axis=1) % 2 == 1
        # on an edge: collinear and within its extent
        cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
        within = ((px >= np.minimum(ax, bx)) & (px <= np.maximum(ax, bx))
                  & (py >= np.minimum(ay, by)) & (py <= np.maximum(ay, by)))
        scale = np.hypot(bx - ax, by - ay)
        on_edge = np.any((np.abs(cross) <= 1e-12 * scale * (1 + np.abs(px) + np.abs(py))) & within, axis=1)
        return inside | on_edge

    def check_inside(self, points: np.ndarray, name: str = "points") -> None:
        """ValueError naming ``name`` when some of the (m, 2) ``points`` lie outside the polygon."""
        out = ~self.contains(points)
        if np.any(out):
            raise ValueError(f"{name} must lie inside the polygon window; {int(out.sum())} point(s) outside, "
                             f"e.g. {np.asarray(points)[out][0].tolist()}")

    def circle_fraction_inside(self, centers: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Fraction of the circle ∂b(c_i, r_i) inside the window, for paired rows (c_i, r_i), r_i > 0.

        The circle is cut at its crossings with every edge; each arc between consecutive
        crossings is inside or outside as a whole (tested at its midpoint).
        """
        c = np.asarray(centers, dtype=float)
        r = np.asarray(r, dtype=float)
        a, b = self.vertices, np.roll(self.vertices, -1, axis=0)
        d = b - a  # (E, 2)
        f = a[None, :, :] - c[:, None, :]  # (m, E, 2)
        A = np.sum(d * d, axis=1)[None, :]
        B = 2 * np.sum(f * d[None], axis=2)
        Cc = np.sum(f * f, axis=2) - r[:, None] ** 2
        disc = B * B - 4 * A * Cc
        ok = disc >= 0
        sq = np.sqrt(np.where(ok, disc, 0.0))
        angles = []
        for sgn in (-1.0, 1.0):
            t = (-B + sgn * sq) / (2 * A)
            hit = ok & (t >= 0) & (t <= 1)
            px = a[None, :, 0] + t * d[None, :, 0] - c[:, 0:1]
            py = a[None, :, 1] + t * d[None, :, 1] - c[:, 1:2]
            angles.append(np.where(hit, np.mod(np.arctan2(py, px), 2 * math.pi), np.nan))
        ang = np.sort(np.concatenate(angles, axis=1), axis=1)  # NaN last
        m = c.shape[0]
        ang = np.concatenate([np.zeros((m, 1)), ang, np.full((m, 1), 2 * math.pi)], axis=1)
        ang = np.where(np.isnan(ang), 2 * math.pi, ang)
        ang = np.sort(ang, axis=1)
        lo_a, hi_a = ang[:, :-1], ang[:, 1:]
        mid = 0.5 * (lo_a + hi_a)
        mx = c[:, 0:1] + r[:, None] * np.cos(mid)
        my = c[:, 1:2] + r[:, None] * np.sin(mid)
        ins = self.contains(np.column_stack([mx.ravel(), my.ravel()])).reshape(mid.shape)
        return np.sum(np.where(ins, hi_a - lo_a, 0.0), axis=1) / (2 * math.pi)

    def uniform_points(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n independent uniform points in the window (rejection from the frame)."""
        lo, hi = self.frame()
        out = np.empty((0, 2))
        while out.shape[0] < n:
            need = n - out.shape[0]
            frac = self._area / float(np.prod(hi - lo))
            cand = lo + (hi - lo) * rng.random((int(need / frac * 1.2) + 16, 2))
            out = np.concatenate([out, cand[self.contains(cand)]])
        return out[:n]


def as_polygon(window, name: str = "window") -> Polygon:
    """A :class:`Polygon`, or a 2-D box ((x₀, x₁), (y₀, y₁)) turned into one."""
    if isinstance(window, Polygon):
        return window
    try:
        w = np.asarray(window, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a Polygon or ((x0, x1), (y0, y1)), got {window!r}") from exc
    if w.shape != (2, 2):
        raise ValueError(f"{name} must be a Polygon or a 2-D box ((x0, x1), (y0, y1)), got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w[:, 1] <= w[:, 0]):
        raise ValueError(f"{name} must have finite bounds with lo < hi on both axes, got {w.tolist()}")
    return Polygon.box(w[0], w[1])
