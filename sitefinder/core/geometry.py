"""Geometry on ragged coordinate arrays (numba): densify and point-in-polygon.

Geometries are passed in a GeoArrow-like layout: coordinates ``x, y``;
``part_ptr`` giving the vertex range of each part (a ring or a line); and
``geom_ptr`` giving the range of parts of each geometry. For polygons the
even-odd rule over all rings of a geometry handles holes and multipolygons.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ._grid import build_grid


class Ragged(NamedTuple):
    """Geometries as ragged arrays.

    Attributes
    ----------
    x, y : ndarray of float64
        All vertices.
    part_ptr : ndarray of int64, shape (n_parts + 1,)
        Vertices of part ``p`` are ``part_ptr[p]:part_ptr[p + 1]``.
    geom_ptr : ndarray of int64, shape (n_geoms + 1,)
        Parts of geometry ``g`` are ``geom_ptr[g]:geom_ptr[g + 1]``.
    """

    x: np.ndarray
    y: np.ndarray
    part_ptr: np.ndarray
    geom_ptr: np.ndarray

    @property
    def n_geoms(self) -> int:
        return int(self.geom_ptr.shape[0] - 1)

    def vertex_owner(self) -> np.ndarray:
        """Geometry index of every vertex."""
        part_of_vertex = np.repeat(np.arange(self.part_ptr.shape[0] - 1), np.diff(self.part_ptr))
        geom_of_part = np.repeat(np.arange(self.n_geoms), np.diff(self.geom_ptr))
        return geom_of_part[part_of_vertex]

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per-geometry bounding boxes (nan for geometries without vertices)."""
        return _bounds(self.x, self.y, self.part_ptr, self.geom_ptr)


def empty_ragged(n_geoms: int = 0) -> Ragged:
    """Ragged arrays for ``n_geoms`` geometries without any vertex."""
    return Ragged(np.empty(0), np.empty(0), np.zeros(1, np.int64), np.zeros(n_geoms + 1, np.int64))


@nb.njit(cache=True)
def _bounds(x, y, part_ptr, geom_ptr):
    n = geom_ptr.shape[0] - 1
    x0 = np.full(n, np.nan)
    y0 = np.full(n, np.nan)
    x1 = np.full(n, np.nan)
    y1 = np.full(n, np.nan)
    for g in range(n):
        lo = part_ptr[geom_ptr[g]]
        hi = part_ptr[geom_ptr[g + 1]]
        if hi > lo:
            x0[g] = x[lo:hi].min()
            x1[g] = x[lo:hi].max()
            y0[g] = y[lo:hi].min()
            y1[g] = y[lo:hi].max()
    return x0, y0, x1, y1


@nb.njit(cache=True)
def _densify(x, y, part_ptr, max_spacing):
    n_parts = part_ptr.shape[0] - 1
    new_ptr = np.zeros(n_parts + 1, np.int64)
    total = 0
    for p in range(n_parts):
        lo = part_ptr[p]
        hi = part_ptr[p + 1]
        cnt = 0
        if hi > lo:
            cnt = 1
            for i in range(lo, hi - 1):
                seg = np.hypot(x[i + 1] - x[i], y[i + 1] - y[i])
                cnt += max(1, int(np.ceil(seg / max_spacing)))
        total += cnt
        new_ptr[p + 1] = total
    ox = np.empty(total)
    oy = np.empty(total)
    k = 0
    for p in range(n_parts):
        lo = part_ptr[p]
        hi = part_ptr[p + 1]
        if hi <= lo:
            continue
        for i in range(lo, hi - 1):
            seg = np.hypot(x[i + 1] - x[i], y[i + 1] - y[i])
            pieces = max(1, int(np.ceil(seg / max_spacing)))
            for j in range(pieces):
                f = j / pieces
                ox[k] = x[i] + f * (x[i + 1] - x[i])
                oy[k] = y[i] + f * (y[i + 1] - y[i])
                k += 1
        ox[k] = x[hi - 1]
        oy[k] = y[hi - 1]
        k += 1
    return ox, oy, new_ptr


def densify(geoms: Ragged, max_spacing: float) -> Ragged:
    """Insert vertices so that no segment is longer than ``max_spacing``.

    Examples
    --------
    >>> import numpy as np
    >>> r = Ragged(np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([0, 2]), np.array([0, 1]))
    >>> densify(r, 4.0).x.round(3).tolist()
    [0.0, 3.333, 6.667, 10.0]
    """
    if max_spacing <= 0:
        raise ValueError("max_spacing must be positive")
    x, y, ptr = _densify(
        np.ascontiguousarray(geoms.x, np.float64), np.ascontiguousarray(geoms.y, np.float64),
        np.asarray(geoms.part_ptr, np.int64), float(max_spacing),
    )
    return Ragged(x, y, ptr, np.asarray(geoms.geom_ptr, np.int64))


