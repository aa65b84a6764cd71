"""Score plots: the plots layer with every explanation column of the library."""

from __future__ import annotations

import re

from qgis.core import (
    QgsProcessing, QgsProcessingException, QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
    QgsProcessingParameterFile, QgsProcessingParameterMultipleLayers, QgsProcessingParameterString, QgsVectorLayer,
    QgsVectorLayerFeatureSource,
)

from .base import FeedbackReporter, SitefinderAlgorithm, help_text
from .profile_choice import DEFAULT_PROFILE, profile_options

# Progress bar share of each phase (percent).
_READ_PLOTS, _READ_DATA, _PREPARE, _SCORE, _WRITE = (0, 10), (10, 30), (30, 40), (40, 95), (95, 100)


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
        "<p>The same inputs give the same scores as the sitefinder library and command line.</p>"
    )

    PLOTS = "PLOTS"
    PROFILE = "PROFILE"
    PROFILE_FILE = "PROFILE_FILE"
    OSM = "OSM"
    NETWORK = "NETWORK"
    ONEWAY_FIELD = "ONEWAY_FIELD"
    FEATURES = "FEATURES"
    STRAIGHT_LINE = "STRAIGHT_LINE"
    WEIGHTS = "WEIGHTS"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(help_text(QgsProcessingParameterFeatureSource(
            self.PLOTS, "Plots", [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint]),
            "Candidate plots: polygons (parcels, buildings) or points (addresses), in any CRS. Work happens in "
            "the plots' CRS when it is projected in metres, otherwise in the local UTM zone."))
        names = profile_options()
        self.addParameter(help_text(QgsProcessingParameterEnum(
            self.PROFILE, "Profile", options=names, usesStaticStrings=True,
            defaultValue=DEFAULT_PROFILE if DEFAULT_PROFILE in names else names[0]),
            "A built-in profile: smahus-integrated (a småhus in an ordinary neighbourhood), smahus-shielded "
            "(screened but central) or coworking (a hub in a smaller town). 'Export profile' writes one to a "
            "TOML file you can edit."))
        self.addParameter(help_text(QgsProcessingParameterFile(
            self.PROFILE_FILE, "Profile file (TOML, replaces the built-in profile)", extension="toml",
            optional=True),
            "Your own profile: a TOML file, e.g. a built-in one written by 'Export profile' and edited. When "
            "given, the drop-down above is ignored."))
        self.addParameter(help_text(QgsProcessingParameterFile(
            self.OSM, "OpenStreetMap file (network and features)", optional=True,
            fileFilter="OpenStreetMap (*.osm.pbf *.pbf *.osm);;All files (*.*)"),
            "A local OpenStreetMap extract (.osm.pbf or .osm), read with GDAL: gives the walking network and "
            "every feature category (bus stops, shops, parks …). Layers below replace or add to it."))
        self.addParameter(help_text(QgsProcessingParameterFeatureSource(
            self.NETWORK, "Walking network (line layer, replaces the OSM network)",
            [QgsProcessing.TypeVectorLine], optional=True),
            "Your own walking network: any line layer. Lines are joined where they share a vertex; lines "
            "crossing without one (a bridge) stay apart."))
        self.addParameter(help_text(QgsProcessingParameterField(
            self.ONEWAY_FIELD, "One-way field of the network", parentLayerParameterName=self.NETWORK,
            optional=True),
            "A field of the network layer marking lines that may only be walked in their drawing direction "
            "(true, 1 or yes). Leave empty: every line is walked both ways."))
        self.addParameter(help_text(QgsProcessingParameterMultipleLayers(
            self.FEATURES, "Feature layers (one per category, named after it)",
            QgsProcessing.TypeVectorAnyGeometry, optional=True),
            "Points, lines or polygons, one layer per feature category. A layer's name says its category: "
            "'bus_stop', 'Bus stop' and 'bus-stop' all mean bus_stop (see the category list in the docs). "
            "They replace or add to the categories from the OpenStreetMap file."))
        self.addParameter(help_text(QgsProcessingParameterBoolean(
            self.STRAIGHT_LINE, "No network: measure straight-line distances", defaultValue=False),
            "Without an OpenStreetMap file or a network layer the distances can only be straight lines; tick "
            "this to accept that (the output's distance_mode column then says straight-line)."))
        self.addParameter(help_text(QgsProcessingParameterString(
            self.WEIGHTS, "Weight overrides", optional=True),
            "Change criterion weights without editing the profile, e.g. 'transit=4, cafes=2'. Keys are the "
            "profile's criterion keys; the weights are normalised to sum to 1."))
        self.addParameter(help_text(QgsProcessingParameterFeatureSink(
            self.OUTPUT, "Scored plots", QgsProcessing.TypeVectorAnyGeometry),
            "The plots with the explanation columns; GeoPackage keeps every column name intact."))

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        # Layers from a multiple-layer parameter live in the main thread: snapshot them here.
        self._feature_layers = []
        for layer in self.parameterAsLayerList(parameters, self.FEATURES, context) or []:
            if not isinstance(layer, QgsVectorLayer):
                raise QgsProcessingException(f"sitefinder: feature layer {layer.name()!r} is not a vector layer")
            self._feature_layers.append((layer.name(), QgsVectorLayerFeatureSource(layer), layer.crs(),
                                         layer.extent(), layer.fields()))
        return True

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self.require_library()
        with self.translated_errors():
            return self._score(parameters, context, feedback)

    def _score(self, parameters, context, feedback):
        from sitefinder.adapters.layer_rules import category_label, check_near_plots
        from sitefinder.adapters.osm_gdal import read_osm_gdal
        from sitefinder.adapters.osm_tags import load_categories
        from sitefinder.errors import InputError
        from sitefinder.pipeline import Study, score_arrays
        from sitefinder.pipeline.scoring import explanation_columns
        from sitefinder.profiles import load_profile
        from sitefinder.profiles.schema import FEATURE_MEASURES

        from ..layers import LayerInput, check_layer, extent_in, read_features, read_network, read_plots, working_crs
        from ..output import output_fields, write_scored
        from ..style import ScoreStylePostProcessor

        progress = FeedbackReporter(feedback)
        reporter = progress.reporter
        tc = context.transformContext()

        profile_file = self.parameterAsFile(parameters, self.PROFILE_FILE, context)
        profile = load_profile(profile_file or self.parameterAsString(parameters, self.PROFILE, context))
        profile = profile.with_weights(parse_weights(self.parameterAsString(parameters, self.WEIGHTS, context)))
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
        features, network, osm = {}, None, None
        osm_path = self.parameterAsFile(parameters, self.OSM, context)
        if osm_path:
            osm = read_osm_gdal(osm_path, crs.authid() or crs.toWkt(), reporter=reporter)
            e = osm.network.edges
            check_near_plots((e.node_x.min(), e.node_y.min(), e.node_x.max(), e.node_y.max()), plot_bounds,
                             f"the OpenStreetMap file {osm_path}", "EPSG:4326")
            features.update(osm.features)
            network = osm.network
            feedback.pushInfo(f"OpenStreetMap: {osm.n_ways} walkable ways; "
                              + ", ".join(f"{k} {v}" for k, v in osm.counts.items()))
        table = load_categories()
        for name, layer_source, layer_crs, extent, fields in self._feature_layers:
            key = category_key(name, {k: c.label for k, c in table.items()})
            layer = LayerInput(name, layer_source, layer_crs, extent, fields)
            check_layer(layer, f"feature layer {name!r}", crs, plot_bounds, tc)
            features[key] = read_features(layer, crs, tc, category_label(key), reporter)
            feedback.pushInfo(f"feature layer {name!r}: category {key}, {features[key].n} features")
        network_source = self.parameterAsSource(parameters, self.NETWORK, context)
        if network_source is not None:
            network_in = LayerInput.from_source(network_source, network_source.sourceName() or "network")
            check_layer(network_in, "the network layer", crs, plot_bounds, tc)
            oneway = self.parameterAsString(parameters, self.ONEWAY_FIELD, context) or None
            network = read_network(network_in, crs, tc, reporter, oneway)
        needs_network = any(c.metric == "network" and c.measure in FEATURE_MEASURES for c in profile.criteria)
        if network is None and needs_network and not self.parameterAsBool(parameters, self.STRAIGHT_LINE, context):
            raise InputError("no walking network: give an OpenStreetMap file or a network line layer, or tick "
                             "'No network: measure straight-line distances'")

        progress.phase(*_PREPARE)
        study = Study(network, features, reporter=reporter)
        progress.phase(*_SCORE)
        scores = score_arrays(plots, study, profile, None, reporter)

        progress.phase(*_WRITE)
        fields, renamed = output_fields(source.fields(), explanation_columns(profile))
        if renamed:
            feedback.pushWarning(f"input fields {', '.join(renamed)} were renamed with suffix _input "
                                 "(sitefinder writes its own)")
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        write_scored(plots_in, fids, scores, sink, fields, reporter)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(ScoreStylePostProcessor.create())
        excluded = int(scores.columns["excluded"].sum())
        feedback.pushInfo(f"profile {profile.name}: {scores.n - excluded} plots scored, {excluded} excluded")
        if osm is not None:
            feedback.pushInfo(f"maps and reports from these data must credit {osm.attribution}")
        return {self.OUTPUT: dest_id}


def parse_weights(text: str) -> dict[str, float]:
    """``"transit=4, cafes=2"`` -> ``{"transit": 4.0, "cafes": 2.0}`` (commas, semicolons or new lines).

    Raises
    ------
    ProfileError
        For an item that is not ``key=number``.
    """
    from sitefinder.errors import ProfileError

    weights = {}
    for item in filter(None, (p.strip() for p in re.split(r"[,;\n]", text or ""))):
        key, sep, value = item.partition("=")
        try:
            weights[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise ProfileError(f"weight override {item!r} must look like key=number, e.g. transit=4")
    return weights


def category_key(layer_name: str, labels: dict[str, str]) -> str:
    """The feature category a layer stands for, from its name: a category key or label, or the name itself.

    Examples
    --------
    >>> category_key("Bus stop", {"bus_stop": "Bus stop"}), category_key("my-shops", {})
    ('bus_stop', 'my_shops')
    """
    def norm(text: str) -> str:
        return re.sub(r"[\s\-]+", "_", text.strip().lower())

    name = norm(layer_name)
    if name in labels:
        return name
    by_label = {norm(label): key for key, label in labels.items()}
    return by_label.get(name, name)
