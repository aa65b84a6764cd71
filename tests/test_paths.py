"""Path kernels against scipy and networkx on random graphs and the real Oslo graph."""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from sitefinder.core.access import group_by_edge, kth_at_origins, nearest_at_origins, seeds_towards
from sitefinder.core.graph import build_graph, reverse_graph
from sitefinder.core.paths import (
    DECAY_EXPONENTIAL, DECAY_LINEAR, DECAY_NONE, incident_edges, k_nearest_labels, nearest_from_seeds,
    nearest_from_seeds_many,
    reach_from_features, reach_from_origins,
)

from .reference import min_csr, subdivided_distances


@st.composite
def graphs(draw, max_nodes=25):
    """Random directed multigraphs: ties (integer lengths), zero-length edges, self-loops,
    parallel edges, one-way edges and disconnected parts."""
    n = draw(st.integers(2, max_nodes))
    m = draw(st.integers(1, 3 * n))
    u = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    v = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    length = draw(st.lists(st.integers(0, 6), min_size=m, max_size=m))
    oneway = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    return n, np.array(u), np.array(v), np.array(length, float), np.array(oneway)


def _arcs(g):
    tails = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
    return tails, g.indices, g.weights


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_nearest_from_seeds_matches_scipy_and_networkx(graph, data):
    n, u, v, length, oneway = graph
    g = build_graph(u, v, length, oneway, n)
    seeds = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4, unique=True)))
    cutoff = data.draw(st.sampled_from([np.inf, 3.0, 7.0]))
    rg = reverse_graph(g)
    dist, label = nearest_from_seeds(rg.indptr, rg.indices, rg.weights, seeds.astype(np.int64),
                                     np.zeros(len(seeds)), np.arange(len(seeds), dtype=np.int64), cutoff)
    # scipy: distance from every node TO the nearest seed = min_only search on the transposed matrix
    m = min_csr(n, *_arcs(g))
    ref = dijkstra(m.T.tocsr(), directed=True, indices=seeds, min_only=True, limit=cutoff)
    ref[ref < 1e-300] = 0.0
    np.testing.assert_allclose(dist, np.round(ref, 9), rtol=1e-9, atol=1e-12)
    # networkx on the reversed digraph
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n))
    tails, heads, w = _arcs(g)
    G.add_weighted_edges_from(zip(heads, tails, w))
    nxd = nx.multi_source_dijkstra_path_length(G, set(seeds.tolist()),
                                               cutoff=None if np.isinf(cutoff) else cutoff)
    ref_nx = np.array([nxd.get(i, np.inf) for i in range(n)])
    np.testing.assert_allclose(dist, ref_nx, rtol=1e-9)
    # The label names a seed that really is at that distance.
    reached = np.isfinite(dist)
    full = dijkstra(m.T.tocsr(), directed=True, indices=seeds)  # node -> seed, one row per seed
    full[full < 1e-300] = 0.0
    np.testing.assert_allclose(full[label[reached], np.flatnonzero(reached)], dist[reached], rtol=1e-9)
    assert np.all(label[~reached] == -1)


def _scipy_nearest(g, seeds, seed_dist, cutoff):
    """Reference: distance from every node to the nearest seed, via a super-source on the reversed graph."""
    n = g.n_nodes
    tails, heads, w = _arcs(g)
    # Reversed arcs, plus one arc from the super-source n to each seed carrying its start distance
    # plus 1 m (a zero-weight arc would vanish from the sparse matrix); the 1 m is taken off again.
    m = min_csr(n + 1, np.concatenate([heads, np.full(len(seeds), n)]), np.concatenate([tails, seeds]),
                np.concatenate([w, np.asarray(seed_dist, float) + 1.0]))
    return dijkstra(m, directed=True, indices=n, limit=cutoff + 1.0)[:n] - 1.0


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data())
def test_nearest_from_seeds_many_matches_one_search_per_set(graph, data):
    """Several seed sets at once (categories in parallel), with start distances and per-set cut-offs."""
    n, u, v, length, oneway = graph
    g = build_graph(u, v, length, oneway, n)
    rg = reverse_graph(g)
    n_sets = data.draw(st.integers(1, 4))
    sets = [data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from([0.0, 0.5, 2.0, 9.0])),
                               min_size=0, max_size=5)) for _ in range(n_sets)]
    cutoffs = np.array([data.draw(st.sampled_from([np.inf, 0.0, 3.0, 7.0])) for _ in range(n_sets)])
    ptr = np.cumsum([0] + [len(s) for s in sets]).astype(np.int64)
    node = np.array([x for s in sets for x, _ in s], np.int64)
    start = np.array([d for s in sets for _, d in s], float)
    label = np.arange(node.shape[0], dtype=np.int64)
    dist, lab = nearest_from_seeds_many(rg.indptr, rg.indices, rg.weights, ptr, node, start, label, cutoffs)
    for k in range(n_sets):
        lo, hi = ptr[k], ptr[k + 1]
        one_d, one_l = nearest_from_seeds(rg.indptr, rg.indices, rg.weights, node[lo:hi], start[lo:hi],
                                          label[lo:hi], cutoffs[k])
        np.testing.assert_array_equal(dist[k], one_d)
        if hi > lo:
            keep = start[lo:hi] <= cutoffs[k]
            ref = _scipy_nearest(g, node[lo:hi][keep], start[lo:hi][keep], cutoffs[k]) if keep.any() \
                else np.full(n, np.inf)
            ref[ref > cutoffs[k]] = np.inf
            np.testing.assert_allclose(one_d, ref, rtol=1e-12, atol=1e-9)
        # Each label names a seed of this set from which the node really is at that distance.
        reached = np.isfinite(dist[k])
        assert np.all((lab[k][reached] >= lo) & (lab[k][reached] < hi))
        assert np.all(lab[k][~reached] == -1)
        for x in np.flatnonzero(reached):
            j = lab[k][x]
            via = _scipy_nearest(g, node[j:j + 1], start[j:j + 1], np.inf)[x]
            assert via == pytest.approx(dist[k][x], rel=1e-12, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30), st.data())
