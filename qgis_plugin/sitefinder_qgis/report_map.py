"""The report's maps drawn by QGIS: the static PNG map (instead of matplotlib) and the plots for the SVG map."""

from __future__ import annotations

import base64
import html

import numpy as np
from qgis.core import (
    QgsCoordinateTransform, QgsFeatureRequest, QgsGeometry, QgsMapRendererCustomPainterJob, QgsMapSettings,
    QgsProcessingFeatureSource, QgsRectangle, QgsVectorLayer, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice, QSize
from qgis.PyQt.QtGui import QColor, QImage, QPainter

from .style import EXCLUDED_COLOUR, SCORE_CLASSES, score_renderer

MAP_WIDTH = 900  # pixels, as the library's static map at 90 dpi


def static_map(layer: QgsVectorLayer, title: str, attribution: str) -> str:
    """The scored layer drawn by QGIS with the plugin's score style, as an ``<img>`` with a PNG data URI and a
    legend. ``layer`` is a clone made for this thread (see ``Report.prepareAlgorithm``)."""
    extent = QgsRectangle(layer.extent())
    if extent.isEmpty():
        return "<div><p class='muted'>No plot geometry to draw.</p></div>"
    extent.scale(1.05)
    height = int(min(max(MAP_WIDTH * extent.height() / max(extent.width(), 1e-9), 200), 1400))
    layer.setRenderer(score_renderer(layer))
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(MAP_WIDTH, height))
    settings.setExtent(extent)
    settings.setBackgroundColor(QColor("white"))
    image = QImage(QSize(MAP_WIDTH, height), QImage.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.renderSynchronously()
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    png = base64.b64encode(bytes(data)).decode("ascii")
    legend = "".join(f"<span><i class='sw' style='background:{colour}'></i>{html.escape(label)}</span>"
                     for _, _, colour, label in SCORE_CLASSES)
    legend += f"<span><i class='sw' style='background:{EXCLUDED_COLOUR}'></i>excluded</span>"
    return (f"<div><p class='muted'>Static map (for print), drawn by QGIS: {html.escape(title)}.</p>"
            f'<img alt="map of scores" src="data:image/png;base64,{png}">'
            f"<div class='legend'>{legend}</div><p class='muted'>{html.escape(attribution)}</p></div>")


def plot_shapes(source, fids: list[int], crs, transform_context):
    """The plots for the interactive SVG map as :class:`~sitefinder.decision.report_html.PlotShapes`, as the
    library draws them: in ``crs`` (metres), simplified by GEOS (topology-preserving), exterior rings."""
    from sitefinder.decision.report_html import PlotShapes, simplify_tolerance

    transform = None if source.sourceCrs() == crs else QgsCoordinateTransform(source.sourceCrs(), crs,
                                                                               transform_context)
    row_of = {fid: i for i, fid in enumerate(fids)}
    geoms: list[QgsGeometry | None] = [None] * len(fids)
    box = QgsRectangle()
    box.setMinimal()
    skip_check = QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks  # invalid plots are drawn too
    for feature in source.getFeatures(QgsFeatureRequest().setNoAttributes(), skip_check):
        g = feature.geometry()
        if g is None or g.isNull() or g.isEmpty():
            continue
        g = QgsGeometry(g)
        if transform is not None:
            g.transform(transform)
        geoms[row_of[feature.id()]] = g
        box.combineExtentWith(g.boundingBox())
    if box.isNull() or not geoms or all(g is None for g in geoms):
        return None
    bounds = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
    tol = simplify_tolerance(bounds)
    shapes: list = []
    for g in geoms:
        if g is None:
            shapes.append(None)
        elif g.type() == QgsWkbTypes.PointGeometry:
            p = g.vertexAt(0)
            shapes.append((p.x(), p.y()))
        elif g.type() == QgsWkbTypes.PolygonGeometry:
            s = g.simplify(tol)
            polygons = s.asMultiPolygon() if s.isMultipart() else [s.asPolygon()]
            rings = [(np.array([p.x() for p in poly[0]]), np.array([p.y() for p in poly[0]]))
                     for poly in polygons if poly]
            shapes.append(rings or None)
        else:
            shapes.append(None)
    n = len(fids)
    return PlotShapes(shapes, np.full(n, np.nan), np.full(n, np.nan), bounds)
