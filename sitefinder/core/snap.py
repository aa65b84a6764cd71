"""Snap points to the nearest point on the nearest network edge (numba).

Edges are polylines; every polyline segment goes into a bucket grid. A query
returns the edge id, the offset along the edge (metres from its first
vertex) and the snap distance. Points farther than ``max_distance`` from any
edge are reported unsnapped (edge -1, distance ``nan``), never as distance
zero.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ._grid import Grid, build_grid, ring_lower_bound, ring_start


class SegmentIndex(NamedTuple):
    """Polyline segments of the network edges, bucketed in a grid."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    seg_edge: np.ndarray
    seg_offset: np.ndarray
    grid: Grid


class Snapped(NamedTuple):
    """Result of snapping points: edge id (-1 if none), along-edge offset, snap distance."""

    edge: np.ndarray
    offset: np.ndarray
    distance: np.ndarray


def polyline_lengths(x: np.ndarray, y: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Length of each polyline ``x[ptr[i]:ptr[i+1]], y[...]`` (planar metres)."""
    seg = np.hypot(np.diff(x), np.diff(y))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    # Segments joining two polylines are included in cum but cancel out here.
    return cum[ptr[1:] - 1] - cum[ptr[:-1]]


def build_segment_index(x: np.ndarray, y: np.ndarray, edge_ptr: np.ndarray) -> SegmentIndex:
    """Index the segments of edge polylines.

    Parameters
    ----------
    x, y : ndarray of float64
        Vertex coordinates of all edges, concatenated.
    edge_ptr : ndarray of int64, shape (n_edges + 1,)
        Vertices of edge ``e`` are ``edge_ptr[e]:edge_ptr[e + 1]`` (at least two each).
    """
    x = np.ascontiguousarray(x, np.float64)
    y = np.ascontiguousarray(y, np.float64)
    edge_ptr = np.asarray(edge_ptr, np.int64)
    n_vertices = np.diff(edge_ptr)
    if np.any(n_vertices < 2):
        raise ValueError("every edge polyline needs at least two vertices")
    n_edges = n_vertices.shape[0]
    # A segment starts at every vertex except the last of each edge.
    is_start = np.ones(x.shape[0], np.bool_)
    is_start[edge_ptr[1:] - 1] = False
    start = np.flatnonzero(is_start)
    seg_edge = np.repeat(np.arange(n_edges, dtype=np.int64), n_vertices - 1)
    x0, y0, x1, y1 = x[start], y[start], x[start + 1], y[start + 1]
    seg_len = np.hypot(x1 - x0, y1 - y0)
    cum = np.cumsum(seg_len)
    first_seg = np.concatenate([[0], np.cumsum(n_vertices - 1)[:-1]])
    edge_base = np.where(first_seg > 0, cum[np.maximum(first_seg - 1, 0)], 0.0)
    # Offsets from a global running sum carry rounding noise: clamp at 0.
    seg_offset = np.maximum(cum - seg_len - np.repeat(edge_base, n_vertices - 1), 0.0)
    # Cells about one segment long: a query mostly reads its own cell (see ring_lower_bound).
    typical = float(np.median(seg_len)) if seg_len.size else 1.0
    grid = build_grid(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1), max(typical, 1.0))
    return SegmentIndex(x0, y0, x1, y1, seg_edge, seg_offset, grid)


@nb.njit(cache=True)
def _point_segment(px, py, x0, y0, x1, y1):
    """Distance from a point to a segment and the projection parameter in [0, 1]."""
    dx = x1 - x0
    dy = y1 - y0
    len2 = dx * dx + dy * dy
    t = 0.0
    if len2 > 0.0:
        t = ((px - x0) * dx + (py - y0) * dy) / len2
        t = min(max(t, 0.0), 1.0)
    qx = x0 + t * dx
    qy = y0 + t * dy
    return np.hypot(px - qx, py - qy), t


@nb.njit(cache=True)
def _cell_order(px, py, xmin, ymin, cell, nx, ny):
    """Point indices sorted by grid cell (counting sort; points off the grid go to the nearest cell)."""
    n = px.shape[0]
    cell_of = np.zeros(n, np.int64)
    counts = np.zeros(nx * ny + 1, np.int64)
    for i in range(n):
        if np.isfinite(px[i]) and np.isfinite(py[i]):
            cx = min(max(int((px[i] - xmin) / cell), 0), nx - 1)
            cy = min(max(int((py[i] - ymin) / cell), 0), ny - 1)
            cell_of[i] = cy * nx + cx
        counts[cell_of[i] + 1] += 1
    for c in range(nx * ny):
        counts[c + 1] += counts[c]
    order = np.empty(n, np.int64)
    for i in range(n):
        order[counts[cell_of[i]]] = i
        counts[cell_of[i]] += 1
    return order


@nb.njit(cache=True, parallel=True)
def _snap_kernel(px, py, x0, y0, x1, y1, seg_edge, seg_offset, xmin, ymin, cell, nx, ny, cell_ptr, items, max_distance):
    n = px.shape[0]
    out_edge = np.full(n, -1, np.int64)
    out_offset = np.full(n, np.nan)
    out_dist = np.full(n, np.nan)
    order = _cell_order(px, py, xmin, ymin, cell, nx, ny)
    for k in nb.prange(n):  # points are independent; visited cell by cell so the grid stays in cache
        i = order[k]
        if not (np.isfinite(px[i]) and np.isfinite(py[i])):
            continue
        cx, cy, r = ring_start(px[i], py[i], xmin, ymin, cell, nx, ny)
        best = np.inf
        best_seg = -1
        best_t = 0.0
        r_max = max(nx, ny) + abs(cx) + abs(cy) + 1
        while r <= r_max:
            if ring_lower_bound(px[i], py[i], cx, cy, r, xmin, ymin, cell) > min(best, max_distance):
                break
            for gy in range(cy - r, cy + r + 1):
                if gy < 0 or gy >= ny:
                    continue
                step = 1 if (gy == cy - r or gy == cy + r) else 2 * r
                gx = cx - r
                while gx <= cx + r:
                    if 0 <= gx < nx:
                        c = gy * nx + gx
                        for j in range(cell_ptr[c], cell_ptr[c + 1]):
                            s = items[j]
                            d, t = _point_segment(px[i], py[i], x0[s], y0[s], x1[s], y1[s])
                            if d < best or (d == best and s < best_seg):
                                best = d
                                best_seg = s
                                best_t = t
                    if step == 0:
                        break
                    gx += step
            r += 1
        if best_seg >= 0 and best <= max_distance:
            s = best_seg
            out_edge[i] = seg_edge[s]
            out_offset[i] = seg_offset[s] + best_t * np.hypot(x1[s] - x0[s], y1[s] - y0[s])
            out_dist[i] = best
    return out_edge, out_offset, out_dist


def snap_points(index: SegmentIndex, px: np.ndarray, py: np.ndarray, max_distance: float) -> Snapped:
    """Snap points to the nearest point on the nearest edge.

    Parameters
    ----------
    index : SegmentIndex
    px, py : ndarray of float64
        Point coordinates (same CRS as the network, metres).
    max_distance : float
        Points farther than this from every edge stay unsnapped.

    Returns
    -------
    Snapped
        ``edge`` is -1 and ``offset``/``distance`` are ``nan`` for unsnapped points.

    Examples
    --------
    >>> import numpy as np
    >>> idx = build_segment_index(np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([0, 2]))
    >>> s = snap_points(idx, np.array([4.0]), np.array([3.0]), 50.0)
    >>> int(s.edge[0]), float(s.offset[0]), float(s.distance[0])
    (0, 4.0, 3.0)
    """
    g = index.grid
    edge, offset, dist = _snap_kernel(
        np.ascontiguousarray(px, np.float64), np.ascontiguousarray(py, np.float64),
        index.x0, index.y0, index.x1, index.y1, index.seg_edge, index.seg_offset,
        g.xmin, g.ymin, g.cell, g.nx, g.ny, g.cell_ptr, g.items, float(max_distance),
    )
    return Snapped(edge, offset, dist)
