"""Choose the best N sites under siting rules: minimum spacing and a cap on co-located units.

The småhus rules (see ``docs/decision.md`` and the ``[selection]`` table of
the småhus profiles): a chosen site holds a group of units (most often 2–3,
002:855); at most 4 units should stand together in one area (Sandnes' main
rule, 002:1632–1633; national guidance 6–8, 002:548–549), counting units that
already exist; and sites should be spread out (002:400–401).

**Greedy, documented**: plots are taken best score first (ties in input
order). A plot is chosen when

1. it lies at least ``min_spacing`` from every site already chosen, and
2. after adding its units, no chosen site — the plot itself included — has
   more than ``max_units`` units (existing plus chosen) within
   ``cap_radius``;

otherwise it is skipped with the reason, and the next plot is tried, until
``n_sites`` are chosen or the plots run out. Greedy is not guaranteed to
find the set with the highest total score (that is a hard combinatorial
problem), but each choice is the best plot still allowed, which is easy to
explain to a council: "the next best plot was too close to site 2".
Distances are straight lines between the plots' inner points (metres, in the
working CRS).

Pure numpy (and the core's grid index), so QGIS can call
:func:`select_sites` with arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.euclidean import build_point_index, euclidean_reach
from ..core.paths import DECAY_NONE

CHOSEN = "chosen"
SKIPPED_SPACING = "too close"
SKIPPED_CAP = "cap"


@dataclass
class SiteSelection:
    """Result of :func:`select_sites`.

    Attributes
    ----------
    chosen : ndarray of int
        Row positions of the chosen plots, in the order they were chosen.
    considered : ndarray of int
        Every plot looked at, in order (the chosen and the skipped).
    reason : ndarray of object, shape (n_plots,)
        ``""`` for plots not looked at; for the others what happened.
    existing_near : ndarray of float, shape (n_plots,)
        Existing units within ``cap_radius`` of each plot (``nan`` without a cap).
    units_near : ndarray of float, shape (n_plots,)
        For chosen plots: units (existing + chosen) within ``cap_radius`` at the end.
    cap_from_existing : ndarray of bool, shape (n_plots,)
        Plots skipped for the cap where existing units took part.
    """

    chosen: np.ndarray
    considered: np.ndarray
    reason: np.ndarray
    existing_near: np.ndarray
    units_near: np.ndarray
    cap_from_existing: np.ndarray


def existing_units_near(x: np.ndarray, y: np.ndarray, ex: np.ndarray, ey: np.ndarray, units: np.ndarray,
                        radius: float) -> np.ndarray:
    """Sum of existing units within ``radius`` (straight line, inclusive) of each point."""
    if np.asarray(ex).size == 0:
        return np.zeros(np.asarray(x).shape[0])
    index = build_point_index(np.asarray(ex, np.float64), np.asarray(ey, np.float64))
    _, total = euclidean_reach(index, x, y, float(radius), np.asarray(units, np.float64), DECAY_NONE, 1.0)
    return np.nan_to_num(total, nan=0.0)


def select_sites(
    x: np.ndarray, y: np.ndarray, score: np.ndarray, n_sites: int, *,
    min_spacing: float = 0.0, units_per_site: float | np.ndarray = 1.0,
    max_units: float | None = None, cap_radius: float | None = None,
    existing_x: np.ndarray | None = None, existing_y: np.ndarray | None = None,
    existing_units: np.ndarray | None = None,
) -> SiteSelection:
    """Greedy choice of the best ``n_sites`` plots under spacing and cap rules (see the module docstring).

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        A point inside each plot, in metres.
    score : ndarray, shape (n,)
        Scores; ``nan`` for excluded plots (never chosen).
    n_sites : int
    min_spacing : float
        Minimum distance between chosen sites (metres).
    units_per_site : float or ndarray
        Units a chosen site adds (one value, or one per plot).
    max_units, cap_radius : float, optional
        At most ``max_units`` units within ``cap_radius`` of any chosen site.
    existing_x, existing_y, existing_units : ndarray, optional
        Units that exist already (points, and how many units each; default 1).
    """
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    score = np.asarray(score, np.float64)
    n = x.shape[0]
    units = np.broadcast_to(np.asarray(units_per_site, np.float64), (n,)).copy()
    capped = max_units is not None and cap_radius is not None
    ex = np.empty(0) if existing_x is None else np.asarray(existing_x, np.float64)
    ey = np.empty(0) if existing_y is None else np.asarray(existing_y, np.float64)
    eu = np.ones(ex.shape[0]) if existing_units is None else np.asarray(existing_units, np.float64)
    ok = ~np.isnan(score) & np.isfinite(x) & np.isfinite(y)
    existing_near = np.full(n, np.nan)
    if capped:
        existing_near[ok] = existing_units_near(x[ok], y[ok], ex, ey, eu, cap_radius)
    order = np.flatnonzero(ok)[np.argsort(-score[ok], kind="stable")]
    reason = np.full(n, "", dtype=object)
    units_near = np.full(n, np.nan)
    from_existing = np.zeros(n, np.bool_)
    chosen: list[int] = []
    load: list[float] = []  # units within cap_radius of each chosen site
    considered = []
    for i in order:
        if len(chosen) >= n_sites:
            break
        considered.append(i)
        if chosen:
            cx, cy = x[chosen], y[chosen]
            d = np.hypot(cx - x[i], cy - y[i])
        else:
            d = np.empty(0)
        if min_spacing > 0 and d.size and d.min() < min_spacing:
            k = int(np.argmin(d))
            reason[i] = f"{SKIPPED_SPACING}: {d[k]:.0f} m from chosen site {k + 1} (minimum {min_spacing:g} m)"
            continue
        if capped:
            near = d <= cap_radius
            own = existing_near[i] + units[i] + units[chosen][near].sum() if chosen else existing_near[i] + units[i]
            others = np.asarray(load)[near] + units[i] if chosen else np.empty(0)
            if own > max_units or (others.size and others.max() > max_units):
                if own > max_units:
                    what = f"{own:g} units within {cap_radius:g} m of this plot"
                    from_existing[i] = existing_near[i] > 0
                else:
                    k = int(np.flatnonzero(near)[np.argmax(others)])
                    what = f"{others.max():g} units within {cap_radius:g} m of chosen site {k + 1}"
                    from_existing[i] = existing_near[chosen[k]] > 0
                reason[i] = f"{SKIPPED_CAP}: {what} (at most {max_units:g})"
                continue
            for k in np.flatnonzero(near):
                load[k] += units[i]
            load.append(own)
        chosen.append(int(i))
        reason[i] = f"{CHOSEN} as site {len(chosen)}"
    if capped:
        for k, i in enumerate(chosen):
            units_near[i] = load[k]
    return SiteSelection(np.array(chosen, np.int64), np.array(considered, np.int64), reason, existing_near,
                         units_near, from_existing)


@dataclass
class TopSites:
    """Result of :func:`top_sites`: the chosen sites and the plots passed over, as tables.

    Attributes
    ----------
    chosen : DataFrame
        One row per chosen site, in the order chosen: ``site`` (1, 2 …),
        ``plot``, ``row``, ``score``, ``rank``, ``units`` and, with a cap,
        ``units_within_cap`` (withheld when existing units are sensitive).
    skipped : DataFrame
        Better-scored plots that were passed over, with the ``reason``.
    rules : dict
        The rules applied and where each value comes from.
    selection : SiteSelection
        The array result.
    """

    chosen: object
    skipped: object
    rules: dict
    selection: SiteSelection


CAP_WITHHELD = f"{SKIPPED_CAP}: too many units within the cap radius, counting existing units (details withheld)"


def top_sites(scored, n_sites: int = 10, *, profile=None, id_column: str | None = None,
              min_spacing: float | None = None, units_per_site: float | str | None = None,
              max_units: float | None = None, cap_radius: float | None = None,
              existing=None, existing_units_column: str | None = None,
              include_sensitive: bool = False) -> TopSites:
    """Choose the best ``n_sites`` scored plots under the profile's ``[selection]`` rules.

    Parameters
    ----------
    scored : GeoDataFrame
        Output of :func:`sitefinder.score` or :func:`sitefinder.read_scored`.
    n_sites : int
    profile : optional
        Default: the profile recorded with the scores; its ``[selection]``
        table gives the defaults of the rules below.
    min_spacing, max_units, cap_radius : float, optional
        Override the profile's rules (metres, units).
    units_per_site : float or str, optional
        Units each site adds, or the name of a plot column holding them.
    existing : path or GeoDataFrame, optional
        Units that exist already (points or polygons). This layer is
        sensitive: its locations and the counts near each plot are withheld
        from the result unless ``include_sensitive``.
    existing_units_column : str, optional
        Column of ``existing`` with the number of units at each location (default 1 each).
    """
    import pandas as pd

    from ..adapters.crs import metric_crs, to_crs
    from ..adapters.vector import read_layer
    from ..errors import InputError
    from .scored import plot_labels, scored_profile

    profile = scored_profile(scored, profile)
    sel = profile.selection

    def rule(value, sourced, default):
        if value is not None:
            return float(value), "user"
        if sourced is not None:
            return sourced.value, sourced.source
        return default, "default"

    spacing, spacing_src = rule(min_spacing, sel.min_spacing, 0.0)
    cap, cap_src = rule(max_units, sel.max_units, None)
    radius, radius_src = rule(cap_radius, sel.cap_radius, None)
    if (cap is None) != (radius is None):
        raise InputError("a cap needs both max_units and cap_radius (at most max_units within cap_radius)")
    if n_sites < 1:
        raise InputError(f"the number of sites must be at least 1, got {n_sites}")
    crs = metric_crs(scored, "scored plots")
    rep = to_crs(scored[[scored.geometry.name]], crs, "scored plots").geometry.representative_point()
    x, y = rep.x.to_numpy(), rep.y.to_numpy()
    if isinstance(units_per_site, str):
        if units_per_site not in scored.columns:
            raise InputError(f"the scored plots have no column {units_per_site!r} for the units per site")
        units = pd.to_numeric(scored[units_per_site], errors="coerce").fillna(0).to_numpy(np.float64)
        units_src = f"column {units_per_site}"
    else:
        units, units_src = rule(units_per_site, sel.units_per_site, 1.0)
    ex = ey = eu = None
    if existing is not None:
        gdf = to_crs(read_layer(existing, "existing units"), crs, "existing units")
        gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
        pts = gdf.geometry.representative_point()
        ex, ey = pts.x.to_numpy(), pts.y.to_numpy()
        if existing_units_column is not None:
            if existing_units_column not in gdf.columns:
                raise InputError(f"the existing units layer has no column {existing_units_column!r}")
            eu = pd.to_numeric(gdf[existing_units_column], errors="coerce").fillna(1).to_numpy(np.float64)
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(np.float64, copy=True)
    score[scored["excluded"].to_numpy(bool)] = np.nan
    result = select_sites(x, y, score, n_sites, min_spacing=spacing, units_per_site=units, max_units=cap,
                          cap_radius=radius, existing_x=ex, existing_y=ey, existing_units=eu)
    labels, _ = plot_labels(scored, id_column)
    hide = existing is not None and not include_sensitive
    unit_arr = np.broadcast_to(np.asarray(units, np.float64), (len(scored),))
    rank = pd.to_numeric(scored["rank"], errors="coerce").to_numpy() if "rank" in scored.columns else np.nan
    rows = result.chosen
    chosen = pd.DataFrame({
        "site": np.arange(1, rows.size + 1), "plot": labels[rows], "row": rows, "score": score[rows],
        "rank": np.asarray(rank)[rows] if "rank" in scored.columns else np.nan, "units": unit_arr[rows],
    })
    if cap is not None and not hide:
        chosen["units_within_cap"] = result.units_near[rows]
    skipped_rows = np.array([i for i in result.considered if i not in set(rows.tolist())], np.int64)
    reasons = result.reason[skipped_rows].copy()
    if hide:
        reasons[result.cap_from_existing[skipped_rows]] = CAP_WITHHELD
    skipped = pd.DataFrame({"plot": labels[skipped_rows], "row": skipped_rows, "score": score[skipped_rows],
                            "reason": reasons})
    rules = {"n_sites": n_sites, "min_spacing": (spacing, spacing_src),
             "units_per_site": (units if isinstance(units, float) else None, units_src),
             "max_units": (cap, cap_src), "cap_radius": (radius, radius_src),
             "existing_units": "given (sensitive, withheld)" if hide else ("given" if existing is not None else "none")}
    return TopSites(chosen, skipped, rules, result)
