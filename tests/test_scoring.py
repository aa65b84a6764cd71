"""The scoring pipeline on a hand-built scene: every expected number is worked out by hand.

Street S1 runs from (0,0) to (1000,0); side street S2 from (500,0) to (500,300).
A bus stop stands at (100,10), a grocery at (500,310), a park covers
(700..800, 20..120), an industrial area (900..1000, -200..-100).
Coordinates are offsets from a real origin in Oslo, EPSG:25833.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import sitefinder
from sitefinder.errors import InputError, ProfileError

X0, Y0 = 597_000.0, 6_643_000.0
CRS = "EPSG:25833"


def P(x, y):
    return shapely.Point(X0 + x, Y0 + y)


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def line(*pts):
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in pts])


PROFILE = """
[profile]
name = "hand"
title = "Hand-computed"

[criteria.bus]
label = "Bus stop"
measure = "nearest"
categories = ["bus_stop"]
weight = { value = 2, source = "assumption" }
transform = { kind = "linear_falling", full = 100, zero = 600, source = "assumption" }

[criteria.grocery]
label = "Grocery"
measure = "nearest"
categories = ["grocery"]
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 200, zero = 1000, source = "assumption" }

[criteria.park]
label = "Park"
measure = "nearest"
categories = ["park"]
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 0, zero = 500, source = "assumption" }

[[constraints]]
kind = "not_inside"
categories = ["industrial_area"]
source = "assumption"

