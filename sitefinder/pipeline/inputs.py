"""Array containers the faces fill from their layers (all in one metric CRS)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.geometry import Ragged
from ..core.noding import Edges
from ..core.terrain import GridGeometry


@dataclass
class PlotArrays:
    """Candidate plots.

    Attributes
    ----------
    rep_x, rep_y : ndarray of float64, shape (n,)
        A point inside each plot (GEOS point-on-surface); ``nan`` when unusable.
    area : ndarray of float64, shape (n,)
        Plot area in m²; ``nan`` for point plots and unusable rows.
    outline : Ragged
        Per plot: its polygon rings, or its single point. Empty when unusable.
    polygons : Ragged
        Per plot: its rings when it is a polygon, else no parts (used for
        "features on the plot").
    problem : ndarray of object, shape (n,)
        ``""`` for usable plots, else why the plot cannot be scored.
    attributes : dict of str -> ndarray
        Numeric plot columns available to ``attribute`` criteria.
    """

    rep_x: np.ndarray
    rep_y: np.ndarray
    area: np.ndarray
    outline: Ragged
    polygons: Ragged
    problem: np.ndarray
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.rep_x.shape[0])

    @property
    def usable(self) -> np.ndarray:
        return self.problem == ""

    def __post_init__(self) -> None:
        n = self.rep_x.shape[0]
        for name in ("rep_y", "area", "problem"):
            if getattr(self, name).shape[0] != n:
                raise ValueError(f"PlotArrays.{name} has {getattr(self, name).shape[0]} rows, expected {n}")
        if self.outline.n_geoms != n or self.polygons.n_geoms != n:
            raise ValueError("PlotArrays outline/polygons must have one geometry per plot")


@dataclass
class FeatureArrays:
    """Features of one category.

    Attributes
    ----------
    outline : Ragged
        Per feature: the point, the line, or the polygon rings. Every vertex
        (after densifying) is a place the feature can be reached.
    rep_x, rep_y : ndarray of float64
        A point on each feature (used for "features on the plot").
    polygons : Ragged
        Per feature: its rings when it is a polygon, else no parts.
    weight : ndarray of float64, optional
        Per-feature weight for ``sum`` criteria (default 1).
    weight_unit : str
        What the weight counts (e.g. "departures/hour"), for messages.
    name : ndarray of object, optional
        Human-readable names, for explanations and exclusion reasons.
    label : str
        Human name of the category.
    origin : str
        Where the features came from (for messages).
    """

    outline: Ragged
    rep_x: np.ndarray
    rep_y: np.ndarray
    polygons: Ragged
    weight: np.ndarray | None = None
    weight_unit: str = ""
    name: np.ndarray | None = None
    label: str = ""
    origin: str = ""

    @property
    def n(self) -> int:
        return int(self.rep_x.shape[0])


@dataclass
class NetworkArrays:
    """A noded walking network (see :func:`sitefinder.core.noding.node_lines`)."""

    edges: Edges
    origin: str = ""

    @classmethod
    def from_lines(cls, lines: Ragged, oneway: np.ndarray | None, origin: str) -> "NetworkArrays":
        """Node line geometries (joined where they share a vertex) into a network.

        Parameters
        ----------
        lines : Ragged
            One entry per line (no parts for rows that are not lines).
        oneway : ndarray of bool, optional
            Per line: walkable in its drawing direction only.
        origin : str
            Where the lines came from (for messages).

        Raises
        ------
        InputError
            When no line has two distinct vertices.
        """
        from ..core.noding import node_lines
        from ..errors import InputError

        edges = node_lines(lines, oneway)
        if edges.edge_u.shape[0] == 0:
            raise InputError(f"the network {origin} has no line with two distinct vertices")
        return cls(edges=edges, origin=origin)

    @property
    def n_edges(self) -> int:
        return int(self.edges.edge_u.shape[0])


@dataclass
class RasterArrays:
    """A north-up grid in the working CRS, e.g. a terrain model (DEM).

    Attributes
    ----------
    values : ndarray of float64, shape (ny, nx)
        Cell values (elevation in metres for a DEM); ``nan`` for nodata.
    grid : GridGeometry
        Outer corner of cell (0, 0) and cell sizes.
    origin : str
        Where the grid came from (for messages).
    """

    values: np.ndarray
    grid: GridGeometry
    origin: str = ""

    def __post_init__(self) -> None:
        if self.values.shape != (self.grid.ny, self.grid.nx):
            raise ValueError(f"RasterArrays.values has shape {self.values.shape}, the grid says "
                             f"{(self.grid.ny, self.grid.nx)}")

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid."""
        g = self.grid
        return g.left, g.top - g.ny * g.dy, g.left + g.nx * g.dx, g.top
