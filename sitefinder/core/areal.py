"""Area-weighted sums over polygons cut by a circle (numba).

The population criterion asks how many residents live within ``r`` of a
plot when residents are given per polygon (SSB's 250 m grid cells). A cell
cut by the circle contributes its value times the *share of its area* inside
the circle. The area of a circle ∩ polygon is computed exactly, not sampled:
it is the sum over the polygon's edges of the signed area of the circle ∩ the
triangle (centre, edge start, edge end) — straight pieces inside the circle
count as triangles, pieces outside as circular sectors.

Holes follow the even-odd rule over a geometry's rings, as everywhere in
:mod:`sitefinder.core.geometry`: a ring inside an odd number of the
geometry's other rings is a hole and subtracts.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ._grid import build_grid
from .geometry import Ragged, _inside
from .paths import work_blocks


@nb.njit(cache=True)
def _piece(px, py, qx, qy, r):
    """Signed area of circle(0, r) ∩ triangle(0, p, q) for a piece wholly inside or outside the circle."""
    mx = 0.5 * (px + qx)
    my = 0.5 * (py + qy)
    cross = px * qy - py * qx
    if mx * mx + my * my <= r * r:
        return 0.5 * cross
    return 0.5 * r * r * np.arctan2(cross, px * qx + py * qy)


@nb.njit(cache=True)
def circle_triangle_area(ax, ay, bx, by, r):
    """Signed area of the circle of radius ``r`` at the origin ∩ the triangle (origin, a, b).

    Positive when a → b turns counter-clockwise around the origin.
    """
    dx = bx - ax
    dy = by - ay
    a2 = dx * dx + dy * dy
    if a2 == 0.0:
        return 0.0
    b = ax * dx + ay * dy
    c = ax * ax + ay * ay - r * r
    disc = b * b - a2 * c
    t1 = 0.0
    t2 = 0.0
    n_cut = 0
    if disc > 0.0:
        s = np.sqrt(disc)
        lo = (-b - s) / a2
        hi = (-b + s) / a2
        if 0.0 < lo < 1.0:
            t1 = lo
            n_cut = 1
        if 0.0 < hi < 1.0:
            if n_cut == 0:
                t1 = hi
            else:
                t2 = hi
            n_cut += 1
    total = 0.0
    u = 0.0
    for k in range(n_cut + 1):
        v = 1.0 if k == n_cut else (t1 if k == 0 else t2)
        total += _piece(ax + u * dx, ay + u * dy, ax + v * dx, ay + v * dy, r)
        u = v
    return total


@nb.njit(cache=True)
def _ring_areas(cx, cy, r, x, y, lo, hi):
    """Signed (ring area, ring ∩ circle area) for the ring ``x[lo:hi]`` around centre (cx, cy)."""
    area = 0.0
    cut = 0.0
    for i in range(lo, hi):
        j = i + 1 if i + 1 < hi else lo
        ax = x[i] - cx
        ay = y[i] - cy
        bx = x[j] - cx
        by = y[j] - cy
        area += 0.5 * (ax * by - ay * bx)
        cut += circle_triangle_area(ax, ay, bx, by, r)
    return area, cut


@nb.njit(cache=True)
def _is_hole(x, y, part_ptr, p, p_lo, p_hi):
    """A ring is a hole when its first vertex lies inside an odd number of the geometry's other rings."""
    v = part_ptr[p]
    depth = 0
    for q in range(p_lo, p_hi):
        if q != p and _inside(x[v], y[v], x, y, part_ptr, q, q + 1):
            depth += 1
    return depth % 2 == 1


@nb.njit(cache=True)
def _polygon_share(cx, cy, r, x, y, part_ptr, p_lo, p_hi):
    """(area inside the circle, total area) of the polygon made of rings ``p_lo:p_hi``."""
    inside = 0.0
    total = 0.0
    for p in range(p_lo, p_hi):
        lo = part_ptr[p]
        hi = part_ptr[p + 1]
        if hi - lo < 3:
            continue
        area, cut = _ring_areas(cx, cy, r, x, y, lo, hi)
        sign = -1.0 if (p_hi - p_lo > 1 and _is_hole(x, y, part_ptr, p, p_lo, p_hi)) else 1.0
        inside += sign * abs(cut)
        total += sign * abs(area)
    return inside, total


