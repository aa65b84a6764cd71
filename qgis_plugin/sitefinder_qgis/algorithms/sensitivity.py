"""Sensitivity: how much the ranking depends on the weights (the numbers of ``sitefinder sensitivity``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsProcessing, QgsProcessingException,
    QgsProcessingOutputNumber, QgsProcessingOutputString, QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination, QgsProcessingParameterNumber, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from . import data_inputs as di
from . import scored_input as si
from .base import FeedbackReporter, help_text


def rank_fields(top_n: int) -> list[str]:
    """The fields added to each plot, as the command line's per-plot table names them."""
    return ["rank_min", "rank_max", "rank_p05", "rank_p95", "rank_mean", f"p_top_{top_n}"]


class Sensitivity(si.ScoredLayerAlgorithm):
    NAME = "sensitivity"
    DISPLAY_NAME = "Sensitivity"
    GROUP = "Decision support"
    HELP = (
        "<p>How much does the ranking depend on the weights? Two analyses on a scored layer, without "
        "measuring again (criterion scores do not depend on the weights):</p>"
        "<ul><li><b>One at a time</b>: each weight moved by −25 %, −10 %, +10 % and +25 % (the others "
        "rescaled to keep the sum); the criteria the ranking depends on most come first (mean absolute rank "
        "change at ±25 %).</li>"
        "<li><b>Monte Carlo</b>: random weight sets around the profile's (Dirichlet, seeded: the same seed "
        "gives the same result); per plot the rank range and the share of draws in the top N.</li></ul>"
        "<p>Outputs: a copy of the layer with <b>rank_min</b>, <b>rank_max</b>, <b>rank_p05</b>, "
        "<b>rank_p95</b>, <b>rank_mean</b> and <b>p_top_N</b> (empty for excluded plots); the criteria "
        "summary as a table; and both as an HTML page. The same numbers as <code>sitefinder sensitivity</code> "
        "for the same seed. Needs every criterion's score: a layer whose sensitive columns were left out "
        "cannot be analysed.</p>"
    )

    TOP_N = "TOP_N"
    DRAWS = "DRAWS"
    CONCENTRATION = "CONCENTRATION"
    SEED = "SEED"
    OUTPUT = "OUTPUT"
    CRITERIA = "CRITERIA"
    HTML = "HTML"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        si.add_scored_parameters(self)
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.TOP_N, "N of 'in the top N'", QgsProcessingParameterNumber.Integer, 10, minValue=1),
            "The probability of being among the N best plots is computed for this N (default 10)."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.DRAWS, "Monte-Carlo weight sets", QgsProcessingParameterNumber.Integer, 1000, minValue=1),
            "How many random weight sets to draw (default 1000); more gives steadier shares."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.CONCENTRATION, "Dirichlet concentration", QgsProcessingParameterNumber.Double, 100.0,
            minValue=0.001),
            "How close the random weights stay to the profile's: larger is closer. With 100 a weight of 0.2 "
            "varies by about ±0.04 (one standard deviation)."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.SEED, "Random seed", QgsProcessingParameterNumber.Integer, 0),
            "The seed of the random draws: the same seed gives the same result (default 0)."))
        di.add_privacy_parameters(self, "the output layer")
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Plots with rank ranges", QgsProcessing.TypeVectorAnyGeometry),
            "A copy of the scored layer with each plot's Monte-Carlo rank range and probability of being in "
            "the top N."))
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.CRITERIA, "Criteria summary", QgsProcessing.TypeVector, optional=True),
            "One row per criterion, most influential first: weight, mean absolute rank change at each weight "
            "change, sensitivity, Spearman correlation and share of the top N kept at ±25 %."))
        self.addParameter(help_text(QgsProcessingParameterFileDestination(
            self.HTML, "Sensitivity summary (HTML)", fileFilter="HTML files (*.html)", optional=True),
            "Both tables as a page (opens in the Processing results viewer)."))
        self.addOutput(QgsProcessingOutputNumber("MEDIAN_SPEARMAN", "Median rank correlation of the draws"))
        self.addOutput(QgsProcessingOutputString("MOST_SENSITIVE", "Criterion the ranking depends on most"))

    def process_scored(self, parameters, context, feedback):
        import numpy as np

        from sitefinder.adapters.atomic import atomic_path
        from sitefinder.decision.columns import table_from_columns
        from sitefinder.decision.report_html import html_table
        from sitefinder.decision.sensitivity import analyse_sensitivity, criteria_summary, plot_order

        from ..layers import LayerInput
        from ..output import public_copy

        scored = self._scored
        profile = si.scored_profile(self, parameters, context, scored)
        layers, include = si.privacy(self, parameters, context, profile, scored)
        top_n = self.parameterAsInt(parameters, self.TOP_N, context)
        draws = self.parameterAsInt(parameters, self.DRAWS, context)
        concentration = self.parameterAsDouble(parameters, self.CONCENTRATION, context)
        seed = self.parameterAsInt(parameters, self.SEED, context)
        progress = FeedbackReporter(feedback)
        progress.phase(0, 90)
        table = table_from_columns(scored.columns, scored.n, profile, scored.meta)
        result = analyse_sensitivity(table, draws=draws, concentration=concentration, seed=seed, top_n=top_n,
                                     reporter=progress.reporter)
        crit = criteria_summary(result)
        mc = result.mc
        per_row = {name: np.full(scored.n, np.nan) for name in rank_fields(top_n)}
        for name, values in zip(rank_fields(top_n), (mc.rank_min, mc.rank_max, mc.rank_p05, mc.rank_p95,
                                                     mc.rank_mean, mc.p_top_n)):
            per_row[name][result.rows] = values
        feedback.pushInfo("Criteria, most influential first (mean absolute rank change when the weight moves "
                          "by ±25 %): " + ", ".join(f"{r['criterion']} {r['sensitivity']:.2f}" for r in crit))
        progress.phase(90, 100)

        # The plots layer, with the rank fields (replacing older ones) and without withheld columns.
        source = self.parameterAsSource(parameters, si.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, si.INPUT))
        copier = public_copy(source.fields(), profile, layers, include, replaced=rank_fields(top_n),
                             after=[QgsField(name, QVariant.Double) for name in rank_fields(top_n)])
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, copier.fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        row_of = {fid: i for i, fid in enumerate(scored.fids)}
        for feature in LayerInput.from_source(source, "scored plots").features():  # invalid ones too
            i = row_of[feature.id()]
            values = [None if np.isnan(per_row[n][i]) else float(per_row[n][i]) for n in rank_fields(top_n)]
            sink.addFeature(copier.feature(feature, after=values), QgsFeatureSink.FastInsert)
        results = {self.OUTPUT: dest_id, "MEDIAN_SPEARMAN": float(np.median(mc.spearman)),
                   "MOST_SENSITIVE": crit[0]["criterion"] if crit else ""}

        columns = list(crit[0]) if crit else ["criterion"]
        crit_fields = QgsFields()
        for c in columns:
            crit_fields.append(QgsField(_field_name(c), QVariant.String if c in ("criterion", "label")
                                        else QVariant.Double))
        crit_sink, crit_id = self.parameterAsSink(parameters, self.CRITERIA, context, crit_fields,
                                                  QgsWkbTypes.NoGeometry)
        if crit_sink is not None:
            for r in crit:
                f = QgsFeature(crit_fields)
                f.setAttributes([r[c] for c in columns])
                crit_sink.addFeature(f, QgsFeatureSink.FastInsert)
            results[self.CRITERIA] = crit_id

        html_path = self.parameterAsFileOutput(parameters, self.HTML, context)
        if html_path:
            labels, _ = scored.labels(self.parameterAsString(parameters, si.ID_FIELD, context))
            plots = [{"plot": labels[result.rows[j]], "rank": int(mc.base_rank[j]), "rank_min": int(mc.rank_min[j]),
                      "rank_max": int(mc.rank_max[j]), "rank_p05": float(mc.rank_p05[j]),
                      "rank_p95": float(mc.rank_p95[j]), "rank_mean": float(mc.rank_mean[j]),
                      f"p_top_{top_n}": float(mc.p_top_n[j])} for j in plot_order(result)[:top_n]]
            page = (f"<html><head><meta charset='utf-8'><title>Sensitivity</title></head><body>"
                    f"<h2>Sensitivity of the ranking to the weights — profile {profile.name}</h2>"
                    "<p>Criteria, most influential first (mean absolute rank change at each weight change):</p>"
                    + html_table(crit, numeric={c: 2 for c in columns if c not in ("criterion", "label")})
                    + f"<p>Monte Carlo: {draws} weight sets, concentration {concentration:g}, seed {seed}; rank "
                      f"correlation with the profile's ranking: median {np.median(mc.spearman):.3f}, 5th "
                      f"percentile {np.percentile(mc.spearman, 5):.3f}. Top {top_n}:</p>"
                    + html_table(plots, numeric={"rank_p05": 0, "rank_p95": 0, "rank_mean": 1, f"p_top_{top_n}": 2})
                    + "</body></html>")
            with atomic_path(Path(html_path)) as tmp:
                tmp.write_text(page, encoding="utf-8")
            results[self.HTML] = html_path
        return results


def _field_name(column: str) -> str:
    """``"rank change -25%"`` -> ``"rank_change_m25"``: field names every format keeps."""
    text = column.replace("±", "pm").replace("+", "p").replace("-", "m").replace("−", "m").replace("%", "")
    return "_".join(text.split())
