"""Union-find over edges (numba), used to find weakly connected components."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _find(parent: np.ndarray, x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@nb.njit(cache=True)
def weak_components(n_nodes: int, edge_u: np.ndarray, edge_v: np.ndarray) -> np.ndarray:
    """Return a component label (0..k-1, in order of first node) per node."""
    parent = np.arange(n_nodes)
    for i in range(edge_u.shape[0]):
        a = _find(parent, edge_u[i])
        b = _find(parent, edge_v[i])
        if a != b:
            if a < b:
                parent[b] = a
            else:
                parent[a] = b
    labels = np.full(n_nodes, -1, np.int64)
    next_label = 0
    for i in range(n_nodes):
        r = _find(parent, i)
        if labels[r] < 0:
            labels[r] = next_label
            next_label += 1
        labels[i] = labels[r]
    return labels
