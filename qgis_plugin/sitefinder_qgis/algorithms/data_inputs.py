"""Parameters and reading shared by the algorithms that measure: Score plots and Surface.

The profile (built-in, file, weight overrides), the data (OpenStreetMap file,
network, feature layers with optional weight fields, GTFS feeds, a terrain
model) and the privacy options are defined once here, so both algorithms
offer the same inputs with the same help and read them the same way — into
the library's :class:`~sitefinder.pipeline.Study`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qgis.core import (
    QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProcessing, QgsProcessingException,
    QgsProcessingParameterBoolean, QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField, QgsProcessingParameterFile, QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterRasterLayer, QgsProcessingParameterString, QgsVectorLayer, QgsVectorLayerFeatureSource,
)

from .base import help_text
from .profile_choice import DEFAULT_PROFILE, profile_options

PROFILE = "PROFILE"
PROFILE_FILE = "PROFILE_FILE"
WEIGHTS = "WEIGHTS"
OSM = "OSM"
NETWORK = "NETWORK"
ONEWAY_FIELD = "ONEWAY_FIELD"
FEATURES = "FEATURES"
FEATURE_WEIGHTS = "FEATURE_WEIGHTS"
GTFS = "GTFS"
GTFS_CATEGORY = "GTFS_CATEGORY"
GTFS_DATE = "GTFS_DATE"
GTFS_WINDOW = "GTFS_WINDOW"
GTFS_ROUTE_TYPES = "GTFS_ROUTE_TYPES"
DEM = "DEM"
STRAIGHT_LINE = "STRAIGHT_LINE"
SENSITIVE = "SENSITIVE"
INCLUDE_SENSITIVE = "INCLUDE_SENSITIVE"


def add_profile_parameters(alg) -> None:
    """Profile drop-down, profile file and weight overrides."""
    names = profile_options()
    alg.addParameter(help_text(QgsProcessingParameterEnum(
        PROFILE, "Profile", options=names, usesStaticStrings=True,
        defaultValue=DEFAULT_PROFILE if DEFAULT_PROFILE in names else names[0]),
        "A built-in profile: smahus-integrated (a småhus in an ordinary neighbourhood), smahus-shielded "
        "(screened but central) or coworking (a hub in a smaller town). 'Export profile' writes one to a "
        "TOML file you can edit."))
    alg.addParameter(help_text(QgsProcessingParameterFile(
        PROFILE_FILE, "Profile file (TOML, replaces the built-in profile)", extension="toml", optional=True),
        "Your own profile: a TOML file, e.g. a built-in one written by 'Export profile' and edited. When "
        "given, the drop-down above is ignored."))
    alg.addParameter(help_text(QgsProcessingParameterString(WEIGHTS, "Weight overrides", optional=True),
                               "Change criterion weights without editing the profile, e.g. 'transit=4, cafes=2'. "
                               "Keys are the profile's criterion keys; the weights are normalised to sum to 1."))


def add_data_parameters(alg) -> None:
    """Every data input: OSM file, network, feature layers and their weights, GTFS feeds, DEM, straight lines."""
    alg.addParameter(help_text(QgsProcessingParameterFile(
        OSM, "OpenStreetMap file (network and features)", optional=True,
        fileFilter="OpenStreetMap (*.osm.pbf *.pbf *.osm);;All files (*.*)"),
        "A local OpenStreetMap extract (.osm.pbf or .osm), read with GDAL: gives the walking network and "
        "every feature category (bus stops, shops, parks …). Layers below replace or add to it."))
    alg.addParameter(help_text(QgsProcessingParameterFeatureSource(
        NETWORK, "Walking network (line layer, replaces the OSM network)", [QgsProcessing.TypeVectorLine],
        optional=True),
        "Your own walking network: any line layer. Lines are joined where they share a vertex; lines "
        "crossing without one (a bridge) stay apart."))
    alg.addParameter(help_text(QgsProcessingParameterField(
        ONEWAY_FIELD, "One-way field of the network", parentLayerParameterName=NETWORK, optional=True),
        "A field of the network layer marking lines that may only be walked in their drawing direction "
        "(true, 1 or yes). Leave empty: every line is walked both ways."))
    alg.addParameter(help_text(QgsProcessingParameterMultipleLayers(
        FEATURES, "Feature layers (one per category, named after it)", QgsProcessing.TypeVectorAnyGeometry,
        optional=True),
        "Points, lines or polygons, one layer per feature category. A layer's name says its category: "
        "'bus_stop', 'Bus stop' and 'bus-stop' all mean bus_stop (see the category list in the docs). "
        "They replace or add to the categories from the OpenStreetMap file."))
    alg.addParameter(help_text(QgsProcessingParameterString(
        FEATURE_WEIGHTS, "Feature weight fields (category=field)", optional=True),
        "For 'sum', 'area_weighted_sum' and min_weight criteria: the field holding each feature's weight, per "
        "category, e.g. 'population=pop_tot' for SSB's population grid. Empty or non-numeric values count 0."))
    alg.addParameter(help_text(QgsProcessingParameterMultipleLayers(
        GTFS, "GTFS feeds (zip)", QgsProcessing.TypeFile, optional=True),
        "Public transport timetables (GTFS .zip, e.g. Entur's national feed). Their stations become one "
        "feature category (below), weighted by departures per hour in the time window; feeds sharing the "
        "stop register add up."))
    alg.addParameter(help_text(QgsProcessingParameterString(
        GTFS_CATEGORY, "GTFS category", defaultValue="gtfs_stop", optional=True),
        "The feature category the GTFS stations stand for in the profile (default gtfs_stop)."))
    alg.addParameter(help_text(QgsProcessingParameterString(GTFS_DATE, "GTFS service date", optional=True),
                               "The day whose timetable counts, e.g. 2018-10-16. Default: a representative "
                               "weekday (the most common weekday number of trips)."))
    alg.addParameter(help_text(QgsProcessingParameterString(
        GTFS_WINDOW, "GTFS time window", defaultValue="07:00-09:00", optional=True),
        "Departures are counted in this window of the service date (end exclusive), default 07:00-09:00."))
    alg.addParameter(help_text(QgsProcessingParameterString(GTFS_ROUTE_TYPES, "GTFS route types", optional=True),
                               "Keep only trips of these GTFS route types, e.g. '2,100,101,102,103,106' for rail "
                               "without replacement buses. Empty: all trips."))
    alg.addParameter(help_text(QgsProcessingParameterRasterLayer(DEM, "Terrain model (DEM)", optional=True),
                               "A terrain model (e.g. Kartverket DTM10) for slope criteria. A DEM in another "
                               "CRS is reprojected (bilinear); one in the same projection with another axis "
                               "order (EPSG:3045 for EPSG:25833) is used as it is."))
    alg.addParameter(help_text(QgsProcessingParameterBoolean(
        STRAIGHT_LINE, "No network: measure straight-line distances", defaultValue=False),
        "Without an OpenStreetMap file or a network layer the distances can only be straight lines; tick "
        "this to accept that (the output's distance_mode column then says straight-line)."))


def add_privacy_parameters(alg, what: str = "the output") -> None:
    """Sensitive layers (added to the profile's ``[privacy]`` list) and the explicit include option."""
    alg.addParameter(help_text(QgsProcessingParameterString(SENSITIVE, "Sensitive layers", optional=True),
                               "Feature categories or plot fields that are sensitive (e.g. existing_smahus), "
                               "separated by commas; added to the profile's [privacy] list. Used for scoring, "
                               f"but everything derived from them is left out of {what}."))
    alg.addParameter(help_text(QgsProcessingParameterBoolean(
        INCLUDE_SENSITIVE, "Include sensitive data (internal use only)", defaultValue=False),
        f"Tick to put the sensitive layers' values and exclusion details in {what} anyway. Do not publish "
        "such an output."))


def sensitive_names(alg, parameters, context) -> tuple[str, ...]:
    """The layers named in the Sensitive layers parameter."""
    text = alg.parameterAsString(parameters, SENSITIVE, context) or ""
    return tuple(n for n in (p.strip() for p in re.split(r"[,;\s]+", text)) if n)


def read_profile(alg, parameters, context):
    """The chosen profile with the weight overrides applied."""
    from sitefinder.profiles import load_profile

    profile_file = alg.parameterAsFile(parameters, PROFILE_FILE, context)
    profile = load_profile(profile_file or alg.parameterAsString(parameters, PROFILE, context))
    return profile.with_weights(parse_weights(alg.parameterAsString(parameters, WEIGHTS, context)))


def snapshot_feature_layers(alg, parameters, context) -> list[tuple]:
    """Feature layers as thread-safe sources (call from ``prepareAlgorithm``, in the main thread)."""
    layers = []
    for layer in alg.parameterAsLayerList(parameters, FEATURES, context) or []:
        if not isinstance(layer, QgsVectorLayer):
            raise QgsProcessingException(f"sitefinder: feature layer {layer.name()!r} is not a vector layer")
        layers.append((layer.name(), QgsVectorLayerFeatureSource(layer), layer.crs(), layer.extent(), layer.fields()))
    return layers


@dataclass
class StudyData:
    """What the data inputs give: the study and its provenance (recorded with outputs)."""

    study: object
    sources: list[str] = field(default_factory=list)
    attribution: list[str] = field(default_factory=list)


def read_study(alg, parameters, context, feedback, reporter, crs: QgsCoordinateReferenceSystem, bounds,
               profile, feature_layers: list[tuple]) -> StudyData:
    """Read every data input into a :class:`~sitefinder.pipeline.Study` in ``crs``.

    ``bounds`` (``xmin, ymin, xmax, ymax`` in ``crs``) is where the plots or
    cells are: layers far from it are refused as a CRS mismatch, and only that part of a terrain model
    is read.

    Raises
    ------
    InputError
        Bad data, a CRS mismatch, or no network when the profile needs one
        and straight lines were not accepted.
    """
    from sitefinder.adapters.layer_rules import category_label, check_near_plots
    from sitefinder.adapters.osm_gdal import read_osm_gdal
    from sitefinder.adapters.osm_tags import load_categories
    from sitefinder.errors import InputError
    from sitefinder.pipeline import Study
    from sitefinder.profiles.schema import FEATURE_MEASURES

    from ..layers import LayerInput, check_layer, read_features, read_network

    tc = context.transformContext()
    data = StudyData(None)
    features, network = {}, None
    osm_path = alg.parameterAsFile(parameters, OSM, context)
    if osm_path:
        osm = read_osm_gdal(osm_path, crs.authid() or crs.toWkt(), reporter=reporter)
        e = osm.network.edges
        check_near_plots((e.node_x.min(), e.node_y.min(), e.node_x.max(), e.node_y.max()), bounds,
                         f"the OpenStreetMap file {osm_path}", "EPSG:4326")
        features.update(osm.features)
        network = osm.network
        feedback.pushInfo(f"OpenStreetMap: {osm.n_ways} walkable ways; "
                          + ", ".join(f"{k} {v}" for k, v in osm.counts.items()))
        data.sources.append(f"OpenStreetMap: {osm_path}")
        data.attribution.append(osm.attribution)
    weights = parse_pairs(alg.parameterAsString(parameters, FEATURE_WEIGHTS, context), "feature weight field",
                          "population=pop_tot")
    table = load_categories()
    for name, layer_source, layer_crs, extent, fields in feature_layers:
        key = category_key(name, {k: c.label for k, c in table.items()})
        layer = LayerInput(name, layer_source, layer_crs, extent, fields)
        check_layer(layer, f"feature layer {name!r}", crs, bounds, tc)
        features[key] = read_features(layer, crs, tc, category_label(key), reporter, weights.pop(key, None))
        feedback.pushInfo(f"feature layer {name!r}: category {key}, {features[key].n} features")
        data.sources.append(f"features {key!r}: layer {name}")
    if weights:
        raise InputError(f"feature weight field for {', '.join(sorted(weights))}: no feature layer of that "
                         "category was given")
    gtfs = read_gtfs_inputs(alg, parameters, context, crs, tc, reporter)
    if gtfs is not None:
        key, arrays, stations = gtfs
        features[key] = arrays
        feedback.pushInfo(f"GTFS: {stations.n} stations as category {key}; {stations.describe()}")
        data.sources.append(f"GTFS {key}: {stations.describe()}")
        data.attribution.append(f"GTFS timetables {stations.feed}")
    network_source = alg.parameterAsSource(parameters, NETWORK, context)
    if network_source is not None:
        network_in = LayerInput.from_source(network_source, network_source.sourceName() or "network")
        check_layer(network_in, "the network layer", crs, bounds, tc)
        oneway = alg.parameterAsString(parameters, ONEWAY_FIELD, context) or None
        network = read_network(network_in, crs, tc, reporter, oneway)
        data.sources.append(f"network: layer {network_in.name}")
    needs_network = any(c.metric == "network" and c.measure in FEATURE_MEASURES for c in profile.criteria)
    if network is None and needs_network and not alg.parameterAsBool(parameters, STRAIGHT_LINE, context):
        raise InputError("no walking network: give an OpenStreetMap file or a network line layer, or tick "
                         "'No network: measure straight-line distances'")
    terrain = None
    dem = alg.parameterAsRasterLayer(parameters, DEM, context)
    if dem is not None:
        from sitefinder.adapters.raster_gdal import read_dem_gdal

        path = dem.source().split("|")[0]
        with reporter.step("reading terrain model"):
            terrain = read_dem_gdal(path, crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL), reporter,
                                    bounds)
        data.sources.append(f"terrain: {path}")
    data.study = Study(network, features, reporter=reporter, terrain=terrain)
    return data


