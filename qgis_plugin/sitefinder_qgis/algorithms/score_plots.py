"""Score plots: the plots layer with every explanation column of the library."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing, QgsProcessingException, QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
)

from . import data_inputs as di
from .data_inputs import category_key, parse_weights  # noqa: F401 (part of this module's interface)
from .base import FeedbackReporter, SitefinderAlgorithm, help_text

# Progress bar share of each phase (percent).
_READ_PLOTS, _READ_DATA, _SCORE, _WRITE = (0, 10), (10, 40), (40, 95), (95, 100)


class ScorePlots(SitefinderAlgorithm):
    NAME = "scoreplots"
    DISPLAY_NAME = "Score plots"
    HELP = (
        "<p>Scores every plot of a layer (parcels, buildings or address points) for a use case, by walking "
        "distance along the network to transit, services and neighbours, and explains every score.</p>"
        "<p>The output is the plots layer — every feature and field, in order — plus, for each criterion "
        "<i>c</i> of the profile, <b>c_value</b> (metres or a count; empty when nothing lies within the "
        "search cut-off), <b>c_score</b> (0–1) and <b>c_contribution</b> (points of the total), then "
        "<b>excluded</b>, <b>exclusion_reason</b>, <b>score</b> (0–100), <b>rank</b> (1 = best) and "
        "<b>distance_mode</b>. It is loaded with graduated colours on the score; excluded plots are grey.</p>"
        "<p>Besides OpenStreetMap and layers it takes GTFS timetables (stations weighted by departures per "
        "hour), a terrain model for slope criteria and weighted feature layers (e.g. SSB's population grid). "
        "The profile, weights, data and sensitive layers are recorded with the output, so 'Explain plot', "
        "'Sensitivity' and 'Report' (and the sitefinder command line) need only the scored layer.</p>"
        "<p>The same inputs give the same scores as the sitefinder library and command line.</p>"
    )

    PLOTS = "PLOTS"
    OUTPUT = "OUTPUT"
    # Kept as class attributes: scripts and models name parameters by these ids.
    PROFILE, PROFILE_FILE, WEIGHTS = di.PROFILE, di.PROFILE_FILE, di.WEIGHTS
    OSM, NETWORK, ONEWAY_FIELD, FEATURES, STRAIGHT_LINE = di.OSM, di.NETWORK, di.ONEWAY_FIELD, di.FEATURES, \
        di.STRAIGHT_LINE

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(help_text(QgsProcessingParameterFeatureSource(
            self.PLOTS, "Plots", [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint]),
            "Candidate plots: polygons (parcels, buildings) or points (addresses), in any CRS. Work happens in "
            "the plots' CRS when it is projected in metres, otherwise in the local UTM zone."))
        di.add_profile_parameters(self)
        di.add_data_parameters(self)
        di.add_privacy_parameters(self, "the scored layer")
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Scored plots", QgsProcessing.TypeVectorAnyGeometry),
            "The plots with the explanation columns; GeoPackage keeps every column name intact."))

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        # Layers from a multiple-layer parameter live in the main thread: snapshot them here.
        self._feature_layers = di.snapshot_feature_layers(self, parameters, context)
        return True

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self.require_library()
        with self.translated_errors():
            return self._score(parameters, context, feedback)

    def _score(self, parameters, context, feedback):
        from sitefinder import __version__
        from sitefinder.decision.privacy import (
            redact_metadata_text, redact_reasons, sensitive_layers, withheld_columns,
        )
        from sitefinder.errors import InputError
        from sitefinder.pipeline import score_arrays
        from sitefinder.pipeline.scoring import explanation_columns

        from ..layers import LayerInput, extent_in, read_plots, working_crs
        from ..output import output_fields, output_names, write_scored
        from ..scored_layer import write_metadata
        from ..style import ScoreStylePostProcessor

        progress = FeedbackReporter(feedback)
        reporter = progress.reporter
        tc = context.transformContext()

        profile = di.read_profile(self, parameters, context)
        destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context) or ""
        if destination.lower().endswith(".shp"):
            raise InputError("a Shapefile would cut the explanation column names to 10 characters; "
                             "save the scored plots as a GeoPackage (.gpkg) instead")

        source = self.parameterAsSource(parameters, self.PLOTS, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.PLOTS))
        plots_in = LayerInput.from_source(source, "plots")
        crs = working_crs(plots_in, tc)
        feedback.pushInfo(f"working CRS: {crs.authid()} ({crs.description()})")
        progress.phase(*_READ_PLOTS)
        plots, fids = read_plots(plots_in, crs, tc, reporter, source.featureCount())
        plot_bounds = extent_in(plots_in, crs, tc, "plots")

        progress.phase(*_READ_DATA)
        data = di.read_study(self, parameters, context, feedback, reporter, crs, plot_bounds, profile,
                             self._feature_layers)
        progress.phase(*_SCORE)
        scores = score_arrays(plots, data.study, profile, None, reporter)

        progress.phase(*_WRITE)
        include = self.parameterAsBool(parameters, di.INCLUDE_SENSITIVE, context)
        layers = sensitive_layers(profile, di.sensitive_names(self, parameters, context))
        table_columns = explanation_columns(profile)
        withheld = () if include else tuple(withheld_columns(profile, layers,
                                                             output_names(source.fields(), table_columns)))
        reasons = None if include or not layers else redact_reasons(
            list(scores.columns["exclusion_reason"]), profile, layers)
        fields, renamed = output_fields(source.fields(), table_columns, withheld)
        if renamed:
            feedback.pushWarning(f"input fields {', '.join(renamed)} were renamed with suffix _input "
                                 "(sitefinder writes its own)")
        if withheld:
            feedback.pushInfo(f"sensitive layers {', '.join(layers)}: columns {', '.join(withheld)} left out "
                              "(tick 'Include sensitive data' to keep them)")
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        write_scored(plots_in, fids, scores, sink, fields, reporter, withheld, reasons)
        del sink  # closes the file, so the metadata can be added to it

        shown = () if include else layers
        meta = {
            "sitefinder_version": __version__, "profile": profile.name, "profile_title": profile.title,
            "profile_text": profile.text, "weights": profile.weight_record(),
            "crs": source.sourceCrs().authid() or source.sourceCrs().toWkt(),
            "data": redact_metadata_text(data.sources, shown), "attribution": "; ".join(data.attribution),
            "warnings": redact_metadata_text(list(scores.warnings), shown), "sensitive": list(layers),
            "withheld_columns": list(withheld), "sensitive_included": bool(include and layers),
        }
        write_metadata(dest_id, meta, context.getMapLayer(dest_id))
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(ScoreStylePostProcessor.create(meta))
        excluded = int(scores.columns["excluded"].sum())
        feedback.pushInfo(f"profile {profile.name}: {scores.n - excluded} plots scored, {excluded} excluded")
        if data.attribution:
            feedback.pushInfo(f"maps and reports from these data must credit {'; '.join(data.attribution)}")
        return {self.OUTPUT: dest_id}