@nb.njit(cache=True, parallel=True)
def _area_weighted(px, py, r, x, y, part_ptr, geom_ptr, weight, bx0, by0, bx1, by1,
                   xmin, ymin, cell, nx, ny, cell_ptr, items, n_blocks):
    n = px.shape[0]
    n_geoms = geom_ptr.shape[0] - 1
    total = np.full(n, np.nan)
    touched = np.zeros(n, np.int64)
    n_blocks = max(min(n, n_blocks), 1)
    for block in nb.prange(n_blocks):
        seen = np.full(n_geoms, -1, np.int64)
        for o in range(block * n // n_blocks, (block + 1) * n // n_blocks):
            if not (np.isfinite(px[o]) and np.isfinite(py[o])):
                continue
            gx0 = max(int(np.floor((px[o] - r - xmin) / cell)), 0)
            gx1 = min(int(np.floor((px[o] + r - xmin) / cell)), nx - 1)
            gy0 = max(int(np.floor((py[o] - r - ymin) / cell)), 0)
            gy1 = min(int(np.floor((py[o] + r - ymin) / cell)), ny - 1)
            acc = 0.0
            m = 0
            for gy in range(gy0, gy1 + 1):
                for gx in range(gx0, gx1 + 1):
                    c = gy * nx + gx
                    for j in range(cell_ptr[c], cell_ptr[c + 1]):
                        g = items[j]
                        if seen[g] == o:
                            continue
                        seen[g] = o
                        # Nearest point of the box to the centre: farther than r means no overlap.
                        ddx = max(bx0[g] - px[o], 0.0, px[o] - bx1[g])
                        ddy = max(by0[g] - py[o], 0.0, py[o] - by1[g])
                        if ddx * ddx + ddy * ddy >= r * r:
                            continue
                        part, whole = _polygon_share(px[o], py[o], r, x, y, part_ptr, geom_ptr[g], geom_ptr[g + 1])
                        if whole > 0.0 and part > 0.0:
                            acc += weight[g] * min(part / whole, 1.0)
                            m += 1
            total[o] = acc
            touched[o] = m
    return total, touched


def area_weighted_sum(px: np.ndarray, py: np.ndarray, radius: float, polygons: Ragged,
                      weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ weight × (area of polygon inside the circle / area of polygon), around each origin.

    Parameters
    ----------
    px, py : ndarray of float64
        Circle centres (non-finite: result ``nan``).
    radius : float
        Circle radius.
    polygons : Ragged
        One polygon geometry per feature (features without rings never count).
    weight : ndarray of float64
        Value of each whole feature (e.g. residents of a grid cell).

    Returns
    -------
    total : ndarray of float64
        The area-weighted sum; ``nan`` for non-finite origins.
    touched : ndarray of int64
        How many polygons overlap each circle.

    Examples
    --------
    A 2 × 2 square at the origin with 100 residents; a circle of radius 1 centred
    on its corner covers a quarter disc, π/4 of the square's area 4:

    >>> import numpy as np
    >>> sq = Ragged(np.array([0., 2, 2, 0, 0]), np.array([0., 0, 2, 2, 0]), np.array([0, 5]), np.array([0, 1]))
    >>> total, _ = area_weighted_sum(np.array([0.]), np.array([0.]), 1.0, sq, np.array([100.]))
    >>> round(float(total[0]), 4) == round(100 * np.pi / 16, 4)
    True
    """
    px = np.ascontiguousarray(px, np.float64)
    py = np.ascontiguousarray(py, np.float64)
    weight = np.ascontiguousarray(weight, np.float64)
    x = np.ascontiguousarray(polygons.x, np.float64)
    y = np.ascontiguousarray(polygons.y, np.float64)
    bx0, by0, bx1, by1 = polygons.bounds()
    has = np.isfinite(bx0)
    # Geometries without rings get an empty box far away, so they never match.
    bx0, by0 = np.where(has, bx0, np.inf), np.where(has, by0, np.inf)
    bx1, by1 = np.where(has, bx1, -np.inf), np.where(has, by1, -np.inf)
    sizes = np.maximum(bx1 - bx0, by1 - by0)[has]
    typical = max(float(np.median(sizes)) if sizes.size else 1.0, float(radius), 1.0)
    grid = build_grid(np.where(has, bx0, 0.0), np.where(has, by0, 0.0), np.where(has, bx1, 0.0),
                      np.where(has, by1, 0.0), typical)
    return _area_weighted(px, py, float(radius), x, y, np.asarray(polygons.part_ptr, np.int64),
                          np.asarray(polygons.geom_ptr, np.int64), weight, bx0, by0, bx1, by1,
                          grid.xmin, grid.ymin, grid.cell, grid.nx, grid.ny, grid.cell_ptr, grid.items, work_blocks())