def read_gtfs_inputs(alg, parameters, context, crs, transform_context, reporter):
    """The GTFS feeds' stations as weighted point features in ``crs``: ``(category, FeatureArrays, Stations)``,
    or ``None`` without feeds."""
    import numpy as np

    from sitefinder.adapters.gtfs_departures import count_departures_feeds
    from sitefinder.core.geometry import Ragged, empty_ragged
    from sitefinder.pipeline import FeatureArrays

    paths = [p for p in (alg.parameterAsFileList(parameters, GTFS, context) or []) if p]
    if not paths:
        return None
    route_types = alg.parameterAsString(parameters, GTFS_ROUTE_TYPES, context) or ""
    stations = count_departures_feeds(
        paths, alg.parameterAsString(parameters, GTFS_DATE, context) or None,
        alg.parameterAsString(parameters, GTFS_WINDOW, context) or None,
        parse_int_list(route_types) if route_types.strip() else None, reporter)
    key = (alg.parameterAsString(parameters, GTFS_CATEGORY, context) or "gtfs_stop").strip()
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), crs, transform_context)
    x, y = np.empty(stations.n), np.empty(stations.n)
    for i, (lon, lat) in enumerate(zip(stations.lon, stations.lat)):
        p = transform.transform(float(lon), float(lat))
        x[i], y[i] = p.x(), p.y()
    ptr = np.arange(stations.n + 1, dtype=np.int64)
    arrays = FeatureArrays(
        outline=Ragged(x, y, ptr, ptr.copy()), rep_x=x.copy(), rep_y=y.copy(), polygons=empty_ragged(stations.n),
        weight=stations.departures_per_hour.astype(np.float64), weight_unit="departures/hour",
        name=stations.name.astype(object), label=key.replace("_", " "), origin=stations.feed)
    return key, arrays, stations


