"""The benchmark harness itself: synthetic graphs, node-level encodings and cross-checks (no timings)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from engines import Networkx, Scipy, Sitefinder  # noqa: E402
from harness import counts_within_rounding, same_values  # noqa: E402
from synthetic import MISSING, ONEWAY, road_grid  # noqa: E402


@pytest.fixture(scope="module")
def grid():
    return road_grid(2500, seed=3)


def test_road_grid_is_deterministic_and_road_like(grid):
    again = road_grid(2500, seed=3)
    for name in ("node_x", "node_y", "edge_u", "edge_v", "edge_length", "edge_oneway"):
        np.testing.assert_array_equal(getattr(grid, name), getattr(again, name))
    full = 2 * 50 * 49  # links of a complete 50 x 50 grid
    assert grid.n_nodes == 2500
    assert abs(grid.n_edges / full - (1 - MISSING)) < 0.03
    assert abs(grid.edge_oneway.mean() - ONEWAY) < 0.03
    straight = np.hypot(grid.node_x[grid.edge_v] - grid.node_x[grid.edge_u],
                        grid.node_y[grid.edge_v] - grid.node_y[grid.edge_u])
    assert np.all(grid.edge_length >= straight - 1e-3) and np.all(grid.edge_length <= 1.2 * straight + 1e-3)
    np.testing.assert_array_equal(grid.edge_length, grid.edge_length.round(3))  # whole millimetres


def _node_to_node(grid):
    """Reference: all-pairs distances from each node to each node along directed arcs."""
    tail, head, w = grid.arcs()
    m = csr_matrix((w, (tail, head)), shape=(grid.n_nodes, grid.n_nodes))
    return dijkstra(m, directed=True)


def test_engines_agree_on_nearest(grid):
    sf, sc, nx_ = Sitefinder(grid), Scipy(grid), Networkx(grid)
    sources = np.flatnonzero(sf.source_ok)[::97]
    ref = _node_to_node(grid)[:, sources].min(axis=1)
    for cutoff in (np.inf, 800.0):
        expect = np.where(ref <= cutoff, ref, np.inf)
        for got in (sf.nearest(sources, cutoff)(), sc.nearest(sources, cutoff)(), nx_.nearest(sources, cutoff)()):
            ok, msg = same_values(expect, got)
            assert ok, msg


def test_node_level_k_nearest_and_reach_match_all_pairs(grid):
    """The benchmark's way of putting sources and origins on nodes gives node-to-node answers."""
    sf = Sitefinder(grid)
    sources = np.flatnonzero(sf.source_ok)[::61]
    d = _node_to_node(grid)[:, sources]
    k_ref = np.sort(d, axis=1)[:, :3]
    k_ref[k_ref > 900.0] = np.inf
    ok, msg = same_values(k_ref, sf.k_nearest(sources, 3, 900.0)())
    assert ok, msg
    weight = np.linspace(1.0, 3.0, sources.shape[0])
    for radius in (300.0, 900.0):
        within = d <= radius
        ok_nodes = sf.origin_ok
        count = sf.reach(sources, weight, radius, False)()
        np.testing.assert_array_equal(count[ok_nodes], within.sum(axis=1)[ok_nodes])
        total = sf.reach(sources, weight, radius, True)()
        ref_total = np.where(within, weight * (1 - d / radius), 0.0).sum(axis=1)
        np.testing.assert_allclose(total[ok_nodes], ref_total[ok_nodes], rtol=1e-9, atol=1e-12)
    assert ok_nodes.mean() > 0.95  # few nodes have only outgoing one-way edges


def test_cross_checks_catch_differences():
    a = np.array([1.0, 2.0, np.inf])
    assert same_values(a, a * (1 + 1e-8))[0]
    assert not same_values(a, a * (1 + 1e-5))[0]
    assert not same_values(a, np.array([1.0, 2.0, 3.0]))[0]  # reached by one engine only
    assert same_values(a, a + 0.005, rtol=0, atol=0.01)[0]
    low, high = np.array([1, 2, 3]), np.array([1, 3, 3])
    assert counts_within_rounding(low, high, np.array([1, 3, 3]))[0]
    assert not counts_within_rounding(low, high, np.array([1, 2, 4]))[0]
