"""Straight-line (Euclidean) proximity kernels, for when no network is given.

They answer the same three questions as the network kernels — nearest,
k-th nearest, count / weighted sum within a radius — over a bucket grid of
the feature points. This is a KD-tree's job done with a uniform grid so that
the core stays numpy + numba only (it must run inside QGIS); the tests check
it against :class:`scipy.spatial.cKDTree`.

Every kernel accepts per-origin *exclusions*: labels that must not count for
that origin (e.g. the buildings standing on the plot itself when measuring
the distance to neighbours).
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ._grid import Grid, build_grid, ring_lower_bound, ring_start
from .paths import _decay, work_blocks


class PointIndex(NamedTuple):
    """Feature points in a bucket grid. ``label`` says which feature each point belongs to."""

    x: np.ndarray
    y: np.ndarray
    label: np.ndarray
    grid: Grid


class Exclusions(NamedTuple):
    """Labels excluded per origin: ``label[ptr[o]:ptr[o + 1]]`` (sorted) for origin ``o``."""

    ptr: np.ndarray
    label: np.ndarray


def no_exclusions(n_origins: int) -> Exclusions:
    """Exclusions with nothing excluded."""
    return Exclusions(np.zeros(n_origins + 1, np.int64), np.empty(0, np.int64))


def make_exclusions(n_origins: int, origin: np.ndarray, label: np.ndarray) -> Exclusions:
    """Build exclusions from (origin, label) pairs."""
    origin = np.asarray(origin, np.int64)
    label = np.asarray(label, np.int64)
    order = np.lexsort((label, origin))
    ptr = np.zeros(n_origins + 1, np.int64)
    np.cumsum(np.bincount(origin, minlength=n_origins), out=ptr[1:])
    return Exclusions(ptr, np.ascontiguousarray(label[order]))


def build_point_index(x: np.ndarray, y: np.ndarray, label: np.ndarray | None = None) -> PointIndex:
    """Bucket feature points; ``label`` defaults to the point's own index."""
    x = np.ascontiguousarray(x, np.float64)
    y = np.ascontiguousarray(y, np.float64)
    label = np.arange(x.shape[0], dtype=np.int64) if label is None else np.ascontiguousarray(label, np.int64)
    if x.size:
        area = max((x.max() - x.min()) * (y.max() - y.min()), 1.0)
        typical = max(np.sqrt(area / x.size) * 2.0, 1.0)
    else:
        typical = 1.0
    return PointIndex(x, y, label, build_grid(x, y, x, y, typical))


@nb.njit(cache=True)
def _excluded(lab, ptr, excl, o):
    lo = ptr[o]
    hi = ptr[o + 1]
    while lo < hi:  # binary search in the sorted slice
        mid = (lo + hi) >> 1
        if excl[mid] < lab:
            lo = mid + 1
        else:
            hi = mid
    return lo < ptr[o + 1] and excl[lo] == lab


@nb.njit(cache=True)
def _nearest(px, py, ix, iy, ilab, xmin, ymin, cell, nx, ny, cell_ptr, items, cutoff, eptr, elab):
    n = px.shape[0]
    dist = np.full(n, np.inf)
    label = np.full(n, -1, np.int64)
    for o in range(n):
        if not (np.isfinite(px[o]) and np.isfinite(py[o])):
            dist[o] = np.nan
            continue
        cx, cy, r = ring_start(px[o], py[o], xmin, ymin, cell, nx, ny)
        r_max = max(nx, ny) + abs(cx) + abs(cy) + 1
        best = np.inf
        best_lab = -1
        while r <= r_max and ring_lower_bound(px[o], py[o], cx, cy, r, xmin, ymin, cell) <= min(best, cutoff):
            for gy in range(max(cy - r, 0), min(cy + r, ny - 1) + 1):
                edge_row = gy == cy - r or gy == cy + r
                gx = cx - r
                while gx <= cx + r:
                    if 0 <= gx < nx:
                        c = gy * nx + gx
                        for j in range(cell_ptr[c], cell_ptr[c + 1]):
                            it = items[j]
                            d = np.hypot(px[o] - ix[it], py[o] - iy[it])
                            if d < best or (d == best and ilab[it] < best_lab):
                                if not _excluded(ilab[it], eptr, elab, o):
                                    best = d
                                    best_lab = ilab[it]
                    gx += 1 if (edge_row or r == 0) else 2 * r
            r += 1
        if best <= cutoff:
            dist[o] = best
            label[o] = best_lab
    return dist, label


