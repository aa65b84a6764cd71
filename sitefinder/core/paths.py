"""Shortest-path kernels over a CSR graph (numba).

Three searches answer the accessibility questions sitefinder asks:

* :func:`nearest_from_seeds` — one multi-source Dijkstra from all features of
  a category gives, for every node, the distance to the nearest feature
  (bucket queue, :mod:`sitefinder.core._buckets`);
  :func:`nearest_from_seeds_many` runs several categories in parallel.
* :func:`k_nearest_labels` — a multi-label search keeps, per node, the ``k``
  nearest *distinct* features.
* :func:`reach_from_origins` — a bounded Dijkstra from every origin counts the
  features (or sums their weights) within a radius; :func:`reach_from_features`
  gets the same result searching from each feature, when features are fewer.

All searches stop at their cut-off. Distances are metres; unreached is
``inf``. Points that lie part-way along edges are handled by
:mod:`sitefinder.core.access`, which turns them into node seeds and combines
node results back into point results.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ._buckets import bucket_layout, pool_grow, slots_for
from ._heap import heap_grow, heap_pop, heap_push

# Decay kinds for reach_from_origins.
DECAY_NONE = 0  # every feature within the radius counts 1
DECAY_LINEAR = 1  # 1 - d / radius
DECAY_EXPONENTIAL = 2  # exp(-d / beta)
DECAY_GAUSSIAN = 3  # exp(-d^2 / (2 beta^2))


@nb.njit(cache=True)
def _seed_span(seed_dist, cutoff):
    """Spread (max - min) of the seed distances within ``cutoff``; -1 when there are none."""
    lo = np.inf
    hi = -np.inf
    for i in range(seed_dist.shape[0]):
        d = seed_dist[i]
        if d <= cutoff:
            lo = min(lo, d)
            hi = max(hi, d)
    return hi - lo if hi >= lo else -1.0


@nb.njit(cache=True)
def _nearest_into(indptr, indices, weights, seed_node, seed_dist, seed_label, cutoff, width, n_slots, dist, label):
    """Multi-source search with a bucket queue, writing into ``dist``/``label`` (all inf/-1 on entry)."""
    n = dist.shape[0]
    max_degree = 0
    for u in range(n):
        max_degree = max(max_degree, indptr[u + 1] - indptr[u])
    cap = seed_node.shape[0] + n + max_degree + 16  # about one entry per node reached; grows when needed
    e_node = np.empty(cap, np.int32)
    e_dist = np.empty(cap, np.float64)
    e_next = np.empty(cap, np.int32)
    head = np.full(n_slots, -1, np.int32)
    mask = n_slots - 1
    inv = 1.0 / width
    used = 0
    first = np.inf
    for i in range(seed_node.shape[0]):
        u = seed_node[i]
        d = seed_dist[i]
        if d <= cutoff and d < dist[u]:
            dist[u] = d
            label[u] = seed_label[i]
            slot = int(d * inv) & mask
            e_node[used] = u
            e_dist[used] = d
            e_next[used] = head[slot]
            head[slot] = used
            used += 1
            first = min(first, d)
    queued = used
    current = int(first * inv) if queued else 0
    while queued > 0:
        used, queued, current = _nearest_scan(indptr, indices, weights, cutoff, inv, mask, max_degree, dist, label,
                                              e_node, e_dist, e_next, head, used, queued, current)
        if queued > 0:  # the pool is full (many re-scans): grow it and go on
            e_node, e_dist, e_next = pool_grow(e_node, e_dist, e_next)


@nb.njit(cache=True)
def _nearest_scan(indptr, indices, weights, cutoff, inv, mask, max_degree, dist, label,
                  e_node, e_dist, e_next, head, used, queued, current):
    """Scan buckets from ``current`` until the queue is empty or the pool has no room for one more node.

    Kept apart from :func:`_nearest_into` so the hot loop never rebinds the
    pool arrays (numba would then count references on every iteration); the
    queue operations are written out in the loop because numba's inlined
    helpers ran 30 % slower here. Returns ``(used, queued, current)``.
    """
    cap = e_node.shape[0]
    while queued > 0:
        if cap - used < max_degree:
            break
        slot = current & mask
        k = head[slot]
        if k < 0:
            current += 1
            continue
        head[slot] = e_next[k]
        queued -= 1
        u = e_node[k]
        d = e_dist[k]
        if d != dist[u]:
            continue  # stale: u was improved after this entry was queued
        lab = label[u]
        for a in range(indptr[u], indptr[u + 1]):
            v = indices[a]
            nd = d + weights[a]
            if nd < dist[v] and nd <= cutoff:
                dist[v] = nd
                label[v] = lab
                # nd >= d, so v never lands in a bucket already passed.
                slot = int(nd * inv) & mask
                e_node[used] = v
                e_dist[used] = nd
                e_next[used] = head[slot]
                head[slot] = used
                used += 1
                queued += 1
    return used, queued, current


@nb.njit(cache=True)
def nearest_from_seeds(indptr, indices, weights, seed_node, seed_dist, seed_label, cutoff):
    """Multi-source Dijkstra: distance from every node to its nearest seed.

    Parameters
    ----------
    indptr, indices, weights : ndarray
        CSR graph (see :class:`sitefinder.core.graph.Graph`). To get the
        distance *from* each node *to* the seeds on a directed graph, pass the
        reversed graph.
    seed_node : ndarray of int
        Node of each seed.
    seed_dist : ndarray of float64
        Distance already travelled at each seed (e.g. along-edge offset plus
        snap distance); seeds beyond ``cutoff`` are ignored.
    seed_label : ndarray of int64
        Label carried by each seed (typically the feature id).
    cutoff : float
        Stop searching beyond this distance (``np.inf`` for unbounded).

    Returns
    -------
    dist : ndarray of float64, shape (n_nodes,)
        Distance to the nearest seed, ``inf`` when none within ``cutoff``.
    label : ndarray of int64, shape (n_nodes,)
        Label of that seed, -1 when none. Among equally near seeds, any one.

    Notes
    -----
    The queue is a bucket queue (:mod:`sitefinder.core._buckets`), which
    gives exact distances.
    """
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, np.int64)
    span = _seed_span(seed_dist, cutoff)
    if span < 0:
        return dist, label
    width, n_slots = bucket_layout(weights, span)
    _nearest_into(indptr, indices, weights, seed_node, seed_dist, seed_label, cutoff, width, n_slots, dist, label)
    return dist, label


@nb.njit(cache=True, parallel=True)
def nearest_from_seeds_many(indptr, indices, weights, seed_ptr, seed_node, seed_dist, seed_label, cutoffs):
    """:func:`nearest_from_seeds` for several seed sets (categories) at once, in parallel.

    Parameters
    ----------
    seed_ptr : ndarray of int64, shape (n_sets + 1,)
        Seeds of set ``s`` are ``seed_ptr[s]:seed_ptr[s + 1]`` of ``seed_node``,
        ``seed_dist`` and ``seed_label``.
    cutoffs : ndarray of float64, shape (n_sets,)
        Cut-off of each set.

    Returns
    -------
    dist : ndarray of float64, shape (n_sets, n_nodes)
    label : ndarray of int64, shape (n_sets, n_nodes)
    """
    n = indptr.shape[0] - 1
    n_sets = seed_ptr.shape[0] - 1
    dist = np.full((n_sets, n), np.inf)
    label = np.full((n_sets, n), -1, np.int64)
    width, base_slots = bucket_layout(weights, 0.0)
    for s in nb.prange(n_sets):
        lo = seed_ptr[s]
        hi = seed_ptr[s + 1]
        span = _seed_span(seed_dist[lo:hi], cutoffs[s])
        if span < 0:
            continue
        n_slots = max(base_slots, slots_for(base_slots + span / width))
        _nearest_into(indptr, indices, weights, seed_node[lo:hi], seed_dist[lo:hi], seed_label[lo:hi], cutoffs[s],
                      width, n_slots, dist[s], label[s])
    return dist, label


@nb.njit(cache=True)
def k_nearest_labels(indptr, indices, weights, seed_node, seed_dist, seed_label, n_labels, k, cutoff):
    """Multi-label search: the ``k`` nearest distinct labels of every node.

    Labels are settled in increasing distance, so the first ``k`` distinct
    labels a node settles are its ``k`` nearest. A label may have many seeds
    (e.g. the boundary points of a park); it is counted once per node.

    Returns
    -------
    label_dist : ndarray of float64, shape (n_nodes, k)
        Distances to the nearest distinct labels in increasing order; ``inf``
        pads nodes that reach fewer than ``k`` labels within ``cutoff``.
    label_id : ndarray of int64, shape (n_nodes, k)
        The labels, -1 where padded.
    """
    n = indptr.shape[0] - 1
    label_dist = np.full((n, k), np.inf)
    label_id = np.full((n, k), -1, np.int64)
    count = np.zeros(n, np.int64)
    max_degree = 0
    for u in range(n):
        max_degree = max(max_degree, indptr[u + 1] - indptr[u])
    cap = seed_node.shape[0] + indices.shape[0] + max_degree + 16
    keys = np.empty(cap, np.float64)
    vals = np.empty(cap, np.int64)
    size = 0
    for i in range(seed_node.shape[0]):
        if seed_dist[i] <= cutoff:
            size = heap_push(keys, vals, size, seed_dist[i], seed_node[i] * n_labels + seed_label[i])
    while size > 0:
        size = _k_nearest_scan(indptr, indices, weights, n_labels, k, cutoff, max_degree, label_dist, label_id,
                               count, keys, vals, size)
        if size > 0:  # the heap is full: grow it and go on
            keys, vals = heap_grow(keys, vals, size)
    return label_dist, label_id


@nb.njit(cache=True)
def _k_nearest_scan(indptr, indices, weights, n_labels, k, cutoff, max_degree, label_dist, label_id, count,
                    keys, vals, size):
    """Settle (node, label) entries until the heap is empty or has no room for one more node's arcs.

    Kept apart from :func:`k_nearest_labels` so the hot loop never rebinds
    the heap arrays (numba would then count references on every push).
    Returns the heap size to resume from.
    """
    cap = keys.shape[0]
    while size > 0 and cap - size >= max_degree:
        d, packed, size = heap_pop(keys, vals, size)
        u = packed // n_labels
        lab = packed - u * n_labels
        c = count[u]
        if c >= k:
            continue
        seen = False
        for j in range(c):
            if label_id[u, j] == lab:
                seen = True
                break
        if seen:
            continue
        label_dist[u, c] = d
        label_id[u, c] = lab
        count[u] = c + 1
        for a in range(indptr[u], indptr[u + 1]):
            v = indices[a]
            nd = d + weights[a]
            if nd > cutoff or count[v] >= k:
                continue
            # A full or already-labelled head would discard the entry anyway.
            dup = False
            for j in range(count[v]):
                if label_id[v, j] == lab:
                    dup = True
                    break
            if not dup:
                size = heap_push(keys, vals, size, nd, v * n_labels + lab)
    return size


@nb.njit(cache=True)
def _reach_one(
    indptr, indices, weights, arc_edge, arc_forward, edge_length,
    item_ptr, item_offset, item_extra, item_label,
    start_node, start_dist, n_start, radius,
    dist, touched_nodes, best, touched_labels, keys, vals,
):
    """Bounded Dijkstra from a few start nodes; fills ``best`` per label.

    Returns the number of touched labels. ``dist``/``best`` must be
    all-``inf`` on entry; the caller resets the touched entries afterwards.
    ``keys``/``vals`` need room for ``n_start`` + number of arcs entries.
    """
    n_touched_nodes = 0
    n_touched_labels = 0
    size = 0
    for i in range(n_start):
        u = start_node[i]
        d = start_dist[i]
        if d <= radius and d < dist[u]:
            if dist[u] == np.inf:
                touched_nodes[n_touched_nodes] = u
                n_touched_nodes += 1
            dist[u] = d
            size = heap_push(keys, vals, size, d, u)
    while size > 0:
        d, u, size = heap_pop(keys, vals, size)
        if d > dist[u]:
            continue
        for a in range(indptr[u], indptr[u + 1]):
            e = arc_edge[a]
            # Items on this edge are reached part-way along the arc.
            for j in range(item_ptr[e], item_ptr[e + 1]):
                along = item_offset[j] if arc_forward[a] else edge_length[e] - item_offset[j]
                dj = d + along + item_extra[j]
                if dj <= radius:
                    lab = item_label[j]
                    if best[lab] == np.inf:
                        touched_labels[n_touched_labels] = lab
                        n_touched_labels += 1
                    if dj < best[lab]:
                        best[lab] = dj
            v = indices[a]
            nd = d + weights[a]
            if nd < dist[v] and nd <= radius:
                if dist[v] == np.inf:
                    touched_nodes[n_touched_nodes] = v
                    n_touched_nodes += 1
                dist[v] = nd
                size = heap_push(keys, vals, size, nd, v)
    for i in range(n_touched_nodes):
        dist[touched_nodes[i]] = np.inf
    return n_touched_labels


def work_blocks() -> int:
    """How many blocks to split per-origin work into: a few per thread, for load balance."""
    return 16 * nb.get_num_threads()


@nb.njit(cache=True)
def _decay(d, radius, kind, beta):
    if kind == DECAY_NONE:
        return 1.0
    if kind == DECAY_LINEAR:
        return 1.0 - d / radius if radius > 0 else 1.0
    if kind == DECAY_EXPONENTIAL:
        return np.exp(-d / beta)
    return np.exp(-(d * d) / (2.0 * beta * beta))


@nb.njit(cache=True, parallel=True)
def reach_from_origins(
    indptr, indices, weights, arc_edge, arc_forward,
    edge_u, edge_v, edge_length, edge_oneway,
    item_ptr, item_offset, item_extra, item_label, label_weight,
    origin_edge, origin_offset, origin_extra,
    radius, decay_kind, decay_beta, n_blocks,
):
    """Count (and sum the weights of) distinct labels within ``radius`` of each origin.

    Origins and items are points attached to geometric edges: edge id,
    offset from the edge's first vertex, and an extra distance (the snap
    distance from the real point to the edge). An origin with edge -1 is
    unreachable and gets count 0 and sum ``nan``.

    Parameters
    ----------
    item_ptr : ndarray of int64, shape (n_edges + 1,)
        Items on edge ``e`` are ``item_ptr[e]:item_ptr[e + 1]``.
    item_offset, item_extra : ndarray of float64
        Along-edge offset and extra distance of each item.
    item_label : ndarray of int64
        Distinct thing each item belongs to (0..n_labels-1).
    label_weight : ndarray of float64, shape (n_labels,)
        Weight of each label in the sum (1.0 for a plain count).
    radius : float
        Search radius in metres.
    decay_kind : int
        ``DECAY_NONE``, ``DECAY_LINEAR``, ``DECAY_EXPONENTIAL`` or ``DECAY_GAUSSIAN``.
    decay_beta : float
        Scale of the exponential/gaussian decay in metres.
    n_blocks : int
        Origins are split into this many blocks, each with its own work arrays
        (a few times the thread count balances the load).

    Returns
    -------
    count : ndarray of int64
        Distinct labels within the radius.
    total : ndarray of float64
        Sum over those labels of ``label_weight * decay(distance)``.
    """
    n_nodes = indptr.shape[0] - 1
    n_labels = label_weight.shape[0]
    n_origins = origin_edge.shape[0]
    count = np.zeros(n_origins, np.int64)
    total = np.full(n_origins, np.nan)
    n_blocks = max(min(n_origins, n_blocks), 1)
    for block in nb.prange(n_blocks):
        lo = block * n_origins // n_blocks
        hi = (block + 1) * n_origins // n_blocks
        dist = np.full(n_nodes, np.inf)
        touched_nodes = np.empty(n_nodes, np.int64)
        best = np.full(n_labels, np.inf)
        touched_labels = np.empty(n_labels, np.int64)
        keys = np.empty(indices.shape[0] + 2, np.float64)  # one push per arc at most, plus the two starts
        vals = np.empty(indices.shape[0] + 2, np.int64)
        start_node = np.empty(2, np.int64)
        start_dist = np.empty(2, np.float64)
        for o in range(lo, hi):
            e = origin_edge[o]
            if e < 0:
                continue
            t = origin_offset[o]
            s = origin_extra[o]
            length = edge_length[e]
            n_start = 0
            start_node[n_start] = edge_v[e]  # forward along the edge is always allowed
            start_dist[n_start] = s + length - t
            n_start += 1
            if not edge_oneway[e]:
                start_node[n_start] = edge_u[e]
                start_dist[n_start] = s + t
                n_start += 1
            n_touched = _reach_one(
                indptr, indices, weights, arc_edge, arc_forward, edge_length,
                item_ptr, item_offset, item_extra, item_label,
                start_node, start_dist, n_start, radius,
                dist, touched_nodes, best, touched_labels, keys, vals,
            )
            # Items on the origin's own edge, reached without passing a node.
            for j in range(item_ptr[e], item_ptr[e + 1]):
                dt = item_offset[j] - t
                if dt < 0.0 and edge_oneway[e]:
                    continue
                dj = s + abs(dt) + item_extra[j]
                if dj <= radius:
                    lab = item_label[j]
                    if best[lab] == np.inf:
                        touched_labels[n_touched] = lab
                        n_touched += 1
                    if dj < best[lab]:
                        best[lab] = dj
            c = 0
            acc = 0.0
            for i in range(n_touched):
                lab = touched_labels[i]
                c += 1
                acc += label_weight[lab] * _decay(best[lab], radius, decay_kind, decay_beta)
                best[lab] = np.inf
            count[o] = c
            total[o] = acc
    return count, total


@nb.njit(cache=True, parallel=True)
def reach_from_features(
    rindptr, rindices, rweights, inc_ptr, inc_edge,
    edge_u, edge_v, edge_length, edge_oneway,
    feat_ptr, feat_edge, feat_offset, feat_extra, label_weight,
    origin_ptr, origin_offset, origin_extra, origin_index, n_origins,
    radius, decay_kind, decay_beta, n_blocks, n_threads,
):
    """Same result as :func:`reach_from_origins`, searching from each feature instead.

    Cheaper when there are fewer features than origins (a few hundred shops,
    a million plots). Each feature runs one bounded search on the *reversed*
    graph (distance from a node to the feature) and credits the origins on
    the edges around every node it reaches.

    Parameters
    ----------
    rindptr, rindices, rweights : ndarray
        The reversed CSR graph.
    inc_ptr, inc_edge : ndarray
        Edges incident to each node (see :func:`incident_edges`).
    feat_ptr : ndarray of int64, shape (n_labels + 1,)
        Access points of feature ``f`` are ``feat_ptr[f]:feat_ptr[f + 1]``.
    feat_edge, feat_offset, feat_extra : ndarray
        Snapped access points (edge, offset, snap distance).
    origin_ptr : ndarray of int64, shape (n_edges + 1,)
        Origins on edge ``e`` are ``origin_ptr[e]:origin_ptr[e + 1]``.
    origin_offset, origin_extra, origin_index : ndarray
        Snapped origins grouped by edge, and their position in the output.
    n_origins : int
        Length of the output.
    n_threads : int
        ``numba.get_num_threads()``; one accumulator per thread.

    Returns
    -------
    count : ndarray of int64
    total : ndarray of float64
        ``nan`` for origins that do not appear in ``origin_index``.
    """
    n_nodes = rindptr.shape[0] - 1
    n_feat = feat_ptr.shape[0] - 1
    acc_count = np.zeros((n_threads, n_origins), np.int64)
    acc_total = np.zeros((n_threads, n_origins), np.float64)
    n_blocks = max(min(n_feat, n_blocks), 1)
    max_points = 0
    for f in range(n_feat):
        max_points = max(max_points, feat_ptr[f + 1] - feat_ptr[f])
    for block in nb.prange(n_blocks):
        tid = nb.get_thread_id()
        dist = np.full(n_nodes, np.inf)
        touched_nodes = np.empty(n_nodes, np.int64)
        best = np.full(n_origins, np.inf)
        touched = np.empty(n_origins, np.int64)
        # One push per arc at most, plus two starts per access point.
        keys = np.empty(rindices.shape[0] + 2 * max_points + 2, np.float64)
        vals = np.empty(rindices.shape[0] + 2 * max_points + 2, np.int64)
        for f in range(block * n_feat // n_blocks, (block + 1) * n_feat // n_blocks):
            n_touched_nodes = 0
            n_touched = 0
            size = 0
            for j in range(feat_ptr[f], feat_ptr[f + 1]):
                e = feat_edge[j]
                tf = feat_offset[j]
                sf = feat_extra[j]
                # Seeds: reach the feature from u walking forward, from v walking back (two-way only).
                for side in range(2):
                    if side == 0:
                        x = edge_u[e]
                        d = sf + tf
                    else:
                        if edge_oneway[e]:
                            continue
                        x = edge_v[e]
                        d = sf + edge_length[e] - tf
                    if d <= radius and d < dist[x]:
                        if dist[x] == np.inf:
                            touched_nodes[n_touched_nodes] = x
                            n_touched_nodes += 1
                        dist[x] = d
                        size = heap_push(keys, vals, size, d, x)
                # Origins on the same edge reach the feature without passing a node.
                for k in range(origin_ptr[e], origin_ptr[e + 1]):
                    dt = tf - origin_offset[k]
                    if dt < 0.0 and edge_oneway[e]:
                        continue
                    d = origin_extra[k] + abs(dt) + sf
                    if d <= radius:
                        o = origin_index[k]
                        if best[o] == np.inf:
                            touched[n_touched] = o
                            n_touched += 1
                        if d < best[o]:
                            best[o] = d
            while size > 0:
                d, x, size = heap_pop(keys, vals, size)
                if d > dist[x]:
                    continue
                # Credit origins on edges touching x: they walk to x, then on to the feature.
                for i in range(inc_ptr[x], inc_ptr[x + 1]):
                    e = inc_edge[i]
                    for k in range(origin_ptr[e], origin_ptr[e + 1]):
                        cand = np.inf
                        if edge_v[e] == x:
                            cand = origin_extra[k] + edge_length[e] - origin_offset[k] + d
                        if edge_u[e] == x and not edge_oneway[e]:
                            cand = min(cand, origin_extra[k] + origin_offset[k] + d)
                        if cand <= radius:
                            o = origin_index[k]
                            if best[o] == np.inf:
                                touched[n_touched] = o
                                n_touched += 1
                            if cand < best[o]:
                                best[o] = cand
                for a in range(rindptr[x], rindptr[x + 1]):
                    y = rindices[a]
                    nd = d + rweights[a]
                    if nd < dist[y] and nd <= radius:
                        if dist[y] == np.inf:
                            touched_nodes[n_touched_nodes] = y
                            n_touched_nodes += 1
                        dist[y] = nd
                        size = heap_push(keys, vals, size, nd, y)
            for i in range(n_touched_nodes):
                dist[touched_nodes[i]] = np.inf
            w = label_weight[f]
            for i in range(n_touched):
                o = touched[i]
                acc_count[tid, o] += 1
                acc_total[tid, o] += w * _decay(best[o], radius, decay_kind, decay_beta)
                best[o] = np.inf
    count = np.zeros(n_origins, np.int64)
    total = np.full(n_origins, np.nan)
    for k in range(origin_index.shape[0]):
        total[origin_index[k]] = 0.0
    for t in range(n_threads):
        for o in range(n_origins):
            count[o] += acc_count[t, o]
            if acc_total[t, o] != 0.0:
                total[o] += acc_total[t, o]
    return count, total


def incident_edges(n_nodes: int, edge_u: np.ndarray, edge_v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the edges touching each node (a self-loop is listed once)."""
    e = np.arange(edge_u.shape[0], dtype=np.int64)
    loop = edge_u == edge_v
    nodes = np.concatenate([edge_u, edge_v[~loop]]).astype(np.int64)
    edges = np.concatenate([e, e[~loop]])
    order = np.argsort(nodes, kind="stable")
    ptr = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(np.bincount(nodes, minlength=n_nodes), out=ptr[1:])
    return ptr, np.ascontiguousarray(edges[order])
