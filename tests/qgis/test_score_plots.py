"""sitefinder:scoreplots in real QGIS: the library's scores, bad inputs, cancel, style, progress."""

from __future__ import annotations

import numpy as np
import processing
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem, QgsFeatureRequest, QgsProcessingException, QgsProject, QgsRenderContext,
    QgsVectorLayer,
)
from sitefinder_qgis.algorithms.score_plots import category_key, parse_weights
from sitefinder_qgis.style import CLASS_EXPRESSION, EXCLUDED_COLOUR, SCORE_CLASSES

import sitefinder
from sitefinder.errors import ProfileError

from ..conftest import OSLO_PBF, require
from .conftest import RecordingFeedback, columns, score

pytestmark = pytest.mark.qgis  # runs in QGIS's Python (make test-qgis)

EXACT = ("excluded", "exclusion_reason", "rank", "distance_mode", "plot_id", "source", "name", "storeys")


def _layers(oslo, plots="plots", **extra) -> dict:
    return {"PLOTS": oslo.uri(plots), "NETWORK": oslo.uri("network"), "FEATURES": oslo.feature_layers(), **extra}


def _assert_same_as_library(out: QgsVectorLayer, library: dict, atol: float) -> None:
    got = columns(out)
    got.pop("fid")  # the GeoPackage's own key
    assert list(got) == list(library)  # input fields, then the explanation columns in the library's order
    for name, expected in library.items():
        if name in EXACT:
            assert got[name] == expected, name
        else:
            a = np.array([np.nan if v is None else v for v in got[name]], dtype=float)
            b = np.array([np.nan if v is None else v for v in expected], dtype=float)
            np.testing.assert_allclose(a, b, rtol=0, atol=atol, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("profile", sitefinder.list_profiles())
def test_scores_equal_the_librarys_for_the_same_layers(oslo, profile):
    out = score(_layers(oslo, PROFILE=profile))
    library = oslo.library["scores"][profile]
    _assert_same_as_library(out, library, atol=1e-9)
    # The layer mixes every kind of row: scored, far from any way, invalid, empty, missing.
    reasons = dict(zip(library["plot_id"], library["exclusion_reason"]))
    assert reasons["far-away"].startswith("no walkable way within 150 m of the plot")
    assert reasons["bow-tie"].startswith("invalid geometry: Self-intersection[")
    assert (reasons["empty"], reasons["missing"]) == ("empty geometry", "missing geometry")
    assert sum(not r for r in library["exclusion_reason"]) > 50


def test_point_plots_equal_the_library(oslo):
    out = score(_layers(oslo, "points", PROFILE="smahus-integrated"))
    _assert_same_as_library(out, oslo.library["scores_points"]["smahus-integrated"], atol=1e-9)


def test_lonlat_plots_are_scored_in_the_utm_zone_the_library_picks(oslo):
    feedback = RecordingFeedback()
    out = score(_layers(oslo, "plots_lonlat", PROFILE="coworking"), feedback)
    assert f"working CRS: EPSG:{oslo.library['working_crs_lonlat_plots']} " in " ".join(feedback.infos) + " "
    assert out.crs().authid() == "EPSG:4326"  # the output stays in the plots' own CRS
    # Network and features are reprojected by QGIS here and by pyproj in the library.
    _assert_same_as_library(out, oslo.library["scores_lonlat_plots"]["coworking"], atol=1e-6)


def test_osm_file_read_by_gdal_scores_like_the_librarys_pyosmium_reader(oslo):
    feedback = RecordingFeedback()
    out = columns(score({"PLOTS": oslo.uri("plots"), "OSM": str(require(OSLO_PBF)), "PROFILE": "coworking"},
                        feedback))
    library = oslo.library["scores_osm_file"]["coworking"]
    assert out["plot_id"] == library["plot_id"]
    assert out["exclusion_reason"] == library["exclusion_reason"]
    a = np.array([np.nan if v is None else v for v in out["score"]])
    b = np.array([np.nan if v is None else v for v in library["score"]], dtype=float)
    same = np.isclose(a, b, rtol=0, atol=1e-6) | (np.isnan(a) & np.isnan(b))
    # Measured: 4 of 317 plots differ, through 5 pedestrian streets and a park at the extract's edge
    # that GDAL keeps and pyosmium drops (docs/qgis.md).
    assert same.sum() >= len(same) - 6
    assert any("maps and reports from these data must credit © OpenStreetMap contributors" in i
               for i in feedback.infos)


@pytest.mark.parametrize("case, match", [
    ("crs_mismatch", r"CRS mismatch\? the network layer \(CRS EPSG:3857\) lies [\d,]+ km from the plots"),
    ("projected_as_lonlat", r"says its CRS is WGS 84 \(longitude/latitude\) but has coordinates up to"),
    ("no_crs", r"plots has no coordinate reference system"),
    ("empty_plots", r"plots: the layer is empty"),
    ("lines_as_plots", r"plots contains lines .* did you pass the network as plots\?"),
    ("missing_network", r"no walking network: give an OpenStreetMap file or a network line layer"),
    ("missing_osm_file", r"OSM file not found: .*nowhere\.osm\.pbf"),
    ("missing_category", r"needs feature categories .*rail_station"),
    ("unknown_weight", r"weight override for unknown criterion 'nope'"),
    ("shapefile_output", r"a Shapefile would cut the explanation column names"),
])
def test_bad_inputs_raise_one_clear_processing_error(oslo, tmp_path, case, match):
    params = _layers(oslo, PROFILE="coworking")
    if case == "crs_mismatch":
        network = oslo.layer("network")
        network.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
        params["NETWORK"] = network
    elif case == "projected_as_lonlat":
        network = oslo.layer("network")
        network.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
        params["NETWORK"] = network
    elif case == "no_crs":
        params["PLOTS"] = QgsVectorLayer("Polygon?field=id:integer", "no crs", "memory")
        params["PLOTS"].setCrs(QgsCoordinateReferenceSystem())
        params["PLOTS"].dataProvider().addFeatures([_square()])
    elif case == "empty_plots":
        params["PLOTS"] = QgsVectorLayer("Polygon?crs=EPSG:25832&field=id:integer", "empty", "memory")
    elif case == "lines_as_plots":
        params["PLOTS"] = oslo.uri("network")
    elif case == "missing_network":
        del params["NETWORK"]
    elif case == "missing_osm_file":
        del params["NETWORK"]
        params["OSM"] = str(tmp_path / "nowhere.osm.pbf")
    elif case == "missing_category":
        params["FEATURES"] = [layer for layer in oslo.feature_layers() if layer.name() != "rail_station"]
    elif case == "unknown_weight":
        params["WEIGHTS"] = "transit=2, nope=1"
    elif case == "shapefile_output":
        params["OUTPUT"] = str(tmp_path / "scored.shp")
    with pytest.raises(QgsProcessingException, match=match) as err:
        processing.run("sitefinder:scoreplots", {"OUTPUT": "TEMPORARY_OUTPUT", **params})
    assert "Traceback" not in str(err.value) and str(err.value).count("\n") <= 1


def _square():
    from qgis.core import QgsFeature, QgsGeometry

    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"))
    feature.setAttributes([1])
    return feature


class CancelAt(RecordingFeedback):
    """Cancels at the first progress report once the run has reached ``step``."""

    def __init__(self, step: str):
        super().__init__()
        self.step = step

    def setProgress(self, progress):  # noqa: N802
        super().setProgress(progress)
        if self.step in self.steps or self.step == "start":
            self.cancel()


@pytest.mark.parametrize("step, later", [("start", "reading plots"),
                                         ("measuring criteria", "writing the scored layer")])
def test_cancel_stops_the_run_and_writes_no_output(oslo, tmp_path, step, later):
    target = tmp_path / "scored.gpkg"
    feedback = CancelAt(step)
    with pytest.raises(QgsProcessingException, match="cancelled by the user; no output was written"):
        processing.run("sitefinder:scoreplots", {**_layers(oslo, PROFILE="coworking"), "OUTPUT": str(target)},
                       feedback=feedback)
    assert later not in feedback.steps
    assert not target.exists() and not list(tmp_path.iterdir())


def test_progress_names_the_steps_and_warnings_reach_the_log(oslo):
    feedback = RecordingFeedback()
    score(_layers(oslo, PROFILE="coworking"), feedback)
    for step in ("reading plots", "building walking graph", "snapping plots to the network", "measuring criteria",
                 "writing the scored layer"):
        assert step in feedback.steps
    assert any("lie more than 150 m from the walking network" in w for w in feedback.warnings)
    excluded = oslo.library["scores"]["coworking"]["excluded"]
    assert f"profile coworking: {excluded.count(False)} plots scored, {excluded.count(True)} excluded" in feedback.infos


def test_weight_overrides(oslo):
    out = columns(score(_layers(oslo, PROFILE="coworking", WEIGHTS="transit=0; cafes=5")))
    scored = [i for i, e in enumerate(out["excluded"]) if not e]
    assert all(out["transit_contribution"][i] == 0 for i in scored)
    keys = sitefinder.load_profile("coworking").keys
    for i in scored:
        assert abs(sum(out[f"{k}_contribution"][i] for k in keys) - out["score"][i]) < 1e-9
    assert parse_weights(" transit=4,\ncafes = 2.5 ;") == {"transit": 4.0, "cafes": 2.5}
    with pytest.raises(ProfileError, match="must look like key=number"):
        parse_weights("transit:4")
    with pytest.raises(ProfileError, match="'transit=many' must look like key=number"):
        parse_weights("transit = many")


def test_result_is_loaded_with_graduated_colours_and_grey_excluded_plots(oslo, tmp_path):
    target = tmp_path / "scored.gpkg"
    result = processing.runAndLoadResults("sitefinder:scoreplots",
                                          {**_layers(oslo, PROFILE="coworking"), "OUTPUT": str(target)})
    assert result["OUTPUT"] == str(target)
    [layer] = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source().startswith(str(target))]
    renderer = layer.renderer()
    assert renderer.type() == "graduatedSymbol" and renderer.classAttribute() == CLASS_EXPRESSION
    context = QgsRenderContext()
    renderer.startRender(context, layer.fields())
    try:
        colours = {}
        for feature in layer.getFeatures(QgsFeatureRequest()):
            context.expressionContext().setFeature(feature)  # as the map renderer does
            symbol = renderer.symbolForFeature(feature, context)
            key = "excluded" if feature["excluded"] else "best" if feature["score"] >= 80 else "other"
            colours.setdefault(key, set()).add(symbol.color().name())
    finally:
        renderer.stopRender(context)
    assert colours["excluded"] == {EXCLUDED_COLOUR}
    assert colours["best"] == {SCORE_CLASSES[-1][2]}  # the best class is green
    QgsProject.instance().removeMapLayer(layer.id())