def parse_pairs(text: str, what: str, example: str) -> dict[str, str]:
    """``"a=b, c=d"`` -> ``{"a": "b", "c": "d"}`` (commas, semicolons or new lines).

    Raises
    ------
    InputError
        For an item that is not ``key=value``.
    """
    from sitefinder.errors import InputError

    out = {}
    for item in filter(None, (p.strip() for p in re.split(r"[,;\n]", text or ""))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"{what} {item!r} must look like {example}")
        out[key.strip()] = value.strip()
    return out


def parse_int_list(text: str) -> list[int]:
    """``"2, 100,101"`` -> ``[2, 100, 101]``.

    Raises
    ------
    InputError
    """
    from sitefinder.errors import InputError

    try:
        return [int(v) for v in re.split(r"[,;\s]+", text.strip()) if v]
    except ValueError:
        raise InputError(f"GTFS route types must be whole numbers separated by commas, got {text!r}") from None


def parse_weights(text: str) -> dict[str, float]:
    """``"transit=4, cafes=2"`` -> ``{"transit": 4.0, "cafes": 2.0}`` (as :func:`parse_pairs`, numbers).

    Raises
    ------
    ProfileError
        For an item that is not ``key=number``.
    """
    from sitefinder.errors import InputError, ProfileError

    example = "key=number, e.g. transit=4"
    try:
        pairs = parse_pairs(text, "weight override", example)
    except InputError as exc:
        raise ProfileError(str(exc)) from None
    weights = {}
    for key, value in pairs.items():
        try:
            weights[key] = float(value)
        except ValueError:
            raise ProfileError(f"weight override '{key}={value}' must look like {example}") from None
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
