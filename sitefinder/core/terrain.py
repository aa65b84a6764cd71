"""Terrain slope from a DEM grid and per-plot slope statistics (numpy + numba).

The grid is north-up: row 0 is the northern edge, ``left``/``top`` are the
outer corner of cell (0, 0) and ``dx``/``dy`` the (positive) cell sizes. Slope
uses Horn's (1981) 3 × 3 finite differences, the method of ``gdaldem slope``
and of ArcGIS: cells on the grid's edge, and cells next to a nodata cell,
have no slope (``nan``).
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from .geometry import Ragged, _inside


class GridGeometry(NamedTuple):
    """Where a north-up grid lies: outer corner of cell (0, 0) and cell sizes (metres)."""

    left: float
    top: float
    dx: float
    dy: float
    nx: int
    ny: int


def slope(z: np.ndarray, dx: float, dy: float, unit: str = "degrees") -> np.ndarray:
    """Slope of a north-up elevation grid with Horn's method.

    Parameters
    ----------
    z : ndarray, shape (ny, nx)
        Elevations in metres; ``nan`` for nodata.
    dx, dy : float
        Cell width and height in metres (positive).
    unit : {"degrees", "percent"}
        Degrees from horizontal, or rise over run × 100.

    Returns
    -------
    ndarray of float64, shape (ny, nx)
        ``nan`` on the edge and next to nodata.

    Examples
    --------
    A plane rising 1 m per 10 m eastwards: 10 % or 5.71°.

    >>> import numpy as np
    >>> z = np.tile(np.arange(4.0), (4, 1))
    >>> float(slope(z, 10.0, 10.0, "percent")[1, 1])
    10.0
    """
    if unit not in ("degrees", "percent"):
        raise ValueError(f"unit must be 'degrees' or 'percent', got {unit!r}")
    z = np.asarray(z, np.float64)
    out = np.full(z.shape, np.nan)
    if z.shape[0] < 3 or z.shape[1] < 3:
        return out
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * dx)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * dy)
    rise = np.hypot(dzdx, dzdy)
    centre_ok = np.isfinite(z[1:-1, 1:-1])
    inner = np.where(centre_ok, np.degrees(np.arctan(rise)) if unit == "degrees" else 100.0 * rise, np.nan)
    out[1:-1, 1:-1] = inner
    return out


@nb.njit(cache=True)
def _cell_of(x, y, left, top, dx, dy, nx, ny):
    col = int(np.floor((x - left) / dx))
    row = int(np.floor((top - y) / dy))
    if col < 0 or row < 0 or col >= nx or row >= ny:
        return -1, -1
    return row, col


@nb.njit(cache=True)
def _plot_stats(values, left, top, dx, dy, rep_x, rep_y, x, y, part_ptr, geom_ptr):
    ny, nx = values.shape
    n = rep_x.shape[0]
    mean = np.full(n, np.nan)
    peak = np.full(n, np.nan)
    n_cells = np.zeros(n, np.int64)
    outside = np.zeros(n, np.bool_)
    for p in range(n):
        if not (np.isfinite(rep_x[p]) and np.isfinite(rep_y[p])):
            continue
        acc = 0.0
        mx = -np.inf
        m = 0
        bad = False
        p_lo = geom_ptr[p]
        p_hi = geom_ptr[p + 1]
        if p_hi > p_lo:
            lo = part_ptr[p_lo]
            hi = part_ptr[p_hi]
            x0 = x[lo:hi].min()
            x1 = x[lo:hi].max()
            y0 = y[lo:hi].min()
            y1 = y[lo:hi].max()
            c0 = int(np.floor((x0 - left) / dx - 0.5))
            c1 = int(np.ceil((x1 - left) / dx - 0.5))
            r0 = int(np.floor((top - y1) / dy - 0.5))
            r1 = int(np.ceil((top - y0) / dy - 0.5))
            for row in range(r0, r1 + 1):
                cy = top - (row + 0.5) * dy
                if cy < y0 or cy > y1:
                    continue
                for col in range(c0, c1 + 1):
                    cx = left + (col + 0.5) * dx
                    if cx < x0 or cx > x1 or not _inside(cx, cy, x, y, part_ptr, p_lo, p_hi):
                        continue
                    if row < 0 or col < 0 or row >= ny or col >= nx:
                        bad = True
                        outside[p] = True
                        continue
                    v = values[row, col]
                    if not np.isfinite(v):
                        bad = True
                        continue
                    acc += v
                    mx = max(mx, v)
                    m += 1
        if m == 0 and not bad:
            # A point plot, or a polygon smaller than a cell: the cell under the representative point.
            row, col = _cell_of(rep_x[p], rep_y[p], left, top, dx, dy, nx, ny)
            if row < 0:
                outside[p] = True
                continue
            v = values[row, col]
            if not np.isfinite(v):
                bad = True
            else:
                acc = v
                mx = v
                m = 1
        n_cells[p] = m
        if not bad and m > 0:
            mean[p] = acc / m
            peak[p] = mx
    return mean, peak, n_cells, outside


def plot_statistics(values: np.ndarray, grid: GridGeometry, rep_x: np.ndarray, rep_y: np.ndarray,
                    polygons: Ragged) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean and maximum of a grid over each plot.

    A polygon plot takes the cells whose centre lies inside it; a point plot,
    or a polygon too small to hold a cell centre, the cell under its
    representative point.

    Returns
    -------
    mean, maximum : ndarray of float64
        ``nan`` when any of the plot's cells is outside the grid or has no value.
    n_cells : ndarray of int64
        Cells used per plot.
    outside : ndarray of bool
        The plot reaches beyond the grid.
    """
    return _plot_stats(
        np.ascontiguousarray(values, np.float64), float(grid.left), float(grid.top), float(grid.dx), float(grid.dy),
        np.ascontiguousarray(rep_x, np.float64), np.ascontiguousarray(rep_y, np.float64),
        np.ascontiguousarray(polygons.x, np.float64), np.ascontiguousarray(polygons.y, np.float64),
        np.asarray(polygons.part_ptr, np.int64), np.asarray(polygons.geom_ptr, np.int64),
    )
