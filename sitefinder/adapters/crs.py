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


def with_epsg(crs: CRS) -> CRS:
    """An EPSG CRS equivalent to ``crs`` when ``crs`` carries no EPSG code, else ``crs`` itself.

    Real files often carry an ESRI-style WKT without an authority code (SSB's
    population grid: "UTM_Zone_33_Northern_Hemisphere" on GRS 1980, which is
    EPSG:25833). The candidates are the ETRS89 and WGS 84 UTM zones of the
    CRS's own zone and the two geographic CRSs; the first that pyproj finds
    equivalent wins.
    """
    crs = CRS.from_user_input(crs)
    if crs.to_epsg() is not None:
        return crs
    candidates = [4258, 4326]
    zone = crs.utm_zone
    if zone:
        number, hemisphere = int(zone[:-1]), zone[-1].upper()
        candidates = [25800 + number, 32600 + number] if hemisphere == "N" else [32700 + number]
    for code in candidates:
        other = CRS.from_epsg(code)
        if crs == other:
            return other
    return crs


def same_plane(a: CRS, b: CRS, bounds: tuple[float, float, float, float]) -> bool:
    """Whether easting/northing coordinates in ``a`` are the same numbers in ``b`` over ``bounds``.

    True for the same projection with another axis order (EPSG:3045, ETRS89 /
    UTM 33N with northing first, and EPSG:25833): GDAL and rasterio always
    give raster coordinates easting first, so such a raster needs no
    reprojection. Checked by transforming the corners (to the millimetre).
    """
    from pyproj import Transformer

    a, b = CRS.from_user_input(a), CRS.from_user_input(b)
    if a == b:
        return True
    if not (a.is_projected and b.is_projected):
        return False
    x0, y0, x1, y1 = bounds
    xs, ys = [x0, x1, x0, x1, (x0 + x1) / 2], [y0, y0, y1, y1, (y0 + y1) / 2]
    try:
        tx, ty = Transformer.from_crs(a, b, always_xy=True).transform(xs, ys)
    except Exception:
        return False
    return max(max(abs(p - q) for p, q in zip(tx, xs)), max(abs(p - q) for p, q in zip(ty, ys))) < 1e-3
