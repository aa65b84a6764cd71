"""Independent references for the path kernels: scipy on explicitly subdivided graphs.

Points part-way along edges become real nodes here (the edge is cut at
every point), so the reference never uses sitefinder's along-edge logic.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra


def min_csr(n, tails, heads, weights):
    """Sparse matrix keeping the shortest of parallel arcs (scipy would sum them)."""
    best = {}
    for a, b, w in zip(tails, heads, weights):
        if a == b:
            continue  # a self-loop never shortens a path
        if (a, b) not in best or w < best[(a, b)]:
            best[(a, b)] = w
    if not best:
        return coo_matrix((n, n)).tocsr()
    keys = np.array(list(best.keys()))
    vals = np.array(list(best.values()), dtype=float)
    # Zero-weight arcs would vanish from a sparse matrix: nudge them to the smallest positive float.
    vals = np.where(vals == 0, np.finfo(float).tiny, vals)
    return coo_matrix((vals, (keys[:, 0], keys[:, 1])), shape=(n, n)).tocsr()


def subdivided_distances(edge_u, edge_v, edge_len, oneway, n_nodes, origins, targets):
    """Distances from each origin point to each target point.

    ``origins``/``targets``: lists of (edge, offset, extra). Returns an array
    ``(n_origins, n_targets)``.
    """
    pts_on_edge = defaultdict(list)  # edge -> [(offset, node id)]
    next_id = n_nodes
    tails, heads, weights = [], [], []
    origin_nodes, target_nodes = [], []
    for kind, pts in (("o", origins), ("t", targets)):
        for e, off, extra in pts:
            on = next_id
            real = next_id + 1
            next_id += 2
            pts_on_edge[e].append((off, on))
            if kind == "o":
                tails.append(real); heads.append(on); weights.append(extra)
                origin_nodes.append(real)
            else:
                tails.append(on); heads.append(real); weights.append(extra)
                target_nodes.append(real)
    for e in range(len(edge_u)):
        chain = [(0.0, int(edge_u[e]))] + sorted(pts_on_edge[e]) + [(float(edge_len[e]), int(edge_v[e]))]
        for (o1, a), (o2, b) in zip(chain[:-1], chain[1:]):
            tails.append(a); heads.append(b); weights.append(o2 - o1)
            if not oneway[e]:
                tails.append(b); heads.append(a); weights.append(o2 - o1)
    m = min_csr(next_id, tails, heads, weights)
    if not origin_nodes:
        return np.empty((0, len(target_nodes)))
    d = dijkstra(m, directed=True, indices=origin_nodes)
    d = d[:, target_nodes] if target_nodes else np.empty((len(origin_nodes), 0))
    d[d < 1e-300] = 0.0  # undo the zero-weight nudge
    return np.round(d, 9)
