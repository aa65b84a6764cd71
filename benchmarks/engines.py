"""The engines compared, each answering the same node-level questions on the same graph.

Every question is asked *from every node to the sources* along directed arcs
(one-way edges respected): "how far is the nearest source", "which are the
5 nearest and how far", "how many sources (or how much decayed weight) lie
within r". Sources sit on nodes, because pandana attaches points of interest
to nodes; sitefinder's kernels get them as points at the end of an edge,
which is the same place.

Each ``prepare_*`` function converts the graph once (not timed: every
engine has its own format); the returned callables are what is timed.
"""

from __future__ import annotations

import numba
import numpy as np

from sitefinder.core.access import group_by_edge
from sitefinder.core.graph import Graph, build_graph, reverse_graph
from sitefinder.core.paths import (
    DECAY_LINEAR, DECAY_NONE, incident_edges, k_nearest_labels, nearest_from_seeds, nearest_from_seeds_many,
    reach_from_features, work_blocks,
)

from synthetic import RoadGraph


# ---------------------------------------------------------------- sitefinder

class Sitefinder:
    """sitefinder's kernels on its CSR graph (and the reversed graph, for searches towards sources)."""

    name = "sitefinder"

    def __init__(self, rg: RoadGraph):
        self.graph = build(rg)
        self.reverse = reverse_graph(self.graph)
        g = self.graph
        # A node as an origin point: at the end of an edge arriving at it (any edge), or at the start of a
        # two-way edge leaving it. Nodes with only outgoing one-way edges cannot be written so (see `origin_ok`).
        n = g.n_nodes
        nodes = np.arange(n)
        e = np.arange(g.n_edges)
        two = ~g.edge_oneway
        edge_of = np.full(n, -1, np.int64)
        edge_of[g.edge_u[two]] = e[two]
        edge_of[g.edge_v] = e
        self.origin_ok = edge_of >= 0
        chosen = np.maximum(edge_of, 0)
        offset = np.where(g.edge_v[chosen] == nodes, g.edge_length[chosen], 0.0)
        self.origin_groups = group_by_edge(g.n_edges, edge_of, offset, np.zeros(n), nodes)
        self.incident = incident_edges(n, g.edge_u, g.edge_v)
        # A source node as a point on an edge: at the start of an edge leaving it, or at the end of a
        # two-way edge arriving at it.
        self.source_edge = np.full(n, -1, np.int64)
        self.source_edge[g.edge_v[two]] = e[two]
        self.source_edge[g.edge_u] = e
        self.source_ok = self.source_edge >= 0
        chosen = np.maximum(self.source_edge, 0)
        self.source_offset = np.where(g.edge_u[chosen] == nodes, 0.0, g.edge_length[chosen])

    def nearest(self, sources: np.ndarray, cutoff: float):
        rg = self.reverse
        z = np.zeros(sources.shape[0])
        return lambda: nearest_from_seeds(rg.indptr, rg.indices, rg.weights, sources, z,
                                          np.arange(sources.shape[0], dtype=np.int64), cutoff)[0]

    def nearest_many(self, categories: list[np.ndarray], cutoff: float):
        rg = self.reverse
        ptr = np.cumsum([0] + [c.shape[0] for c in categories]).astype(np.int64)
        node = np.concatenate(categories).astype(np.int64)
        label = np.concatenate([np.arange(c.shape[0]) for c in categories]).astype(np.int64)
        cutoffs = np.full(len(categories), cutoff)
        z = np.zeros(node.shape[0])
        return lambda: nearest_from_seeds_many(rg.indptr, rg.indices, rg.weights, ptr, node, z, label, cutoffs)[0]

    def k_nearest(self, sources: np.ndarray, k: int, cutoff: float):
        rg = self.reverse
        z = np.zeros(sources.shape[0])
        lab = np.arange(sources.shape[0], dtype=np.int64)
        return lambda: k_nearest_labels(rg.indptr, rg.indices, rg.weights, sources, z, lab, sources.shape[0], k,
                                        cutoff)[0]

    def reach(self, sources: np.ndarray, weight: np.ndarray, radius: float, linear_decay: bool):
        """Count (or linearly decayed weight sum) of sources within ``radius`` of every node."""
        g, rg = self.graph, self.reverse
        og = self.origin_groups
        inc_ptr, inc_edge = self.incident
        feat_ptr = np.arange(sources.shape[0] + 1, dtype=np.int64)
        fe, fo = self.source_edge[sources], self.source_offset[sources]
        kind = DECAY_LINEAR if linear_decay else DECAY_NONE

        def run():
            count, total = reach_from_features(
                rg.indptr, rg.indices, rg.weights, inc_ptr, inc_edge, g.edge_u, g.edge_v, g.edge_length,
                g.edge_oneway, feat_ptr, fe, fo, np.zeros(sources.shape[0]), weight,
                og.edge_ptr, og.offset, og.extra, og.label, g.n_nodes, radius, kind, 1.0, work_blocks(),
                numba.get_num_threads())
            return total if linear_decay else count.astype(np.float64)
        return run


