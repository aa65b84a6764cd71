"""Profile data model and validation.

A profile is a TOML document (see ``docs/profiles.md``). Loading validates
every key and fails with a :class:`~sitefinder.errors.ProfileError` whose
message names the offending key, e.g.
``criteria.bus.transform.zero: must be a number, got "far"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..core.transforms import TRANSFORMS, saturation_point
from ..core.weights import (
    MAX_CONSISTENCY_RATIO, ahp_weights, check_comparison_matrix, rank_order_centroid_weights, rank_sum_weights,
)
from ..errors import ProfileError

MEASURES = ("nearest", "kth_nearest", "count", "sum", "plot_area", "attribute", "area_weighted_sum", "slope")
FEATURE_MEASURES = ("nearest", "kth_nearest", "count", "sum", "area_weighted_sum")
METRICS = ("network", "euclidean")
DECAYS = ("none", "linear", "exponential", "gaussian")
SLOPE_STATISTICS = ("mean", "max")
SLOPE_UNITS = ("degrees", "percent")
CONSTRAINT_KINDS = ("min_area", "not_inside", "max_value", "min_value")
WEIGHT_METHODS = ("direct", "ahp", "rank_sum", "roc")
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Sourced:
    """A number and where it comes from: a source id or ``"assumption"``."""

    value: float
    source: str


@dataclass(frozen=True)
class TransformSpec:
    """A value function and its parameters (one ``source`` covers the curve)."""

    kind: str
    params: dict[str, Any]
    source: str

    def saturation(self) -> float:
        return saturation_point(self.kind, self.params)


@dataclass(frozen=True)
class Decay:
    """Distance decay for ``count``/``sum`` measures."""

    kind: str
    beta: float | None
    source: str


@dataclass(frozen=True)
class Criterion:
    """One scored criterion. See ``docs/profiles.md`` for every field."""

    key: str
    label: str
    measure: str
    weight: Sourced
    transform: TransformSpec
    description: str = ""
    categories: tuple[str, ...] = ()
    metric: str = "network"
    cutoff: Sourced | None = None
    radius: Sourced | None = None
    k: Sourced | None = None
    decay: Decay | None = None
    exclude_features_on_plot: bool = False
    attribute: str | None = None
    min_weight: Sourced | None = None
    statistic: str = "mean"
    slope_unit: str = "degrees"

    @property
    def search_cutoff(self) -> float:
        """How far a search for this criterion must reach (metres)."""
        if self.radius is not None:
            return self.radius.value
        if self.cutoff is not None:
            return self.cutoff.value
        return self.transform.saturation()

    @property
    def unit(self) -> str:
        if self.measure == "slope":
            return "°" if self.slope_unit == "degrees" else "%"
        return {"count": "count", "sum": "sum", "area_weighted_sum": "sum", "plot_area": "m²",
                "attribute": ""}.get(self.measure, "m")


@dataclass(frozen=True)
class Constraint:
    """A hard exclusion rule."""

    kind: str
    source: str
    value: float | None = None
    categories: tuple[str, ...] = ()
    criterion: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Settings:
    """Run settings of a profile."""

    max_snap_distance: Sourced = Sourced(150.0, ASSUMPTION)


@dataclass(frozen=True)
class Weighting:
    """How the criterion weights were derived (the ``[weights]`` table).

    ``method`` is ``"direct"`` (each criterion's own ``weight``), ``"ahp"``
    (pairwise ``matrix`` over ``order``), ``"rank_sum"`` or ``"roc"``
    (``order`` is the ranking, most important first).
    """

    method: str = "direct"
    source: str = ""
    order: tuple[str, ...] = ()
    matrix: tuple[tuple[float, ...], ...] = ()
    lambda_max: float | None = None
    consistency_ratio: float | None = None


@dataclass(frozen=True)
class Selection:
    """Rules for choosing several sites (the ``[selection]`` table; see ``docs/decision.md``)."""

    units_per_site: Sourced | None = None
    max_units: Sourced | None = None
    cap_radius: Sourced | None = None
    min_spacing: Sourced | None = None


@dataclass(frozen=True)
class Profile:
    """A validated scoring profile."""

    name: str
    title: str
    description: str
    use_case: str
    criteria: tuple[Criterion, ...]
    constraints: tuple[Constraint, ...] = ()
    settings: Settings = Settings()
    sources: dict[str, dict] = field(default_factory=dict)
    origin: str = ""
    text: str = ""
    weighting: Weighting = Weighting()
    selection: Selection = Selection()
    sensitive: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    def weight_record(self) -> dict[str, list]:
        """``{key: [weight, source]}``, as recorded with scored outputs."""
        return {c.key: [c.weight.value, c.weight.source] for c in self.criteria}

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def categories(self) -> set[str]:
        """Every feature category the profile reads."""
        cats = {cat for c in self.criteria for cat in c.categories}
        cats |= {cat for k in self.constraints for cat in k.categories}
        return cats

    def with_weights(self, overrides: dict[str, float]) -> "Profile":
        """A copy with some criterion weights replaced (source becomes ``"user override"``).

        Raises
        ------
        ProfileError
            For an unknown criterion key or a negative/non-numeric weight.
        """
        if not overrides:
            return self
        unknown = sorted(set(overrides) - set(self.keys))
        if unknown:
            raise ProfileError(
                f"weight override for unknown criterion {unknown[0]!r}; profile {self.name!r} has: {', '.join(self.keys)}"
            )
        crit = []
        for c in self.criteria:
            if c.key in overrides:
                value = overrides[c.key]
                if (isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0
                        or value == float("inf")):
                    raise ProfileError(f"weight override for {c.key!r} must be a non-negative number, got {value!r}")
                c = replace(c, weight=Sourced(float(value), "user override"))
            crit.append(c)
        if sum(c.weight.value for c in crit) <= 0:
            raise ProfileError("weight overrides leave every weight at zero")
        return replace(self, criteria=tuple(crit))


# --------------------------------------------------------------------------- validation


class _Reader:
    """Reads typed values from nested TOML tables, naming the key on error."""

    def __init__(self, origin: str, known_sources: set[str]):
        self.origin = origin
        self.known_sources = known_sources

    def fail(self, path: str, message: str) -> ProfileError:
        return ProfileError(f"profile {self.origin}: {path}: {message}")

    def table(self, data: Any, path: str) -> dict:
        if not isinstance(data, dict):
            raise self.fail(path, f"must be a table, got {_show(data)}")
        return data

    def check_keys(self, data: dict, path: str, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(where, f"unknown key (expected one of: {', '.join(allowed)})")

    def required(self, data: dict, key: str, path: str) -> Any:
        if key not in data:
            raise self.fail(f"{path}.{key}" if path else key, "missing")
        return data[key]

    def string(self, data: dict, key: str, path: str, default: str | None = None, choices: tuple[str, ...] = ()) -> str:
        if key not in data:
            if default is None:
                raise self.fail(f"{path}.{key}", "missing")
            return default
        value = data[key]
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"must be a string, got {_show(value)}")
        if choices and value not in choices:
            raise self.fail(f"{path}.{key}", f"must be one of {', '.join(choices)}; got {value!r}")
        return value

    def number(self, value: Any, path: str, minimum: float | None = None, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, f"must be a number, got {_show(value)}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(path, f"must be a finite number, got {value}")
        if positive and value <= 0:
            raise self.fail(path, f"must be greater than 0, got {value:g}")
        if minimum is not None and value < minimum:
            raise self.fail(path, f"must be at least {minimum:g}, got {value:g}")
        return value

    def source(self, data: dict, path: str) -> str:
        src = self.string(data, "source", path)
        if src != ASSUMPTION and src not in self.known_sources:
            raise self.fail(
                f"{path}.source",
                f"unknown source {src!r}: use an id from docs/sources.md, a [sources] entry of the profile, "
                f'or "{ASSUMPTION}"',
            )
        return src

    def sourced(self, data: dict, key: str, path: str, positive: bool = False, minimum: float | None = None) -> Sourced:
        p = f"{path}.{key}"
        t = self.table(data[key], p)
        if "value" not in t:
            raise self.fail(f"{p}.value", "missing (write it as { value = ..., source = \"...\" })")
        self.check_keys(t, p, ("value", "source"))
        return Sourced(self.number(t["value"], f"{p}.value", minimum=minimum, positive=positive), self.source(t, p))

    def string_list(self, data: dict, key: str, path: str) -> tuple[str, ...]:
        value = data.get(key)
        p = f"{path}.{key}"
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.fail(p, f"must be a non-empty list of names, got {_show(value)}")
        return tuple(value)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _transform(r: _Reader, data: dict, path: str) -> TransformSpec:
    t = r.table(data, path)
    kind = r.string(t, "kind", path, choices=tuple(TRANSFORMS))
    spec = TRANSFORMS[kind]
    r.check_keys(t, path, ("kind", "source", *spec.required, *spec.optional))
    params: dict[str, Any] = {}
    for name in spec.required + spec.optional:
        if name not in t:
            if name in spec.required:
                raise r.fail(f"{path}.{name}", f"missing (the {kind} transform needs {', '.join(spec.required)})")
            continue
        value = t[name]
        p = f"{path}.{name}"
        if name == "rising":
            if not isinstance(value, bool):
                raise r.fail(p, f"must be true or false, got {_show(value)}")
            params[name] = value
        elif name in ("breaks", "scores"):
            if not isinstance(value, list) or not value:
                raise r.fail(p, f"must be a non-empty list of numbers, got {_show(value)}")
            params[name] = [r.number(v, f"{p}[{i}]") for i, v in enumerate(value)]
        else:
            params[name] = r.number(value, p)
    try:
        spec.function(__import__("numpy").zeros(1), **params)
    except ValueError as exc:
        raise r.fail(path, str(exc)) from None
    if kind == "step" and not all(0.0 <= s <= 1.0 for s in params["scores"]):
        raise r.fail(f"{path}.scores", "scores must lie between 0 and 1")
    return TransformSpec(kind, params, r.source(t, path))


COMMON_KEYS = ("label", "description", "measure", "weight", "transform")

# The fields each measure reads besides COMMON_KEYS: name -> required?
# A new measure adds its entry here (and a parser below if it brings a new field).
MEASURE_FIELDS: dict[str, dict[str, bool]] = {
    "nearest": {"categories": True, "metric": False, "cutoff": False, "exclude_features_on_plot": False,
                "min_weight": False},
    "kth_nearest": {"categories": True, "metric": False, "cutoff": False, "k": True,
                    "exclude_features_on_plot": False, "min_weight": False},
    "count": {"categories": True, "metric": False, "radius": True, "decay": False, "exclude_features_on_plot": False,
              "min_weight": False},
    "sum": {"categories": True, "metric": False, "radius": True, "decay": False, "exclude_features_on_plot": False,
            "min_weight": False},
    "plot_area": {},
    "attribute": {"attribute": True},
    "area_weighted_sum": {"categories": True, "radius": True},
    "slope": {"statistic": False, "slope_unit": False},
}
CRITERION_KEYS = COMMON_KEYS + tuple(sorted({f for fields in MEASURE_FIELDS.values() for f in fields}))


def _decay_field(r: _Reader, d: dict, path: str) -> Decay:
    dp = f"{path}.decay"
    dt = r.table(d["decay"], dp)
    r.check_keys(dt, dp, ("kind", "beta", "source"))
    kind = r.string(dt, "kind", dp, choices=DECAYS)
    beta = None
    if kind in ("exponential", "gaussian"):
        beta = r.number(r.required(dt, "beta", dp), f"{dp}.beta", positive=True)
    elif "beta" in dt:
        raise r.fail(f"{dp}.beta", f"not used by the {kind} decay")
    return Decay(kind, beta, r.source(dt, dp))


def _flag(r: _Reader, d: dict, key: str, path: str) -> bool:
    value = d[key]
    if not isinstance(value, bool):
        raise r.fail(f"{path}.{key}", f"must be true or false, got {_show(value)}")
    return value


def _k_field(r: _Reader, d: dict, path: str) -> Sourced:
    k = r.sourced(d, "k", path, positive=True)
    if k.value != int(k.value):
        raise r.fail(f"{path}.k.value", f"must be a whole number, got {k.value:g}")
    return k


# How to read each optional field: (reader, dataclass attribute).
FIELD_PARSERS = {
    "categories": lambda r, d, p: r.string_list(d, "categories", p),
    "metric": lambda r, d, p: r.string(d, "metric", p, choices=METRICS),
    "cutoff": lambda r, d, p: r.sourced(d, "cutoff", p, positive=True),
    "radius": lambda r, d, p: r.sourced(d, "radius", p, positive=True),
    "k": _k_field,
    "decay": _decay_field,
    "exclude_features_on_plot": lambda r, d, p: _flag(r, d, "exclude_features_on_plot", p),
    "attribute": lambda r, d, p: r.string(d, "attribute", p),
    "min_weight": lambda r, d, p: r.sourced(d, "min_weight", p, minimum=0.0),
    "statistic": lambda r, d, p: r.string(d, "statistic", p, choices=SLOPE_STATISTICS),
    "slope_unit": lambda r, d, p: r.string(d, "slope_unit", p, choices=SLOPE_UNITS),
}


def _criterion(r: _Reader, key: str, data: Any, derived_weight: Sourced | None = None) -> Criterion:
    path = f"criteria.{key}"
    d = r.table(data, path)
    r.check_keys(d, path, CRITERION_KEYS)
    measure = r.string(d, "measure", path, choices=MEASURES)
    fields = MEASURE_FIELDS[measure]
    for name in d:
        if name not in COMMON_KEYS and name not in fields:
            hint = " (use cutoff)" if name == "radius" else " (use radius)" if name == "cutoff" else ""
            raise r.fail(f"{path}.{name}", f"not used by the {measure} measure{hint}")
    for name, required in fields.items():
        if required and name not in d:
            raise r.fail(f"{path}.{name}", f"missing (the {measure} measure needs {name})")
    label = r.string(d, "label", path)
    if derived_weight is not None:
        if "weight" in d:
            raise r.fail(f"{path}.weight", "the [weights] table derives every weight; remove this key")
        weight = derived_weight
    elif "weight" not in d:
        raise r.fail(f"{path}.weight", "missing")
    else:
        weight = r.sourced(d, "weight", path, minimum=0.0)
    if "transform" not in d:
        raise r.fail(f"{path}.transform", "missing")
    transform = _transform(r, d["transform"], f"{path}.transform")
    kw: dict[str, Any] = {name: FIELD_PARSERS[name](r, d, path) for name in fields if name in d}
    if measure == "area_weighted_sum":
        kw["metric"] = "euclidean"  # a circle around the plot, by definition
    if kw.get("exclude_features_on_plot") and kw.get("metric", "network") != "euclidean":
        raise r.fail(f"{path}.exclude_features_on_plot", 'only works with metric = "euclidean"')
    return Criterion(
        key=key, label=label, measure=measure, weight=weight, transform=transform,
        description=r.string(d, "description", path, default=""), **kw,
    )


def _constraint(r: _Reader, i: int, data: Any, criteria: dict[str, Criterion]) -> Constraint:
    path = f"constraints[{i}]"
    d = r.table(data, path)
    kind = r.string(d, "kind", path, choices=CONSTRAINT_KINDS)
    allowed = {
        "min_area": ("kind", "value", "source", "description"),
        "not_inside": ("kind", "categories", "source", "description"),
        "max_value": ("kind", "criterion", "value", "source", "description"),
        "min_value": ("kind", "criterion", "value", "source", "description"),
    }[kind]
    r.check_keys(d, path, allowed)
    kw: dict[str, Any] = {"description": r.string(d, "description", path, default="")}
    if "value" in allowed:
        kw["value"] = r.number(r.required(d, "value", path), f"{path}.value", minimum=0.0)
    if kind == "not_inside":
        kw["categories"] = r.string_list(d, "categories", path)
    if "criterion" in allowed:
        key = r.string(d, "criterion", path)
        if key not in criteria:
            raise r.fail(f"{path}.criterion", f"unknown criterion {key!r} (profile has: {', '.join(criteria)})")
        crit = criteria[key]
        if crit.measure in ("nearest", "kth_nearest") and kind == "max_value" and kw["value"] > crit.search_cutoff:
            raise r.fail(
                f"{path}.value",
                f"{kw['value']:g} is beyond the search cut-off of criterion {key!r} ({crit.search_cutoff:g}); "
                "raise its cutoff",
            )
        kw["criterion"] = key
    return Constraint(kind=kind, source=r.source(d, path), **kw)


def _matrix_entry(r: _Reader, value: Any, path: str) -> float:
    """A comparison: a number or a fraction written as text ("1/3")."""
    if isinstance(value, str):
        num, sep, den = value.partition("/")
        try:
            number = float(num) / float(den) if sep else float(num)
        except (ValueError, ZeroDivisionError):
            raise r.fail(path, f"must be a number or a fraction like \"1/3\", got {value!r}") from None
        return r.number(number, path, positive=True)
    return r.number(value, path, positive=True)


def _weighting(r: _Reader, data: Any, keys: tuple[str, ...]) -> tuple[Weighting, dict[str, Sourced] | None]:
    """Parse ``[weights]``; returns the weighting and, unless direct, the derived weight of every criterion."""
    t = r.table(data, "weights")
    method = r.string(t, "method", "weights", choices=WEIGHT_METHODS)
    if method == "direct":
        r.check_keys(t, "weights", ("method",))
        return Weighting("direct"), None
    list_name = "criteria" if method == "ahp" else "ranking"
    r.check_keys(t, "weights", ("method", list_name, "source") + (("matrix",) if method == "ahp" else ()))
    order = r.string_list(t, list_name, "weights")
    list_key = f"weights.{list_name}"
    missing = [k for k in keys if k not in order]
    unknown = [k for k in order if k not in keys]
    if unknown:
        raise r.fail(list_key, f"unknown criterion {unknown[0]!r} (profile has: {', '.join(keys)})")
    if missing or len(set(order)) != len(order):
        what = f"misses {', '.join(missing)}" if missing else "names a criterion twice"
        raise r.fail(list_key, f"must name every criterion exactly once; it {what}")
    source = r.source(t, "weights")
    if method != "ahp":
        w = rank_sum_weights(len(order)) if method == "rank_sum" else rank_order_centroid_weights(len(order))
        derived = {k: Sourced(float(v), source) for k, v in zip(order, w)}
        return Weighting(method, source, order), derived
    rows = r.required(t, "matrix", "weights")
    if not isinstance(rows, list) or len(rows) != len(order) or not all(isinstance(x, list) for x in rows):
        raise r.fail("weights.matrix", f"must be a list of {len(order)} rows, one per criterion in weights.criteria")
    matrix = []
    for i, row in enumerate(rows):
        if len(row) != len(order):
            raise r.fail(f"weights.matrix[{i}]", f"must have {len(order)} entries, got {len(row)}")
        matrix.append([_matrix_entry(r, v, f"weights.matrix[{i}][{j}]") for j, v in enumerate(row)])
    problem = check_comparison_matrix(matrix)
    if problem:
        raise r.fail("weights.matrix", problem)
    res = ahp_weights(np.array(matrix))
    if res.consistency_ratio > MAX_CONSISTENCY_RATIO:
        i, j = res.worst_pair
        raise r.fail(
            "weights.matrix",
            f"consistency ratio {res.consistency_ratio:.3f} is above {MAX_CONSISTENCY_RATIO:g}: the judgements "
            f"contradict each other. Most inconsistent pair: {order[i]} vs {order[j]} (matrix[{i}][{j}] = "
            f"{matrix[i][j]:.3g}, while the other judgements imply {res.worst_pair_implied:.3g}); revise it",
        )
    derived = {k: Sourced(float(v), source) for k, v in zip(order, res.weights)}
    weighting = Weighting("ahp", source, order, tuple(tuple(row) for row in matrix), res.lambda_max,
                          res.consistency_ratio)
    return weighting, derived


def _selection(r: _Reader, data: Any) -> Selection:
    t = r.table(data, "selection")
    fields = ("units_per_site", "max_units", "cap_radius", "min_spacing")
    r.check_keys(t, "selection", fields)
    kw = {name: r.sourced(t, name, "selection", positive=name != "min_spacing", minimum=0.0)
          for name in fields if name in t}
    for name in ("units_per_site", "max_units"):
        if name in kw and kw[name].value != int(kw[name].value):
            raise r.fail(f"selection.{name}.value", f"must be a whole number, got {kw[name].value:g}")
    if ("max_units" in kw) != ("cap_radius" in kw):
        raise r.fail("selection", "max_units and cap_radius go together (at most max_units within cap_radius)")
    return Selection(**kw)


def _privacy(r: _Reader, data: Any) -> tuple[str, ...]:
    t = r.table(data, "privacy")
    r.check_keys(t, "privacy", ("sensitive",))
    return r.string_list(t, "sensitive", "privacy") if "sensitive" in t else ()


def validate_profile(data: dict, origin: str, known_sources: dict[str, dict], text: str = "") -> Profile:
    """Validate a parsed TOML document and build a :class:`Profile`.

    Parameters
    ----------
    data : dict
        The parsed TOML.
    origin : str
        How to name the profile in messages (its file name or built-in name).
    known_sources : dict
        The source registry (``docs/sources.md``), id -> entry.
    """
    own_sources = data.get("sources", {})
    if not isinstance(own_sources, dict) or not all(isinstance(v, dict) for v in own_sources.values()):
        raise ProfileError(f"profile {origin}: sources: must be a table of [sources.<id>] tables")
    r = _Reader(origin, set(known_sources) | set(own_sources))
    r.check_keys(data, "", ("profile", "settings", "criteria", "constraints", "sources", "weights", "selection",
                            "privacy"))
    head = r.table(r.required(data, "profile", ""), "profile")
    r.check_keys(head, "profile", ("name", "title", "description", "use_case"))
    name = r.string(head, "name", "profile")
    settings = Settings()
    if "settings" in data:
        s = r.table(data["settings"], "settings")
        r.check_keys(s, "settings", ("max_snap_distance",))
        if "max_snap_distance" in s:
            settings = Settings(max_snap_distance=r.sourced(s, "max_snap_distance", "settings", positive=True))
    crit_tables = r.table(r.required(data, "criteria", ""), "criteria")
    if not crit_tables:
        raise r.fail("criteria", "a profile needs at least one criterion")
    weighting, derived = Weighting(), None
    if "weights" in data:
        weighting, derived = _weighting(r, data["weights"], tuple(crit_tables))
    criteria = {key: _criterion(r, key, value, derived[key] if derived else None)
                for key, value in crit_tables.items()}
    if sum(c.weight.value for c in criteria.values()) <= 0:
        raise r.fail("criteria", "at least one weight must be greater than 0")
    raw_constraints = data.get("constraints", [])
    if not isinstance(raw_constraints, list):
        raise r.fail("constraints", "must be a list of [[constraints]] tables")
    constraints = tuple(_constraint(r, i, c, criteria) for i, c in enumerate(raw_constraints))
    return Profile(
        name=name,
        title=r.string(head, "title", "profile", default=name),
        description=r.string(head, "description", "profile", default=""),
        use_case=r.string(head, "use_case", "profile", default=""),
        criteria=tuple(criteria.values()),
        constraints=constraints,
        settings=settings,
        sources=dict(own_sources),
        origin=origin,
        text=text,
        weighting=weighting,
        selection=_selection(r, data["selection"]) if "selection" in data else Selection(),
        sensitive=_privacy(r, data["privacy"]) if "privacy" in data else (),
    )
