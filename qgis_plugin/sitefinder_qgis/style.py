"""The look of a scored layer: graduated colours on ``score``, excluded plots in grey."""

from __future__ import annotations

import json

from qgis.core import (
    QgsGraduatedSymbolRenderer, QgsProcessingLayerPostProcessorInterface, QgsRendererRange, QgsSymbol,
    QgsVectorLayer, QgsWkbTypes,
)
from qgis.PyQt.QtGui import QColor

# Excluded plots have no score; classifying coalesce(score, -1) puts them in their own grey class.
CLASS_EXPRESSION = 'coalesce("score", -1)'
EXCLUDED_COLOUR = "#b4b4b4"
# Five equal classes of the 0–100 score, red (poor) to green (good): ColorBrewer RdYlGn.
SCORE_CLASSES = [
    (0, 20, "#d7191c", "0 – 20"),
    (20, 40, "#fdae61", "20 – 40"),
    (40, 60, "#ffffbf", "40 – 60"),
    (60, 80, "#a6d96a", "60 – 80"),
    (80, 100, "#1a9641", "80 – 100 (best)"),
]


def _symbol(layer: QgsVectorLayer, colour: str) -> QgsSymbol:
    symbol = QgsSymbol.defaultSymbol(layer.geometryType())
    symbol.setColor(QColor(colour))
    if layer.geometryType() == QgsWkbTypes.PolygonGeometry:
        symbol.symbolLayer(0).setStrokeColor(QColor("#505050"))
        symbol.symbolLayer(0).setStrokeWidth(0.1)
    return symbol


def score_renderer(layer: QgsVectorLayer) -> QgsGraduatedSymbolRenderer:
    """A graduated renderer on the score (five classes), with excluded plots as a grey first class."""
    ranges = [QgsRendererRange(-1.5, -0.5, _symbol(layer, EXCLUDED_COLOUR), "excluded")]
    ranges += [QgsRendererRange(lo, hi, _symbol(layer, colour), label) for lo, hi, colour, label in SCORE_CLASSES]
    return QgsGraduatedSymbolRenderer(CLASS_EXPRESSION, ranges)


def apply_score_style(layer: QgsVectorLayer) -> None:
    """Style a scored layer in place and repaint it."""
    layer.setRenderer(score_renderer(layer))
    layer.triggerRepaint()


class ScoreStylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Styles the output layer when Processing loads it into the project, and keeps its run metadata on it."""

    _instance = None  # QGIS does not keep Python post-processors alive: we do

    def __init__(self, meta: dict | None = None):
        super().__init__()
        self.meta = meta

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS's name)
        if isinstance(layer, QgsVectorLayer):
            apply_score_style(layer)
            if self.meta is not None:
                from .scored_layer import PROPERTY

                layer.setCustomProperty(PROPERTY, json.dumps(self.meta, ensure_ascii=False))

    @classmethod
    def create(cls, meta: dict | None = None) -> "ScoreStylePostProcessor":
        cls._instance = cls(meta)
        return cls._instance