def test_nearest_with_lengths_over_many_magnitudes(n, data):
    """Bucket widths are derived from the mean arc: very short and very long arcs together stay exact."""
    m = data.draw(st.integers(1, 3 * n))
    u = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    v = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    length = np.array(data.draw(st.lists(st.sampled_from([0.0, 1e-3, 0.37, 1.0, 55.5, 1e4, 3.3e6]),
                                         min_size=m, max_size=m)))
    oneway = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    g = build_graph(u, v, length, oneway, n)
    seeds = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4, unique=True)), np.int64)
    start = np.array(data.draw(st.lists(st.sampled_from([0.0, 2.5, 1e5]), min_size=len(seeds),
                                        max_size=len(seeds))))
    cutoff = data.draw(st.sampled_from([np.inf, 1.0, 1e4, 2e5]))
    dist, _ = nearest_from_seeds(g.indptr, g.indices, g.weights, seeds, start, np.arange(len(seeds)), cutoff)
    rg = reverse_graph(g)  # _scipy_nearest reverses the arcs of what it is given
    keep = start <= cutoff
    ref = _scipy_nearest(rg, seeds[keep], start[keep], cutoff) if keep.any() else np.full(n, np.inf)
    ref[ref > cutoff] = np.inf
    np.testing.assert_allclose(dist, ref, rtol=1e-12, atol=1e-9)


@st.composite
def graphs_with_points(draw):
    n, u, v, length, oneway = draw(graphs(max_nodes=15))
    m = len(u)
    def points(lo, hi):
        k = draw(st.integers(lo, hi))
        pts = []
        for _ in range(k):
            e = draw(st.integers(0, m - 1))
            off = float(draw(st.integers(0, int(length[e]))))
            extra = float(draw(st.integers(0, 3)))
            pts.append((e, off, extra))
        return pts
    origins = points(1, 6)
    targets = points(0, 8)
    n_features = draw(st.integers(1, max(1, len(targets))))
    feature = [draw(st.integers(0, n_features - 1)) for _ in targets]
    return (n, u, v, length, oneway), origins, targets, np.array(feature, dtype=np.int64), n_features


def _prepare(graph, targets, feature):
    n, u, v, length, oneway = graph
    g = build_graph(u, v, length, oneway, n)
    te = np.array([t[0] for t in targets], np.int64)
    to = np.array([t[1] for t in targets], float)
    tx = np.array([t[2] for t in targets], float)
    ep = group_by_edge(g.n_edges, te, to, tx, feature)
    seeds = seeds_towards(g.edge_u, g.edge_v, g.edge_length, g.edge_oneway, te, to, tx, feature)
    return g, reverse_graph(g), ep, seeds


def _origin_arrays(origins):
    return (np.array([o[0] for o in origins], np.int64), np.array([o[1] for o in origins], float),
            np.array([o[2] for o in origins], float))


def _feature_distances(graph, origins, targets, feature, n_features):
    """(n_origins, n_features) reference distances: min over each feature's points."""
    n, u, v, length, oneway = graph
    d = subdivided_distances(u, v, length, oneway, n, origins, targets)
    out = np.full((len(origins), n_features), np.inf)
    for j, f in enumerate(feature):
        out[:, f] = np.minimum(out[:, f], d[:, j])
    return out


