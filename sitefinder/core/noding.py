"""Turn polylines into network edges joined at shared vertices.

Two lines are connected where they share a vertex (same coordinates to the
millimetre) — the OpenStreetMap convention, and that of most road data sets
(NVDB/Elveg, Kartverket). Lines that cross without a shared vertex (a bridge
over a road) stay unconnected. Each line is split at every vertex it shares
with another line (or with itself) and at its ends.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .geometry import Ragged

# Vertices closer than this (metres) are the same node.
NODE_TOLERANCE = 1e-3


class Edges(NamedTuple):
    """Network edges as polylines plus their end nodes.

    Attributes
    ----------
    lines : Ragged
        One single-part polyline per edge (``geom_ptr`` is ``arange(n_edges + 1)``).
    edge_u, edge_v : ndarray of int32
        Node index at the first / last vertex of each edge.
    edge_oneway : ndarray of bool
        Inherited from the line the edge was cut from.
    edge_line : ndarray of int64
        Index of the input line (geometry) each edge comes from.
    node_x, node_y : ndarray of float64
        Node coordinates.
    """

    lines: Ragged
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_oneway: np.ndarray
    edge_line: np.ndarray
    node_x: np.ndarray
    node_y: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.node_x.shape[0])


def node_lines(lines: Ragged, oneway: np.ndarray | None = None) -> Edges:
    """Split polylines at shared vertices and number the nodes.

    Parameters
    ----------
    lines : Ragged
        Line geometries (multi-part allowed); parts with fewer than two distinct
        vertices are ignored.
    oneway : ndarray of bool, optional
        Per geometry; default all two-way.

    Returns
    -------
    Edges

    Examples
    --------
    A "T": the vertical line ends on a vertex of the horizontal one.

    >>> import numpy as np
    >>> r = Ragged(np.array([0., 5., 10., 5., 5.]), np.array([0., 0., 0., 0., 7.]),
    ...            np.array([0, 3, 5]), np.array([0, 1, 2]))
    >>> e = node_lines(r)
    >>> len(e.edge_u), e.n_nodes
    (3, 4)
    """
    x = np.asarray(lines.x, np.float64)
    y = np.asarray(lines.y, np.float64)
    part_ptr = np.asarray(lines.part_ptr, np.int64)
    geom_ptr = np.asarray(lines.geom_ptr, np.int64)
    n_geoms = geom_ptr.shape[0] - 1
    oneway = np.zeros(n_geoms, np.bool_) if oneway is None else np.asarray(oneway, np.bool_)
    part_geom = np.repeat(np.arange(n_geoms), np.diff(geom_ptr))
    vert_part = np.repeat(np.arange(part_ptr.shape[0] - 1), np.diff(part_ptr))

    # Drop non-finite vertices and consecutive duplicates within a part.
    keep = np.isfinite(x) & np.isfinite(y)
    kx = np.round(x / NODE_TOLERANCE).astype(np.int64)
    ky = np.round(y / NODE_TOLERANCE).astype(np.int64)
    dup = np.zeros_like(keep)
    dup[1:] = (kx[1:] == kx[:-1]) & (ky[1:] == ky[:-1]) & (vert_part[1:] == vert_part[:-1])
    keep &= ~dup
    x, y, kx, ky, vert_part = x[keep], y[keep], kx[keep], ky[keep], vert_part[keep]
    # Parts left with < 2 vertices carry no edge.
    counts = np.bincount(vert_part, minlength=part_ptr.shape[0] - 1)
    ok = counts[vert_part] >= 2
    x, y, kx, ky, vert_part = x[ok], y[ok], kx[ok], ky[ok], vert_part[ok]
    if x.size == 0:
        empty_i = np.empty(0, np.int32)
        return Edges(Ragged(np.empty(0), np.empty(0), np.zeros(1, np.int64), np.zeros(1, np.int64)),
                     empty_i, empty_i, np.empty(0, np.bool_), np.empty(0, np.int64), np.empty(0), np.empty(0))

    vertex_id, uses = _same_point_ids(kx, ky)
    first = np.ones(x.shape[0], np.bool_)
    first[1:] = vert_part[1:] != vert_part[:-1]
    last = np.ones(x.shape[0], np.bool_)
    last[:-1] = vert_part[:-1] != vert_part[1:]
    is_node = first | last | (uses[vertex_id] >= 2)

    pos = np.flatnonzero(is_node)
    same_part = vert_part[pos[:-1]] == vert_part[pos[1:]]
    start = pos[:-1][same_part]
    stop = pos[1:][same_part]  # inclusive
    n_vert = stop - start + 1
    edge_ptr = np.zeros(start.shape[0] + 1, np.int64)
    np.cumsum(n_vert, out=edge_ptr[1:])
    idx = np.repeat(start - edge_ptr[:-1], n_vert) + np.arange(edge_ptr[-1])

    node_vertex = np.unique(vertex_id[pos])
    node_index = np.full(int(vertex_id.max()) + 1, -1, np.int64)
    node_index[node_vertex] = np.arange(node_vertex.shape[0])
    # Node coordinates: the first vertex seen for each node.
    first_seen = np.full(node_vertex.shape[0], -1, np.int64)
    order = np.argsort(vertex_id[pos], kind="stable")
    uniq, first_idx = np.unique(vertex_id[pos][order], return_index=True)
    first_seen[node_index[uniq]] = pos[order][first_idx]

    edge_geom = part_geom[vert_part[start]]
    return Edges(
        lines=Ragged(x[idx], y[idx], edge_ptr, np.arange(start.shape[0] + 1, dtype=np.int64)),
        edge_u=node_index[vertex_id[start]].astype(np.int32),
        edge_v=node_index[vertex_id[stop]].astype(np.int32),
        edge_oneway=oneway[edge_geom],
        edge_line=edge_geom.astype(np.int64),
        node_x=x[first_seen],
        node_y=y[first_seen],
    )


def _same_point_ids(kx: np.ndarray, ky: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct grid points ``(kx, ky)``: an id per vertex and how often each id occurs.

    One int64 key per point sorts much faster than ``np.unique(axis=0)`` on
    pairs; extents too large for the key (over ~3000 km at 1 mm) use pairs.
    """
    x0, y0 = int(kx.min()), int(ky.min())
    span_x, span_y = int(kx.max()) - x0 + 1, int(ky.max()) - y0 + 1
    if span_x * span_y < 2**62:
        key = (kx - x0) * span_y + (ky - y0)
        _, ids, uses = np.unique(key, return_inverse=True, return_counts=True)
    else:
        _, ids, uses = np.unique(np.stack([kx, ky], axis=1), axis=0, return_inverse=True, return_counts=True)
    return ids.ravel(), uses