@nb.njit(cache=True)
def _kth(px, py, ix, iy, ilab, xmin, ymin, cell, nx, ny, cell_ptr, items, k, cutoff, eptr, elab):
    n = px.shape[0]
    out = np.full(n, np.inf)
    for o in range(n):
        if not (np.isfinite(px[o]) and np.isfinite(py[o])):
            out[o] = np.nan
            continue
        top_d = np.full(k, np.inf)  # sorted k smallest distances, one per label
        top_l = np.full(k, -1, np.int64)
        cx, cy, r = ring_start(px[o], py[o], xmin, ymin, cell, nx, ny)
        r_max = max(nx, ny) + abs(cx) + abs(cy) + 1
        while r <= r_max and ring_lower_bound(px[o], py[o], cx, cy, r, xmin, ymin, cell) <= min(top_d[k - 1], cutoff):
            for gy in range(max(cy - r, 0), min(cy + r, ny - 1) + 1):
                edge_row = gy == cy - r or gy == cy + r
                gx = cx - r
                while gx <= cx + r:
                    if 0 <= gx < nx:
                        c = gy * nx + gx
                        for j in range(cell_ptr[c], cell_ptr[c + 1]):
                            it = items[j]
                            d = np.hypot(px[o] - ix[it], py[o] - iy[it])
                            lab = ilab[it]
                            if d >= top_d[k - 1] or _excluded(lab, eptr, elab, o):
                                continue
                            # Keep one entry per label, at its smallest distance.
                            pos = -1
                            for q in range(k):
                                if top_l[q] == lab:
                                    pos = q
                                    break
                            if pos >= 0:
                                if d >= top_d[pos]:
                                    continue
                                for q in range(pos, k - 1):
                                    top_d[q] = top_d[q + 1]
                                    top_l[q] = top_l[q + 1]
                                top_d[k - 1] = np.inf
                                top_l[k - 1] = -1
                            q = k - 1
                            while q > 0 and top_d[q - 1] > d:
                                top_d[q] = top_d[q - 1]
                                top_l[q] = top_l[q - 1]
                                q -= 1
                            top_d[q] = d
                            top_l[q] = lab
                    gx += 1 if (edge_row or r == 0) else 2 * r
            r += 1
        if top_d[k - 1] <= cutoff:
            out[o] = top_d[k - 1]
    return out


@nb.njit(cache=True, parallel=True)
def _reach(px, py, ix, iy, ilab, label_weight, xmin, ymin, cell, nx, ny, cell_ptr, items, radius, decay_kind, beta, eptr, elab,
           n_blocks):
    n = px.shape[0]
    count = np.zeros(n, np.int64)
    total = np.full(n, np.nan)
    n_labels = label_weight.shape[0]
    n_blocks = max(min(n, n_blocks), 1)
    for block in nb.prange(n_blocks):
        best = np.full(n_labels, np.inf)
        touched = np.empty(n_labels, np.int64)
        for o in range(block * n // n_blocks, (block + 1) * n // n_blocks):
            if not (np.isfinite(px[o]) and np.isfinite(py[o])):
                continue
            gx0 = max(int(np.floor((px[o] - radius - xmin) / cell)), 0)
            gx1 = min(int(np.floor((px[o] + radius - xmin) / cell)), nx - 1)
            gy0 = max(int(np.floor((py[o] - radius - ymin) / cell)), 0)
            gy1 = min(int(np.floor((py[o] + radius - ymin) / cell)), ny - 1)
            m = 0
            for gy in range(gy0, gy1 + 1):
                for gx in range(gx0, gx1 + 1):
                    c = gy * nx + gx
                    for j in range(cell_ptr[c], cell_ptr[c + 1]):
                        it = items[j]
                        d = np.hypot(px[o] - ix[it], py[o] - iy[it])
                        lab = ilab[it]
                        if d <= radius and d < best[lab] and not _excluded(lab, eptr, elab, o):
                            if best[lab] == np.inf:
                                touched[m] = lab
                                m += 1
                            best[lab] = d
            acc = 0.0
            for q in range(m):
                lab = touched[q]
                acc += label_weight[lab] * _decay(best[lab], radius, decay_kind, beta)
                best[lab] = np.inf
            count[o] = m
            total[o] = acc
    return count, total


def _args(index: PointIndex):
    g = index.grid
    return index.x, index.y, index.label, g.xmin, g.ymin, g.cell, g.nx, g.ny, g.cell_ptr, g.items


def euclidean_nearest(index: PointIndex, px, py, cutoff: float = np.inf, exclusions: Exclusions | None = None):
    """Straight-line distance from each origin to the nearest feature point.

    Returns
    -------
    dist : ndarray of float64
        ``inf`` when nothing lies within ``cutoff``; ``nan`` for non-finite origins.
    label : ndarray of int64
        Label of the nearest point (-1 if none).
    """
    px = np.ascontiguousarray(px, np.float64)
    py = np.ascontiguousarray(py, np.float64)
    ex = exclusions or no_exclusions(px.shape[0])
    return _nearest(px, py, *_args(index), float(cutoff), ex.ptr, ex.label)


def euclidean_kth(index: PointIndex, px, py, k: int, cutoff: float = np.inf, exclusions: Exclusions | None = None):
    """Straight-line distance to the ``k``-th nearest distinct label (``inf`` if fewer within ``cutoff``)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    px = np.ascontiguousarray(px, np.float64)
    py = np.ascontiguousarray(py, np.float64)
    ex = exclusions or no_exclusions(px.shape[0])
    return _kth(px, py, *_args(index), int(k), float(cutoff), ex.ptr, ex.label)


def euclidean_reach(
    index: PointIndex, px, py, radius: float, label_weight=None, decay_kind: int = 0, decay_beta: float = 1.0,
    exclusions: Exclusions | None = None,
):
    """Count distinct labels within ``radius`` and the sum of their (decayed) weights.

    Returns
    -------
    count : ndarray of int64
    total : ndarray of float64
        ``nan`` for non-finite origins.
    """
    px = np.ascontiguousarray(px, np.float64)
    py = np.ascontiguousarray(py, np.float64)
    n_labels = int(index.label.max()) + 1 if index.label.size else 0
    w = np.ones(n_labels) if label_weight is None else np.ascontiguousarray(label_weight, np.float64)
    ex = exclusions or no_exclusions(px.shape[0])
    x, y, lab, xmin, ymin, cell, nx, ny, cell_ptr, items = _args(index)
    return _reach(px, py, x, y, lab, w, xmin, ymin, cell, nx, ny, cell_ptr, items,
                  float(radius), int(decay_kind), float(decay_beta), ex.ptr, ex.label, work_blocks())
