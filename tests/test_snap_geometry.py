"""Snapping, densifying, point-in-polygon and noding against hand-computed cases and shapely."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from sitefinder.adapters.geometry import to_ragged
from sitefinder.core.geometry import Ragged, densify, points_in_polygons
from sitefinder.core.noding import node_lines
from sitefinder.core.snap import build_segment_index, polyline_lengths, snap_points


def _index(lines):
    r = to_ragged(np.array(lines, dtype=object))
    return build_segment_index(r.x, r.y, r.part_ptr)


def test_snap_hand_computed():
    # Edge 0: an L from (0,0) to (10,0) to (10,10); edge 1: far away.
    idx = _index([shapely.LineString([(0, 0), (10, 0), (10, 10)]), shapely.LineString([(100, 100), (110, 100)])])
    s = snap_points(idx, np.array([4.0, 13.0, 10.0, -3.0, 50.0]), np.array([3.0, 6.0, -2.0, -4.0, 50.0]), 20.0)
    # (4,3): 3 m from the first leg, 4 m along.       (13,6): 3 m from the second leg, 10 + 6 along.
    # (10,-2): 2 m below the corner, offset 10.        (-3,-4): 5 m from the start vertex, offset 0.
    # (50,50): nothing within 20 m -> unsnapped, never distance 0.
    assert s.edge.tolist() == [0, 0, 0, 0, -1]
    np.testing.assert_allclose(s.offset[:4], [4.0, 16.0, 10.0, 0.0])
    np.testing.assert_allclose(s.distance[:4], [3.0, 3.0, 2.0, 5.0])
    assert np.isnan(s.distance[4]) and np.isnan(s.offset[4])


def test_snap_exactly_at_max_distance_is_snapped_and_beyond_is_not():
    idx = _index([shapely.LineString([(0, 0), (10, 0)])])
    s = snap_points(idx, np.array([5.0, 5.0]), np.array([7.0, 7.000001]), 7.0)
    assert s.edge.tolist() == [0, -1]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_snap_matches_shapely_on_random_lines(seed):
    rng = np.random.default_rng(seed)
    lines = [shapely.LineString(rng.uniform(0, 500, size=(rng.integers(2, 6), 2))) for _ in range(rng.integers(1, 30))]
    idx = _index(lines)
    px, py = rng.uniform(-100, 600, 40), rng.uniform(-100, 600, 40)
    max_d = float(rng.choice([5.0, 50.0, 1e9]))
    s = snap_points(idx, px, py, max_d)
    pts = shapely.points(px, py)
    dists = np.array([[ln.distance(p) for ln in lines] for p in pts])
    best = dists.min(axis=1)
    within = best <= max_d
    assert np.array_equal(s.edge >= 0, within)
    np.testing.assert_allclose(s.distance[within], best[within], rtol=1e-9, atol=1e-9)
    for i in np.flatnonzero(within):
        line = lines[s.edge[i]]
        assert line.distance(pts[i]) == pytest.approx(best[i], abs=1e-9)
        # The offset is the distance along the line to the snapped point.
        snapped = line.interpolate(s.offset[i])
        assert snapped.distance(pts[i]) == pytest.approx(best[i], abs=1e-6)


def test_polyline_lengths():
    r = to_ragged(np.array([shapely.LineString([(0, 0), (3, 4), (3, 10)]), shapely.LineString([(0, 0), (1, 0)])]))
    np.testing.assert_allclose(polyline_lengths(r.x, r.y, r.part_ptr), [11.0, 1.0])


def test_densify_keeps_vertices_and_spacing():
    ring = shapely.Polygon([(0, 0), (50, 0), (50, 5), (0, 5)])
    r = densify(to_ragged(np.array([ring])), 20.0)
    xy = np.column_stack([r.x, r.y])
    assert np.max(np.hypot(*np.diff(xy, axis=0).T)) <= 20.0 + 1e-9
    for corner in [(0, 0), (50, 0), (50, 5), (0, 5)]:
        assert (np.hypot(xy[:, 0] - corner[0], xy[:, 1] - corner[1]) < 1e-9).any()
    # 50 m sides split in 3, 5 m sides not split: 3 + 1 + 3 + 1 segments, closed ring -> 9 vertices.
    assert r.x.shape[0] == 9


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_points_in_polygons_matches_shapely(seed):
    rng = np.random.default_rng(seed)
    polys = []
    for _ in range(rng.integers(1, 12)):
        c = rng.uniform(0, 100, 2)
        p = shapely.Point(c).buffer(rng.uniform(2, 25), quad_segs=4)
        if rng.random() < 0.3:  # a hole
            p = p.difference(shapely.Point(c).buffer(rng.uniform(0.5, 1.9)))
        if rng.random() < 0.2:  # a multipolygon
            p = shapely.union(p, shapely.box(c[0] + 30, c[1], c[0] + 35, c[1] + 5))
        polys.append(p)
    px, py = rng.uniform(-10, 140, 300), rng.uniform(-10, 140, 300)
    pt, pg = points_in_polygons(px, py, to_ragged(np.array(polys, dtype=object), polygons_only=True))
    got = set(zip(pt.tolist(), pg.tolist()))
    pts = shapely.points(px, py)
    ref = {(i, j) for j, poly in enumerate(polys) for i in np.flatnonzero(shapely.contains(poly, pts))}
    assert got == ref


def test_node_lines_splits_at_shared_vertices_only():
    # A cross where the lines share the vertex (5, 5), and a bridge crossing without a shared vertex.
    lines = np.array([
        shapely.LineString([(0, 5), (5, 5), (10, 5)]),
        shapely.LineString([(5, 0), (5, 5), (5, 10)]),
        shapely.LineString([(20, 0), (20, 10)]),          # bridge ...
        shapely.LineString([(15, 5), (25, 5)]),           # ... over this road: no shared vertex
    ], dtype=object)
    e = node_lines(to_ragged(lines))
    assert len(e.edge_u) == 6  # cross: 4 edges; bridge and road: 1 each
    assert e.n_nodes == 9      # 4 cross ends + centre + 4 ends of the two unconnected lines
    centre = np.flatnonzero((np.abs(e.node_x - 5) < 1e-9) & (np.abs(e.node_y - 5) < 1e-9))
    assert len(centre) == 1
    assert np.sum((e.edge_u == centre[0]) | (e.edge_v == centre[0])) == 4
    lengths = polyline_lengths(e.lines.x, e.lines.y, e.lines.part_ptr)
    np.testing.assert_allclose(sorted(lengths), [5, 5, 5, 5, 10, 10])
    assert e.edge_line.tolist().count(0) == 2 and e.edge_line.tolist().count(1) == 2


def test_node_lines_keeps_oneway_and_drops_degenerate_parts():
    lines = np.array([shapely.LineString([(0, 0), (1, 0), (1, 0), (2, 0)]), shapely.LineString([(5, 5), (5, 5)])],
                     dtype=object)
    e = node_lines(to_ragged(lines), oneway=np.array([True, False]))
    assert len(e.edge_u) == 1 and e.edge_oneway.tolist() == [True]
    np.testing.assert_allclose(polyline_lengths(e.lines.x, e.lines.y, e.lines.part_ptr), [2.0])


def test_to_ragged_layout():
    geoms = np.array([shapely.Point(1, 2), None, shapely.Polygon([(0, 0), (1, 0), (1, 1)], [[(0.2, 0.1), (0.8, 0.1), (0.8, 0.7)]]),
                      shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])], dtype=object)
    r = to_ragged(geoms)
    assert isinstance(r, Ragged) and r.n_geoms == 4
    assert np.diff(r.geom_ptr).tolist() == [1, 0, 2, 2]  # point; nothing; exterior + hole; two lines
    only = to_ragged(geoms, polygons_only=True)
    assert np.diff(only.geom_ptr).tolist() == [0, 0, 2, 0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([10, 10**6, 2**40]))
def test_node_ids_match_pairwise_unique(seed, span):
    """Vertices numbered through one int64 key (or pairs, for huge extents) as np.unique on pairs does."""
    from sitefinder.core.noding import _same_point_ids

    rng = np.random.default_rng(seed)
    kx = rng.integers(-span, span, 200)
    ky = rng.integers(-span, span, 200)
    kx[100:] = kx[:100]  # shared vertices
    ky[100:] = ky[:100]
    ids, uses = _same_point_ids(kx, ky)
    _, ref_ids, ref_uses = np.unique(np.stack([kx, ky], axis=1), axis=0, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(ids, ref_ids.ravel())
    np.testing.assert_array_equal(uses, ref_uses)
