"""Explain plot: why one plot scored what it scored (the same rows as ``sitefinder explain``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsProcessing, QgsProcessingOutputNumber,
    QgsProcessingOutputString, QgsProcessingParameterFeatureSink, QgsProcessingParameterFileDestination,
    QgsProcessingParameterString, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from . import data_inputs as di
from . import scored_input as si
from .base import help_text

# The table layer's fields: the explanation's columns plus the sources in words.
_FIELDS = [("criterion", QVariant.String), ("label", QVariant.String), ("raw_value", QVariant.Double),
           ("raw", QVariant.String), ("score", QVariant.Double), ("weight", QVariant.Double),
           ("contribution", QVariant.Double), ("max_points", QVariant.Double), ("curve", QVariant.String),
           ("weight_source", QVariant.String), ("weight_quote", QVariant.String), ("curve_source", QVariant.String),
           ("curve_quote", QVariant.String), ("withheld", QVariant.Bool)]


class ExplainPlot(si.ScoredLayerAlgorithm):
    NAME = "explainplot"
    DISPLAY_NAME = "Explain plot"
    GROUP = "Decision support"
    HELP = (
        "<p>Why one plot scored what it scored: for each criterion the raw value (metres or a count), the "
        "0–1 score, the weight, the points it contributes, the curve that turned the value into the score, and "
        "where the weight and curve come from (the Norwegian report quoted, or 'assumption'). An excluded plot "
        "shows why it was excluded. The same rows as <code>sitefinder explain</code>.</p>"
        "<p>Outputs: a table layer (one row per criterion) and the explanation as an HTML page, shown in the "
        "Processing results; the text goes to the log too. Criteria reading sensitive layers are shown as "
        "withheld unless you tick 'Include sensitive data'.</p>"
    )

    PLOT = "PLOT"
    OUTPUT = "OUTPUT"
    HTML = "HTML"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        si.add_scored_parameters(self)
        self.addParameter(help_text(QgsProcessingParameterString(self.PLOT, "Plot id"),
                                    "The plot to explain: its value in the plot id field (e.g. teig-3), or its row "
                                    "number from 0 when the layer has no id field."))
        di.add_privacy_parameters(self, "the explanation")
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Explanation table", QgsProcessing.TypeVector, optional=True),
            "One row per criterion: raw value, score, weight, contribution, maximum points, curve, and the "
            "weight's and curve's source with its quote."))
        self.addParameter(help_text(QgsProcessingParameterFileDestination(
            self.HTML, "Explanation (HTML)", fileFilter="HTML files (*.html)", optional=True),
            "The explanation as a page, with every source quoted (opens in the Processing results viewer)."))
        for name, title in (("SCORE", "Score"), ("RANK", "Rank")):
            self.addOutput(QgsProcessingOutputNumber(name, title))
        self.addOutput(QgsProcessingOutputString("EXCLUSION_REASON", "Exclusion reason"))
        self.addOutput(QgsProcessingOutputString("TEXT", "Explanation as text"))

    def process_scored(self, parameters, context, feedback):
        from sitefinder.adapters.atomic import atomic_path
        from sitefinder.decision.columns import find_rows
        from sitefinder.decision.explanation import explain_columns, explanation_html, explanation_text, source_note

        from ..scored_layer import float_or_none

        scored = self._scored
        profile = si.scored_profile(self, parameters, context, scored)
        layers, include = si.privacy(self, parameters, context, profile, scored)
        labels, column = scored.labels(self.parameterAsString(parameters, si.ID_FIELD, context))
        (row,) = find_rows(labels, column, [self.parameterAsString(parameters, self.PLOT, context).strip()])
        e = explain_columns(scored.columns, row, labels[row], profile, () if include else tuple(layers))
        text = explanation_text(e)
        feedback.pushInfo(text)
        results = {"SCORE": float_or_none(e.score), "RANK": float_or_none(e.rank),
                   "EXCLUSION_REASON": e.exclusion_reason, "TEXT": text}

        fields = QgsFields()
        for name, kind in _FIELDS:
            fields.append(QgsField(name, kind))
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.NoGeometry)
        if sink is not None:
            for r in e.rows:
                f = QgsFeature(fields)
                record = {**r, "weight_quote": source_note(r["weight_source"]),
                          "curve_quote": source_note(r["curve_source"])}
                f.setAttributes([float_or_none(record[n]) if k == QVariant.Double else record[n] for n, k in _FIELDS])
                sink.addFeature(f, QgsFeatureSink.FastInsert)
            results[self.OUTPUT] = dest_id
        html_path = self.parameterAsFileOutput(parameters, self.HTML, context)
        if html_path:
            with atomic_path(Path(html_path)) as tmp:
                tmp.write_text(explanation_html(e), encoding="utf-8")
            results[self.HTML] = html_path
        return results