@settings(max_examples=150, deadline=None)
@given(graphs_with_points(), st.sampled_from([np.inf, 4.0, 9.0]))
def test_nearest_at_snapped_points_matches_subdivided_graph(case, cutoff):
    graph, origins, targets, feature, n_features = case
    g, rg, ep, seeds = _prepare(graph, targets, feature)
    node_d, node_l = nearest_from_seeds(rg.indptr, rg.indices, rg.weights, *seeds, cutoff)
    oe, oo, ox = _origin_arrays(origins)
    dist, label = nearest_at_origins(node_d, node_l, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
                                     ep.edge_ptr, ep.offset, ep.extra, ep.label, oe, oo, ox, cutoff)
    ref = _feature_distances(graph, origins, targets, feature, n_features).min(axis=1, initial=np.inf)
    ref[ref > cutoff] = np.inf
    np.testing.assert_allclose(dist, ref, rtol=1e-9)


@settings(max_examples=150, deadline=None)
@given(graphs_with_points(), st.integers(1, 3), st.sampled_from([np.inf, 6.0]))
def test_kth_nearest_matches_subdivided_graph(case, k, cutoff):
    graph, origins, targets, feature, n_features = case
    g, rg, ep, seeds = _prepare(graph, targets, feature)
    ld, li = k_nearest_labels(rg.indptr, rg.indices, rg.weights, *seeds, n_features, k, cutoff)
    oe, oo, ox = _origin_arrays(origins)
    got = kth_at_origins(ld, li, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
                         ep.edge_ptr, ep.offset, ep.extra, ep.label, oe, oo, ox, k, cutoff)
    per_feature = np.sort(_feature_distances(graph, origins, targets, feature, n_features), axis=1)
    ref = per_feature[:, k - 1] if per_feature.shape[1] >= k else np.full(len(origins), np.inf)
    ref = np.where(ref > cutoff, np.inf, ref)
    np.testing.assert_allclose(got, ref, rtol=1e-9)


@settings(max_examples=150, deadline=None)
@given(graphs_with_points(), st.sampled_from([0.0, 3.0, 7.0]),
       st.sampled_from([DECAY_NONE, DECAY_LINEAR, DECAY_EXPONENTIAL]))
def test_reach_from_origins_matches_subdivided_graph(case, radius, decay):
    graph, origins, targets, feature, n_features = case
    g, rg, ep, _ = _prepare(graph, targets, feature)
    oe, oo, ox = _origin_arrays(origins)
    weight = np.arange(1, n_features + 1, dtype=float)
    beta = 2.5
    count, total = reach_from_origins(g.indptr, g.indices, g.weights, g.arc_edge, g.arc_forward,
                                      g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
                                      ep.edge_ptr, ep.offset, ep.extra, ep.label, weight,
                                      oe, oo, ox, radius, decay, beta, 4)
    # The feature-side search must agree exactly.
    te = np.array([t[0] for t in targets], np.int64)
    order = np.argsort(feature, kind="stable")
    feat_ptr = np.zeros(n_features + 1, np.int64)
    np.cumsum(np.bincount(feature, minlength=n_features), out=feat_ptr[1:])
    og = group_by_edge(g.n_edges, oe, oo, ox, np.arange(len(origins)))
    inc_ptr, inc_edge = incident_edges(g.n_nodes, g.edge_u, g.edge_v)
    t_off = np.array([t[1] for t in targets], float)
    t_ext = np.array([t[2] for t in targets], float)
    count_f, total_f = reach_from_features(
        rg.indptr, rg.indices, rg.weights, inc_ptr, inc_edge, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
        feat_ptr, te[order], t_off[order], t_ext[order], weight,
        og.edge_ptr, og.offset, og.extra, og.label, len(origins), radius, decay, beta, 4, numba.get_num_threads())
    np.testing.assert_array_equal(count_f, count)
    np.testing.assert_allclose(total_f, total, rtol=1e-9, atol=1e-12)
    d = _feature_distances(graph, origins, targets, feature, n_features)
    within = d <= radius
    np.testing.assert_array_equal(count, within.sum(axis=1))
    if decay == DECAY_NONE:
        f = np.ones_like(d)
    elif decay == DECAY_LINEAR:
        f = 1 - d / radius if radius > 0 else np.ones_like(d)
    else:
        f = np.exp(-d / beta)
    ref_total = np.where(within, weight[None, :] * f, 0.0).sum(axis=1)
    np.testing.assert_allclose(total, ref_total, rtol=1e-9, atol=1e-12)


