"""A study area: the walking network and feature layers, prepared once.

Building the graph, indexing segments and snapping features are done once
and cached, so scoring several profiles (or several criteria reading the
same categories) reuses them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core.access import EdgePoints, group_by_edge, seeds_towards
from ..core.euclidean import PointIndex, build_point_index
from ..core.geometry import Ragged, densify, empty_ragged
from ..core.graph import Graph, build_graph, connected_component_sizes, reverse_graph
from ..core.paths import incident_edges, k_nearest_labels, nearest_from_seeds
from ..core.snap import SegmentIndex, Snapped, build_segment_index, polyline_lengths, snap_points
from ..errors import InputError
from ..progress import Reporter
from .inputs import FeatureArrays, NetworkArrays, RasterArrays

# Features and plot outlines are reachable at every vertex, densified so that
# no two are farther apart than this (metres).
ACCESS_SPACING = 20.0
# Components smaller than this many nodes (unless the whole network is that
# small) are islands of footways cut off by the data's edge; nothing snaps to them.
MIN_COMPONENT_NODES = 20
# Outline vertices this close (metres) to the nearest snap distance are equally good gates.
GATE_TOLERANCE = 1.0


class AccessPoints(NamedTuple):
    """Where the features of one or more categories can be reached."""

    x: np.ndarray
    y: np.ndarray
    label: np.ndarray  # feature id, unique across the categories combined
    n_features: int
    weight: np.ndarray  # per feature


class Study:
    """Network and features in one metric CRS, with cached derived data.

    Parameters
    ----------
    network : NetworkArrays or None
        The walking network; ``None`` for straight-line (Euclidean) mode.
    features : dict of str -> FeatureArrays
        Feature layers by category name.
    reporter : Reporter, optional
        Receives progress and warnings.
    terrain : RasterArrays, optional
        A terrain model (DEM) for ``slope`` criteria.
    """

    def __init__(self, network: NetworkArrays | None, features: dict[str, FeatureArrays], reporter: Reporter | None = None,
                 terrain: RasterArrays | None = None):
        self.reporter = reporter or Reporter()
        self.features = dict(features)
        self.network = network
        self.terrain = terrain
        self._cache: dict = {}
        self.graph: Graph | None = None
        self.reverse: Graph | None = None
        self.segments: SegmentIndex | None = None
        if network is not None:
            self._prepare_network(network)

    @property
    def has_network(self) -> bool:
        return self.graph is not None

    def _prepare_network(self, network: NetworkArrays) -> None:
        e = network.edges
        if e.edge_u.shape[0] == 0:
            raise InputError(f"the network {network.origin or ''} has no usable lines".replace("  ", " "))
        with self.reporter.step("building walking graph"):
            lines = e.lines
            lengths = polyline_lengths(lines.x, lines.y, lines.part_ptr)
            self.graph = build_graph(e.edge_u, e.edge_v, lengths, e.edge_oneway, e.n_nodes)
            self.reverse = reverse_graph(self.graph)
            labels, sizes = connected_component_sizes(self.graph)
            keep_size = min(MIN_COMPONENT_NODES, int(sizes.max()))
            snappable = sizes[labels[e.edge_u]] >= keep_size
            self.n_snappable_edges = int(snappable.sum())
            self.n_components = int(sizes.shape[0])
            # Index only snappable edges, but keep graph edge ids.
            kept = np.flatnonzero(snappable)
            starts, stops = lines.part_ptr[kept], lines.part_ptr[kept + 1]
            n_v = stops - starts
            sub_ptr = np.zeros(kept.shape[0] + 1, np.int64)
            np.cumsum(n_v, out=sub_ptr[1:])
            idx = np.repeat(starts - sub_ptr[:-1], n_v) + np.arange(sub_ptr[-1])
            seg = build_segment_index(lines.x[idx], lines.y[idx], sub_ptr)
            self.segments = seg._replace(seg_edge=kept[seg.seg_edge])

    # ------------------------------------------------------------------ snapping

    def snap(self, x: np.ndarray, y: np.ndarray, max_snap: float) -> Snapped:
        """Snap points to the network (edge -1 when farther than ``max_snap``)."""
        assert self.segments is not None
        return snap_points(self.segments, x, y, max_snap)

    def snap_outlines(self, outline: Ragged, max_snap: float, rep_x: np.ndarray, rep_y: np.ndarray) -> Snapped:
        """Snap every geometry at its *gate*: the vertex where it meets the network.

        The gate is the (densified) outline vertex nearest to the network;
        among vertices within ``GATE_TOLERANCE`` of that distance (a plot
        fronting a straight road) the one nearest the plot's representative
        point, i.e. the middle of the frontage.
        """
        dense = densify(outline, ACCESS_SPACING)
        owner = dense.vertex_owner()
        s = self.snap(dense.x, dense.y, max_snap)
        n = outline.n_geoms
        edge = np.full(n, -1, np.int64)
        offset = np.full(n, np.nan)
        dist = np.full(n, np.nan)
        ok = np.flatnonzero(s.edge >= 0)
        if ok.size:
            best = np.full(n, np.inf)
            np.minimum.at(best, owner[ok], s.distance[ok])
            near = ok[s.distance[ok] <= best[owner[ok]] + GATE_TOLERANCE]
            to_centre = np.hypot(dense.x[near] - rep_x[owner[near]], dense.y[near] - rep_y[owner[near]])
            order = near[np.lexsort((to_centre, owner[near]))]
            first = np.ones(order.shape[0], np.bool_)
            first[1:] = owner[order[1:]] != owner[order[:-1]]
            pick = order[first]
            g = owner[pick]
            edge[g], offset[g], dist[g] = s.edge[pick], s.offset[pick], s.distance[pick]
        return Snapped(edge, offset, dist)

    # ------------------------------------------------------------------ features

    def category(self, name: str) -> FeatureArrays:
        try:
            return self.features[name]
        except KeyError:
            raise InputError(
                f"no features of category {name!r}: available categories are "
                f"{', '.join(sorted(self.features)) or 'none'}"
            ) from None

    def access_points(self, categories: tuple[str, ...]) -> AccessPoints:
        """Densified outline vertices of the features in ``categories`` (cached)."""
        key = ("access", categories)
        if key not in self._cache:
            xs, ys, labels = [], [], []
            base = 0
            for name in categories:
                f = self.category(name)
                if f.n == 0:
                    self.reporter.warn(f"no {f.label or name} features in the data: criteria reading "
                                       f"{name!r} find nothing within reach")
                dense = densify(f.outline, ACCESS_SPACING)
                xs.append(dense.x)
                ys.append(dense.y)
                labels.append(dense.vertex_owner() + base)
                base += f.n
            self._cache[key] = AccessPoints(
                np.concatenate(xs) if xs else np.empty(0), np.concatenate(ys) if ys else np.empty(0),
                np.concatenate(labels).astype(np.int64) if labels else np.empty(0, np.int64), base,
                self.feature_weights(categories),
            )
        return self._cache[key]

    def feature_weights(self, categories: tuple[str, ...]) -> np.ndarray:
        """Per-feature weights of the combined categories (1 where a layer has none)."""
        parts = [np.ones(f.n) if f.weight is None else np.asarray(f.weight, np.float64)
                 for f in (self.category(c) for c in categories)]
        return np.concatenate(parts) if parts else np.empty(0)

    def with_min_weight(self, categories: tuple[str, ...], min_weight: float) -> tuple[str, ...]:
        """Names of derived categories holding only features whose weight is at least ``min_weight``.

        The derived layers are added to :attr:`features` once (named e.g.
        ``"rail_station[weight>=4]"``), so every cached search works on them as
        on any category.
        """
        names = []
        for c in categories:
            name = f"{c}[weight>={min_weight:g}]"
            if name not in self.features:
                f = self.category(c)
                if f.weight is None:
                    raise InputError(
                        f"min_weight needs weighted features, but category {c!r} has no weights "
                        "(give a weight column, e.g. --feature-weight, or a GTFS feed)"
                    )
                keep = np.flatnonzero(np.asarray(f.weight, np.float64) >= min_weight)
                self.features[name] = FeatureArrays(
                    outline=_take(f.outline, keep), rep_x=f.rep_x[keep], rep_y=f.rep_y[keep],
                    polygons=_take(f.polygons, keep), weight=np.asarray(f.weight, np.float64)[keep],
                    name=None if f.name is None else np.asarray(f.name, object)[keep],
                    label=f"{f.label or c} with ≥ {min_weight:g} {f.weight_unit or 'weight'}", origin=f.origin,
                    weight_unit=f.weight_unit,
                )
            names.append(name)
        return tuple(names)

    def slope(self, unit: str) -> np.ndarray:
        """Slope of the terrain model in ``"degrees"`` or ``"percent"`` (cached)."""
        from ..core.terrain import slope

        key = ("slope", unit)
        if key not in self._cache:
            if self.terrain is None:
                raise InputError("slope criteria need a terrain model (DEM): give one with --dem FILE (dem= in Python)")
            g = self.terrain.grid
            self._cache[key] = slope(self.terrain.values, g.dx, g.dy, unit)
        return self._cache[key]

    def feature_polygons(self, categories: tuple[str, ...]) -> tuple[Ragged, np.ndarray]:
        """Polygons of the features in ``categories`` and their combined feature ids."""
        parts = [self.category(c).polygons for c in categories]
        if not parts:
            return empty_ragged(0), np.empty(0, np.int64)
        x = np.concatenate([p.x for p in parts])
        y = np.concatenate([p.y for p in parts])
        part_ptr, geom_ptr = [np.zeros(1, np.int64)], [np.zeros(1, np.int64)]
        v_off = p_off = 0
        for p in parts:
            part_ptr.append(p.part_ptr[1:] + v_off)
            geom_ptr.append(p.geom_ptr[1:] + p_off)
            v_off += p.x.shape[0]
            p_off += p.part_ptr.shape[0] - 1
        merged = Ragged(x, y, np.concatenate(part_ptr), np.concatenate(geom_ptr))
        return merged, np.arange(merged.n_geoms, dtype=np.int64)

    def feature_names(self, categories: tuple[str, ...]) -> np.ndarray:
        """Names of the combined features (empty strings where unknown)."""
        names = []
        for c in categories:
            f = self.category(c)
            names.append(np.asarray(f.name, object) if f.name is not None else np.full(f.n, "", object))
        return np.concatenate(names) if names else np.empty(0, object)

    def snapped_access(self, categories: tuple[str, ...], max_snap: float) -> tuple[Snapped, np.ndarray]:
        """Feature access points snapped to the network, and their feature ids (cached).

        Warns when features lie entirely beyond ``max_snap`` from the network.
        """
        key = ("snapped_access", categories, max_snap)
        if key not in self._cache:
            ap = self.access_points(categories)
            s = self.snap(ap.x, ap.y, max_snap)
            reached = np.zeros(ap.n_features, np.bool_)
            reached[ap.label[s.edge >= 0]] = True
            missing = int(ap.n_features - reached.sum())
            if missing:
                self.reporter.warn(
                    f"{missing} of {ap.n_features} features in {'/'.join(categories)} lie more than "
                    f"{max_snap:g} m from the walking network and are ignored by network criteria"
                )
            self._cache[key] = (s, ap.label)
        return self._cache[key]

    def edge_points(self, categories: tuple[str, ...], max_snap: float) -> EdgePoints:
        """Feature access points snapped to edges and grouped by edge (cached)."""
        key = ("edge_points", categories, max_snap)
        if key not in self._cache:
            s, label = self.snapped_access(categories, max_snap)
            assert self.graph is not None
            self._cache[key] = group_by_edge(self.graph.n_edges, s.edge, s.offset, s.distance, label)
        return self._cache[key]

    def incident_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Edges touching each node (cached)."""
        if "incident" not in self._cache:
            assert self.graph is not None
            self._cache["incident"] = incident_edges(self.graph.n_nodes, self.graph.edge_u, self.graph.edge_v)
        return self._cache["incident"]

    def point_index(self, categories: tuple[str, ...]) -> PointIndex:
        """Access points in a grid for straight-line queries (cached)."""
        key = ("point_index", categories)
        if key not in self._cache:
            ap = self.access_points(categories)
            self._cache[key] = build_point_index(ap.x, ap.y, ap.label)
        return self._cache[key]

    # ------------------------------------------------------------------ node searches

    def seeds(self, categories: tuple[str, ...], max_snap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Node seeds of a search towards the features (on the reversed graph), cached."""
        key = ("seeds", categories, max_snap)
        if key not in self._cache:
            g = self.graph
            assert g is not None and self.reverse is not None
            ep = self.edge_points(categories, max_snap)
            edge = np.repeat(np.arange(g.n_edges), np.diff(ep.edge_ptr))
            self._cache[key] = seeds_towards(g.edge_u, g.edge_v, g.edge_length, g.edge_oneway, edge, ep.offset,
                                             ep.extra, ep.label)
        return self._cache[key]

    def node_nearest(self, categories: tuple[str, ...], max_snap: float, cutoff: float):
        """Distance from every node to the nearest feature (cached per cut-off)."""
        key = ("nearest", categories, max_snap, cutoff)
        if key not in self._cache:
            rg = self.reverse
            dist, label = nearest_from_seeds(rg.indptr, rg.indices, rg.weights, *self.seeds(categories, max_snap),
                                             float(cutoff))
            self._cache[key] = (dist, label)
        return self._cache[key]

    def node_k_nearest(self, categories: tuple[str, ...], max_snap: float, k: int, cutoff: float):
        """The ``k`` nearest distinct features of every node (cached)."""
        key = ("k_nearest", categories, max_snap, k, cutoff)
        if key not in self._cache:
            rg = self.reverse
            n_labels = max(self.access_points(categories).n_features, 1)
            self._cache[key] = k_nearest_labels(rg.indptr, rg.indices, rg.weights, *self.seeds(categories, max_snap),
                                                n_labels, int(k), float(cutoff))
        return self._cache[key]


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(lo[i], hi[i])`` for every ``i``."""
    counts = (hi - lo).astype(np.int64)
    starts = np.zeros(counts.size, np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return np.repeat(lo.astype(np.int64) - starts, counts) + np.arange(int(counts.sum()), dtype=np.int64)


def _take(geoms: Ragged, keep: np.ndarray) -> Ragged:
    """The geometries ``keep`` (indices, in order) of ragged arrays."""
    part_lo, part_hi = geoms.geom_ptr[keep], geoms.geom_ptr[keep + 1]
    parts = _ranges(part_lo, part_hi)
    v_lo, v_hi = geoms.part_ptr[parts], geoms.part_ptr[parts + 1]
    verts = _ranges(v_lo, v_hi)
    part_ptr = np.zeros(parts.size + 1, np.int64)
    np.cumsum(v_hi - v_lo, out=part_ptr[1:])
    geom_ptr = np.zeros(keep.size + 1, np.int64)
    np.cumsum(part_hi - part_lo, out=geom_ptr[1:])
    return Ragged(geoms.x[verts], geoms.y[verts], part_ptr, geom_ptr)
