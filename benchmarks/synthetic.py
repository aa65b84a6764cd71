"""Deterministic synthetic road-like networks, sources and plots for the benchmarks.

A *road-like graph* is a square grid of junctions ``BLOCK`` metres apart,
each junction moved by up to ``JITTER`` metres, with ``MISSING`` of the
links dropped (dead ends, blocks without a through street) and ``ONEWAY`` of
the remaining links made one-way in a random direction. Edge lengths are the
straight-line distance between their junctions times a small random bend
factor, rounded to the millimetre (so that engines that store distances in
fixed point, like pandana, compute exactly the same sums).

Everything depends only on the seed: rerunning gives the same graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 100.0  # metres between junctions: a central-Norwegian town block
JITTER = 25.0  # metres each junction moves
MISSING = 0.15  # share of grid links left out
ONEWAY = 0.10  # share of links that are one-way
BEND = 0.2  # an edge is up to 20 % longer than the straight line between its ends


@dataclass
class RoadGraph:
    """A network as geometric edges between numbered nodes (metres)."""

    name: str
    node_x: np.ndarray
    node_y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_oneway: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.node_x.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    def arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Directed arcs ``(tail, head, length)``: both directions of two-way edges."""
        two = ~self.edge_oneway
        tail = np.concatenate([self.edge_u, self.edge_v[two]])
        head = np.concatenate([self.edge_v, self.edge_u[two]])
        return tail, head, np.concatenate([self.edge_length, self.edge_length[two]])


def road_grid(n_nodes: int, seed: int = 2024) -> RoadGraph:
    """A road-like graph of about ``n_nodes`` junctions (a ``side × side`` grid)."""
    rng = np.random.default_rng(seed)
    side = int(round(np.sqrt(n_nodes)))
    ids = np.arange(side * side, dtype=np.int64).reshape(side, side)
    gx, gy = np.meshgrid(np.arange(side) * BLOCK, np.arange(side) * BLOCK)
    node_x = (gx.ravel() + rng.uniform(-JITTER, JITTER, side * side)).round(3)
    node_y = (gy.ravel() + rng.uniform(-JITTER, JITTER, side * side)).round(3)
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    keep = rng.random(u.shape[0]) >= MISSING
    u, v = u[keep], v[keep]
    oneway = rng.random(u.shape[0]) < ONEWAY
    flip = oneway & (rng.random(u.shape[0]) < 0.5)
    u, v = np.where(flip, v, u), np.where(flip, u, v)
    straight = np.hypot(node_x[v] - node_x[u], node_y[v] - node_y[u])
    length = (straight * (1.0 + BEND * rng.random(u.shape[0]))).round(3)
    return RoadGraph(f"synthetic {side * side / 1e6:g} M nodes" if side * side >= 1e6 else f"synthetic {side * side // 1000} k nodes",
                     node_x, node_y, u.astype(np.int32), v.astype(np.int32), length, oneway)


def plot_polygons(graph: RoadGraph, n_plots: int, seed: int = 7):
    """``n_plots`` rectangular plots (shapely polygons) inside the blocks of ``graph``.

    Plots are 15–40 m wide and deep, placed at random in the grid's extent,
    so most lie within a block and a few straddle a road, like real parcels.
    """
    import shapely

    rng = np.random.default_rng(seed)
    x0 = rng.uniform(graph.node_x.min(), graph.node_x.max(), n_plots)
    y0 = rng.uniform(graph.node_y.min(), graph.node_y.max(), n_plots)
    w = rng.uniform(15.0, 40.0, n_plots)
    h = rng.uniform(15.0, 40.0, n_plots)
    return shapely.box(x0, y0, x0 + w, y0 + h)
