"""Explain plot, Sensitivity, Report and Surface in real QGIS: the library's numbers for the same inputs.

The reference values come from the main .venv (``library_reference.py``):
explanation rows, Monte-Carlo rank ranges for a seed, the report's HTML and
a surface's bands, computed by the library from the same files.
"""

from __future__ import annotations

import re
import zipfile

import numpy as np
import processing
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException, QgsVectorLayer

from ..conftest import require
from .conftest import RecordingFeedback, columns
from .reference_cases import (
    DTM, EXPLAINED, NSB, POPULATION_PROFILE, REPORT, SENSITIVITY, SSB, SURFACE_BOX, SURFACE_CELL, TOP_SITES,
)

pytestmark = pytest.mark.qgis  # runs in QGIS's Python (make test-qgis)


def _run(alg: str, params: dict, feedback=None) -> dict:
    return processing.run(f"sitefinder:{alg}", params, feedback=feedback or RecordingFeedback())


def _close(a, b, atol=1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= atol


@pytest.mark.parametrize("plot", EXPLAINED)
@pytest.mark.parametrize("include", [False, True])
def test_explain_plot_rows_equal_sitefinder_explain(oslo, tmp_path, plot, include):
    html = tmp_path / "explain.html"
    out = _run("explainplot", {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"), "PLOT": plot,
                               "INCLUDE_SENSITIVE": include, "OUTPUT": "TEMPORARY_OUTPUT", "HTML": str(html)})
    expected = oslo.library["decision"]["explain"][f"{plot}|{include}"]
    got = columns(out["OUTPUT"])
    assert got["criterion"] == [r["criterion"] for r in expected["rows"]]
    for name in ("label", "raw", "curve", "weight_source", "curve_source", "withheld"):
        assert got[name] == [r[name] for r in expected["rows"]], name
    for name in ("raw_value", "score", "weight", "contribution", "max_points"):
        assert all(_close(a, b) for a, b in zip(got[name], [r[name] for r in expected["rows"]])), name
    a = expected["attrs"]
    assert _close(out["SCORE"], a["score"]) and _close(out["RANK"], a["rank"])
    assert out["EXCLUSION_REASON"] == a["exclusion_reason"]
    # The coworking category is sensitive: its criterion is withheld unless included.
    assert dict(zip(got["criterion"], got["withheld"]))["competition"] is (not include)
    page = html.read_text(encoding="utf-8")
    assert f"Plot {plot}" in page and "«" in page  # sources quoted verbatim
    if a["excluded"]:
        assert "EXCLUDED" in out["TEXT"] and a["exclusion_reason"] in page


def test_explain_plot_unknown_plot_and_unrecorded_profile_are_clear_errors(oslo):
    with pytest.raises(QgsProcessingException, match="no plot with plot_id 'nope'"):
        _run("explainplot", {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"), "PLOT": "nope"})
    with pytest.raises(QgsProcessingException, match="does not record its profile"):
        _run("explainplot", {"INPUT": oslo.uri("plots"), "PLOT": "teig-3"})


def test_sensitivity_equals_the_library_for_the_same_seed(oslo):
    expected = oslo.library["decision"]["sensitivity"]
    out = _run("sensitivity", {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"),
                               "DRAWS": SENSITIVITY["draws"], "SEED": SENSITIVITY["seed"],
                               "TOP_N": SENSITIVITY["top_n"], "INCLUDE_SENSITIVE": True,
                               "OUTPUT": "TEMPORARY_OUTPUT", "CRITERIA": "TEMPORARY_OUTPUT"})
    got = columns(out["OUTPUT"])
    by_plot = {p: i for i, p in enumerate(got["plot_id"])}
    n = SENSITIVITY["top_n"]
    for name, key in (("rank_min", "rank_min"), ("rank_max", "rank_max"), ("rank_mean", "rank_mean"),
                      ("rank_p05", "rank_p05"), ("rank_p95", "rank_p95"), (f"p_top_{n}", "p_top")):
        values = [got[name][by_plot[p]] for p in expected["plot_id"]]
        np.testing.assert_allclose(values, expected[key], rtol=0, atol=1e-9, err_msg=name)
    excluded = [i for i, e in enumerate(got["excluded"]) if e]
    assert excluded and all(got["rank_min"][i] is None for i in excluded)  # every plot kept, excluded unranked
    crit = columns(out["CRITERIA"])
    assert crit["criterion"] == [r["criterion"] for r in expected["criteria"]]
    np.testing.assert_allclose(crit["sensitivity"], [r["sensitivity"] for r in expected["criteria"]], atol=1e-12)
    assert out["MOST_SENSITIVE"] == expected["criteria"][0]["criterion"]
    assert out["MEDIAN_SPEARMAN"] == pytest.approx(expected["median_spearman"], abs=1e-12)


def test_sensitivity_leaves_sensitive_columns_out_unless_included(oslo):
    out = _run("sensitivity", {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"), "DRAWS": 20,
                               "OUTPUT": "TEMPORARY_OUTPUT"})
    names = [f.name() for f in out["OUTPUT"].fields()]
    assert "competition_value" not in names and "transit_value" in names and "p_top_10" in names
    with pytest.raises(QgsProcessingException, match="withheld as sensitive"):
        _run("sensitivity", {"INPUT": str(oslo.gpkg.parent / "scored_public.gpkg"), "DRAWS": 20,
                             "OUTPUT": "TEMPORARY_OUTPUT"})


def _parts(html: str) -> tuple[str, list[str]]:
    """The report without its maps and date, and the interactive map's hover titles (plot, score, rank)."""
    html = re.sub(r"Made with sitefinder \S+ on [\d-]+", "", html)
    maps = re.search(r"<div class='maps'>.*?</svg></div></div>", html, flags=re.S)
    svg = maps.group(0)[maps.group(0).index("<svg"):]
    return html.replace(maps.group(0), ""), re.findall(r"<title>(.*?)</title>", svg)


def test_report_has_the_librarys_content_and_a_map_drawn_by_qgis(oslo, tmp_path):
    out = tmp_path / "report.html"
    _run("report", {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"), "DRAWS": REPORT["draws"],
                    "SEED": REPORT["seed"], "TOP_N": REPORT["top_n"], "OUTPUT": str(out)})
    got = out.read_text(encoding="utf-8")
    library = (oslo.gpkg.parent / "report.html").read_text(encoding="utf-8")
    # Everything but the maps is the same; the static map is drawn by QGIS (matplotlib in the library), and
    # the interactive one has the same plots, colours and titles but outlines simplified by QGIS's GEOS.
    (text, titles), (text_library, titles_library) = _parts(got), _parts(library)
    assert text == text_library
    assert titles == titles_library and len(titles) > 300
    assert "drawn by QGIS" in got and got.count("data:image/png;base64,") == 1
    assert "competition_value" in got  # named as withheld in the privacy section ...
    assert "</i>No existing coworking space nearby" not in got  # ... and not drawn in the contribution bars
    for absent in ("http://", "https://", "<script src"):
        assert absent not in got.replace('xmlns="http://www.w3.org/2000/svg"', "")


def _site_parameters(oslo) -> dict:
    return {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"), "N_SITES": TOP_SITES["n_sites"],
            "MIN_SPACING": TOP_SITES["min_spacing"], "MAX_UNITS": TOP_SITES["max_units"],
            "CAP_RADIUS": TOP_SITES["cap_radius"], "UNITS_PER_SITE": TOP_SITES["units_per_site"],
            "EXISTING": str(oslo.gpkg.parent / "existing_units.gpkg"), "EXISTING_UNITS_FIELD": "units"}


@pytest.mark.parametrize("include", [False, True])
def test_top_sites_choose_what_the_library_chooses(oslo, include):
    expected = oslo.library["decision"]["top_sites"][str(include)]
    out = _run("topsites", {**_site_parameters(oslo), "INCLUDE_SENSITIVE": include, "OUTPUT": "TEMPORARY_OUTPUT",
                            "PASSED_OVER": "TEMPORARY_OUTPUT"})
    chosen, passed = columns(out["OUTPUT"]), columns(out["PASSED_OVER"])
    assert chosen["site"] == expected["chosen"]["site"] and out["CHOSEN"] == len(chosen["site"])
    assert chosen["plot_id"] == expected["chosen"]["plot"]
    assert all(_close(a, b) for a, b in zip(chosen["score"], expected["chosen"]["score"]))
    assert passed["plot"] == expected["skipped"]["plot"] and passed["reason"] == expected["skipped"]["reason"]
    reasons = " ".join(passed["reason"])
    # The rules bit: spacing and the cap both passed plots over, and the cap counted existing units
    # (withheld unless included); the coworking criterion's columns follow the privacy choice too.
    assert "too close" in reasons and "cap" in reasons
    assert ("details withheld" in reasons) is (not include)
    assert ("competition_value" in chosen) is include


def test_report_with_top_sites_marks_them_as_the_library_does(oslo, tmp_path):
    out = tmp_path / "report.html"
    _run("report", {**_site_parameters(oslo), "DRAWS": REPORT["draws"], "SEED": REPORT["seed"],
                    "TOP_N": REPORT["top_n"], "OUTPUT": str(out)})
    got = out.read_text(encoding="utf-8")
    library = (oslo.gpkg.parent / "report_sites.html").read_text(encoding="utf-8")
    (text, titles), (text_library, titles_library) = _parts(got), _parts(library)
    assert text == text_library and "Greedy choice, best score first" in text
    assert titles == titles_library and "chosen site 1: " in " ".join(titles)


def test_top_sites_bad_rules_are_clear_errors(oslo):
    with pytest.raises(QgsProcessingException, match="a cap needs both max_units and cap_radius"):
        _run("topsites", {"INPUT": str(oslo.gpkg.parent / "scored_internal.gpkg"), "MAX_UNITS": 4,
                          "OUTPUT": "TEMPORARY_OUTPUT"})


def test_surface_bands_equal_sitefinder_surface(oslo, tmp_path):
    out = tmp_path / "surface.tif"
    x0, y0, x1, y1 = SURFACE_BOX
    params = {"AREA": oslo.uri("surface_area"), "CELL": SURFACE_CELL, "PROFILE": "coworking",
              "NETWORK": oslo.uri("network"), "FEATURES": oslo.feature_layers(), "OUTPUT": str(out)}
    _run("surface", params)
    expected = oslo.library["surface"]
    library = gdal.Open(str(oslo.gpkg.parent / "surface.tif"))
    for path in (out, oslo.gpkg.parent / "surface.tif"):
        ds = gdal.Open(str(path))
        assert ds.RasterCount == len(expected["names"])
        assert _band_names(ds) == expected["names"]
        left, top, dx, dy, nx, ny = expected["grid"]
        assert ds.GetGeoTransform() == pytest.approx((left, dx, 0, top, 0, -dy))
        assert (ds.RasterXSize, ds.RasterYSize) == (nx, ny)
        bands = ds.ReadAsArray().astype(float)
        bands[bands == ds.GetRasterBand(1).GetNoDataValue()] = np.nan
        want = np.array(expected["bands"], dtype=float)
        np.testing.assert_allclose(bands, want, rtol=0, atol=1e-5, equal_nan=True)
        assert ds.GetMetadata()["sitefinder_profile"] == "coworking"
        assert ds.GetMetadata("IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert ds.GetSpatialRef().GetAuthorityCode(None) == library.GetSpatialRef().GetAuthorityCode(None) == "25832"
    assert np.isfinite(np.array(expected["bands"], dtype=float)[0]).sum() > 30
    # An extent instead of the area layer gives the same cells.
    extent = tmp_path / "extent.tif"
    _run("surface", {**params, "AREA": None, "EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:25832]", "OUTPUT": str(extent)})
    a, b = gdal.Open(str(extent)), gdal.Open(str(out))
    np.testing.assert_array_equal(a.ReadAsArray(), b.ReadAsArray())


def test_surface_sensitive_band_left_out_unless_included(oslo, tmp_path):
    params = {"AREA": oslo.uri("surface_area"), "CELL": 300, "PROFILE": "coworking", "SENSITIVE": "coworking",
              "NETWORK": oslo.uri("network"), "FEATURES": oslo.feature_layers()}
    _run("surface", {**params, "OUTPUT": str(tmp_path / "a.tif")})
    _run("surface", {**params, "INCLUDE_SENSITIVE": True, "OUTPUT": str(tmp_path / "b.tif")})
    names = [_band_names(gdal.Open(str(tmp_path / f))) for f in ("a.tif", "b.tif")]
    assert not any(n.startswith("competition_score") for n in names[0])
    assert any(n.startswith("competition_score") for n in names[1]) and len(names[1]) == len(names[0]) + 1


def _band_names(ds) -> list[str]:
    """Band descriptions (``ds`` must stay referenced while its bands are used: GDAL would crash)."""
    return [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]


def _same_columns(out: QgsVectorLayer, library: dict, atol: float) -> None:
    got = columns(out)
    got.pop("fid", None)
    assert list(got) == list(library)
    for name, expected in library.items():
        if isinstance(next((v for v in expected if v is not None), 0.0), (float, int)) and name != "rank":
            a = np.array([np.nan if v is None else v for v in got[name]], dtype=float)
            b = np.array([np.nan if v is None else v for v in expected], dtype=float)
            np.testing.assert_allclose(a, b, rtol=0, atol=atol, equal_nan=True, err_msg=name)
        else:
            assert got[name] == expected, name


def test_score_plots_with_gtfs_feed_and_weighted_population_grid(oslo):
    population = QgsVectorLayer(str(require(SSB)), "population", "ogr")
    out = processing.run("sitefinder:scoreplots", {
        "PLOTS": oslo.uri("plots"), "PROFILE_FILE": str(_population_profile()),
        "FEATURES": [population], "FEATURE_WEIGHTS": "population=pop_tot", "GTFS": [str(require(NSB))],
        "STRAIGHT_LINE": True, "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=RecordingFeedback())["OUTPUT"]
    library = oslo.library["new_data"]["population"]
    _same_columns(out, library, atol=1e-6)
    assert max(v for v in library["departures_value"] if v is not None) > 20  # Oslo S's departures reached


def test_score_plots_with_a_terrain_model_stored_northing_first(oslo):
    out = processing.run("sitefinder:scoreplots", {
        "PLOTS": oslo.uri("bomlo"), "PROFILE_FILE": str(oslo.gpkg.parent / "terrain.toml"),
        "DEM": str(require(DTM)), "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=RecordingFeedback())["OUTPUT"]
    library = oslo.library["new_data"]["terrain"]
    _same_columns(out, library, atol=1e-9)
    reasons = dict(zip(library["plot_id"], library["exclusion_reason"]))
    assert reasons["outside"] and sum(v is not None for v in library["mean_slope_value"]) >= 6


def test_bad_gtfs_and_weight_field_are_clear_errors(oslo, tmp_path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("stops.txt", "stop_id,stop_lat,stop_lon\n")
    base = {"PLOTS": oslo.uri("plots"), "PROFILE_FILE": str(_population_profile()), "STRAIGHT_LINE": True,
            "OUTPUT": "TEMPORARY_OUTPUT"}
    with pytest.raises(QgsProcessingException, match="has no trips.txt, stop_times.txt"):
        processing.run("sitefinder:scoreplots", {**base, "GTFS": [str(empty)]})
    population = QgsVectorLayer(str(require(SSB)), "population", "ogr")
    with pytest.raises(QgsProcessingException, match="have no column 'nope'"):
        processing.run("sitefinder:scoreplots", {**base, "FEATURES": [population], "FEATURE_WEIGHTS": "population=nope",
                                                 "GTFS": [str(require(NSB))]})


def _population_profile():
    return POPULATION_PROFILE
