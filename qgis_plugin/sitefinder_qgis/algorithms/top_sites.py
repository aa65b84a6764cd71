"""Top sites: the best N plots under spacing and co-location rules (the choice of ``sitefinder topsites``)."""

from __future__ import annotations

from qgis.core import (
    QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsProcessing, QgsProcessingException,
    QgsProcessingOutputNumber, QgsProcessingParameterFeatureSink,
)
from qgis.PyQt.QtCore import QVariant

from . import data_inputs as di
from . import scored_input as si
from . import site_rules as sr
from .base import help_text


class TopSites(si.ScoredLayerAlgorithm):
    NAME = "topsites"
    DISPLAY_NAME = "Top sites"
    GROUP = "Decision support"
    HELP = (
        "<p>Chooses the best N plots of a scored layer under siting rules, greedily: plots are taken best "
        "score first, and a plot is passed over when it lies closer than the minimum spacing to a site "
        "already chosen, or when its units would put more than the cap within the cap radius of any chosen "
        "site (existing units counted). The småhus rules: groups of 2–3 units, at most 4 together, sites "
        "spread out. Each rule left empty comes from the profile's [selection] table.</p>"
        "<p>Greedy is not guaranteed to give the highest total score, but every choice is the best plot still "
        "allowed, which is easy to explain: 'the next best plot was too close to site 2'. The same choice as "
        "<code>sitefinder topsites</code>.</p>"
        "<p>Outputs: the chosen plots (with <b>site</b> 1, 2 … first), and the better-scored plots passed "
        "over, with the reason.</p>"
    )

    OUTPUT = "OUTPUT"
    PASSED_OVER = "PASSED_OVER"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        si.add_scored_parameters(self)
        sr.add_site_parameters(self, 10, 1, "How many sites to choose (default 10); fewer come out when the "
                                            "rules leave too few plots.")
        di.add_privacy_parameters(self, "the outputs")
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Chosen sites", QgsProcessing.TypeVectorAnyGeometry),
            "The chosen plots in the order chosen, with every field of the scored layer (withheld ones left "
            "out) after the new field site."))
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.PASSED_OVER, "Plots passed over", QgsProcessing.TypeVectorAnyGeometry, optional=True),
            "Plots with a better score than the last chosen site that a rule passed over: plot, score and "
            "reason."))
        self.addOutput(QgsProcessingOutputNumber("CHOSEN", "Number of sites chosen"))

    def process_scored(self, parameters, context, feedback):
        from ..layers import LayerInput
        from ..output import public_copy

        scored = self._scored
        profile = si.scored_profile(self, parameters, context, scored)
        layers, include = si.privacy(self, parameters, context, profile, scored)
        n_sites = self.parameterAsInt(parameters, sr.N_SITES, context)
        sites = sr.choose(self, parameters, context, scored, profile, include, n_sites)
        for row in sites.chosen:
            feedback.pushInfo(f"site {row['site']}: plot {row['plot']}, score {row['score']:.1f}")
        for row in sites.skipped:
            feedback.pushInfo(f"passed over plot {row['plot']} (score {row['score']:.1f}): {row['reason']}")
        if len(sites.chosen) < n_sites:
            feedback.pushWarning(f"only {len(sites.chosen)} of {n_sites} sites could be chosen under these rules")

        source = self.parameterAsSource(parameters, si.INPUT, context)
        copier = public_copy(source.fields(), profile, layers, include, replaced=["site"],
                             before=[QgsField("site", QVariant.Int)])
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, copier.fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        site_of = {scored.fids[row["row"]]: row for row in sites.chosen}
        skipped_of = {scored.fids[row["row"]]: row for row in sites.skipped}
        chosen_features, skipped_features = {}, {}
        for feature in LayerInput.from_source(source, "scored plots").features():
            if feature.id() in site_of:
                chosen_features[feature.id()] = QgsFeature(feature)
            elif feature.id() in skipped_of:
                skipped_features[feature.id()] = QgsFeature(feature)
        for fid, row in sorted(site_of.items(), key=lambda item: item[1]["site"]):
            sink.addFeature(copier.feature(chosen_features[fid], before=[row["site"]]), QgsFeatureSink.FastInsert)
        results = {self.OUTPUT: dest_id, "CHOSEN": len(sites.chosen)}

        fields = QgsFields()
        for name, kind in (("plot", QVariant.String), ("score", QVariant.Double), ("reason", QVariant.String)):
            fields.append(QgsField(name, kind))
        passed, passed_id = self.parameterAsSink(parameters, self.PASSED_OVER, context, fields, source.wkbType(),
                                                 source.sourceCrs())
        if passed is not None:
            for row in sites.skipped:
                feature = skipped_features[scored.fids[row["row"]]]
                out = QgsFeature(fields)
                out.setGeometry(feature.geometry())
                out.setAttributes([str(row["plot"]), row["score"], row["reason"]])
                passed.addFeature(out, QgsFeatureSink.FastInsert)
            results[self.PASSED_OVER] = passed_id
        return results
