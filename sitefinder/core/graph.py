"""Compressed sparse row (CSR) walking graph built from geometric edges.

A *geometric edge* is one polyline of the network between two nodes. Each
edge gives one arc (``u -> v``) and, unless it is one-way, a second arc
(``v -> u``). Every arc remembers which edge it came from and whether it runs
along the edge's drawing direction, so that points snapped part-way along an
edge can be reached exactly (see :mod:`sitefinder.core.access`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Graph(NamedTuple):
    """A directed graph in CSR form plus the geometric edges behind its arcs.

    Attributes
    ----------
    indptr : ndarray of int64, shape (n_nodes + 1,)
        Arcs leaving node ``i`` are ``indptr[i]:indptr[i + 1]``.
    indices : ndarray of int32, shape (n_arcs,)
        Head node of each arc.
    weights : ndarray of float64, shape (n_arcs,)
        Arc length in metres.
    arc_edge : ndarray of int32, shape (n_arcs,)
        Geometric edge each arc belongs to.
    arc_forward : ndarray of bool, shape (n_arcs,)
        True when the arc runs from the edge's first to its last vertex.
    edge_u, edge_v : ndarray of int32, shape (n_edges,)
        First and last node of each geometric edge.
    edge_length : ndarray of float64, shape (n_edges,)
        Length of each geometric edge in metres.
    edge_oneway : ndarray of bool, shape (n_edges,)
        True when the edge may only be travelled from ``edge_u`` to ``edge_v``.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    arc_edge: np.ndarray
    arc_forward: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_oneway: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def n_arcs(self) -> int:
        return int(self.indices.shape[0])

    @property
    def is_directed(self) -> bool:
        """True when at least one edge is one-way."""
        return bool(self.edge_oneway.any())


def build_graph(
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_length: np.ndarray,
    edge_oneway: np.ndarray | None = None,
    n_nodes: int | None = None,
) -> Graph:
    """Build a CSR graph from geometric edges.

    Parameters
    ----------
    edge_u, edge_v : array_like of int
        Node index (0-based) at the start and end of each edge.
    edge_length : array_like of float
        Edge lengths in metres; must be finite and non-negative.
    edge_oneway : array_like of bool, optional
        One-way flags (travel allowed only from ``edge_u`` to ``edge_v``).
        Default: every edge is two-way.
    n_nodes : int, optional
        Number of nodes; default ``max(edge_u, edge_v) + 1``.

    Returns
    -------
    Graph

    Examples
    --------
    >>> g = build_graph([0, 1], [1, 2], [10.0, 5.0])
    >>> g.n_nodes, g.n_arcs
    (3, 4)
    """
    edge_u = np.ascontiguousarray(edge_u, dtype=np.int32)
    edge_v = np.ascontiguousarray(edge_v, dtype=np.int32)
    edge_length = np.ascontiguousarray(edge_length, dtype=np.float64)
    n_edges = edge_u.shape[0]
    if edge_v.shape[0] != n_edges or edge_length.shape[0] != n_edges:
        raise ValueError("edge_u, edge_v and edge_length must have the same length")
    if edge_oneway is None:
        edge_oneway = np.zeros(n_edges, dtype=np.bool_)
    edge_oneway = np.ascontiguousarray(edge_oneway, dtype=np.bool_)
    if n_edges and (not np.all(np.isfinite(edge_length)) or edge_length.min() < 0):
        raise ValueError("edge lengths must be finite and non-negative")
    if n_nodes is None:
        n_nodes = int(max(edge_u.max(initial=-1), edge_v.max(initial=-1)) + 1)
    if n_edges and (min(edge_u.min(), edge_v.min()) < 0 or max(edge_u.max(), edge_v.max()) >= n_nodes):
        raise ValueError("edge node indices must lie in [0, n_nodes)")

    two_way = ~edge_oneway
    edge_ids = np.arange(n_edges, dtype=np.int32)
    tail = np.concatenate([edge_u, edge_v[two_way]])
    head = np.concatenate([edge_v, edge_u[two_way]])
    arc_edge = np.concatenate([edge_ids, edge_ids[two_way]])
    arc_forward = np.concatenate([np.ones(n_edges, np.bool_), np.zeros(int(two_way.sum()), np.bool_)])
    order = np.argsort(tail, kind="stable")
    counts = np.bincount(tail, minlength=n_nodes)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Graph(
        indptr=indptr,
        indices=np.ascontiguousarray(head[order], dtype=np.int32),
        weights=np.ascontiguousarray(edge_length[arc_edge[order]]),
        arc_edge=np.ascontiguousarray(arc_edge[order]),
        arc_forward=np.ascontiguousarray(arc_forward[order]),
        edge_u=edge_u,
        edge_v=edge_v,
        edge_length=edge_length,
        edge_oneway=edge_oneway,
    )


def reverse_graph(graph: Graph) -> Graph:
    """Return the graph with every arc reversed (same geometric edges).

    Searches *towards* a set of targets run on the reversed graph. For a graph
    without one-way edges the reverse has the same arcs, and the graph itself
    is returned.
    """
    if not graph.is_directed:
        return graph
    n = graph.n_nodes
    tail = np.repeat(np.arange(n, dtype=np.int32), np.diff(graph.indptr))
    head = graph.indices
    order = np.argsort(head, kind="stable")
    counts = np.bincount(head, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return graph._replace(
        indptr=indptr,
        indices=np.ascontiguousarray(tail[order]),
        weights=np.ascontiguousarray(graph.weights[order]),
        arc_edge=np.ascontiguousarray(graph.arc_edge[order]),
        # A reversed arc runs against the direction of its original arc.
        arc_forward=np.ascontiguousarray(~graph.arc_forward[order]),
    )


def connected_component_sizes(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Label weakly connected components.

    Returns
    -------
    labels : ndarray of int64, shape (n_nodes,)
        Component label of each node.
    sizes : ndarray of int64
        Number of nodes in each component.
    """
    from ._components import weak_components

    labels = weak_components(graph.n_nodes, graph.edge_u, graph.edge_v)
    sizes = np.bincount(labels, minlength=int(labels.max(initial=-1)) + 1)
    return labels, sizes
