"""End to end on real Oslo data: OpenStreetMap extract and Kartverket parcels."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import sitefinder
from sitefinder.demo import parcels_from_boundaries, run_demo

from .conftest import TEIG, require

JERNBANETORGET = (10.75030, 59.91170)   # beside the bus and tram stops at Jernbanetorget
SORENGA_EDGE = (10.75152, 59.90011)      # waterfront, 580 m in a straight line from the nearest stop


@pytest.fixture(scope="module")
def oslo_plots(oslo_osm):
    parcels = parcels_from_boundaries(require(TEIG)).to_crs(4326)
    points = gpd.GeoDataFrame(
        {"plot_id": ["jernbanetorget", "sorenga"], "source": "test point", "name": ""},
        geometry=[shapely.Point(*JERNBANETORGET), shapely.Point(*SORENGA_EDGE)], crs=4326)
    buildings = oslo_osm.features["building"].sample(400, random_state=3)
    buildings = gpd.GeoDataFrame({"plot_id": [f"b{i}" for i in buildings["osm_id"]], "source": "OSM building",
                                  "name": buildings["name"].to_numpy()}, geometry=buildings.geometry.values, crs=4326)
    return pd.concat([parcels, points, buildings], ignore_index=True)


@pytest.fixture(scope="module")
def oslo_area(oslo_plots, oslo_osm):
    return sitefinder.load_study(oslo_plots, osm=oslo_osm)


def test_kartverket_boundaries_polygonise_to_13_real_parcels():
    parcels = parcels_from_boundaries(require(TEIG))
    areas = parcels.to_crs(25832).area
    assert len(parcels) == 13
    assert areas.min() > 600 and areas.max() < 15_000


@pytest.mark.parametrize("profile", sitefinder.list_profiles())
def test_every_plot_comes_out_once_with_a_score_or_a_reason(oslo_area, oslo_plots, profile):
    out = oslo_area.score(profile)
    assert len(out) == len(oslo_plots)
    assert out["plot_id"].tolist() == oslo_plots["plot_id"].tolist()
    scored = ~out["excluded"]
    assert scored.sum() >= 100  # most small building footprints fail the småhus minimum area
    assert out.loc[scored, "score"].between(0, 100).all()
    assert (out.loc[~scored, "exclusion_reason"].str.len() > 0).all()
    keys = sitefinder.load_profile(profile).keys
    contrib = out.loc[scored, [f"{k}_contribution" for k in keys]].sum(axis=1)
    np.testing.assert_allclose(contrib, out.loc[scored, "score"], rtol=1e-9)
    assert sorted(out.loc[scored, "rank"].astype(int))[0] == 1


def test_jernbanetorget_beats_a_plot_far_from_any_stop(oslo_area):
    for profile in sitefinder.list_profiles():
        out = oslo_area.score(profile).set_index("plot_id")
        jt, far = out.loc["jernbanetorget"], out.loc["sorenga"]
        assert jt["transit_value"] < 60, profile
        assert jt["transit_score"] == 1.0
        # Walking can never beat the 580 m straight line.
        assert np.isnan(far["transit_value"]) or far["transit_value"] >= 580
        assert far["transit_score"] < jt["transit_score"]
    cw = oslo_area.score("coworking").set_index("plot_id")
    assert cw.loc["jernbanetorget", "rail_station_score"] > cw.loc["sorenga", "rail_station_score"]


def test_network_distance_is_never_shorter_than_straight_line(oslo_area, oslo_plots, oslo_osm):
    crs = oslo_area.crs
    plots = oslo_plots.to_crs(crs).geometry.values
    checked = 0
    for profile in sitefinder.list_profiles():
        p = sitefinder.load_profile(profile)
        out = oslo_area.score(p)
        for c in p.criteria:
            if c.measure != "nearest" or c.metric != "network":
                continue
            feats = pd.concat([oslo_osm.features[cat] for cat in c.categories]).to_crs(crs).geometry.values
            tree = shapely.STRtree(feats)
            _, straight = tree.query_nearest(plots, return_distance=True, all_matches=False)
            value = out[f"{c.key}_value"].to_numpy()
            ok = ~np.isnan(value)
            assert np.all(value[ok] >= straight[ok] - 1e-6), (profile, c.key)
            checked += int(ok.sum())
    assert checked > 5000


def test_demo_writes_layers_and_maps(tmp_path, capsys):
    result = run_demo(tmp_path)
    import pyogrio

    layers = [name for name, _ in pyogrio.list_layers(result["gpkg"])]
    assert sorted(layers) == sorted(sitefinder.list_profiles())
    n = len(result["layers"]["coworking"])
    assert n > 5000
    for name in layers:
        assert len(gpd.read_file(result["gpkg"], layer=name)) == n
    for png in result["maps"]:
        assert png.stat().st_size > 50_000
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = capsys.readouterr().out
    assert "central Oslo" in text and "Kartverket parcel" in text
    assert text.count("strongest") == 3
    assert "© OpenStreetMap contributors" in text
    assert not list(tmp_path.glob(".*"))  # no temporary files left
