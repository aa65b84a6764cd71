"""Suitability surfaces: a regular grid of cells scored like point plots.

Each cell inside the area becomes a point plot at the cell's centre and goes
through :func:`~sitefinder.pipeline.scoring.score_arrays` like any plot, so a
cell's value *is* the score a plot at its centre gets. Arrays in, arrays
out: a face writes the bands (the CLI as a GeoTIFF, QGIS through its own
raster writer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.geometry import Ragged, empty_ragged, points_in_polygons
from ..core.terrain import GridGeometry
from ..errors import InputError
from ..profiles import load_profile
from ..profiles.schema import Profile
from ..progress import Reporter
from .inputs import PlotArrays
from .scoring import ScoreTable, score_arrays
from .study import Study

# A grid larger than this is almost certainly a wrong cell size or CRS.
MAX_CELLS = 25_000_000


@dataclass(frozen=True)
class SurfaceGrid:
    """Cells of a surface: the grid and the cells whose centre lies in the area.

    Attributes
    ----------
    geometry : GridGeometry
        North-up grid aligned to multiples of the cell size.
    row, col : ndarray of int64
        Cells inside the area, row-major order.
    """

    geometry: GridGeometry
    row: np.ndarray
    col: np.ndarray

    @property
    def n_cells(self) -> int:
        return int(self.row.shape[0])

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x, y of the centres of the cells inside the area."""
        g = self.geometry
        return g.left + (self.col + 0.5) * g.dx, g.top - (self.row + 0.5) * g.dy


@dataclass
class Surface:
    """Scored surface: one band for the total score, one per criterion score.

    Attributes
    ----------
    grid : SurfaceGrid
    bands : ndarray of float32, shape (n_bands, ny, nx)
        Band 0 the total score (0–100), then each criterion's score (0–1);
        ``nan`` outside the area and for excluded cells.
    names : list of str
        Band descriptions, e.g. ``"score (0-100)"``, ``"transit_score (0-1): Bus or rail stop"``.
    table : ScoreTable
        The cells' full score table (values, reasons), one row per cell inside the area.
    """

    grid: SurfaceGrid
    bands: np.ndarray
    names: list[str]
    table: ScoreTable


def surface_grid(area: Ragged, cell: float) -> SurfaceGrid:
    """A grid of ``cell``-sized squares over the polygons of ``area`` (metric CRS).

    The grid's edges are multiples of ``cell``, so surfaces of neighbouring
    areas line up; a cell belongs to the area when its centre lies inside.

    Raises
    ------
    InputError
        A non-positive cell size, an empty area, or a grid above :data:`MAX_CELLS`.
    """
    if not cell > 0:
        raise InputError(f"the cell size must be positive, got {cell}")
    if area.x.size == 0:
        raise InputError("the area has no polygon")
    left = np.floor(area.x.min() / cell) * cell
    right = np.ceil(area.x.max() / cell) * cell
    bottom = np.floor(area.y.min() / cell) * cell
    top = np.ceil(area.y.max() / cell) * cell
    nx, ny = max(int(round((right - left) / cell)), 1), max(int(round((top - bottom) / cell)), 1)
    if nx * ny > MAX_CELLS:
        raise InputError(f"a {cell:g} m grid over this area has {nx} × {ny} = {nx * ny:,} cells (limit "
                         f"{MAX_CELLS:,}): use a larger cell size or a smaller area")
    geometry = GridGeometry(float(left), float(top), float(cell), float(cell), nx, ny)
    rows, cols = np.divmod(np.arange(nx * ny, dtype=np.int64), nx)
    cx = left + (cols + 0.5) * cell
    cy = top - (rows + 0.5) * cell
    inside = np.zeros(nx * ny, np.bool_)
    pt, _ = points_in_polygons(cx, cy, area)
    inside[pt] = True
    if not inside.any():
        raise InputError(f"no {cell:g} m cell centre lies inside the area: use a smaller cell size")
    return SurfaceGrid(geometry, rows[inside], cols[inside])


def cell_plots(grid: SurfaceGrid) -> PlotArrays:
    """The cells inside the area as point plots at their centres."""
    x, y = grid.centres()
    n = grid.n_cells
    ptr = np.arange(n + 1, dtype=np.int64)
    return PlotArrays(
        rep_x=x.astype(np.float64), rep_y=y.astype(np.float64), area=np.full(n, np.nan),
        outline=Ragged(x.astype(np.float64), y.astype(np.float64), ptr, ptr.copy()),
        polygons=empty_ragged(n), problem=np.full(n, "", dtype=object),
    )


def surface_bands(table: ScoreTable, grid: SurfaceGrid) -> tuple[np.ndarray, list[str]]:
    """Scatter a cell score table into bands: total score, then each criterion's score."""
    g = grid.geometry
    profile = table.profile
    names = [f"score (0-100): {profile.title}"]
    names += [f"{c.key}_score (0-1): {c.label}" for c in profile.criteria]
    bands = np.full((len(names), g.ny, g.nx), np.nan, np.float32)
    excluded = table.columns["excluded"]
    bands[0, grid.row, grid.col] = np.where(excluded, np.nan, table.columns["score"])
    for j, c in enumerate(profile.criteria, start=1):
        bands[j, grid.row, grid.col] = np.where(excluded, np.nan, table.columns[f"{c.key}_score"])
    return bands, names


def score_surface(grid: SurfaceGrid, study: Study, profile: Profile | str, weights: dict[str, float] | None = None,
                  reporter: Reporter | None = None) -> Surface:
    """Score every cell of ``grid`` with ``profile`` (features and network in ``study``, same CRS).

    Examples
    --------
    >>> import numpy as np
    >>> square = Ragged(np.array([0., 100, 100, 0, 0]), np.array([0., 0, 100, 100, 0]),
    ...                 np.array([0, 5]), np.array([0, 1]))
    >>> surface_grid(square, 25.0).n_cells
    16
    """
    table = score_arrays(cell_plots(grid), study, load_profile(profile), weights, reporter)
    bands, names = surface_bands(table, grid)
    return Surface(grid, bands, names, table)
