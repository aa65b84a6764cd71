"""The area a suitability surface covers: a polygon file, a bounding box or a municipality number."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import shapely

from ..errors import InputError
from .geometry import POLYGON_TYPES
from .vector import read_layer

MUNICIPALITY_NUMBER = re.compile(r"^\d{4}$")
# Columns that hold the municipality number in Kartverket's and common derived files.
NUMBER_COLUMNS = ("kommunenummer", "kommunenr", "knr", "id")
NAME_COLUMNS = ("kommunenavn", "navn", "name")


def read_area(spec: str | Path | gpd.GeoDataFrame, crs: str | None = None,
              municipalities: str | Path | None = None) -> gpd.GeoDataFrame:
    """The area as one polygon row (in its own CRS).

    Parameters
    ----------
    spec : str, path or GeoDataFrame
        A polygon file (all its polygons, merged); a bounding box
        ``"xmin,ymin,xmax,ymax"`` in ``crs``; or a four-digit municipality
        number (``"3420"`` for Elverum) looked up in ``municipalities``.
    crs : str, optional
        CRS of a bounding box (required for one).
    municipalities : path, optional
        Municipality polygons with a ``kommunenummer`` column, e.g.
        Kartverket's ``kommuner_2024.geojson``.

    Returns
    -------
    GeoDataFrame
        One row: ``name`` and the merged polygon.

    Raises
    ------
    InputError
        An unknown number, a missing file, a malformed bounding box, or an
        area without polygons.
    """
    if isinstance(spec, gpd.GeoDataFrame):
        return _merged(spec, "area", "area")
    text = str(spec).strip()
    if MUNICIPALITY_NUMBER.match(text):
        return _municipality(text, municipalities)
    if text.count(",") == 3 and not Path(text).exists():
        return _bbox(text, crs)
    return _merged(read_layer(text, "area"), "area", Path(text).stem)


def _bbox(text: str, crs: str | None) -> gpd.GeoDataFrame:
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"area {text!r}: a bounding box is four numbers xmin,ymin,xmax,ymax") from None
    if not (x1 > x0 and y1 > y0):
        raise InputError(f"area {text!r}: xmax must exceed xmin and ymax exceed ymin")
    if not crs:
        raise InputError(f"area {text!r}: give the bounding box's CRS with --crs (e.g. EPSG:25833)")
    try:
        return gpd.GeoDataFrame({"name": ["bbox"]}, geometry=[shapely.box(x0, y0, x1, y1)], crs=crs)
    except Exception as exc:
        raise InputError(f"invalid CRS {crs!r}: {str(exc).splitlines()[0]}") from None


def _municipality(number: str, municipalities: str | Path | None) -> gpd.GeoDataFrame:
    if municipalities is None:
        raise InputError(f"area {number} is a municipality number: give the municipality polygons with "
                         "--municipalities FILE (e.g. Kartverket's kommuner_2024.geojson)")
    layer = read_layer(municipalities, "municipalities")
    column = next((c for c in NUMBER_COLUMNS if c in layer.columns), None)
    if column is None:
        raise InputError(f"municipalities {municipalities}: no municipality number column "
                         f"({', '.join(NUMBER_COLUMNS)})")
    found = layer[layer[column].astype(str).str.zfill(4) == number]
    if found.empty:
        raise InputError(f"municipality {number} is not in {Path(str(municipalities)).name}")
    name_col = next((c for c in NAME_COLUMNS if c in found.columns), None)
    name = f"{number} {found[name_col].iloc[0]}" if name_col else number
    return _merged(found, f"municipality {number}", name)


def _merged(gdf: gpd.GeoDataFrame, what: str, name: str) -> gpd.GeoDataFrame:
    geoms = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    polys = geoms[geoms.geom_type.isin(list(POLYGON_TYPES))]
    if polys.empty:
        raise InputError(f"{what} has no polygons")
    merged = shapely.union_all(shapely.make_valid(polys.to_numpy()))
    merged = shapely.get_parts(merged)
    merged = shapely.multipolygons(merged[shapely.get_type_id(merged) == 3])
    return gpd.GeoDataFrame({"name": [name]}, geometry=[merged], crs=gdf.crs)
