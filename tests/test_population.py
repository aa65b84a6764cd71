"""Residents within a radius from SSB's 250 m grid: exact area weighting, and the CRS trap."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

import sitefinder
from sitefinder.adapters.geometry import to_ragged
from sitefinder.adapters.vector import read_layer
from sitefinder.core.areal import area_weighted_sum, circle_triangle_area
from sitefinder.errors import InputError
from sitefinder.profiles import loads_profile

from .conftest import SHARED, require

GRID = SHARED / "oslo" / "ssb_befolkning_250m_2023_oslo.gpkg"
MUNICIPALITIES = SHARED / "norway" / "kommuner_2024.geojson"

PROFILE = """
[profile]
name = "population-test"
[criteria.residents]
label = "Residents within 600 m"
measure = "area_weighted_sum"
categories = ["population"]
radius = { value = 600, source = "assumption" }
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_rising", zero = 0, full = 20000, source = "assumption" }
"""


@pytest.fixture(scope="module")
def grid():
    return read_layer(require(GRID), "population")


def test_esri_crs_is_read_as_epsg_25833_and_cells_land_in_oslo(grid):
    assert grid.crs.to_epsg() == 25833
    assert int(grid["pop_tot"].sum()) == 707_339
    oslo = gpd.read_file(require(MUNICIPALITIES))
    oslo = oslo[oslo["kommunenummer"] == "0301"].to_crs(25833).geometry.iloc[0]
    centres = grid.geometry.centroid
    assert centres.within(oslo.buffer(250)).mean() > 0.99
    # SSB's cell id encodes the cell's south-west corner: easting + 2 000 000, then northing.
    ids = grid["ru250m"].astype(str)
    x0, y0, _, _ = grid.geometry.bounds.to_numpy().T
    assert np.array_equal(ids.str[:7].astype(int) - 2_000_000, np.round(x0).astype(int))
    assert np.array_equal(ids.str[7:].astype(int), np.round(y0).astype(int))
    # The cell holding Olaf Ryes plass (Grünerløkka) is an inhabited 250 m square of central Oslo.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True).transform(10.7577, 59.9228)
    cell = grid[grid.geometry.contains(shapely.Point(x, y))]
    assert len(cell) == 1
    assert cell.geometry.iloc[0].area == pytest.approx(250 * 250)
    assert 300 < cell["pop_tot"].iloc[0] < 3000


def test_area_weighted_sum_matches_shapely_intersections(grid):
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = grid.total_bounds
    pts = np.column_stack([rng.uniform(x0 + 2000, x1 - 2000, 12), rng.uniform(y0 + 2000, y1 - 2000, 12)])
    plots = gpd.GeoDataFrame(geometry=shapely.points(pts), crs="EPSG:25833")
    scored = sitefinder.score(plots, loads_profile(PROFILE), features={"population": grid},
                              feature_weights={"population": "pop_tot"})
    cells = grid.geometry.to_numpy()
    pop = grid["pop_tot"].to_numpy(float)
    for i, p in enumerate(shapely.points(pts)):
        circle = p.buffer(600, quad_segs=512)
        share = shapely.area(shapely.intersection(cells, circle)) / shapely.area(cells)
        expected = float((pop * share).sum())
        assert scored.loc[i, "residents_value"] == pytest.approx(expected, rel=2e-5, abs=1e-6)
    assert scored["residents_value"].max() > 1000  # the sample hits inhabited Oslo


def test_plots_in_lon_lat_get_the_same_residents(grid):
    x, y = 262000.0, 6650000.0
    lon, lat = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True).transform(x, y)
    a = sitefinder.score(gpd.GeoDataFrame(geometry=[shapely.Point(x, y)], crs="EPSG:25833"), loads_profile(PROFILE),
                         features={"population": grid}, feature_weights={"population": "pop_tot"})
    b = sitefinder.score(gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs="EPSG:4326"),
                         loads_profile(PROFILE), features={"population": grid},
                         feature_weights={"population": "pop_tot"})
    # Different working CRS (UTM 32 for lon/lat input): equal to within the projections' scale difference.
    assert b.loc[0, "residents_value"] == pytest.approx(a.loc[0, "residents_value"], rel=2e-3)


def test_points_instead_of_polygons_is_a_clear_error(grid):
    points = grid.set_geometry(grid.geometry.centroid)
    plots = gpd.GeoDataFrame(geometry=[shapely.Point(262000, 6650000)], crs="EPSG:25833")
    with pytest.raises(InputError, match="have no polygons"):
        sitefinder.score(plots, loads_profile(PROFILE), features={"population": points},
                         feature_weights={"population": "pop_tot"})


# --------------------------------------------------------------------------- the exact kernel

def _polygon(draw_xy, holes):
    shell = shapely.Polygon(draw_xy).convex_hull
    if holes and shell.area > 1:
        return shell.difference(shell.centroid.buffer(np.sqrt(shell.area) / 6, quad_segs=4))
    return shell


@settings(max_examples=60, deadline=None)
@given(
    pts=st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=3, max_size=8),
    centre=st.tuples(st.floats(-60, 60), st.floats(-60, 60)),
    radius=st.floats(1, 80),
    holes=st.booleans(),
)
def test_circle_polygon_area_matches_shapely(pts, centre, radius, holes):
    poly = _polygon(pts, holes)
    if poly.geom_type not in ("Polygon", "MultiPolygon") or poly.area < 1e-3:
        return
    ragged = to_ragged(np.array([poly], dtype=object), polygons_only=True)
    total, touched = area_weighted_sum(np.array([centre[0]]), np.array([centre[1]]), radius, ragged, np.array([1.0]))
    circle = shapely.Point(centre).buffer(radius, quad_segs=1024)
    expected = poly.intersection(circle).area / poly.area
    assert total[0] == pytest.approx(expected, abs=1e-5)
    assert touched[0] == (1 if total[0] > 0 else 0)


def test_circle_triangle_area_cases():
    # Chord through the circle: triangle (0,0),(2,0),(0,2) with r = 1 holds a quarter disc.
    quarter = sum(circle_triangle_area(ax, ay, bx, by, 1.0)
                  for (ax, ay), (bx, by) in [((0, 0), (2, 0)), ((2, 0), (0, 2)), ((0, 2), (0, 0))])
    assert quarter == pytest.approx(np.pi / 4)
    # Reversed orientation flips the sign; a segment inside the circle is a plain triangle.
    assert circle_triangle_area(2, 0, 0, 2, 1.0) == pytest.approx(-circle_triangle_area(0, 2, 2, 0, 1.0))
    assert circle_triangle_area(0.2, 0.0, 0.0, 0.3, 1.0) == pytest.approx(0.03)
