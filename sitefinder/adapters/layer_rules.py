"""Rules every face applies when it turns layers into arrays (pure Python).

The geopandas adapter (:mod:`sitefinder.adapters.vector`) and the QGIS
plugin read layers with different libraries but must treat them alike: the
same reasons for plots that cannot be scored, the same one-way values, the
same working CRS. This module holds those rules and imports nothing beyond
the standard library, so the plugin can use it inside QGIS.
"""

from __future__ import annotations

import math

from ..errors import InputError

POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})
LINE_TYPES = frozenset({"LineString", "MultiLineString", "LinearRing"})
POINT_TYPES = frozenset({"Point", "MultiPoint"})

MISSING_GEOMETRY = "missing geometry"
EMPTY_GEOMETRY = "empty geometry"
# Values of a one-way column that mark a line walkable in its drawing direction only.
ONEWAY_TRUE = frozenset({"1", "true", "yes", "y", "t"})
# A layer lying farther than this (metres) from the plots once reprojected is taken
# for a layer with a wrong CRS (assumption: no walk-based criterion reaches 50 km).
MAX_LAYER_GAP = 50_000.0


def category_label(category: str) -> str:
    """The human label of a feature layer given for ``category`` (``bus_stop`` -> ``bus stop``)."""
    return category.replace("_", " ")


def plot_type_problem(geom_type: str) -> str:
    """Why a geometry of this type cannot be a plot (``""`` for polygons and points).

    Examples
    --------
    >>> plot_type_problem("MultiPolygon")
    ''
    >>> plot_type_problem("LineString")
    'line geometry: a plot must be a polygon or a point'
    """
    if geom_type in POLYGON_TYPES or geom_type in POINT_TYPES:
        return ""
    if geom_type in LINE_TYPES:
        return "line geometry: a plot must be a polygon or a point"
    return f"{geom_type} geometry: a plot must be a polygon or a point"


def invalid_plot_problem(reason: str) -> str:
    """The exclusion reason for an invalid polygon, given GEOS's explanation."""
    return f"invalid geometry: {reason}"


def geos_reason(message: str, x: float, y: float) -> str:
    """GEOS's ``isValidReason`` text ("Self-intersection[0.5 0.5]") from a message and a location.

    GEOS prints the coordinates with 15 significant digits.
    """
    return f"{message}[{x:.15g} {y:.15g}]"


def check_not_only_lines(geom_types: list[str], what: str = "plots") -> None:
    """Refuse a plots layer holding lines but no polygon or point (the network passed as plots).

    Raises
    ------
    InputError
    """
    lines = [t for t in geom_types if t in LINE_TYPES]
    if lines and not any(t in POLYGON_TYPES or t in POINT_TYPES for t in geom_types):
        raise InputError(
            f"{what} contains lines ({lines[0]}) but plots must be polygons or points; "
            "did you pass the network as plots?"
        )


def check_network_lines(geom_types: list[str], origin: str) -> None:
    """Refuse a network layer without any line.

    Raises
    ------
    InputError
    """
    if not any(t in LINE_TYPES for t in geom_types):
        found = ", ".join(sorted(t for t in geom_types if t)) or "no geometries"
        raise InputError(f"the network {origin} must contain lines, but has {found}")


def is_oneway(value) -> bool:
    """True when a one-way column's value marks the line as one-way (true/1/yes ...)."""
    return str(value).strip().lower() in ONEWAY_TRUE


def utm_epsg(lon: float, lat: float) -> int | None:
    """EPSG code of the WGS 84 UTM zone containing a longitude/latitude point.

    The rule pyproj applies (``GeoDataFrame.estimate_utm_crs``): standard
    6° zones without the Norwegian/Svalbard exceptions, a point on a zone
    boundary going to the western zone, the equator to the north, and no zone
    north of 84° N or south of 80° S.

    Returns
    -------
    int or None
        ``326zz`` (north) or ``327zz`` (south); ``None`` outside UTM's range.

    Examples
    --------
    >>> utm_epsg(10.75, 59.91)   # Oslo
    32632
    >>> utm_epsg(5.32, 60.39)    # Bergen: zone 31 (UTM's zone 32V exception is not applied)
    32631
    """
    if not (math.isfinite(lon) and math.isfinite(lat)) or not -180.0 <= lon <= 180.0 or not -80.0 <= lat <= 84.0:
        return None
    zone = min(max(math.ceil((lon + 180.0) / 6.0), 1), 60)
    return (32600 if lat >= 0 else 32700) + zone


def missing_crs_error(what: str) -> InputError:
    """The error for a layer without a CRS: sitefinder never guesses one."""
    return InputError(
        f"{what} has no coordinate reference system (CRS); set one in your GIS "
        "(e.g. define the projection as EPSG:25833) and try again"
    )


def check_lonlat_bounds(bounds: tuple[float, float, float, float], crs_name: str, what: str) -> None:
    """Longitude/latitude layers must have coordinates in range (a classic sign of a wrong CRS).

    Raises
    ------
    InputError
    """
    x0, y0, x1, y1 = bounds
    if x0 < -180.5 or x1 > 360.5 or y0 < -90.5 or y1 > 90.5:
        raise InputError(
            f"{what} says its CRS is {crs_name} (longitude/latitude) but has coordinates up to "
            f"({x1:.0f}, {y1:.0f}); the data is probably projected (e.g. EPSG:25833): set the right CRS. "
            "(GeoJSON files without a CRS are read as longitude/latitude.)"
        )


def check_near_plots(bounds: tuple[float, float, float, float], plot_bounds: tuple[float, float, float, float],
                     what: str, crs_name: str) -> None:
    """Refuse a layer that, reprojected to the working CRS, lies far from every plot.

    Both boxes are ``(xmin, ymin, xmax, ymax)`` in the working CRS (metres).

    Raises
    ------
    InputError
        Naming the gap and the layer's own CRS: usually that CRS is set wrongly.
    """
    gap_x = max(bounds[0] - plot_bounds[2], plot_bounds[0] - bounds[2], 0.0)
    gap_y = max(bounds[1] - plot_bounds[3], plot_bounds[1] - bounds[3], 0.0)
    gap = math.hypot(gap_x, gap_y)
    if not gap <= MAX_LAYER_GAP:
        raise InputError(
            f"CRS mismatch? {what} (CRS {crs_name}) lies {gap / 1000:,.0f} km from the plots once both are "
            "reprojected to the working CRS; check that each layer's CRS is set correctly"
        )
