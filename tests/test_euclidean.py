"""Straight-line kernels against scipy's cKDTree."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from sitefinder.core.euclidean import (
    build_point_index, euclidean_kth, euclidean_nearest, euclidean_reach, make_exclusions,
)
from sitefinder.core.paths import DECAY_GAUSSIAN, DECAY_NONE


@st.composite
def clouds(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n_feat = int(rng.integers(1, 60))
    n_pts = n_feat + int(rng.integers(0, 60))
    label = np.concatenate([np.arange(n_feat), rng.integers(0, n_feat, n_pts - n_feat)])  # several points per feature
    spread = float(rng.choice([10.0, 1000.0, 50_000.0]))
    fx, fy = rng.uniform(0, spread, n_pts), rng.uniform(0, spread, n_pts)
    ox = rng.uniform(-0.2 * spread, 1.2 * spread, 50)
    oy = rng.uniform(-0.2 * spread, 1.2 * spread, 50)
    excl_o = rng.integers(0, 50, 20)
    excl_l = rng.integers(0, n_feat, 20)
    return fx, fy, label, n_feat, ox, oy, excl_o, excl_l, spread


def _per_feature(fx, fy, label, n_feat, ox, oy, excl):
    d = np.hypot(ox[:, None] - fx[None, :], oy[:, None] - fy[None, :])
    out = np.full((len(ox), n_feat), np.inf)
    for j in range(len(fx)):
        out[:, label[j]] = np.minimum(out[:, label[j]], d[:, j])
    for o, lab in excl:
        out[o, lab] = np.inf
    return out


@settings(max_examples=60, deadline=None)
@given(clouds(), st.booleans())
def test_nearest_matches_kdtree(cloud, with_exclusions):
    fx, fy, label, n_feat, ox, oy, eo, el, spread = cloud
    ex = make_exclusions(len(ox), eo, el) if with_exclusions else None
    cutoff = 0.3 * spread
    dist, lab = euclidean_nearest(build_point_index(fx, fy, label), ox, oy, cutoff, ex)
    if with_exclusions:
        ref = _per_feature(fx, fy, label, n_feat, ox, oy, set(zip(eo.tolist(), el.tolist()))).min(axis=1)
    else:
        ref, _ = cKDTree(np.column_stack([fx, fy])).query(np.column_stack([ox, oy]))
    ref = np.where(ref <= cutoff, ref, np.inf)
    np.testing.assert_allclose(dist, ref, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(clouds(), st.integers(1, 5))
def test_kth_matches_bruteforce_distinct_features(cloud, k):
    fx, fy, label, n_feat, ox, oy, eo, el, spread = cloud
    excl = set(zip(eo.tolist(), el.tolist()))
    got = euclidean_kth(build_point_index(fx, fy, label), ox, oy, k, np.inf, make_exclusions(len(ox), eo, el))
    per = np.sort(_per_feature(fx, fy, label, n_feat, ox, oy, excl), axis=1)
    ref = per[:, k - 1] if n_feat >= k else np.full(len(ox), np.inf)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(clouds())
def test_kth_with_one_point_per_feature_matches_kdtree(cloud):
    fx, fy, _, _, ox, oy, _, _, _ = cloud
    k = min(3, len(fx))
    got = euclidean_kth(build_point_index(fx, fy), ox, oy, k)
    ref, _ = cKDTree(np.column_stack([fx, fy])).query(np.column_stack([ox, oy]), k=[k])
    np.testing.assert_allclose(got, ref.ravel(), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(clouds(), st.sampled_from([DECAY_NONE, DECAY_GAUSSIAN]))
def test_reach_matches_kdtree_ball_counts(cloud, decay):
    fx, fy, _, _, ox, oy, _, _, spread = cloud
    r = 0.25 * spread
    w = np.linspace(1, 2, len(fx))
    count, total = euclidean_reach(build_point_index(fx, fy), ox, oy, r, w, decay, 0.1 * spread)
    tree = cKDTree(np.column_stack([fx, fy]))
    np.testing.assert_array_equal(count, tree.query_ball_point(np.column_stack([ox, oy]), r, return_length=True))
    d = np.hypot(ox[:, None] - fx[None, :], oy[:, None] - fy[None, :])
    f = np.ones_like(d) if decay == DECAY_NONE else np.exp(-d**2 / (2 * (0.1 * spread) ** 2))
    np.testing.assert_allclose(total, np.where(d <= r, w[None, :] * f, 0).sum(axis=1), rtol=1e-9)


def test_nan_origins_give_nan():
    idx = build_point_index(np.array([0.0]), np.array([0.0]))
    dist, _ = euclidean_nearest(idx, np.array([np.nan, 3.0]), np.array([0.0, 4.0]))
    assert np.isnan(dist[0]) and dist[1] == 5.0