[[constraints]]
kind = "max_value"
criterion = "bus"
value = 500
source = "assumption"
"""


@pytest.fixture()
def scene(tmp_path):
    network = gpd.GeoDataFrame(geometry=[line((0, 0), (500, 0), (1000, 0)), line((500, 0), (500, 300))], crs=CRS)
    features = {
        "bus_stop": gpd.GeoDataFrame({"name": ["Torget"]}, geometry=[P(100, 10)], crs=CRS),
        "grocery": gpd.GeoDataFrame({"name": ["Butikken"]}, geometry=[P(500, 310)], crs=CRS),
        "park": gpd.GeoDataFrame({"name": ["Parken"]}, geometry=[box(700, 20, 800, 120)], crs=CRS),
        "industrial_area": gpd.GeoDataFrame({"name": ["Verket"]}, geometry=[box(900, -200, 1000, -100)], crs=CRS),
    }
    bowtie = shapely.Polygon([(X0, Y0 + 50), (X0 + 10, Y0 + 60), (X0 + 10, Y0 + 50), (X0, Y0 + 60)])
    plots = gpd.GeoDataFrame(
        {
            "plot_name": ["P0", "P1", "P2", "P3", "P4", "P5", "P6"],
            "owner_code": [10, 11, 12, 13, 14, 15, 16],
        },
        geometry=[P(300, 5), P(500, 150), P(300, 400), box(730, 50, 770, 90), bowtie, None, P(950, -150)],
        crs=CRS,
        index=pd.Index([70, 71, 72, 73, 74, 75, 76], name="fid"),
    )
    profile = tmp_path / "hand.toml"
    profile.write_text(PROFILE)
    return plots, network, features, profile


def test_hand_computed_network_distances(scene):
    plots, network, features, profile = scene
    out = sitefinder.score(plots, profile, network=network, features=features)
    by = out.set_index("plot_name")
    # P0 at (300,5): 5 m snap, 200 m along S1 to x=100, 10 m to the bus stop.
    assert by.loc["P0", "bus_value"] == pytest.approx(215.0)
    # ... and 200 m to the junction, 300 m up S2, 10 m to the grocery.
    assert by.loc["P0", "grocery_value"] == pytest.approx(515.0)
    # ... and to the park's nearest boundary vertex (700,20): 400 m along S1 + 20 m snap.
    assert by.loc["P0", "park_value"] == pytest.approx(425.0)
    # P3's gate is the middle of its bottom side, 50 m from S1 at x=750 (boundary densified every 20 m):
    # 50 + 250 + 300 + 10 m to the grocery.
    assert by.loc["P3", "grocery_value"] == pytest.approx(610.0)
    # P1 on S2, 150 m from the junction: the grocery on the same edge is 150 + 10 m away.
    assert by.loc["P1", "grocery_value"] == pytest.approx(160.0)
    assert by.loc["P1", "bus_value"] == pytest.approx(150 + 400 + 10)
    # P3 stands inside the park.
    assert by.loc["P3", "park_value"] == 0.0
    # Transforms: bus 215 m on 100..600 -> (600-215)/500.
    assert by.loc["P0", "bus_score"] == pytest.approx(385 / 500)
    assert by.loc["P0", "grocery_score"] == pytest.approx((1000 - 515) / 800)
    assert by.loc["P0", "park_score"] == pytest.approx((500 - 425) / 500)
    expected = 100 * (2 * 385 / 500 + (1000 - 515) / 800 + 75 / 500) / 4
    assert by.loc["P0", "score"] == pytest.approx(expected)
    contrib = by.loc["P0", ["bus_contribution", "grocery_contribution", "park_contribution"]].sum()
    assert contrib == pytest.approx(by.loc["P0", "score"])
    assert out.attrs["sitefinder"]["profile"] == "hand"
    assert (out["distance_mode"] == "network").all()


def test_exclusions_have_reasons_and_every_row_survives(scene):
    plots, network, features, profile = scene
    out = sitefinder.score(plots, profile, network=network, features=features)
    # Rows, order, index and input columns are kept.
    assert out.index.tolist() == plots.index.tolist()
    assert out["plot_name"].tolist() == plots["plot_name"].tolist()
    assert out["owner_code"].tolist() == plots["owner_code"].tolist()
    assert list(out.columns[:3]) == ["plot_name", "owner_code", "geometry"]
    assert out.crs == plots.crs
    reason = out.set_index("plot_name")["exclusion_reason"]
    excluded = out.set_index("plot_name")["excluded"]
    assert not excluded["P0"] and reason["P0"] == ""
    assert excluded["P1"] and reason["P1"] == "Bus stop: 560 m is above the maximum 500 m"
    assert reason["P2"] == "no walkable way within 150 m of the plot"
    assert reason["P4"].startswith("invalid geometry: Self-intersection")
    assert reason["P5"] == "missing geometry"
    # P6 snaps 150 m to S1 at x=950: 150 + 850 + 10 m to the bus stop is beyond the 600 m search.
    assert reason["P6"] == "inside industrial area (Verket); no bus stop within 500 m (walk)"
    # P3's gate is 50 m from S1 at x=730: 50 + 630 + 10 = 690 m, beyond the 600 m search.
    assert reason["P3"] == "no bus stop within 500 m (walk)"
    ranks = out.set_index("plot_name")["rank"]
    assert ranks["P0"] == 1
    assert ranks[excluded].isna().all()
    assert out.loc[out["excluded"], "score"].isna().all()
    assert out.attrs["sitefinder"]["exclusions"] == {
        "no bus stop within 500 m (walk)": 2, "Bus stop: above the maximum 500 m": 1,
        "no walkable way within 150 m of the plot": 1, "invalid geometry": 1, "missing geometry": 1,
        "inside industrial area": 1,
    }
    # Missing data is a reason, not a zero: the unreachable plot has no network values.
    assert np.isnan(out.set_index("plot_name").loc["P2", "bus_value"])


def test_nothing_within_cutoff_scores_the_curves_limit(scene, tmp_path):
    plots, network, features, _ = scene
    text = PROFILE.replace("zero = 600", "zero = 150").split("[[constraints]]")[0]
    p = tmp_path / "short.toml"
    p.write_text(text)
    out = sitefinder.score(plots, p, network=network, features=features).set_index("plot_name")
    assert np.isnan(out.loc["P0", "bus_value"])  # the search stops at 150 m: no bus stop found
    assert out.loc["P0", "bus_score"] == 0.0
    assert not out.loc["P0", "excluded"]


def test_weight_override_changes_the_score(scene):
    plots, network, features, profile = scene
    area = sitefinder.load_study(plots, network=network, features=features)
    base = area.score(profile).set_index("plot_name")
    heavy = area.score(profile, weights={"park": 10}).set_index("plot_name")
    bus, grocery, park = 385 / 500, (1000 - 515) / 800, 75 / 500
    assert base.loc["P0", "score"] == pytest.approx(100 * (2 * bus + grocery + park) / 4)
    assert heavy.loc["P0", "score"] == pytest.approx(100 * (2 * bus + grocery + 10 * park) / 13)
    assert heavy.loc["P0", "park_contribution"] == pytest.approx(100 * 10 * park / 13)
    with pytest.raises(ProfileError, match="unknown criterion 'parc'"):
        area.score(profile, weights={"parc": 1})


def test_straight_line_mode_without_network(scene):
    plots, _, features, profile = scene
    out = sitefinder.score(plots, profile, features=features).set_index("plot_name")
    assert out.loc["P0", "bus_value"] == pytest.approx(np.hypot(200, 5))
    assert (out["distance_mode"] == "straight-line").all()
    # Without a network nothing is "unreachable".
    assert "walkable" not in out.loc["P2", "exclusion_reason"]


def test_plots_in_another_crs_are_reprojected_and_returned_in_their_own(scene):
    plots, network, features, profile = scene
    wgs = plots.to_crs(4326)
    out = sitefinder.score(wgs, profile, network=network, features=features).set_index("plot_name")
    assert out.crs.to_epsg() == 4326
    # Working CRS becomes UTM 32N; the same plot lies ~215 m from the bus stop (UTM scale differs slightly).
    assert out.loc["P0", "bus_value"] == pytest.approx(215.0, rel=2e-3)


def test_missing_category_is_a_clear_error(scene):
    plots, network, features, profile = scene
    del features["grocery"]
    with pytest.raises(InputError, match="needs feature categories grocery"):
        sitefinder.score(plots, profile, network=network, features=features)


def test_layer_without_crs_is_an_error(scene):
    plots, network, features, profile = scene
    with pytest.raises(InputError, match="no coordinate reference system"):
        sitefinder.score(plots.set_crs(None, allow_override=True), profile, network=network, features=features)
    with pytest.raises(InputError, match="no coordinate reference system"):
        sitefinder.score(plots, profile, network=network.set_crs(None, allow_override=True), features=features)


def test_lines_as_plots_and_all_invalid_plots_are_errors(scene):
    _, network, features, profile = scene
    with pytest.raises(InputError, match="plots must be polygons or points"):
        sitefinder.score(network, profile, network=network, features=features)
    bad = gpd.GeoDataFrame(geometry=[shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])],
                           crs=CRS)
    with pytest.raises(InputError, match="none of the 1 plots can be scored"):
        sitefinder.score(bad, profile, network=network, features=features)


def test_features_on_the_plot_are_not_its_neighbours(tmp_path):
    # Three buildings: one is the plot itself, the others 30 m and 80 m away (straight line).
    houses = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(40, 0, 50, 10), box(90, 0, 100, 10)], crs=CRS)
    text = """
[profile]
name = "nb"
[criteria.neighbour]
label = "Nearest neighbour"
measure = "nearest"
metric = "euclidean"
exclude_features_on_plot = true
categories = ["residential_building"]
weight = { value = 1, source = "assumption" }
transform = { kind = "band", too_close = 10, ideal_min = 20, ideal_max = 100, too_far = 200, source = "assumption" }
[criteria.count]
label = "Neighbours within 100 m"
measure = "count"
metric = "euclidean"
exclude_features_on_plot = true
radius = { value = 100, source = "assumption" }
categories = ["residential_building"]
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_rising", zero = 0, full = 4, source = "assumption" }
"""
    p = tmp_path / "nb.toml"
    p.write_text(text)
    plots = houses.iloc[[0]]
    out = sitefinder.score(plots, p, features={"residential_building": houses})
    # From the plot's representative point (5,5) to the next house's nearest corner (40,0): hypot(35, 5).
    assert out["neighbour_value"].iloc[0] == pytest.approx(np.hypot(35, 5))
    assert out["count_value"].iloc[0] == 2  # itself not counted
