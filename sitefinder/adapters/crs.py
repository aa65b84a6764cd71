"""Choosing the metric CRS all work happens in."""

from __future__ import annotations

import geopandas as gpd
from pyproj import CRS

from ..errors import InputError
from .layer_rules import check_lonlat_bounds, missing_crs_error


def require_crs(gdf: gpd.GeoDataFrame, what: str) -> CRS:
    """The layer's CRS, or a clear error when it has none (never a guess)."""
    if gdf.crs is None:
        raise missing_crs_error(what)
    return CRS.from_user_input(gdf.crs)


def metric_crs(gdf: gpd.GeoDataFrame, what: str) -> CRS:
    """The layer's own CRS if projected in metres, else the local UTM zone (via pyproj)."""
    crs = require_crs(gdf, what)
    if crs.is_projected:
        unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
        if unit in ("metre", "meter", "m"):
            return crs
    check_geographic_bounds(gdf, crs, what)
    try:
        return gdf.estimate_utm_crs()
    except RuntimeError:
        raise InputError(f"cannot find a UTM zone for {what}: are its coordinates valid?") from None


def check_geographic_bounds(gdf: gpd.GeoDataFrame, crs: CRS, what: str) -> None:
    """Longitude/latitude layers must have coordinates in range (a classic sign of a wrong CRS)."""
    if not crs.is_geographic or gdf.geometry.isna().all():
        return
    check_lonlat_bounds(tuple(gdf.total_bounds), crs.name, what)


def to_crs(gdf: gpd.GeoDataFrame, crs: CRS, what: str) -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to ``crs`` (requires a CRS on ``gdf``)."""
    check_geographic_bounds(gdf, require_crs(gdf, what), what)
    if CRS.from_user_input(gdf.crs) == crs:
        return gdf
    return gdf.to_crs(crs)
