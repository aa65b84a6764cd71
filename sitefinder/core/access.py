"""Points attached part-way along edges: turning them into node seeds and back.

Plots and features are snapped to the nearest point on the nearest edge
(:mod:`sitefinder.core.snap`). A snapped point is ``(edge, offset, extra)``:
the edge id, the distance along the edge from its first vertex, and the
straight-line snap distance from the real point to the edge.

Distances are always *from the origin (plot) to the feature*. On a one-way
edge, travel is only allowed from ``edge_u`` towards ``edge_v``.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np


class EdgePoints(NamedTuple):
    """Points snapped to edges, grouped by edge for fast per-edge lookup.

    Attributes
    ----------
    edge_ptr : ndarray of int64, shape (n_edges + 1,)
        Points on edge ``e`` are ``edge_ptr[e]:edge_ptr[e + 1]``.
    offset, extra : ndarray of float64
        Along-edge offset and snap distance of each point.
    label : ndarray of int64
        What each point belongs to (a feature id); several points may share one.
    """

    edge_ptr: np.ndarray
    offset: np.ndarray
    extra: np.ndarray
    label: np.ndarray


def group_by_edge(
    n_edges: int, edge: np.ndarray, offset: np.ndarray, extra: np.ndarray, label: np.ndarray
) -> EdgePoints:
    """Group snapped points by edge; points with edge -1 (unsnapped) are dropped."""
    edge = np.asarray(edge, np.int64)
    keep = edge >= 0
    edge = edge[keep]
    order = np.argsort(edge, kind="stable")
    ptr = np.zeros(n_edges + 1, np.int64)
    np.cumsum(np.bincount(edge, minlength=n_edges), out=ptr[1:])
    return EdgePoints(
        edge_ptr=ptr,
        offset=np.ascontiguousarray(np.asarray(offset, np.float64)[keep][order]),
        extra=np.ascontiguousarray(np.asarray(extra, np.float64)[keep][order]),
        label=np.ascontiguousarray(np.asarray(label, np.int64)[keep][order]),
    )


def seeds_towards(
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_length: np.ndarray,
    edge_oneway: np.ndarray,
    edge: np.ndarray,
    offset: np.ndarray,
    extra: np.ndarray,
    label: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node seeds for a search *towards* snapped targets (run on the reversed graph).

    A target at ``offset`` along edge ``(u, v)`` is reached from ``u`` by
    walking forward ``offset`` metres, and from ``v`` by walking back
    ``length - offset`` metres when the edge is two-way.

    Returns
    -------
    seed_node, seed_dist, seed_label : ndarray
    """
    edge = np.asarray(edge, np.int64)
    ok = edge >= 0
    e, off, ext, lab = edge[ok], np.asarray(offset)[ok], np.asarray(extra)[ok], np.asarray(label)[ok]
    back = ~edge_oneway[e]
    seed_node = np.concatenate([edge_u[e], edge_v[e][back]]).astype(np.int64)
    seed_dist = np.concatenate([ext + off, (ext + edge_length[e] - off)[back]]).astype(np.float64)
    seed_label = np.concatenate([lab, lab[back]]).astype(np.int64)
    return seed_node, seed_dist, seed_label


