"""Vector layers (files or GeoDataFrames) as plots, features or networks.

Any format GDAL reads through pyogrio works: GeoPackage, Shapefile, GeoJSON,
FlatGeobuf, and GeoParquet (through geopandas). A CSV with coordinate columns
is read by :func:`read_csv_points`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from ..pipeline.inputs import FeatureArrays, NetworkArrays, PlotArrays
from .crs import require_crs, to_crs, with_epsg
from .geometry import to_ragged
from .layer_rules import (
    EMPTY_GEOMETRY, LINE_TYPES, MISSING_GEOMETRY, ONEWAY_TRUE, POLYGON_TYPES, check_network_lines,
    check_not_only_lines, invalid_plot_problem, plot_type_problem,
)

LayerLike = "str | Path | gpd.GeoDataFrame"


def read_layer(source, what: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector layer, failing with one clear line.

    Parameters
    ----------
    source : path or GeoDataFrame
    what : str
        What the layer is for ("plots", "network", "features 'bus_stop'"), used in messages.
    layer : str, optional
        Layer name inside a multi-layer file (GeoPackage).
    """
    if isinstance(source, gpd.GeoDataFrame):
        gdf = source
        name = what
    else:
        path = Path(source).expanduser()
        name = f"{what} file {path}"
        if not path.exists():
            raise InputError(f"{what}: file not found: {path}")
        if path.is_dir() and path.suffix.lower() != ".gdb":
            raise InputError(f"{what}: {path} is a directory, not a vector file")
        try:
            if path.suffix.lower() in (".parquet", ".geoparquet"):
                gdf = gpd.read_parquet(path)
            else:
                import pyogrio

                if layer is None:
                    layers = pyogrio.list_layers(path)
                    if len(layers) > 1:
                        geom_layers = [str(n) for n, g in layers if g is not None]
                        if len(geom_layers) != 1:
                            raise InputError(
                                f"{what}: {path} has several layers ({', '.join(str(n) for n, _ in layers)}); "
                                "choose one with --layer"
                            )
                        layer = geom_layers[0]
                gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
        except InputError:
            raise
        except Exception as exc:  # pyogrio/GDAL/arrow errors: keep the first line only
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"{what}: cannot read {path}: {first}") from None
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
            raise InputError(f"{what}: {path} has no geometry column")
    if len(gdf) == 0:
        raise InputError(f"{name} is empty (no rows)")
    crs = require_crs(gdf, name)
    if crs.to_epsg() is None:  # e.g. an ESRI-style WKT: use its EPSG equivalent when there is one
        named = with_epsg(crs)
        if named.to_epsg() is not None:
            gdf = gdf.set_crs(named, allow_override=True)
    return gdf


