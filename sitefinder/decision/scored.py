"""Scored outputs that describe themselves: write them, read them back, find plots in them.

``sitefinder score`` stores the profile's TOML text, the weights it used,
the data sources and the list of sensitive layers with the output (see
:mod:`sitefinder.adapters.output`), so ``explain``, ``compare``,
``sensitivity``, ``topsites`` and ``report`` need only the scored file.
Criterion scores (``<key>_score``) and exclusions do not depend on the
weights, so re-weighting needs no re-measuring.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import __version__
from ..adapters.output import read_metadata, write_result
from ..errors import InputError
from ..pipeline.scoring import ScoreTable
from ..profiles import load_profile
from ..profiles.schema import Profile
from .columns import DEFAULT_ID_COLUMNS, find_rows, plot_labels_from, recorded_profile, table_from_columns
from .columns import resolve_id_column as _resolve_id_column
from .privacy import redact_metadata_text, redact_reasons, sensitive_layers, withheld_columns


def run_metadata(scored: gpd.GeoDataFrame, profile: Profile, sensitive: tuple[str, ...], withheld: list[str]) -> dict:
    """What a scored output records about its run (JSON-serialisable)."""
    info = scored.attrs.get("sitefinder", {})
    return {
        "sitefinder_version": __version__,
        "profile": profile.name,
        "profile_title": profile.title,
        "profile_text": profile.text,
        "weights": profile.weight_record(),
        "crs": scored.crs.to_string() if scored.crs is not None else None,
        "data": redact_metadata_text(info.get("data", []), sensitive),
        "attribution": info.get("attribution", ""),
        "warnings": redact_metadata_text(info.get("warnings", []), sensitive),
        "sensitive": list(sensitive),
        "withheld_columns": withheld,
    }


def public_view(scored: gpd.GeoDataFrame, profile: Profile, sensitive: tuple[str, ...]) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The scored plots without the columns and reason texts derived from sensitive layers."""
    drop = withheld_columns(profile, sensitive, scored.columns)
    out = scored.drop(columns=drop)
    if sensitive and "exclusion_reason" in out.columns:
        out["exclusion_reason"] = redact_reasons(out["exclusion_reason"].tolist(), profile, sensitive)
    return out, drop


def write_scored(scored: gpd.GeoDataFrame, path: str | Path, profile: Profile | None = None, *,
                 sensitive: tuple[str, ...] = (), include_sensitive: bool = False, layer: str | None = None) -> Path:
    """Write scored plots with their run metadata, leaving sensitive data out.

    Parameters
    ----------
    scored : GeoDataFrame
        Output of :func:`sitefinder.score`.
    path : path
        ``.gpkg``, ``.parquet``, ``.fgb`` (metadata inside the file), or
        ``.geojson``/``.csv`` (metadata in ``<path>.sitefinder.json``).
    profile : Profile, optional
        The profile that scored them (default: the one recorded in ``scored.attrs``).
    sensitive : tuple of str
        Sensitive layers besides those the profile names.
    include_sensitive : bool
        Write sensitive columns and reason texts too (for internal use only).
    """
    profile = profile or scored_profile(scored)
    layers = sensitive_layers(profile, sensitive, scored.attrs.get("sitefinder", {}).get("sensitive", ()))
    out, withheld = (scored, []) if include_sensitive else public_view(scored, profile, layers)
    meta = run_metadata(scored, profile, layers, withheld)
    meta["sensitive_included"] = bool(include_sensitive and layers)
    out.attrs = {"sitefinder": meta}
    return write_result(out, path, layer=layer or profile.name, metadata=meta)