@nb.njit(cache=True)
def _inside(px, py, x, y, part_ptr, p_lo, p_hi):
    """Even-odd ray casting over parts ``p_lo:p_hi`` (closed rings)."""
    inside = False
    for p in range(p_lo, p_hi):
        lo = part_ptr[p]
        hi = part_ptr[p + 1]
        j = hi - 1
        for i in range(lo, hi):
            yi = y[i]
            yj = y[j]
            if (yi > py) != (yj > py):
                xc = x[i] + (py - yi) * (x[j] - x[i]) / (yj - yi)
                if px < xc:
                    inside = not inside
            j = i
    return inside


@nb.njit(cache=True)
def _pip_scan(px, py, x, y, part_ptr, geom_ptr, bx0, by0, bx1, by1, xmin, ymin, cell, nx, ny, cell_ptr, items,
              counts, fill, out_point, out_geom, write):
    """One pass over the points: count matches, or (``write``) store them."""
    for i in range(px.shape[0]):
        cx = int(np.floor((px[i] - xmin) / cell))
        cy = int(np.floor((py[i] - ymin) / cell))
        if cx < 0 or cy < 0 or cx >= nx or cy >= ny:
            continue
        c = cy * nx + cx
        for j in range(cell_ptr[c], cell_ptr[c + 1]):
            g = items[j]
            if px[i] < bx0[g] or px[i] > bx1[g] or py[i] < by0[g] or py[i] > by1[g]:
                continue
            if _inside(px[i], py[i], x, y, part_ptr, geom_ptr[g], geom_ptr[g + 1]):
                if write:
                    out_point[fill[i]] = i
                    out_geom[fill[i]] = g
                    fill[i] += 1
                else:
                    counts[i] += 1


@nb.njit(cache=True)
def _points_in_polygons(px, py, x, y, part_ptr, geom_ptr, bx0, by0, bx1, by1, xmin, ymin, cell, nx, ny, cell_ptr, items):
    n = px.shape[0]
    counts = np.zeros(n, np.int64)
    dummy = np.empty(0, np.int64)
    _pip_scan(px, py, x, y, part_ptr, geom_ptr, bx0, by0, bx1, by1, xmin, ymin, cell, nx, ny, cell_ptr, items,
              counts, dummy, dummy, dummy, False)
    fill = np.zeros(n, np.int64)
    total = 0
    for i in range(n):
        fill[i] = total
        total += counts[i]
    out_point = np.empty(total, np.int64)
    out_geom = np.empty(total, np.int64)
    _pip_scan(px, py, x, y, part_ptr, geom_ptr, bx0, by0, bx1, by1, xmin, ymin, cell, nx, ny, cell_ptr, items,
              counts, fill, out_point, out_geom, True)
    return out_point, out_geom


def points_in_polygons(px: np.ndarray, py: np.ndarray, polygons: Ragged) -> tuple[np.ndarray, np.ndarray]:
    """All (point, polygon) pairs where the point lies inside the polygon.

    Points exactly on a boundary may fall either way (ray casting).

    Returns
    -------
    point_index, polygon_index : ndarray of int64
        Sorted by point index.
    """
    px = np.ascontiguousarray(px, np.float64)
    py = np.ascontiguousarray(py, np.float64)
    if polygons.n_geoms == 0 or px.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    bx0, by0, bx1, by1 = polygons.bounds()
    has = np.isfinite(bx0)
    sizes = np.maximum(bx1 - bx0, by1 - by0)[has]
    typical = float(np.median(sizes)) if sizes.size else 1.0
    # Empty geometries get an impossible box so they never match.
    bx0, by0, bx1, by1 = (np.where(has, b, np.inf if k < 2 else -np.inf) for k, b in enumerate((bx0, by0, bx1, by1)))
    grid = build_grid(np.where(has, bx0, 0.0), np.where(has, by0, 0.0), np.where(has, bx1, 0.0), np.where(has, by1, 0.0), max(typical, 1.0))
    return _points_in_polygons(
        px, py, np.ascontiguousarray(polygons.x, np.float64), np.ascontiguousarray(polygons.y, np.float64),
        np.asarray(polygons.part_ptr, np.int64), np.asarray(polygons.geom_ptr, np.int64),
        bx0, by0, bx1, by1, grid.xmin, grid.ymin, grid.cell, grid.nx, grid.ny, grid.cell_ptr, grid.items,
    )