def read_csv_points(path, x: str, y: str, crs: str, what: str = "plots", sep: str | None = None) -> gpd.GeoDataFrame:
    """Read a CSV with coordinate columns as points.

    Rows whose coordinates are missing or not numbers are kept with an empty
    geometry (they are excluded with a reason when scored).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"{what}: file not found: {path}")
    try:
        df = pd.read_csv(path, sep=sep, engine="python", encoding="utf-8-sig")
    except Exception as exc:
        raise InputError(f"{what}: cannot read {path}: {str(exc).splitlines()[0]}") from None
    missing = [c for c in (x, y) if c not in df.columns]
    if missing:
        raise InputError(
            f"{what}: {path} has no column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})"
        )
    if len(df) == 0:
        raise InputError(f"{what}: {path} is empty (no rows)")
    xs = pd.to_numeric(df[x], errors="coerce").to_numpy(np.float64)
    ys = pd.to_numeric(df[y], errors="coerce").to_numpy(np.float64)
    geom = shapely.points(xs, ys)
    geom[~(np.isfinite(xs) & np.isfinite(ys))] = None
    try:
        return gpd.GeoDataFrame(df, geometry=geom, crs=crs)
    except Exception as exc:
        raise InputError(f"{what}: invalid CRS {crs!r}: {str(exc).splitlines()[0]}") from None


# shapely.get_type_id codes -> geometry type names ("" for a missing geometry, id -1).
_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                        "MultiPolygon", "GeometryCollection", ""], dtype=object)


def _types(geoms: np.ndarray) -> np.ndarray:
    """Geometry type name of each geometry, ``""`` where missing (vectorised: millions of plots)."""
    return _TYPE_NAMES[shapely.get_type_id(geoms)]


def plots_to_arrays(gdf: gpd.GeoDataFrame, what: str = "plots") -> PlotArrays:
    """Candidate plots (already in the metric CRS) as :class:`PlotArrays`.

    Unusable rows are kept with a reason: missing or empty geometry, invalid
    polygon (with GEOS's explanation), or a line where a plot should be.

    Raises
    ------
    InputError
        When the layer holds only lines (they cannot be plots).
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    n = geoms.shape[0]
    types = _types(geoms)
    problem = np.full(n, "", dtype=object)
    missing = np.array([g is None for g in geoms])
    problem[missing] = MISSING_GEOMETRY
    empty = ~missing & shapely.is_empty(np.where(missing, shapely.Point(), geoms).astype(object))
    problem[empty] = EMPTY_GEOMETRY
    present = ~missing & ~empty
    check_not_only_lines(sorted(set(types[present])), what)
    for geom_type in set(types[present]):
        problem[present & (types == geom_type)] = plot_type_problem(geom_type)
    candidates = problem == ""
    cand_geoms = geoms[candidates]
    valid = shapely.is_valid(cand_geoms)
    if not valid.all():
        idx = np.flatnonzero(candidates)[~valid]
        for i, why in zip(idx, shapely.is_valid_reason(geoms[idx])):
            problem[i] = invalid_plot_problem(why)
    ok = problem == ""
    usable_geoms = np.where(ok, geoms, None)
    rep = shapely.point_on_surface(usable_geoms)
    rep_xy = shapely.get_coordinates(rep, include_z=False) if ok.any() else np.empty((0, 2))
    rep_x = np.full(n, np.nan)
    rep_y = np.full(n, np.nan)
    rep_x[ok] = rep_xy[:, 0]
    rep_y[ok] = rep_xy[:, 1]
    is_poly = np.isin(types, list(POLYGON_TYPES)) & ok
    area = np.full(n, np.nan)
    area[is_poly] = shapely.area(geoms[is_poly])
    attributes = {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        series = gdf[col]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            attributes[str(col)] = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
    outline = to_ragged(usable_geoms)
    # Polygons only: the same arrays when every usable plot is a polygon (the common case), so convert once.
    polygons = outline if np.array_equal(is_poly, ok) else to_ragged(usable_geoms, polygons_only=True)
    return PlotArrays(
        rep_x=rep_x, rep_y=rep_y, area=area, outline=outline, polygons=polygons,
        problem=problem, attributes=attributes,
    )


def features_to_arrays(gdf: gpd.GeoDataFrame, label: str, origin: str, weight_column: str | None = None,
                       name_column: str | None = "name") -> FeatureArrays:
    """Features (already in the metric CRS) as :class:`FeatureArrays`.

    Points, lines and polygons are all accepted. Missing or empty geometries
    are dropped; invalid polygons are repaired with ``make_valid``.
    """
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if geoms.size:
        bad = ~shapely.is_valid(geoms)
        if bad.any():
            geoms = geoms.copy()
            geoms[bad] = shapely.make_valid(geoms[bad])
    rep = shapely.point_on_surface(geoms) if geoms.size else np.empty(0, object)
    rep_xy = shapely.get_coordinates(rep) if geoms.size else np.empty((0, 2))
    weight = None
    if weight_column is not None:
        if weight_column not in gdf.columns:
            raise InputError(f"features {label!r} have no column {weight_column!r}")
        weight = pd.to_numeric(gdf[weight_column], errors="coerce").fillna(0.0).to_numpy(np.float64)
    names = None
    if name_column and name_column in gdf.columns:
        names = gdf[name_column].fillna("").astype(str).to_numpy(dtype=object)
    return FeatureArrays(
        outline=to_ragged(geoms), rep_x=rep_xy[:, 0].copy(), rep_y=rep_xy[:, 1].copy(),
        polygons=to_ragged(geoms, polygons_only=True), weight=weight, name=names, label=label, origin=origin,
    )


def network_to_arrays(gdf: gpd.GeoDataFrame, origin: str, oneway_column: str | None = None) -> NetworkArrays:
    """Lines (already in the metric CRS) as a noded network.

    Lines are joined where they share a vertex. ``oneway_column`` (optional)
    marks lines that may only be walked in their drawing direction
    (true/1/"yes").
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    types = _types(geoms)
    check_network_lines(sorted(set(types[types != ""])), origin)
    lines = np.isin(types, list(LINE_TYPES))
    oneway = np.zeros(len(gdf), np.bool_)
    if oneway_column is not None:
        if oneway_column not in gdf.columns:
            raise InputError(f"the network {origin} has no column {oneway_column!r}")
        oneway = gdf[oneway_column].astype(str).str.strip().str.lower().isin(ONEWAY_TRUE).to_numpy()
    return NetworkArrays.from_lines(to_ragged(np.where(lines, geoms, None)), oneway, origin)


def prepare_layer(gdf: gpd.GeoDataFrame, crs, what: str) -> gpd.GeoDataFrame:
    """Reproject a layer to the working CRS."""
    return to_crs(gdf, crs, what)
