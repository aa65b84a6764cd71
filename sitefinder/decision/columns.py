"""Scored plots as plain columns: the part of reading a scored output that needs no pandas.

Both faces read a scored layer into ``name -> sequence`` columns (the
library from a GeoDataFrame, the QGIS plugin from a vector layer's fields)
and its run metadata into a dict; everything after that — which profile,
which plot, the :class:`~sitefinder.pipeline.ScoreTable` behind explain,
sensitivity and the report — is this module's, so both give the same answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError, ProfileError
from ..pipeline.scoring import ScoreTable
from ..profiles import load_profile, loads_profile
from ..profiles.schema import Profile

# Columns tried, in order, to find a plot by its id when no id column is named.
DEFAULT_ID_COLUMNS = ("plot_id", "id", "fid")
TRUE_TEXT = ("true", "1", "yes")


def as_float(value) -> float:
    """A cell as a float: ``nan`` for empty, NULL or text that is not a number.

    Examples
    --------
    >>> as_float("2.5"), as_float(None), as_float("n/a")
    (2.5, nan, nan)
    """
    if value is None or isinstance(value, str) and not value.strip():
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def float_column(values) -> np.ndarray:
    """A column as float64 (``nan`` where :func:`as_float` finds no number)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64)
    return np.array([as_float(v) for v in arr], dtype=np.float64)


def bool_column(values) -> np.ndarray:
    """A column of flags (booleans, 0/1 or the texts true/1/yes) as bool."""
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return np.nan_to_num(arr.astype(np.float64)) != 0
    return np.array([str(v).strip().lower() in TRUE_TEXT for v in arr], dtype=np.bool_)


def text_column(values) -> np.ndarray:
    """A column as text (``""`` for empty or NULL)."""
    return np.array(["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values],
                    dtype=object)


def recorded_profile(meta: Mapping, profile: str | Path | Profile | None = None) -> Profile:
    """The profile behind a scored output: ``profile`` if given, else the one recorded in its metadata.

    Recorded weights (after weight overrides) are restored on top of the
    recorded TOML text.

    Raises
    ------
    InputError
        When neither is available.
    """
    if profile is not None:
        return load_profile(profile)
    text = meta.get("profile_text")
    if not text:
        name = meta.get("profile")
        try:
            if name:
                return load_profile(name)
        except ProfileError:
            pass
        raise InputError("the scored file does not record its profile (written by another tool?): give it with "
                         "--profile")
    base = loads_profile(text, origin=f"{meta.get('profile', 'recorded profile')} (recorded)")
    recorded = {k: v[0] for k, v in meta.get("weights", {}).items() if k in base.keys}
    changed = {k: w for k, w in recorded.items() if not np.isclose(base.criterion(k).weight.value, w)}
    return base.with_weights(changed)


def table_from_columns(columns: Mapping[str, Sequence], n: int, profile: Profile, meta: Mapping | None = None,
                       need: tuple[str, ...] | None = None) -> ScoreTable:
    """The explanation columns of a scored output as a :class:`~sitefinder.pipeline.ScoreTable`.

    Parameters
    ----------
    columns : mapping of str -> sequence
        Every column of the scored output (values of any type; converted here).
    n : int
        Number of plots.
    meta : mapping, optional
        Run metadata (``withheld_columns``, ``warnings``).
    need : tuple of str, optional
        Criterion keys whose ``_score`` columns must be present (default:
        all). Columns withheld as sensitive are filled with ``nan`` when not needed.

    Raises
    ------
    InputError
        When a needed ``<key>_score`` column is missing (withheld as sensitive,
        or the output was scored with another profile), or ``score``/``excluded`` are missing.
    """
    meta = meta or {}
    if "score" not in columns or "excluded" not in columns:
        raise InputError("the scored layer has no score/excluded columns: score it first")
    need = profile.keys if need is None else need
    out: dict[str, np.ndarray] = {}
    for c in profile.criteria:
        for suffix in ("value", "score", "contribution"):
            name = f"{c.key}_{suffix}"
            if name in columns:
                out[name] = float_column(columns[name])
            elif c.key in need and suffix == "score":
                withheld = name in meta.get("withheld_columns", [])
                why = ("it was withheld as sensitive; rescore with --include-sensitive to analyse its weight"
                       if withheld else f"was the file scored with profile {profile.name!r}?")
                raise InputError(f"the scored file has no column {name}: {why}")
            else:
                out[name] = np.full(n, np.nan)
    out["excluded"] = bool_column(columns["excluded"])
    out["exclusion_reason"] = text_column(columns.get("exclusion_reason", [""] * n))
    out["score"] = float_column(columns["score"])
    rank = float_column(columns["rank"]) if "rank" in columns else np.zeros(n)
    out["rank"] = np.nan_to_num(rank, nan=0.0).astype(np.int64)
    out["distance_mode"] = text_column(columns.get("distance_mode", [""] * n))
    return ScoreTable(out, profile, list(meta.get("warnings", [])))


def resolve_id_column(names: Sequence[str], id_column: str | None = None) -> str | None:
    """``id_column`` (checked), else the first of :data:`DEFAULT_ID_COLUMNS` present, else ``None`` (row numbers)."""
    names = [str(c) for c in names]
    if id_column is not None:
        if id_column not in names:
            raise InputError(f"the scored file has no column {id_column!r} (columns: {', '.join(names[:12])} …)")
        return id_column
    return next((c for c in DEFAULT_ID_COLUMNS if c in names), None)


def plot_labels_from(columns: Mapping[str, Sequence], n: int, id_column: str | None = None) -> tuple[np.ndarray, str]:
    """A readable id per plot and the column it came from (``"row"`` for the row number from 0)."""
    column = resolve_id_column(list(columns), id_column)
    if column is None:
        return np.array([str(i) for i in range(n)], dtype=object), "row"
    return np.array([str(v) for v in columns[column]], dtype=object), column


def find_rows(labels: np.ndarray, column: str, plot_ids: Sequence) -> list[int]:
    """Row positions of the plots whose label (in ``column``) is each of ``plot_ids``.

    Raises
    ------
    InputError
        When an id matches no plot or several.
    """
    rows = []
    for pid in plot_ids:
        hits = np.flatnonzero(labels == str(pid))
        if hits.size == 0:
            examples = ", ".join(labels[:3])
            raise InputError(f"no plot with {column} {pid!r} (e.g. {examples}); name the id column with --id-column")
        if hits.size > 1:
            raise InputError(f"{hits.size} plots have {column} {pid!r}; name a unique id column with --id-column")
        rows.append(int(hits[0]))
    return rows
