"""A growable 4-ary min-heap on parallel arrays, for numba kernels.

Keys are float64 distances, values int64 payloads. Dijkstra kernels use it
with lazy deletion: a node may be pushed more than once and stale entries are
skipped when popped. A 4-ary heap is shallower than a binary one and touches
fewer cache lines per operation on road graphs.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def heap_grow(keys: np.ndarray, vals: np.ndarray, size: int):
    """The heap arrays with twice the room, the first ``size`` entries kept."""
    new_keys = np.empty(max(2 * keys.shape[0], 16), keys.dtype)
    new_vals = np.empty(max(2 * vals.shape[0], 16), vals.dtype)
    for i in range(size):  # a loop compiles faster than a slice copy
        new_keys[i] = keys[i]
        new_vals[i] = vals[i]
    return new_keys, new_vals


@nb.njit(cache=True)
def heap_push(keys: np.ndarray, vals: np.ndarray, size: int, key: float, val: int) -> int:
    """Push ``(key, val)``; returns the new size. The caller makes sure there is room.

    Kernels size the arrays for a bound (a Dijkstra with push-on-improvement
    pushes at most once per arc plus once per start) or grow them with
    :func:`heap_grow` outside their hot loop: rebinding arrays inside a loop
    makes numba count references on every iteration, which cost a factor 3-5.
    """
    i = size
    while i > 0:
        parent = (i - 1) >> 2
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val
    return size + 1


@nb.njit(cache=True)
def heap_pop(keys: np.ndarray, vals: np.ndarray, size: int):
    """Remove the smallest entry; returns ``(key, val, size)``."""
    key = keys[0]
    val = vals[0]
    size -= 1
    if size > 0:
        last_key = keys[size]
        last_val = vals[size]
        i = 0
        while True:
            first = 4 * i + 1
            if first >= size:
                break
            best = first
            stop = min(first + 4, size)
            for c in range(first + 1, stop):
                if keys[c] < keys[best]:
                    best = c
            if keys[best] >= last_key:
                break
            keys[i] = keys[best]
            vals[i] = vals[best]
            i = best
        keys[i] = last_key
        vals[i] = last_val
    return key, val, size
