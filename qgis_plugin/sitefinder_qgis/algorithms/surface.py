"""Surface: a suitability surface over an area, the GeoTIFF of ``sitefinder surface``."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem, QgsProcessing, QgsProcessingParameterCrs, QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource, QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
    QgsUnitTypes,
)

from . import data_inputs as di
from .base import FeedbackReporter, SitefinderAlgorithm, help_text

SURFACE_NODATA = -9999.0  # as the library's surfaces (sitefinder.api.SURFACE_NODATA)
_READ, _SCORE, _WRITE = (0, 30), (30, 95), (95, 100)


class Surface(SitefinderAlgorithm):
    NAME = "surface"
    DISPLAY_NAME = "Suitability surface"
    HELP = (
        "<p>Scores a regular grid of cells over an area — each cell like a point plot at its centre, with "
        "the same profile and data as 'Score plots' — and writes a Cloud-Optimised GeoTIFF: band 1 the total "
        "score (0–100), then one band per criterion score (0–1), with band descriptions; excluded cells and "
        "cells outside the area are nodata. The same bands as <code>sitefinder surface</code>; a cell's value "
        "is the score a plot at its centre gets.</p>"
        "<p>The grid's edges are multiples of the cell size, so surfaces of neighbouring areas line up. Bands "
        "of criteria reading sensitive layers are left out unless you tick 'Include sensitive data'.</p>"
    )

    AREA = "AREA"
    EXTENT = "EXTENT"
    CRS = "CRS"
    CELL = "CELL"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(help_text(QgsProcessingParameterFeatureSource(
            self.AREA, "Area (polygons)", [QgsProcessing.TypeVectorPolygon], optional=True),
            "The area to cover, e.g. a municipality polygon; a cell belongs to it when its centre lies inside. "
            "Give this or an extent."))
        self.addParameter(help_text(QgsProcessingParameterExtent(self.EXTENT, "Extent", optional=True),
                                    "A rectangle to cover instead of an area layer (e.g. the map canvas extent)."))
        self.addParameter(help_text(QgsProcessingParameterCrs(self.CRS, "CRS of the surface", optional=True),
                                    "A projected CRS in metres for the grid, e.g. EPSG:25833. Default: the area's "
                                    "CRS when it is projected in metres, else its UTM zone."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.CELL, "Cell size (m)", QgsProcessingParameterNumber.Double, 25.0, minValue=0.01),
            "The side of a cell in metres (default 25). Halving it quadruples the cells and the time."))
        di.add_profile_parameters(self)
        di.add_data_parameters(self)
        di.add_privacy_parameters(self, "the surface")
        self.addParameter(help_text(QgsProcessingParameterRasterDestination(self.OUTPUT, "Suitability surface"),
                                    "The GeoTIFF (.tif) to write, atomically; it is added to the project."))

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self._feature_layers = di.snapshot_feature_layers(self, parameters, context)
        return True

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self.require_library()
        with self.translated_errors():
            return self._surface(parameters, context, feedback)

    def _area(self, parameters, context, reporter):
        """The area's polygons in the surface CRS, and that CRS."""
        import numpy as np

        from sitefinder.core.geometry import Ragged
        from sitefinder.errors import InputError

        from ..layers import LayerInput, read_features, working_crs

        tc = context.transformContext()
        chosen = self.parameterAsCrs(parameters, self.CRS, context)
        source = self.parameterAsSource(parameters, self.AREA, context)
        if source is not None:
            area_in = LayerInput.from_source(source, "area")
            crs = chosen if chosen.isValid() else working_crs(area_in, tc)
            _check_metric(crs)
            polygons = read_features(area_in, crs, tc, "area", reporter).polygons
            return polygons, crs
        if not self.parameterAsString(parameters, self.EXTENT, context):
            raise InputError("give the area to cover: a polygon layer or an extent")
        extent_crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
        crs = chosen if chosen.isValid() else extent_crs
        if not crs.isValid() or crs.isGeographic() or crs.mapUnits() != QgsUnitTypes.DistanceMeters:
            box = self.parameterAsExtent(parameters, self.EXTENT, context, extent_crs)
            crs = working_crs(LayerInput("extent", None, extent_crs, box, None), tc)
        _check_metric(crs)
        r = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
        x = np.array([r.xMinimum(), r.xMaximum(), r.xMaximum(), r.xMinimum(), r.xMinimum()])
        y = np.array([r.yMinimum(), r.yMinimum(), r.yMaximum(), r.yMaximum(), r.yMinimum()])
        return Ragged(x, y, np.array([0, 5], np.int64), np.array([0, 1], np.int64)), crs

    def _surface(self, parameters, context, feedback):
        from pathlib import Path

        from sitefinder.adapters.raster_gdal import write_geotiff_gdal
        from sitefinder.decision.privacy import public_surface, sensitive_layers
        from sitefinder.errors import InputError
        from sitefinder.pipeline.surface import score_surface, surface_grid

        progress = FeedbackReporter(feedback)
        reporter = progress.reporter
        profile = di.read_profile(self, parameters, context)
        path = Path(self.parameterAsOutputLayer(parameters, self.OUTPUT, context))
        if path.suffix.lower() not in (".tif", ".tiff"):
            raise InputError(f"cannot write {path.name}: a surface is a GeoTIFF, give a .tif output")
        progress.phase(*_READ)
        area, crs = self._area(parameters, context, reporter)
        feedback.pushInfo(f"surface CRS: {crs.authid()} ({crs.description()})")
        with reporter.step("laying out cells"):
            grid = surface_grid(area, self.parameterAsDouble(parameters, self.CELL, context))
        g = grid.geometry
        bounds = (g.left, g.top - g.ny * g.dy, g.left + g.nx * g.dx, g.top)
        feedback.pushInfo(f"{grid.n_cells} cells of {g.dx:g} m ({g.nx} × {g.ny} grid)")
        data = di.read_study(self, parameters, context, feedback, reporter, crs, bounds, profile,
                             self._feature_layers)
        progress.phase(*_SCORE)
        surface = score_surface(grid, data.study, profile, None, reporter)
        progress.phase(*_WRITE)
        include = self.parameterAsBool(parameters, di.INCLUDE_SENSITIVE, context)
        hide = () if include else sensitive_layers(profile, di.sensitive_names(self, parameters, context))
        bands, names, tags = public_surface(surface, data.sources, "; ".join(data.attribution), hide, SURFACE_NODATA)
        write_geotiff_gdal(path, bands, names, g, crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL),
                           SURFACE_NODATA, tags)
        excluded = int(surface.table.columns["excluded"].sum())
        feedback.pushInfo(f"{surface.table.n} cells: {surface.table.n - excluded} scored, {excluded} excluded; "
                          f"bands: {', '.join(names)}")
        return {self.OUTPUT: str(path)}


def _check_metric(crs: QgsCoordinateReferenceSystem) -> None:
    from sitefinder.errors import InputError

    if not crs.isValid() or crs.isGeographic() or crs.mapUnits() != QgsUnitTypes.DistanceMeters:
        raise InputError(f"the surface CRS must be projected in metres, got {crs.description() or 'none'}")
