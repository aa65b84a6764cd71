"""The report's maps drawn by QGIS: the static PNG map (instead of matplotlib) and the plots for the SVG map."""

from __future__ import annotations

import base64
import html

import numpy as np
from qgis.core import (
    QgsCoordinateTransform, QgsGeometry, QgsMapRendererCustomPainterJob, QgsMapSettings,
    QgsRectangle, QgsVectorLayer, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice, QSize
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from .style import EXCLUDED_COLOUR, SCORE_CLASSES, score_renderer

MAP_WIDTH = 900  # pixels, as the library's static map at 90 dpi


def static_map(layer: QgsVectorLayer, title: str, attribution: str, marks=()) -> str:
    """The scored layer drawn by QGIS with the plugin's score style, as an ``<img>`` with a PNG data URI and a
    legend. ``layer`` is a clone made for this thread (see ``Report.prepareAlgorithm``); ``marks`` are
    ``(x, y, label)`` in the layer's CRS, drawn as a star and the label (the chosen sites)."""
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
    _draw_marks(painter, settings, marks)
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


def _draw_marks(painter: QPainter, settings: QgsMapSettings, marks) -> None:
    """Stars with labels (``★S1`` …) over the rendered map, as the library's map marks the chosen sites."""
    font = QFont()
    font.setPixelSize(16)
    font.setBold(True)
    painter.setFont(font)
    to_pixel = settings.mapToPixel()
    for x, y, label in marks:
        if np.isnan(x) or np.isnan(y):
            continue
        p = to_pixel.transform(float(x), float(y))
        path = QPainterPath()
        path.addText(p.x() - 6, p.y() + 6, font, f"★{label}")
        painter.strokePath(path, QPen(QColor("white"), 3))
        painter.fillPath(path, QColor("#b00020"))


def plot_shapes(layer, fids: list[int], crs, transform_context):
    """The plots of a :class:`~.layers.LayerInput` for the interactive SVG map as
    :class:`~sitefinder.decision.report_html.PlotShapes`, as the library draws them: in ``crs`` (metres),
    simplified by GEOS (topology-preserving), exterior rings, with a point inside each plot for the marks."""
    from sitefinder.decision.report_html import PlotShapes, simplify_tolerance

    from .layers import inner_points

    transform = None if layer.crs == crs else QgsCoordinateTransform(layer.crs, crs, transform_context)
    row_of = {fid: i for i, fid in enumerate(fids)}
    geoms: list[QgsGeometry | None] = [None] * len(fids)
    box = QgsRectangle()
    box.setMinimal()
    for feature in layer.features():  # invalid plots are drawn too
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
    rep_x, rep_y = inner_points(layer, fids, crs, transform_context)
    return PlotShapes(shapes, rep_x, rep_y, bounds)