def read_scored(path: str | Path, profile: str | Path | Profile | None = None, layer: str | None = None,
                ) -> gpd.GeoDataFrame:
    """Read a file written by ``sitefinder score``; its run metadata goes to ``.attrs["sitefinder"]``.

    Parameters
    ----------
    path : path
        GeoPackage, GeoParquet, FlatGeobuf, GeoJSON or CSV (geometry as WKT).
    profile : str, Path or Profile, optional
        The profile that scored it, when the file does not record one
        (written by another tool) — or to override the recorded one.
    layer : str, optional
        Layer of a multi-layer GeoPackage (default: the only one, or the first
        that has a ``score`` column).
    """
    from ..adapters.vector import read_layer

    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"scored file not found: {path}")
    if path.suffix.lower() == ".csv":
        df = pd.read_csv(path)
        if "geometry_wkt" not in df.columns:
            raise InputError(f"{path} has no geometry_wkt column: was it written by sitefinder score?")
        geometry = gpd.GeoSeries.from_wkt(df.pop("geometry_wkt").fillna("").replace("", None))
        meta = read_metadata(path) or {}
        gdf = gpd.GeoDataFrame(df, geometry=geometry.values, crs=meta.get("crs"))
    else:
        if layer is None and path.suffix.lower() == ".gpkg":
            import pyogrio

            names = [str(n) for n, _ in pyogrio.list_layers(path)]
            layer = names[0] if len(names) == 1 else next(
                (n for n in names if "score" in pyogrio.read_info(path, layer=n)["fields"]), None)
        gdf = read_layer(path, "scored plots", layer=layer)
        meta = read_metadata(path, layer) or {}
    if "score" not in gdf.columns or "excluded" not in gdf.columns:
        raise InputError(f"{path} has no score/excluded columns: score it first with sitefinder score")
    gdf["excluded"] = gdf["excluded"].astype(str).str.lower().isin(["true", "1", "yes"]).to_numpy()
    gdf.attrs["sitefinder"] = meta
    if profile is not None:  # record it, so later steps need not be told again
        p = load_profile(profile)
        meta.update(profile=p.name, profile_title=p.title, profile_text=p.text, weights=p.weight_record())
    scored_profile(gdf)  # fail now, not halfway through a report, when no profile is known
    return gdf


def scored_profile(scored: gpd.GeoDataFrame, profile: str | Path | Profile | None = None) -> Profile:
    """The profile behind ``scored``: ``profile`` if given, else the one recorded in its metadata.

    Recorded weights (after ``--weight`` overrides) are restored on top of the
    recorded TOML text (see :func:`~sitefinder.decision.columns.recorded_profile`).
    """
    return recorded_profile(scored.attrs.get("sitefinder", {}), profile)


def columns_of(scored: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Every column but the geometry, as arrays (for :mod:`sitefinder.decision.columns`)."""
    return {str(c): scored[c].to_numpy() for c in scored.columns if c != scored.geometry.name}


def score_table(scored: gpd.GeoDataFrame, profile: Profile | None = None, need: tuple[str, ...] | None = None,
                ) -> ScoreTable:
    """The explanation columns of ``scored`` as a :class:`~sitefinder.pipeline.ScoreTable` (arrays).

    Parameters
    ----------
    need : tuple of str, optional
        Criterion keys whose ``_score`` columns must be present (default:
        all). Columns withheld as sensitive are filled with ``nan`` when not needed.

    Raises
    ------
    InputError
        When a needed ``<key>_score`` column is missing (withheld as sensitive,
        or the file was scored with another profile).
    """
    profile = profile or scored_profile(scored)
    return table_from_columns(columns_of(scored), len(scored), profile, scored.attrs.get("sitefinder", {}), need)


def plot_labels(scored: gpd.GeoDataFrame, id_column: str | None = None) -> tuple[np.ndarray, str]:
    """A readable id per plot and the column it came from (``"row"`` for the row number)."""
    return plot_labels_from(columns_of(scored), len(scored), id_column)


def resolve_id_column(scored: gpd.GeoDataFrame, id_column: str | None = None) -> str | None:
    """``id_column`` (checked), else the first of :data:`DEFAULT_ID_COLUMNS` present, else ``None`` (row numbers)."""
    return _resolve_id_column(list(scored.columns), id_column)


def find_plots(scored: gpd.GeoDataFrame, plot_ids: list[str], id_column: str | None = None) -> list[int]:
    """Row positions of the plots with the given ids (row numbers from 0 when there is no id column).

    Raises
    ------
    InputError
        When an id matches no plot or several.
    """
    labels, column = plot_labels(scored, id_column)
    return find_rows(labels, column, plot_ids)


__all__ = ["DEFAULT_ID_COLUMNS", "find_plots", "plot_labels", "public_view", "read_scored",
           "run_metadata", "score_table", "scored_profile", "write_scored"]