def test_export_profile_writes_the_builtin_toml(tmp_path):
    target = tmp_path / "mine.toml"
    result = processing.run("sitefinder:exportprofile", {"PROFILE": "smahus-shielded", "OUTPUT": str(target)})
    assert result["OUTPUT"] == str(target)
    assert target.read_text(encoding="utf-8") == sitefinder.profile_text("smahus-shielded")
    assert sitefinder.load_profile(target).name == "smahus-shielded"
    assert "weight" in result["CRITERIA"] and not list(tmp_path.glob(".*"))  # written atomically


def test_feature_layer_names_map_to_categories():
    labels = {"bus_stop": "Bus stop", "rail_station": "Rail, metro or tram stop"}
    assert category_key("bus_stop", labels) == "bus_stop"
    assert category_key(" Bus Stop ", labels) == "bus_stop"
    assert category_key("bus-stop", labels) == "bus_stop"
    assert category_key("Rail, metro or tram stop", labels) == "rail_station"
    assert category_key("My Shops", labels) == "my_shops"


def test_runs_as_a_step_of_a_processing_model(oslo):
    from qgis.core import (
        QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm, QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
    )

    model = QgsProcessingModelAlgorithm("score with sitefinder", "tests")
    child = QgsProcessingModelChildAlgorithm("sitefinder:scoreplots")
    child.setChildId("score")
    for name, value in {"PLOTS": oslo.uri("points"), "OSM": str(require(OSLO_PBF)), "PROFILE": "coworking"}.items():
        child.addParameterSources(name, [QgsProcessingModelChildParameterSource.fromStaticValue(value)])
    output = QgsProcessingModelOutput("scored", "Scored plots")
    output.setChildOutputName("OUTPUT")
    child.setModelOutputs({"scored": output})
    model.addChildAlgorithm(child)
    result = processing.run(model, {"score:scored": "TEMPORARY_OUTPUT"})
    out = columns(result["score:scored"])
    assert out["plot_id"] == oslo.library["scores_points"]["smahus-integrated"]["plot_id"]
    assert sum(s is not None for s in out["score"]) >= len(out["score"]) - 1  # only the far-away point excluded
