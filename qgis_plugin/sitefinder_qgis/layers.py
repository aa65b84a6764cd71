"""QGIS layers -> sitefinder's arrays, at the edge (no geopandas, no shapely).

Geometries go through WKB into :class:`~sitefinder.core.geometry.Ragged`;
GEOS (through QGIS) gives the point on surface and validity; the rules for
unusable plots, one-way values and the working CRS are the library's own
(:mod:`sitefinder.adapters.layer_rules`), so the plugin and the library score
the same plots the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from qgis.core import (
    NULL, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsCsException, QgsFeatureRequest, QgsGeometry,
    QgsProcessingFeatureSource, QgsRectangle, QgsUnitTypes, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from sitefinder.adapters.layer_rules import (
    EMPTY_GEOMETRY, MISSING_GEOMETRY, POLYGON_TYPES, check_lonlat_bounds, check_near_plots, check_network_lines,
    check_not_only_lines, geos_reason, invalid_plot_problem, is_oneway, missing_crs_error, plot_type_problem,
    utm_epsg,
)
from sitefinder.adapters.wkb import Pieces, parse_wkb, ragged_from_pieces
from sitefinder.errors import InputError
from sitefinder.pipeline import FeatureArrays, NetworkArrays, PlotArrays
from sitefinder.progress import Reporter

NUMERIC_TYPES = (QVariant.Int, QVariant.UInt, QVariant.LongLong, QVariant.ULongLong, QVariant.Double, QVariant.Bool)
UNTRANSFORMABLE = "coordinates cannot be transformed to the working CRS"
# Check for cancel (and report progress) every this many features.
_CHUNK = 1000


@dataclass
class LayerInput:
    """A vector layer captured for reading (possibly in a worker thread).

    Attributes
    ----------
    name : str
        Layer name (for messages; for feature layers also the category).
    source : QgsFeatureSource or QgsVectorLayerFeatureSource
        Something with ``getFeatures(request)``.
    crs : QgsCoordinateReferenceSystem
    extent : QgsRectangle
        In the layer's CRS.
    fields : QgsFields
    """

    name: str
    source: object
    crs: QgsCoordinateReferenceSystem
    extent: QgsRectangle
    fields: object

    @classmethod
    def from_source(cls, source, name: str) -> "LayerInput":
        """From a Processing feature source (``parameterAsSource``)."""
        return cls(name, source, source.sourceCrs(), source.sourceExtent(), source.fields())

    def features(self):
        """Every feature, invalid geometries included: sitefinder gives them their own treatment
        (plots are excluded with GEOS's reason, feature polygons are repaired)."""
        if isinstance(self.source, QgsProcessingFeatureSource):
            skip_check = QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks
            return self.source.getFeatures(QgsFeatureRequest(), skip_check)
        return self.source.getFeatures(QgsFeatureRequest())


def _bounds(rect: QgsRectangle) -> tuple[float, float, float, float]:
    return (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())


def check_crs(layer: LayerInput, what: str) -> None:
    """A usable CRS, and in-range coordinates when it is longitude/latitude.

    Raises
    ------
    InputError
    """
    if not layer.crs.isValid():
        raise missing_crs_error(what)
    if layer.crs.isGeographic() and not layer.extent.isNull() and not layer.extent.isEmpty():
        check_lonlat_bounds(_bounds(layer.extent), layer.crs.description(), what)


def working_crs(plots: LayerInput, transform_context) -> QgsCoordinateReferenceSystem:
    """The plots' CRS when projected in metres, else the UTM zone of the plots' centre (as pyproj picks it)."""
    check_crs(plots, "plots")
    crs = plots.crs
    if not crs.isGeographic() and crs.mapUnits() == QgsUnitTypes.DistanceMeters:
        return crs
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    try:
        box = QgsCoordinateTransform(crs, wgs84, transform_context).transformBoundingBox(plots.extent)
    except QgsCsException:
        raise InputError("cannot find a UTM zone for plots: are its coordinates valid?") from None
    code = utm_epsg(box.center().x(), box.center().y())
    if code is None:
        raise InputError("cannot find a UTM zone for plots: are its coordinates valid?")
    return QgsCoordinateReferenceSystem(f"EPSG:{code}")


def extent_in(layer: LayerInput, crs: QgsCoordinateReferenceSystem, transform_context,
              what: str) -> tuple[float, float, float, float]:
    """The layer's extent in ``crs`` as ``(xmin, ymin, xmax, ymax)``.

    Raises
    ------
    InputError
        When the extent cannot be reprojected (coordinates outside the CRS's range).
    """
    if layer.crs == crs:
        return _bounds(layer.extent)
    try:
        return _bounds(QgsCoordinateTransform(layer.crs, crs, transform_context).transformBoundingBox(layer.extent))
    except QgsCsException:
        raise InputError(f"{what} (CRS {layer.crs.authid()}) cannot be reprojected to the working CRS "
                         f"{crs.authid()}: is its CRS set correctly?") from None


def check_layer(layer: LayerInput, what: str, crs: QgsCoordinateReferenceSystem, plot_bounds,
                transform_context) -> None:
    """A network or feature layer: valid CRS, and near the plots once reprojected (else a CRS mismatch)."""
    check_crs(layer, what)
    if not layer.extent.isNull():
        check_near_plots(extent_in(layer, crs, transform_context, what), plot_bounds, what, layer.crs.authid())


class _Geometries:
    """Reprojects and takes apart the geometries of one layer."""

    def __init__(self, layer: LayerInput, crs: QgsCoordinateReferenceSystem, transform_context):
        self.transform = None if layer.crs == crs else QgsCoordinateTransform(layer.crs, crs, transform_context)

    def prepare(self, geometry: QgsGeometry | None) -> tuple[QgsGeometry | None, str]:
        """The geometry in the working CRS, without curves, and its type name; or ``None`` and why not."""
        if geometry is None or geometry.isNull():
            return None, MISSING_GEOMETRY
        if geometry.isEmpty():
            return None, EMPTY_GEOMETRY
        g = QgsGeometry(geometry)
        if QgsWkbTypes.isCurvedType(g.wkbType()):
            g = QgsGeometry(g.constGet().segmentize())
        if self.transform is not None:
            try:
                g.transform(self.transform)
            except QgsCsException:
                return None, UNTRANSFORMABLE
        return g, QgsWkbTypes.displayString(QgsWkbTypes.flatType(g.wkbType()))


def _pieces(g: QgsGeometry) -> Pieces:
    return parse_wkb(bytes(g.asWkb()))


def _inner_point(g: QgsGeometry) -> tuple[float, float]:
    p = g.pointOnSurface()
    if p.isNull() or p.isEmpty():
        return math.nan, math.nan
    point = p.asPoint()
    return point.x(), point.y()


def inner_points(layer: LayerInput, fids: list[int] | None, crs: QgsCoordinateReferenceSystem,
                 transform_context) -> tuple[np.ndarray, np.ndarray]:
    """A point inside each feature in ``crs``: GEOS's point on surface of the reprojected geometry, as the
    library's ``representative_point`` after ``to_crs``.

    In the order of ``fids`` (the order features are read when ``None``); ``nan``
    for a missing or empty geometry or one that cannot be reprojected.
    """
    transform = None if layer.crs == crs else QgsCoordinateTransform(layer.crs, crs, transform_context)
    xs: list[float] = []
    ys: list[float] = []
    ids: list[int] = []
    for feature in layer.features():
        g = feature.geometry()
        x = y = math.nan
        if g is not None and not g.isNull() and not g.isEmpty():
            g = QgsGeometry(g)
            try:
                if transform is not None:
                    g.transform(transform)
                x, y = _inner_point(g)
            except QgsCsException:
                pass
        ids.append(feature.id())
        xs.append(x)
        ys.append(y)
    if fids is None:
        return np.array(xs), np.array(ys)
    row = {fid: i for i, fid in enumerate(ids)}
    order = np.array([row[f] for f in fids], np.int64)
    return np.array(xs)[order], np.array(ys)[order]


def number(value) -> float:
    """An attribute as float (``nan`` for NULL or text)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    return math.nan  # NULL


def read_plots(layer: LayerInput, crs: QgsCoordinateReferenceSystem, transform_context,
               reporter: Reporter, total: int) -> tuple[PlotArrays, list[int]]:
    """Plots as :class:`PlotArrays`, and their feature ids in reading order.

    Unusable rows are kept with the library's reasons (missing, empty, a line,
    invalid with GEOS's explanation).

    Raises
    ------
    InputError
        An empty layer, or one holding only lines.
    """
    geoms = _Geometries(layer, crs, transform_context)
    numeric = [f.name() for f in layer.fields if f.type() in NUMERIC_TYPES]
    fids: list[int] = []
    problems: list[str] = []
    pieces: list[Pieces | None] = []
    rep: list[tuple[float, float]] = []
    area: list[float] = []
    types: set[str] = set()
    columns: dict[str, list[float]] = {name: [] for name in numeric}
    with reporter.step("reading plots", total if total > 0 else None):
        for n, feature in enumerate(layer.features()):
            if n and n % _CHUNK == 0:
                reporter.check_cancelled()
                reporter.advance(_CHUNK)
            fids.append(feature.id())
            for name in numeric:
                columns[name].append(number(feature[name]))
            g, what = geoms.prepare(feature.geometry())
            problem = what if g is None else plot_type_problem(what)
            if g is not None:
                types.add(what)
            if not problem and not g.isGeosValid():
                errors = g.validateGeometry(QgsGeometry.ValidatorGeos)
                reason = geos_reason(errors[0].what(), errors[0].where().x(), errors[0].where().y()) \
                    if errors else "invalid"
                problem = invalid_plot_problem(reason)
            problems.append(problem)
            if problem:
                pieces.append(None)
                rep.append((math.nan, math.nan))
                area.append(math.nan)
                continue
            pieces.append(_pieces(g))
            rep.append(_inner_point(g))
            area.append(g.area() if what in POLYGON_TYPES else math.nan)
    if not fids:
        raise InputError("plots: the layer is empty (no features)")
    check_not_only_lines(sorted(types))
    rep_xy = np.array(rep, dtype=np.float64)
    plots = PlotArrays(
        rep_x=rep_xy[:, 0].copy(), rep_y=rep_xy[:, 1].copy(), area=np.array(area, dtype=np.float64),
        outline=ragged_from_pieces(pieces), polygons=ragged_from_pieces(pieces, polygons_only=True),
        problem=np.array(problems, dtype=object),
        attributes={name: np.array(values, dtype=np.float64) for name, values in columns.items()},
    )
    return plots, fids


def read_features(layer: LayerInput, crs: QgsCoordinateReferenceSystem, transform_context, label: str,
                  reporter: Reporter, weight_field: str | None = None) -> FeatureArrays:
    """Features of one category (points, lines or polygons) as :class:`FeatureArrays`.

    Missing and empty geometries are dropped; invalid polygons are repaired
    (GEOS make-valid), as the library does. A ``name`` field names features
    in exclusion reasons. ``weight_field`` holds each feature's weight for
    ``sum`` criteria (empty or non-numeric values count 0, as in the library).

    Raises
    ------
    InputError
        When ``weight_field`` is not a field of the layer.
    """
    if weight_field and layer.fields.indexOf(weight_field) < 0:
        raise InputError(f"features {label!r} have no column {weight_field!r}")
    geoms = _Geometries(layer, crs, transform_context)
    has_name = layer.fields.indexOf("name") >= 0
    pieces: list[Pieces] = []
    rep: list[tuple[float, float]] = []
    names: list[str] = []
    weights: list[float] = []
    for n, feature in enumerate(layer.features()):
        if n % _CHUNK == 0:
            reporter.check_cancelled()
        g, _ = geoms.prepare(feature.geometry())
        if g is None:
            continue
        if not g.isGeosValid():
            g = g.makeValid()
            if g.isNull() or g.isEmpty():
                continue
        pieces.append(_pieces(g))
        rep.append(_inner_point(g))
        value = feature["name"] if has_name else None
        names.append("" if value is None or value == NULL else str(value))
        if weight_field:
            weights.append(_weight(feature[weight_field]))
    rep_xy = np.array(rep, dtype=np.float64).reshape(-1, 2)
    return FeatureArrays(
        outline=ragged_from_pieces(pieces), rep_x=rep_xy[:, 0].copy(), rep_y=rep_xy[:, 1].copy(),
        polygons=ragged_from_pieces(pieces, polygons_only=True), name=np.array(names, dtype=object),
        weight=np.array(weights, dtype=np.float64) if weight_field else None,
        label=label, origin=f"layer {layer.name}",
    )


def _weight(value) -> float:
    """A feature weight: numbers (also as text) as they are, anything else 0."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return 0.0
    weight = number(value)
    return 0.0 if math.isnan(weight) else weight


def read_network(layer: LayerInput, crs: QgsCoordinateReferenceSystem, transform_context, reporter: Reporter,
                 oneway_field: str | None = None) -> NetworkArrays:
    """A line layer as a noded walking network (lines joined where they share a vertex).

    Raises
    ------
    InputError
        No lines, no line with two distinct vertices, or an unknown one-way field.
    """
    origin = f"layer {layer.name}"
    if oneway_field and layer.fields.indexOf(oneway_field) < 0:
        raise InputError(f"the network {origin} has no field {oneway_field!r}")
    geoms = _Geometries(layer, crs, transform_context)
    pieces: list[Pieces | None] = []
    oneway: list[bool] = []
    types: set[str] = set()
    for n, feature in enumerate(layer.features()):
        if n % _CHUNK == 0:
            reporter.check_cancelled()
        g, what = geoms.prepare(feature.geometry())
        if g is not None:
            types.add(what)
        is_line = g is not None and QgsWkbTypes.geometryType(g.wkbType()) == QgsWkbTypes.LineGeometry
        pieces.append(_pieces(g) if is_line else None)
        oneway.append(bool(oneway_field) and is_oneway(feature[oneway_field]))
    check_network_lines(sorted(types), origin)
    return NetworkArrays.from_lines(ragged_from_pieces(pieces), np.array(oneway, dtype=np.bool_), origin)
