"""A uniform grid of buckets over the plane, shared by the spatial kernels.

Items (segments, points, polygon boxes) are bucketed by the cells their
bounding box covers; a query visits cells in rings of growing Chebyshev
distance and stops once the ring is farther than the best answer so far.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

# Cap on the number of cells per axis, so a national extent with short
# segments does not allocate a gigantic grid.
MAX_CELLS_PER_AXIS = 4096


class Grid(NamedTuple):
    """Bucket grid: items in cell ``c`` are ``items[cell_ptr[c]:cell_ptr[c + 1]]``."""

    xmin: float
    ymin: float
    cell: float
    nx: int
    ny: int
    cell_ptr: np.ndarray
    items: np.ndarray


def choose_cell_size(xmin: float, ymin: float, xmax: float, ymax: float, typical: float) -> float:
    """Cell size near ``typical`` but coarse enough to cap the grid dimensions."""
    extent = max(xmax - xmin, ymax - ymin, 1e-9)
    cell = max(typical, extent / MAX_CELLS_PER_AXIS, 1e-6)
    return float(cell)


@nb.njit(cache=True)
def _fill_grid(bx0, by0, bx1, by1, xmin, ymin, cell, nx, ny):
    n = bx0.shape[0]
    counts = np.zeros(nx * ny + 1, np.int64)
    for i in range(n):
        cx0 = min(max(int((bx0[i] - xmin) / cell), 0), nx - 1)
        cx1 = min(max(int((bx1[i] - xmin) / cell), 0), nx - 1)
        cy0 = min(max(int((by0[i] - ymin) / cell), 0), ny - 1)
        cy1 = min(max(int((by1[i] - ymin) / cell), 0), ny - 1)
        for cy in range(cy0, cy1 + 1):
            for cx in range(cx0, cx1 + 1):
                counts[cy * nx + cx + 1] += 1
    cell_ptr = np.empty(nx * ny + 1, np.int64)
    fill = np.empty(nx * ny, np.int64)
    total = 0
    for c in range(nx * ny + 1):
        total += counts[c]
        cell_ptr[c] = total
        if c < nx * ny:
            fill[c] = total
    items = np.empty(cell_ptr[-1], np.int64)
    for i in range(n):
        cx0 = min(max(int((bx0[i] - xmin) / cell), 0), nx - 1)
        cx1 = min(max(int((bx1[i] - xmin) / cell), 0), nx - 1)
        cy0 = min(max(int((by0[i] - ymin) / cell), 0), ny - 1)
        cy1 = min(max(int((by1[i] - ymin) / cell), 0), ny - 1)
        for cy in range(cy0, cy1 + 1):
            for cx in range(cx0, cx1 + 1):
                c = cy * nx + cx
                items[fill[c]] = i
                fill[c] += 1
    return cell_ptr, items


def build_grid(bx0: np.ndarray, by0: np.ndarray, bx1: np.ndarray, by1: np.ndarray, typical: float) -> Grid:
    """Bucket items by the cells their bounding boxes ``(bx0, by0, bx1, by1)`` cover."""
    bx0 = np.ascontiguousarray(bx0, np.float64)
    by0 = np.ascontiguousarray(by0, np.float64)
    bx1 = np.ascontiguousarray(bx1, np.float64)
    by1 = np.ascontiguousarray(by1, np.float64)
    if bx0.size == 0:
        return Grid(0.0, 0.0, 1.0, 1, 1, np.zeros(2, np.int64), np.empty(0, np.int64))
    xmin, ymin = float(bx0.min()), float(by0.min())
    xmax, ymax = float(bx1.max()), float(by1.max())
    cell = choose_cell_size(xmin, ymin, xmax, ymax, typical)
    nx = int((xmax - xmin) / cell) + 1
    ny = int((ymax - ymin) / cell) + 1
    cell_ptr, items = _fill_grid(bx0, by0, bx1, by1, xmin, ymin, cell, nx, ny)
    return Grid(xmin, ymin, cell, nx, ny, cell_ptr, items)


@nb.njit(cache=True)
def ring_start(px, py, xmin, ymin, cell, nx, ny):
    """Cell of a point (may lie outside the grid) and the first ring touching the grid."""
    cx = int(np.floor((px - xmin) / cell))
    cy = int(np.floor((py - ymin) / cell))
    gap_x = max(0, -cx, cx - (nx - 1))
    gap_y = max(0, -cy, cy - (ny - 1))
    return cx, cy, max(gap_x, gap_y)


@nb.njit(cache=True)
def ring_lower_bound(px, py, cx, cy, r, xmin, ymin, cell):
    """Smallest possible distance from point ``(px, py)`` in cell ``(cx, cy)`` to any cell of ring ``r``.

    Ring ``r`` lies outside the square of cells within Chebyshev distance
    ``r - 1`` of ``(cx, cy)``, so it is at least as far as that square's
    nearest side: for a point deep inside its cell even ring 1 can be skipped.
    """
    if r == 0:
        return 0.0
    x0 = xmin + (cx - r + 1) * cell
    x1 = xmin + (cx + r) * cell
    y0 = ymin + (cy - r + 1) * cell
    y1 = ymin + (cy + r) * cell
    return max(min(px - x0, x1 - px, py - y0, y1 - py), 0.0)
