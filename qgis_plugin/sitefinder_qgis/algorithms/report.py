"""Report: the self-contained HTML report of ``sitefinder report`` for a scored layer."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException, QgsProcessingParameterFileDestination, QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from . import data_inputs as di
from . import scored_input as si
from . import site_rules as sr
from .base import FeedbackReporter, help_text


class Report(si.ScoredLayerAlgorithm):
    NAME = "report"
    DISPLAY_NAME = "Report"
    GROUP = "Decision support"
    HELP = (
        "<p>Writes one self-contained HTML file a council can read (it opens offline, with no link to the "
        "internet): summary, a map of scores (a static map drawn by QGIS and an interactive map: hover over a "
        "plot), the score histogram, the top N with contribution bars, the sensitivity of the ranking to the "
        "weights, the exclusions, the profile with every source quoted, privacy, and data attribution — the "
        "same content as <code>sitefinder report</code>.</p>"
        "<p>With a number of sites above 0 the report also chooses that many sites under the siting rules "
        "(as the 'Top sites' algorithm) and marks them S1, S2 … on both maps.</p>"
        "<p>Sensitive layers (the profile's [privacy] list, those recorded with the layer and those named "
        "below) are left out unless you tick 'Include sensitive data'.</p>"
    )

    TITLE = "TITLE"
    TOP_N = "TOP_N"
    DRAWS = "DRAWS"
    CONCENTRATION = "CONCENTRATION"
    SEED = "SEED"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        si.add_scored_parameters(self)
        self.addParameter(help_text(QgsProcessingParameterString(self.TITLE, "Title", optional=True),
                                    "The report's title. Default: 'Site suitability: ' and the profile's title."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.TOP_N, "Top N", QgsProcessingParameterNumber.Integer, 10, minValue=1),
            "Rows of the top table, and N of 'probability of being in the top N' (default 10)."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.DRAWS, "Monte-Carlo weight sets", QgsProcessingParameterNumber.Integer, 1000, minValue=1),
            "Random weight sets of the sensitivity section (default 1000)."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.CONCENTRATION, "Dirichlet concentration", QgsProcessingParameterNumber.Double, 100.0,
            minValue=0.001),
            "How close the random weights stay to the profile's: larger is closer (default 100)."))
        self.addParameter(help_text(QgsProcessingParameterNumber(
            self.SEED, "Random seed", QgsProcessingParameterNumber.Integer, 0),
            "The seed of the random draws: the same seed gives the same report (default 0)."))
        sr.add_site_parameters(self, 0, 0, "Also choose this many sites under the rules below and show them in "
                                           "the report (default 0: no sites section).")
        di.add_privacy_parameters(self, "the report")
        self.addParameter(help_text(QgsProcessingParameterFileDestination(
            self.OUTPUT, "Report", fileFilter="HTML files (*.html)"),
            "The report file (.html), written atomically; open it in any browser."))

    def prepare_layer(self, layer) -> None:
        self._map_layer = layer.clone()  # rendered in the algorithm's thread, as QGIS's own algorithms do

    def process_scored(self, parameters, context, feedback):
        from sitefinder.adapters.atomic import atomic_path
        from sitefinder.decision.privacy import redact_reasons, withheld_columns
        from sitefinder.decision.report_html import (
            MAX_SVG_PLOTS, check_report_path, render_report, sites_section,
        )

        from ..layers import LayerInput, inner_points, working_crs
        from ..report_map import plot_shapes, static_map

        path = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        check_report_path(path)
        scored = self._scored
        profile = si.scored_profile(self, parameters, context, scored)
        layers, include = si.privacy(self, parameters, context, profile, scored)
        labels, id_column = scored.labels(self.parameterAsString(parameters, si.ID_FIELD, context))
        meta = scored.meta
        withheld = [] if include else withheld_columns(profile, layers, list(scored.columns))
        withheld = sorted(set(withheld) | set(meta.get("withheld_columns", [])))
        reasons = [r or "" for r in scored.columns.get("exclusion_reason", [""] * scored.n)]
        if not include:
            reasons = redact_reasons(reasons, profile, layers)
        title = self.parameterAsString(parameters, self.TITLE, context) or f"Site suitability: {profile.title}"
        progress = FeedbackReporter(feedback)
        progress.phase(0, 15)
        feedback.setProgressText("drawing the maps")
        source = self.parameterAsSource(parameters, si.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, si.INPUT))
        n_sites = self.parameterAsInt(parameters, sr.N_SITES, context)
        sites = sr.choose(self, parameters, context, scored, profile, include, n_sites) if n_sites > 0 else None
        selected = sites.selection.chosen.tolist() if sites is not None else None
        layer_in = LayerInput.from_source(source, "scored plots")
        shapes = None
        if scored.n <= MAX_SVG_PLOTS:
            shapes = plot_shapes(layer_in, scored.fids, working_crs(layer_in, context.transformContext()),
                                 context.transformContext())
        marks = []
        if selected:
            x, y = inner_points(layer_in, scored.fids, self._map_layer.crs(), context.transformContext())
            marks = [(x[i], y[i], f"S{k + 1}") for k, i in enumerate(selected)]
        static = static_map(self._map_layer, title, meta.get("attribution") or "", marks)
        progress.phase(15, 95)
        doc = render_report(
            scored.columns, scored.n, profile, labels=labels, id_column=id_column, meta=meta, layers=layers,
            include_sensitive=include, public_reasons=reasons, withheld=withheld, static_map=static, shapes=shapes,
            title=title, top_n=self.parameterAsInt(parameters, self.TOP_N, context), selected=selected,
            sites_html=sites_section(sites.rules, sites.chosen, sites.skipped) if sites is not None else None,
            draws=self.parameterAsInt(parameters, self.DRAWS, context),
            concentration=self.parameterAsDouble(parameters, self.CONCENTRATION, context),
            seed=self.parameterAsInt(parameters, self.SEED, context), reporter=progress.reporter)
        with atomic_path(path) as tmp:
            tmp.write_text(doc, encoding="utf-8")
        feedback.pushInfo(f"report -> {path}")
        return {self.OUTPUT: str(path)}
