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

Pure numpy (and the core's grid index) up to :func:`site_records`, so the
QGIS plugin applies the same rules with arrays; :func:`top_sites` is the
GeoDataFrame face.
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


@dataclass
class SiteRules:
    """The siting rules resolved against a profile's ``[selection]`` table.

    Each ``(value, source)`` pair says where the value comes from: ``"user"``
    (given by the caller), the profile's ``source``, or ``"default"``.
    ``units_per_site`` is ``(None, "column NAME")`` when the units come from a plot column.
    """

    n_sites: int
    min_spacing: tuple
    units_per_site: tuple
    max_units: tuple
    cap_radius: tuple

    def as_dict(self, existing_given: bool, hide_existing: bool) -> dict:
        """The rules as the report lists them, with whether existing units were counted (and withheld)."""
        existing = "given (sensitive, withheld)" if hide_existing else ("given" if existing_given else "none")
        return {"n_sites": self.n_sites, "min_spacing": self.min_spacing, "units_per_site": self.units_per_site,
                "max_units": self.max_units, "cap_radius": self.cap_radius, "existing_units": existing}


def resolve_rules(profile, n_sites: int, *, min_spacing: float | None = None, max_units: float | None = None,
                  cap_radius: float | None = None, units_per_site: float | None = None,
                  units_column: str | None = None) -> SiteRules:
    """The rules to apply: each value given here, else the profile's ``[selection]``, else the default.

    Raises
    ------
    InputError
        Fewer than one site, or a cap with only one of ``max_units`` and ``cap_radius``.
    """
    from ..errors import InputError

    sel = profile.selection

    def rule(value, sourced, default):
        if value is not None:
            return float(value), "user"
        if sourced is not None:
            return sourced.value, sourced.source
        return default, "default"

    if n_sites < 1:
        raise InputError(f"the number of sites must be at least 1, got {n_sites}")
    cap, radius = rule(max_units, sel.max_units, None), rule(cap_radius, sel.cap_radius, None)
    if (cap[0] is None) != (radius[0] is None):
        raise InputError("a cap needs both max_units and cap_radius (at most max_units within cap_radius)")
    units = (None, f"column {units_column}") if units_column else rule(units_per_site, sel.units_per_site, 1.0)
    return SiteRules(n_sites, rule(min_spacing, sel.min_spacing, 0.0), units, cap, radius)


def choose_sites(rules: SiteRules, x: np.ndarray, y: np.ndarray, score: np.ndarray, excluded: np.ndarray, *,
                 units: np.ndarray | None = None, existing_x: np.ndarray | None = None,
                 existing_y: np.ndarray | None = None, existing_units: np.ndarray | None = None) -> SiteSelection:
    """:func:`select_sites` under resolved ``rules``; excluded plots are never chosen.

    ``units`` (one per plot) is needed when the rules take the units from a column.
    """
    score = np.asarray(score, np.float64).copy()
    score[np.asarray(excluded, np.bool_)] = np.nan
    per_site = rules.units_per_site[0] if units is None else units
    return select_sites(x, y, score, rules.n_sites, min_spacing=rules.min_spacing[0], units_per_site=per_site,
                        max_units=rules.max_units[0], cap_radius=rules.cap_radius[0], existing_x=existing_x,
                        existing_y=existing_y, existing_units=existing_units)


def site_records(result: SiteSelection, rules: SiteRules, labels: np.ndarray, score: np.ndarray, rank: np.ndarray,
                 units: np.ndarray, *, hide_existing: bool) -> tuple[list[dict], list[dict]]:
    """The chosen sites and the better-scored plots passed over, as rows (dicts) for tables.

    With ``hide_existing`` (existing units given and sensitive) the units within
    the cap radius are left out and cap reasons that involve existing units are
    replaced by :data:`CAP_WITHHELD`.
    """
    chosen = []
    for k, i in enumerate(result.chosen.tolist()):
        row = {"site": k + 1, "plot": labels[i], "row": i, "score": float(score[i]), "rank": float(rank[i]),
               "units": float(units[i])}
        if rules.max_units[0] is not None and not hide_existing:
            row["units_within_cap"] = float(result.units_near[i])
        chosen.append(row)
    taken = set(result.chosen.tolist())
    skipped = []
    for i in result.considered.tolist():
        if i in taken:
            continue
        reason = CAP_WITHHELD if hide_existing and result.cap_from_existing[i] else result.reason[i]
        skipped.append({"plot": labels[i], "row": i, "score": float(score[i]), "reason": reason})
    return chosen, skipped


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

    Examples
    --------
    >>> sites = sitefinder.top_sites(scored, 5, min_spacing=500)  # doctest: +SKIP
    >>> sites.chosen[["site", "plot", "score"]]  # doctest: +SKIP
    """
    import pandas as pd

    from ..adapters.crs import metric_crs, to_crs
    from ..adapters.vector import read_layer
    from ..errors import InputError
    from .scored import plot_labels, scored_profile

    profile = scored_profile(scored, profile)
    column = units_per_site if isinstance(units_per_site, str) else None
    rules = resolve_rules(profile, n_sites, min_spacing=min_spacing, max_units=max_units, cap_radius=cap_radius,
                          units_per_site=None if column else units_per_site, units_column=column)
    crs = metric_crs(scored, "scored plots")
    rep = to_crs(scored[[scored.geometry.name]], crs, "scored plots").geometry.representative_point()
    if column is not None:
        if column not in scored.columns:
            raise InputError(f"the scored plots have no column {column!r} for the units per site")
        units = pd.to_numeric(scored[column], errors="coerce").fillna(0).to_numpy(np.float64)
    else:
        units = np.full(len(scored), rules.units_per_site[0], np.float64)
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
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(np.float64)
    result = choose_sites(rules, rep.x.to_numpy(), rep.y.to_numpy(), score, scored["excluded"].to_numpy(bool),
                          units=units, existing_x=ex, existing_y=ey, existing_units=eu)
    labels, _ = plot_labels(scored, id_column)
    rank = (pd.to_numeric(scored["rank"], errors="coerce").to_numpy(np.float64) if "rank" in scored.columns
            else np.full(len(scored), np.nan))
    hide = existing is not None and not include_sensitive
    chosen, skipped = site_records(result, rules, labels, score, rank, units, hide_existing=hide)
    columns = ["site", "plot", "row", "score", "rank", "units"] + (
        ["units_within_cap"] if rules.max_units[0] is not None and not hide else [])
    return TopSites(pd.DataFrame(chosen, columns=columns),
                    pd.DataFrame(skipped, columns=["plot", "row", "score", "reason"]),
                    rules.as_dict(existing is not None, hide), result)