def test_unsnapped_origins_are_nan_not_zero():
    g = build_graph([0], [1], [10.0])
    ep = group_by_edge(1, np.array([0]), np.array([5.0]), np.array([0.0]), np.array([0]))
    rg = reverse_graph(g)
    seeds = seeds_towards(g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
                          np.array([0]), np.array([5.0]), np.array([0.0]), np.array([0]))
    nd, nl = nearest_from_seeds(rg.indptr, rg.indices, rg.weights, *seeds, np.inf)
    dist, _ = nearest_at_origins(nd, nl, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
                                 ep.edge_ptr, ep.offset, ep.extra, ep.label,
                                 np.array([-1, 0]), np.array([np.nan, 1.0]), np.array([np.nan, 2.0]), np.inf)
    assert np.isnan(dist[0])
    assert dist[1] == pytest.approx(2.0 + 4.0)  # snap 2 m + 4 m along the edge


def test_oneway_edge_forces_detour():
    # 0 -> 1 one-way (10 m); 1 -> 0 back only via a 30 m two-way edge through node 2.
    g = build_graph([0, 1, 2], [1, 2, 0], [10.0, 15.0, 15.0], [True, False, False])
    # A feature 2 m along the one-way edge; an origin 8 m along it (past the feature).
    te, to, tx, tl = np.array([0]), np.array([2.0]), np.array([0.0]), np.array([0])
    ep = group_by_edge(3, te, to, tx, tl)
    rg = reverse_graph(g)
    nd, nl = nearest_from_seeds(rg.indptr, rg.indices, rg.weights,
                                *seeds_towards(g.edge_u, g.edge_v, g.edge_length, g.edge_oneway, te, to, tx, tl),
                                np.inf)
    dist, _ = nearest_at_origins(nd, nl, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
                                 ep.edge_ptr, ep.offset, ep.extra, ep.label,
                                 np.array([0]), np.array([8.0]), np.array([0.0]), np.inf)
    # Forward 2 m to node 1, round 15 + 15 m back to node 0, then 2 m to the feature.
    assert dist[0] == pytest.approx(2 + 15 + 15 + 2)


def test_nearest_on_real_oslo_graph_matches_scipy(oslo_network):
    from sitefinder.core.snap import polyline_lengths

    e = oslo_network.edges
    lengths = polyline_lengths(e.lines.x, e.lines.y, e.lines.part_ptr)
    g = build_graph(e.edge_u, e.edge_v, lengths, e.edge_oneway, e.n_nodes)
    assert g.n_nodes > 15_000  # intersections and dead ends (~59k vertices in all)
    rng = np.random.default_rng(7)
    seeds = rng.choice(g.n_nodes, 60, replace=False)
    for cutoff in (np.inf, 800.0):
        dist, _ = nearest_from_seeds(g.indptr, g.indices, g.weights, seeds.astype(np.int64), np.zeros(60),
                                     np.arange(60, dtype=np.int64), cutoff)
        m = min_csr(g.n_nodes, *_arcs(g))
        ref = dijkstra(m, directed=True, indices=seeds, min_only=True, limit=cutoff)
        ref[ref < 1e-300] = 0.0
        np.testing.assert_allclose(dist, ref, rtol=1e-9, atol=1e-9)
        if cutoff == 800.0:
            assert np.isinf(dist).any() and np.isfinite(dist).any()


def test_bucket_pool_grows_keeping_entries():
    from sitefinder.core._buckets import pool_grow

    node, dist, nxt = np.arange(5, dtype=np.int32), np.linspace(0, 1, 5), np.arange(5, dtype=np.int32) - 1
    n2, d2, x2 = pool_grow(node, dist, nxt)
    assert n2.shape[0] > 5 and n2.dtype == np.int32 and d2.dtype == np.float64
    np.testing.assert_array_equal(n2[:5], node)
    np.testing.assert_array_equal(d2[:5], dist)
    np.testing.assert_array_equal(x2[:5], nxt)


def test_k_nearest_heap_grows_on_many_labels():
    """Many labels on a dense graph push more entries than arcs: the heap grows outside the hot loop."""
    rng = np.random.default_rng(4)
    n = 6
    u, v = np.meshgrid(np.arange(n), np.arange(n))
    keep = u != v
    g = build_graph(u[keep], v[keep], rng.integers(1, 9, keep.sum()).astype(float), None, n)
    n_labels, k = 40, 7
    seed_node = rng.integers(0, n, n_labels).astype(np.int64)
    seed_dist = rng.integers(0, 5, n_labels).astype(float)
    ld, li = k_nearest_labels(g.indptr, g.indices, g.weights, seed_node, seed_dist,
                              np.arange(n_labels, dtype=np.int64), n_labels, k, np.inf)
    m = min_csr(n, *_arcs(g))
    d = dijkstra(m, directed=True)  # node -> node
    per_label = d[:, seed_node] + seed_dist[None, :]  # node -> label
    np.testing.assert_allclose(ld, np.sort(per_label, axis=1)[:, :k])
    np.testing.assert_allclose(np.take_along_axis(per_label, li, axis=1), ld)
