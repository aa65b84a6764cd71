"""Raw criterion values: one function per measure, dispatching to the core kernels.

Conventions for the returned arrays (one value per plot):

* a number — metres, a count, m² …;
* ``inf`` — nothing found within the search cut-off (the transform scores it
  at its limit);
* ``nan`` — cannot be measured for this plot (the reason is recorded by the
  caller).
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numba
import numpy as np

from ..core.access import group_by_edge, kth_at_origins, nearest_at_origins
from ..core.areal import area_weighted_sum
from ..core.euclidean import Exclusions, euclidean_kth, euclidean_nearest, euclidean_reach, make_exclusions
from ..core.geometry import points_in_polygons
from ..core.paths import (
    DECAY_EXPONENTIAL, DECAY_GAUSSIAN, DECAY_LINEAR, DECAY_NONE, reach_from_features, reach_from_origins, work_blocks,
)
from ..core.snap import Snapped
from ..core.terrain import plot_statistics
from ..errors import InputError
from ..profiles.schema import Criterion
from .inputs import PlotArrays
from .study import Study

_DECAY_KINDS = {"none": DECAY_NONE, "linear": DECAY_LINEAR, "exponential": DECAY_EXPONENTIAL, "gaussian": DECAY_GAUSSIAN}


class Origins(NamedTuple):
    """Where plots start from: their network gate (if any) and representative point."""

    plots: PlotArrays
    gate: Snapped | None


def measure(criterion: Criterion, origins: Origins, study: Study, max_snap: float) -> np.ndarray:
    """Raw values of ``criterion`` for every plot."""
    m = criterion.measure
    if m == "plot_area":
        return origins.plots.area.copy()
    if m == "attribute":
        return _attribute(criterion, origins.plots)
    if m == "slope":
        return _slope(criterion, origins.plots, study)
    if criterion.min_weight is not None:
        criterion = replace(criterion, categories=study.with_min_weight(criterion.categories,
                                                                         criterion.min_weight.value))
    if m == "area_weighted_sum":
        return _area_weighted(criterion, origins.plots, study)
    use_network = criterion.metric == "network" and study.has_network and origins.gate is not None
    fn = {
        ("nearest", True): _nearest_network, ("nearest", False): _nearest_euclidean,
        ("kth_nearest", True): _kth_network, ("kth_nearest", False): _kth_euclidean,
        ("count", True): _reach_network, ("count", False): _reach_euclidean,
        ("sum", True): _reach_network, ("sum", False): _reach_euclidean,
    }[(m, use_network)]
    return fn(criterion, origins, study, max_snap)


def _attribute(criterion: Criterion, plots: PlotArrays) -> np.ndarray:
    name = criterion.attribute
    if name not in plots.attributes:
        raise InputError(
            f"criterion {criterion.key!r} reads plot attribute {name!r}, but the plots have no such numeric column"
            f" (numeric columns: {', '.join(sorted(plots.attributes)) or 'none'})"
        )
    return np.asarray(plots.attributes[name], np.float64).copy()


def _zero_inside(criterion: Criterion, plots: PlotArrays, study: Study, dist: np.ndarray) -> np.ndarray:
    """Standing inside a park means being at the park: distance 0 for plots inside a polygon feature.

    Not applied when the criterion ignores features on the plot (the polygon
    around a building plot is then the plot's own building).
    """
    if criterion.exclude_features_on_plot:
        return dist
    polygons, _ = study.feature_polygons(criterion.categories)
    pt, _ = points_in_polygons(plots.rep_x, plots.rep_y, polygons)
    inside = np.zeros(plots.n, np.bool_)
    inside[pt] = True
    dist[inside & ~np.isnan(dist)] = 0.0
    return dist


def _nearest_network(criterion, origins, study, max_snap):
    g = study.graph
    cutoff = criterion.search_cutoff
    node_dist, node_label = study.node_nearest(criterion.categories, max_snap, cutoff)
    ep = study.edge_points(criterion.categories, max_snap)
    gate = origins.gate
    dist, _ = nearest_at_origins(
        node_dist, node_label, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
        ep.edge_ptr, ep.offset, ep.extra, ep.label, gate.edge, gate.offset, gate.distance, float(cutoff),
    )
    return _zero_inside(criterion, origins.plots, study, dist)


def _exclusions(criterion: Criterion, plots: PlotArrays, study: Study) -> Exclusions | None:
    """Features whose representative point stands on the plot itself, when the criterion ignores them."""
    if not criterion.exclude_features_on_plot:
        return None
    xs, ys = [], []
    for c in criterion.categories:
        f = study.category(c)
        xs.append(f.rep_x)
        ys.append(f.rep_y)
    fx, fy = np.concatenate(xs), np.concatenate(ys)
    feature, plot = points_in_polygons(fx, fy, plots.polygons)
    return make_exclusions(plots.n, plot, feature)


def _nearest_euclidean(criterion, origins, study, max_snap):
    plots = origins.plots
    index = study.point_index(criterion.categories)
    dist, _ = euclidean_nearest(index, plots.rep_x, plots.rep_y, criterion.search_cutoff, _exclusions(criterion, plots, study))
    return _zero_inside(criterion, plots, study, dist)


def _kth_network(criterion, origins, study, max_snap):
    g = study.graph
    k = int(criterion.k.value)
    cutoff = criterion.search_cutoff
    label_dist, label_id = study.node_k_nearest(criterion.categories, max_snap, k, cutoff)
    ep = study.edge_points(criterion.categories, max_snap)
    gate = origins.gate
    return kth_at_origins(
        label_dist, label_id, g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
        ep.edge_ptr, ep.offset, ep.extra, ep.label, gate.edge, gate.offset, gate.distance, k, float(cutoff),
    )


def _kth_euclidean(criterion, origins, study, max_snap):
    plots = origins.plots
    index = study.point_index(criterion.categories)
    return euclidean_kth(index, plots.rep_x, plots.rep_y, int(criterion.k.value), criterion.search_cutoff,
                         _exclusions(criterion, plots, study))


def _decay(criterion: Criterion) -> tuple[int, float]:
    if criterion.decay is None:
        return DECAY_NONE, 1.0
    return _DECAY_KINDS[criterion.decay.kind], float(criterion.decay.beta or 1.0)


def _result(criterion: Criterion, count: np.ndarray, total: np.ndarray) -> np.ndarray:
    if criterion.measure == "count" and (criterion.decay is None or criterion.decay.kind == "none"):
        out = count.astype(np.float64)
        out[np.isnan(total)] = np.nan
        return out
    return total


def _reach_network(criterion, origins, study, max_snap):
    g = study.graph
    ap = study.access_points(criterion.categories)
    weight = np.ascontiguousarray(ap.weight if criterion.measure == "sum" else np.ones(ap.n_features), np.float64)
    kind, beta = _decay(criterion)
    radius = float(criterion.radius.value)
    gate = origins.gate
    snapped, label = study.snapped_access(criterion.categories, max_snap)
    n_features = np.unique(label[snapped.edge >= 0]).shape[0]
    n_origins = int((gate.edge >= 0).sum())
    # One bounded search per feature or per plot, whichever side is smaller; same result.
    if n_features < n_origins:
        ok = snapped.edge >= 0
        order = np.argsort(label[ok], kind="stable")
        feat_ptr = np.zeros(ap.n_features + 1, np.int64)
        np.cumsum(np.bincount(label[ok], minlength=ap.n_features), out=feat_ptr[1:])
        og = group_by_edge(g.n_edges, gate.edge, gate.offset, gate.distance, np.arange(gate.edge.shape[0]))
        rg = study.reverse
        inc_ptr, inc_edge = study.incident_edges()
        count, total = reach_from_features(
            rg.indptr, rg.indices, rg.weights, inc_ptr, inc_edge,
            g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
            feat_ptr, snapped.edge[ok][order], snapped.offset[ok][order], snapped.distance[ok][order], weight,
            og.edge_ptr, og.offset, og.extra, og.label, gate.edge.shape[0], radius, kind, beta, work_blocks(), numba.get_num_threads(),
        )
    else:
        ep = study.edge_points(criterion.categories, max_snap)
        count, total = reach_from_origins(
            g.indptr, g.indices, g.weights, g.arc_edge, g.arc_forward,
            g.edge_u, g.edge_v, g.edge_length, g.edge_oneway,
            ep.edge_ptr, ep.offset, ep.extra, ep.label, weight,
            gate.edge, gate.offset, gate.distance, radius, kind, beta, work_blocks(),
        )
    return _result(criterion, count, total)


def _reach_euclidean(criterion, origins, study, max_snap):
    plots = origins.plots
    ap = study.access_points(criterion.categories)
    weight = ap.weight if criterion.measure == "sum" else np.ones(ap.n_features)
    kind, beta = _decay(criterion)
    count, total = euclidean_reach(
        study.point_index(criterion.categories), plots.rep_x, plots.rep_y, criterion.radius.value,
        weight, kind, beta, _exclusions(criterion, plots, study),
    )
    return _result(criterion, count, total)


def _slope(criterion: Criterion, plots: PlotArrays, study: Study) -> np.ndarray:
    """Mean or maximum terrain slope over each plot; ``nan`` where the DEM does not cover it.

    Raises
    ------
    InputError
        When the terrain model covers none of the plots (wrong tile or CRS).
    """
    slopes = study.slope(criterion.slope_unit)
    terrain = study.terrain
    mean, peak, _, outside = plot_statistics(slopes, terrain.grid, plots.rep_x, plots.rep_y, plots.polygons)
    usable = plots.usable
    if usable.any() and outside[usable].all():
        x0, y0, x1, y1 = terrain.bounds
        px, py = plots.rep_x[usable], plots.rep_y[usable]
        raise InputError(
            f"the terrain model {terrain.origin} covers none of the plots: it spans x {x0:.0f}–{x1:.0f}, "
            f"y {y0:.0f}–{y1:.0f}, the plots x {px.min():.0f}–{px.max():.0f}, y {py.min():.0f}–{py.max():.0f} "
            "(same CRS); give the DEM tile of the plots' area"
        )
    return (mean if criterion.statistic == "mean" else peak).copy()


def _area_weighted(criterion: Criterion, plots: PlotArrays, study: Study) -> np.ndarray:
    """Σ feature weight × share of the feature's area within ``radius`` of the plot's point."""
    polygons, _ = study.feature_polygons(criterion.categories)
    weight = study.feature_weights(criterion.categories)
    has_rings = np.diff(polygons.geom_ptr) > 0
    what = "/".join(criterion.categories)
    if not has_rings.any():
        raise InputError(f"criterion {criterion.key!r} sums areas, but the {what} features have no polygons "
                         "(give polygons, e.g. SSB's 250 m grid cells)")
    if not has_rings.all():
        study.reporter.warn(f"{int((~has_rings).sum())} of {has_rings.size} {what} features are not polygons and "
                            f"are ignored by criterion {criterion.key!r}")
    total, touched = area_weighted_sum(plots.rep_x, plots.rep_y, float(criterion.radius.value), polygons, weight)
    if plots.usable.any() and not touched[plots.usable].any():
        study.reporter.warn(f"no {what} polygon lies within {criterion.radius.value:g} m of any plot "
                            f"(criterion {criterion.key!r}): do the layers cover the same area?")
    return total