def build(rg: RoadGraph) -> Graph:
    """sitefinder's CSR graph of a road graph."""
    return build_graph(rg.edge_u, rg.edge_v, rg.edge_length, rg.edge_oneway, rg.n_nodes)


# ---------------------------------------------------------------- scipy

class Scipy:
    """``scipy.sparse.csgraph.dijkstra`` with ``min_only=True`` and ``limit`` on the transposed matrix."""

    name = "scipy"

    def __init__(self, rg: RoadGraph):
        from scipy.sparse import csr_matrix

        tail, head, w = rg.arcs()
        # Parallel arcs would be summed by scipy: the synthetic graphs have none (a grid).
        # Reversed arcs: a search from the sources over them gives each node's distance *to* a source.
        self.matrix = csr_matrix((w, (head, tail)), shape=(rg.n_nodes, rg.n_nodes))

    def nearest(self, sources: np.ndarray, cutoff: float):
        from scipy.sparse.csgraph import dijkstra

        return lambda: dijkstra(self.matrix, directed=True, indices=sources, min_only=True, limit=cutoff)


# ---------------------------------------------------------------- igraph

class Igraph:
    """igraph ``distances`` from a super-sink joined to every source by a zero-length arc (mode "in")."""

    name = "igraph"

    def __init__(self, rg: RoadGraph):
        import igraph as ig

        tail, head, w = rg.arcs()
        self.n = rg.n_nodes
        self.base_edges = np.column_stack([tail, head])
        self.base_w = w
        self.ig = ig

    def nearest(self, sources: np.ndarray, cutoff: float):
        sink = self.n
        edges = np.concatenate([self.base_edges, np.column_stack([sources, np.full(sources.shape[0], sink)])])
        w = np.concatenate([self.base_w, np.zeros(sources.shape[0])])
        g = self.ig.Graph(n=self.n + 1, edges=edges, directed=True)

        def run():
            d = np.asarray(g.distances(source=[sink], weights=w, mode="in")[0][:-1])
            d[d > cutoff] = np.inf  # igraph has no cut-off: the whole graph is searched
            return d
        return run


# ---------------------------------------------------------------- networkx

class Networkx:
    """networkx ``multi_source_dijkstra_path_length`` on the reversed DiGraph, with ``cutoff``."""

    name = "networkx"

    def __init__(self, rg: RoadGraph):
        import networkx as nx

        tail, head, w = rg.arcs()
        g = nx.DiGraph()
        g.add_nodes_from(range(rg.n_nodes))
        g.add_weighted_edges_from(zip(head.tolist(), tail.tolist(), w.tolist()))
        self.g = g
        self.n = rg.n_nodes
        self.nx = nx

    def nearest(self, sources: np.ndarray, cutoff: float):
        def run():
            got = self.nx.multi_source_dijkstra_path_length(self.g, set(sources.tolist()),
                                                           cutoff=None if np.isinf(cutoff) else cutoff)
            d = np.full(self.n, np.inf)
            d[np.fromiter(got.keys(), np.int64, len(got))] = np.fromiter(got.values(), np.float64, len(got))
            return d
        return run


# ---------------------------------------------------------------- pandana

class Pandana:
    """pandana 0.8: contraction-hierarchy ``Network``, ``precompute``, ``nearest_pois`` and ``aggregate``.

    Pandana searches *from* each node, so it gets the graph's arcs as they are
    (``twoway=False``, both directions of two-way edges listed).
    """

    name = "pandana"

    def __init__(self, rg: RoadGraph):
        self.rg = rg
        self._calls = 0

    def build(self):
        import pandana
        import pandas as pd

        tail, head, w = self.rg.arcs()
        return pandana.Network(pd.Series(self.rg.node_x), pd.Series(self.rg.node_y), pd.Series(tail),
                               pd.Series(head), pd.DataFrame({"length": w}), twoway=False)

    def k_nearest(self, net, sources: np.ndarray, k: int, cutoff: float):
        import pandas as pd

        net.set_pois("cat", cutoff, k, pd.Series(self.rg.node_x[sources]), pd.Series(self.rg.node_y[sources]))
        d = net.nearest_pois(cutoff, "cat", num_pois=k, max_distance=np.inf).to_numpy()
        return d

    def reach(self, net, sources: np.ndarray, weight: np.ndarray, radius: float, linear_decay: bool):
        import pandas as pd

        self._calls += 1
        name = f"w{self._calls}"  # a fresh variable each call, as a user would set a new layer
        net.set(pd.Series(sources), variable=pd.Series(weight), name=name)
        kind = "sum" if linear_decay else "count"
        return net.aggregate(radius, type=kind, decay="linear" if linear_decay else "flat", name=name).to_numpy()