@nb.njit(cache=True)
def nearest_at_origins(
    node_dist, node_label, edge_u, edge_v, edge_length, edge_oneway,
    target_ptr, target_offset, target_extra, target_label,
    origin_edge, origin_offset, origin_extra, cutoff,
):
    """Distance from each snapped origin to the nearest target.

    ``node_dist``/``node_label`` come from :func:`~sitefinder.core.paths.nearest_from_seeds`
    run on the reversed graph with :func:`seeds_towards` seeds. Targets on the
    origin's own edge are also checked directly, so two points on one long
    edge get their along-edge distance, not a detour through the nodes.

    Returns
    -------
    dist : ndarray of float64
        ``inf`` when no target lies within ``cutoff``; ``nan`` for unsnapped origins.
    label : ndarray of int64
    """
    n = origin_edge.shape[0]
    dist = np.full(n, np.inf)
    label = np.full(n, -1, np.int64)
    for o in range(n):
        e = origin_edge[o]
        if e < 0:
            dist[o] = np.nan
            continue
        t = origin_offset[o]
        s = origin_extra[o]
        best = np.inf
        best_label = -1
        dv = s + edge_length[e] - t + node_dist[edge_v[e]]
        if dv < best:
            best = dv
            best_label = node_label[edge_v[e]]
        if not edge_oneway[e]:
            du = s + t + node_dist[edge_u[e]]
            if du < best:
                best = du
                best_label = node_label[edge_u[e]]
        for j in range(target_ptr[e], target_ptr[e + 1]):
            dt = target_offset[j] - t
            if dt < 0.0 and edge_oneway[e]:
                continue
            dj = s + abs(dt) + target_extra[j]
            if dj < best:
                best = dj
                best_label = target_label[j]
        if best <= cutoff:
            dist[o] = best
            label[o] = best_label
    return dist, label


@nb.njit(cache=True)
def kth_at_origins(
    label_dist, label_id, edge_u, edge_v, edge_length, edge_oneway,
    target_ptr, target_offset, target_extra, target_label,
    origin_edge, origin_offset, origin_extra, k, cutoff,
):
    """Distance from each snapped origin to its ``k``-th nearest distinct target.

    ``label_dist``/``label_id`` come from
    :func:`~sitefinder.core.paths.k_nearest_labels` on the reversed graph. The
    ``k`` nearest labels of an origin are always among the ``k`` nearest of
    the two ends of its edge (plus targets on the edge itself), so merging
    those candidates is exact.

    Returns
    -------
    ndarray of float64
        ``inf`` when fewer than ``k`` targets lie within ``cutoff``; ``nan``
        for unsnapped origins.
    """
    n = origin_edge.shape[0]
    kk = label_dist.shape[1]
    out = np.full(n, np.inf)
    cand_d = np.empty(2 * kk + 64, np.float64)
    cand_l = np.empty(2 * kk + 64, np.int64)
    for o in range(n):
        e = origin_edge[o]
        if e < 0:
            out[o] = np.nan
            continue
        t = origin_offset[o]
        s = origin_extra[o]
        n_on_edge = target_ptr[e + 1] - target_ptr[e]
        if cand_d.shape[0] < 2 * kk + n_on_edge:
            cand_d = np.empty(2 * kk + n_on_edge, np.float64)
            cand_l = np.empty(2 * kk + n_on_edge, np.int64)
        m = 0
        v = edge_v[e]
        for j in range(kk):
            if label_id[v, j] >= 0:
                cand_d[m] = s + edge_length[e] - t + label_dist[v, j]
                cand_l[m] = label_id[v, j]
                m += 1
        if not edge_oneway[e]:
            u = edge_u[e]
            for j in range(kk):
                if label_id[u, j] >= 0:
                    cand_d[m] = s + t + label_dist[u, j]
                    cand_l[m] = label_id[u, j]
                    m += 1
        for j in range(target_ptr[e], target_ptr[e + 1]):
            dt = target_offset[j] - t
            if dt < 0.0 and edge_oneway[e]:
                continue
            cand_d[m] = s + abs(dt) + target_extra[j]
            cand_l[m] = target_label[j]
            m += 1
        out[o] = _kth_distinct(cand_d[:m], cand_l[:m], k, cutoff)
    return out


@nb.njit(cache=True)
def _kth_distinct(cand_d, cand_l, k, cutoff):
    """k-th smallest distance over distinct labels (each label at its minimum)."""
    order = np.argsort(cand_d, kind="mergesort")
    found = 0
    seen = np.empty(k, np.int64)
    for idx in order:
        d = cand_d[idx]
        if d > cutoff:
            break
        lab = cand_l[idx]
        dup = False
        for j in range(found):
            if seen[j] == lab:
                dup = True
                break
        if dup:
            continue
        seen[found] = lab
        found += 1
        if found == k:
            return d
    return np.inf
