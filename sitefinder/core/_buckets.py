"""A circular bucket queue (Dial's queue with float distances), for numba kernels.

An entry ``(node, distance)`` waits in bucket ``int(distance / width)``,
kept in slot ``bucket % n_slots`` of a circular array ``head`` of singly
linked lists. Entries live in a pool of parallel arrays (node, distance,
next entry in the same slot), appended in order (push: ``e_next[k] =
head[slot]; head[slot] = k``; pop: the reverse; both are written out in the
kernels). When a node improves, it gets a new entry and the old one goes
stale (the search skips entries whose distance
is no longer the node's). Push and pop are O(1) and touch a few words where
a heap moves ``log n`` entries: on road graphs a search runs about twice as
fast as with a 4-ary heap, and faster than scipy's Fibonacci heap.

Searches scan buckets in increasing order and, inside a bucket, correct
labels: a node scanned and then improved by another node of the same bucket
(possible only over an arc shorter than ``width``) is queued again. So the
distances are exact, never rounded to a bucket.

The circular array must span every distance queued at once:
``n_slots > (longest arc + spread of the seed distances) / width``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

MAX_SLOTS = 1 << 22  # bound on the circular array (the width grows instead)


@nb.njit(cache=True)
def bucket_layout(weights, seed_span):
    """Bucket width and number of slots (a power of two) for a graph's arc weights.

    The width is half the median arc weight (estimated from at most 4096
    evenly spaced arcs): most arcs are longer than a bucket, so re-scans are
    rare, and buckets are not so thin that the search scans many empty
    ones. The slots span the longest arc plus ``seed_span``.
    """
    n = weights.shape[0]
    longest = 0.0
    for a in range(n):
        if weights[a] > longest:
            longest = weights[a]
    step = max(n // 4096, 1)
    sample = weights[::step].copy()
    positive = sample[sample > 0.0]
    width = 0.5 * np.median(positive) if positive.shape[0] else 1.0
    span = longest + seed_span
    if span / width > MAX_SLOTS - 2:
        width = span / (MAX_SLOTS - 2)
    return width, slots_for(span / width)


@nb.njit(cache=True)
def slots_for(n_buckets):
    """Smallest power of two above ``n_buckets + 1`` (so slot = bucket & (n_slots - 1))."""
    needed = int(n_buckets) + 2
    n_slots = 1
    while n_slots < needed:
        n_slots *= 2
    return n_slots


@nb.njit(cache=True)
def pool_grow(e_node, e_dist, e_next):
    """The pool arrays with 1.5 times the room, entries kept."""
    cap = e_node.shape[0] + e_node.shape[0] // 2 + 16
    new_node = np.empty(cap, e_node.dtype)
    new_dist = np.empty(cap, e_dist.dtype)
    new_next = np.empty(cap, e_next.dtype)
    for i in range(e_node.shape[0]):  # a loop compiles faster than slice copies
        new_node[i] = e_node[i]
        new_dist[i] = e_dist[i]
        new_next[i] = e_next[i]
    return new_node, new_dist, new_next
