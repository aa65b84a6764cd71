"""Score plots against a profile: measures -> transforms -> constraints -> aggregate.

The result is a :class:`ScoreTable`: explanation columns in a fixed order,
one row per input plot, in input order. Faces attach it to their layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.aggregate import points_lost, rank_scores, weighted_linear
from ..core.geometry import points_in_polygons
from ..core.transforms import apply_transform
from ..errors import InputError
from ..profiles import load_profile
from ..profiles.schema import Profile
from ..progress import Reporter
from .inputs import PlotArrays
from .measures import Origins, measure
from .study import Study

class Reasons:
    """Exclusion reasons per plot, each with a general form for summaries.

    ``add(i, "plot area 169 m² is below the minimum 400 m²", "plot area below the minimum 400 m²")``
    """

    def __init__(self, n: int) -> None:
        self.text: list[list[str]] = [[] for _ in range(n)]
        self.kind: list[list[str]] = [[] for _ in range(n)]

    def add(self, i: int, text: str, kind: str | None = None) -> None:
        self.text[i].append(text)
        self.kind[i].append(kind or text)

    def excluded(self) -> np.ndarray:
        return np.array([bool(t) for t in self.text], dtype=np.bool_)

    def joined(self) -> np.ndarray:
        return np.array(["; ".join(t) for t in self.text], dtype=object)

    def summary(self) -> dict[str, int]:
        """How many plots each kind of reason excludes, most common first."""
        counts: dict[str, int] = {}
        for kinds in self.kind:
            for k in set(kinds):
                counts[k] = counts.get(k, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


@dataclass
class ScoreTable:
    """Scores and their explanation, one row per plot.

    Attributes
    ----------
    columns : dict of str -> ndarray
        For each criterion ``c``: ``c_value``, ``c_score``, ``c_contribution``;
        then ``excluded``, ``exclusion_reason``, ``score`` (0–100), ``rank``
        (1 = best, 0 = excluded) and ``distance_mode`` ("network" when a
        walking network was used, "straight-line" when none was given).
    profile : Profile
    warnings : list of str
    exclusions : dict of str -> int
        How many plots each kind of exclusion reason applies to.
    """

    columns: dict[str, np.ndarray]
    profile: Profile
    warnings: list[str] = field(default_factory=list)
    exclusions: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.columns["score"].shape[0])

    def criterion_matrix(self, suffix: str) -> np.ndarray:
        """``(n_plots, n_criteria)`` array of ``<key>_<suffix>`` columns."""
        return np.column_stack([self.columns[f"{k}_{suffix}"] for k in self.profile.keys])

    def strongest_weakest(self) -> tuple[np.ndarray, np.ndarray]:
        """Per plot, the criterion adding the most points and the one costing the most.

        The weakest is ``None`` when no criterion costs any points (full marks).
        """
        keys = np.array(self.profile.keys, dtype=object)
        contrib = np.nan_to_num(self.criterion_matrix("contribution"), nan=-1.0)
        lost = points_lost(np.nan_to_num(self.criterion_matrix("score"), nan=0.0),
                           np.array([c.weight.value for c in self.profile.criteria]))
        weakest = keys[np.argmax(lost, axis=1)]
        weakest[lost.max(axis=1) <= 1e-9] = None
        return keys[np.argmax(contrib, axis=1)], weakest


def explanation_columns(profile: Profile) -> list[str]:
    """Names of the columns :func:`score_arrays` adds, in order."""
    cols = [f"{c.key}_{s}" for c in profile.criteria for s in ("value", "score", "contribution")]
    return cols + ["excluded", "exclusion_reason", "score", "rank", "distance_mode"]


def score_arrays(
    plots: PlotArrays,
    study: Study,
    profile: Profile | str,
    weights: dict[str, float] | None = None,
    reporter: Reporter | None = None,
) -> ScoreTable:
    """Score every plot with ``profile``.

    Parameters
    ----------
    plots : PlotArrays
    study : Study
        Network and features, in the plots' CRS.
    profile : Profile or str
        A profile or a built-in name / TOML path.
    weights : dict, optional
        Weight overrides by criterion key.
    reporter : Reporter, optional

    Returns
    -------
    ScoreTable
    """
    reporter = reporter or study.reporter
    profile = load_profile(profile).with_weights(weights or {})
    n = plots.n
    max_snap = profile.settings.max_snap_distance.value
    _check_categories(profile, study)
    usable = plots.usable
    if n and not usable.any():
        examples = "; ".join(f"row {i}: {plots.problem[i]}" for i in range(min(n, 3)))
        raise InputError(f"none of the {n} plots can be scored ({examples})")

    network_needed = any(c.metric == "network" and c.measure in ("nearest", "kth_nearest", "count", "sum")
                         for c in profile.criteria)
    gate = None
    if study.has_network and network_needed:
        with reporter.step("snapping plots to the network"):
            gate = study.snap_outlines(plots.outline, max_snap, plots.rep_x, plots.rep_y)
    elif network_needed:
        reporter.warn("no walking network given: network criteria are measured as straight-line distances")
    origins = Origins(plots, gate)

    reasons = Reasons(n)
    for i in np.flatnonzero(~usable):
        reasons.add(i, plots.problem[i], plots.problem[i].split(":")[0])
    if gate is not None:
        far = usable & (gate.edge < 0)
        for i in np.flatnonzero(far):
            reasons.add(i, f"no walkable way within {max_snap:g} m of the plot")

    columns: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    scores = np.empty((n, len(profile.criteria)))
    with reporter.step("measuring criteria", len(profile.criteria)):
        for j, crit in enumerate(profile.criteria):
            reporter.check_cancelled()
            raw = measure(crit, origins, study, max_snap)
            raw[~usable] = np.nan
            values[crit.key] = raw
            scores[:, j] = apply_transform(crit.transform.kind, raw, crit.transform.params)
            reporter.advance()

    for crit in profile.criteria:
        why = _MISSING_VALUE.get(crit.measure)
        if why:
            for i in np.flatnonzero(usable & np.isnan(values[crit.key])):
                reasons.add(i, f"{crit.label}: {why}")
    _apply_constraints(profile, plots, study, values, reasons, reporter)

    excluded = reasons.excluded()
    score, contribution = weighted_linear(np.where(excluded[:, None], np.nan, scores),
                                          np.array([c.weight.value for c in profile.criteria]), excluded)
    for j, crit in enumerate(profile.criteria):
        v = values[crit.key].copy()
        v[np.isinf(v)] = np.nan  # nothing within the cut-off: no value, scored at the curve's limit
        columns[f"{crit.key}_value"] = v
        columns[f"{crit.key}_score"] = scores[:, j]
        columns[f"{crit.key}_contribution"] = contribution[:, j]
    columns["excluded"] = excluded
    columns["exclusion_reason"] = reasons.joined()
    columns["score"] = score
    columns["rank"] = rank_scores(score)
    columns["distance_mode"] = np.full(n, "network" if gate is not None else "straight-line", dtype=object)
    return ScoreTable(columns, profile, list(reporter.warnings), reasons.summary())


# Why a usable plot can still have no value, for measures where that can happen.
_MISSING_VALUE = {
    "plot_area": "no value (plot area missing)",
    "attribute": "no value (attribute missing)",
    "slope": "no slope (the plot lies outside the terrain model, on its edge or on nodata)",
}


def _check_categories(profile: Profile, study: Study) -> None:
    missing = sorted(profile.categories() - set(study.features))
    if missing:
        users = [c.key for c in profile.criteria if set(c.categories) & set(missing)]
        users += [f"constraint {k.kind}" for k in profile.constraints if set(k.categories) & set(missing)]
        raise InputError(
            f"profile {profile.name!r} needs feature categories {', '.join(missing)} (for {', '.join(users)}), "
            f"but they were not given; available: {', '.join(sorted(study.features)) or 'none'}"
        )


def format_number(v: float) -> str:
    """A number as exclusion reasons write it: whole metres with a space as thousands separator."""
    return f"{v:,.0f}".replace(",", " ") if abs(v) >= 10 else f"{v:.3g}"


def _apply_constraints(
    profile: Profile, plots: PlotArrays, study: Study, values: dict[str, np.ndarray],
    reasons: Reasons, reporter: Reporter,
) -> None:
    usable = plots.usable
    for k in profile.constraints:
        if k.kind == "min_area":
            area = plots.area
            if np.all(np.isnan(area[usable])):
                reporter.warn(f"the minimum plot area ({k.value:g} m²) is not checked: the plots are points")
                continue
            for i in np.flatnonzero(usable & (area < k.value)):
                reasons.add(i, f"plot area {format_number(area[i])} m² is below the minimum {format_number(k.value)} m²",
                            f"plot area below the minimum {format_number(k.value)} m²")
        elif k.kind == "not_inside":
            polygons, _ = study.feature_polygons(k.categories)
            names = study.feature_names(k.categories)
            pt, poly = points_in_polygons(plots.rep_x, plots.rep_y, polygons)
            labels = " or ".join(study.category(c).label or c for c in k.categories)
            seen = set()
            for i, g in zip(pt, poly):
                if usable[i] and i not in seen:
                    seen.add(i)
                    name = names[g] if names[g] else ""
                    reasons.add(i, f"inside {labels.lower()}" + (f" ({name})" if name else ""), f"inside {labels.lower()}")
        else:
            crit = profile.criterion(k.criterion)
            v = values[crit.key]
            unit = f" {crit.unit}" if crit.unit in ("m", "m²", "°", "%") else ""
            cats = (study.with_min_weight(crit.categories, crit.min_weight.value)
                    if crit.min_weight is not None else crit.categories)
            what = " or ".join(study.category(c).label.lower() or c for c in cats) or crit.label
            how = "walk" if crit.metric == "network" and study.has_network else "straight line"
            for i in np.flatnonzero(usable & ~np.isnan(v)):
                if k.kind == "max_value" and v[i] > k.value:
                    if np.isinf(v[i]) and crit.measure in ("nearest", "kth_nearest"):
                        reasons.add(i, f"no {what} within {format_number(k.value)}{unit} ({how})")
                    else:
                        reasons.add(i, f"{crit.label}: {format_number(v[i])}{unit} is above the maximum {format_number(k.value)}{unit}",
                                    f"{crit.label}: above the maximum {format_number(k.value)}{unit}")
                elif k.kind == "min_value" and v[i] < k.value:
                    reasons.add(i, f"{crit.label}: {format_number(v[i])}{unit} is below the minimum {format_number(k.value)}{unit}",
                                f"{crit.label}: below the minimum {format_number(k.value)}{unit}")
