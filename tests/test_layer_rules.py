"""Rules and helpers shared with the QGIS plugin, checked against pyproj, shapely and GEOS."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geopandas as gpd

from sitefinder.adapters.geometry import to_ragged
from sitefinder.adapters.layer_rules import (
    MAX_LAYER_GAP, check_near_plots, geos_reason, invalid_plot_problem, utm_epsg,
)
from sitefinder.adapters.vector import plots_to_arrays
from sitefinder.adapters.wkb import parse_wkb, wkb_to_ragged
from sitefinder.errors import InputError


@pytest.mark.parametrize("lon", [-180.0, -179.5, -174.0, -6.0, -0.0001, 0.0, 3.0, 5.32, 6.0, 10.75, 11.9999, 12.0,
                                 25.0, 31.5, 179.99, 180.0])
@pytest.mark.parametrize("lat", [-80.0, -33.9, -0.5, 0.0, 59.91, 78.2, 84.0])
def test_utm_zone_is_the_one_pyproj_picks(lon, lat):
    # geopandas' estimate_utm_crs asks pyproj's database for the zone whose area of use holds the centre.
    expected = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).estimate_utm_crs().to_epsg()
    assert utm_epsg(lon, lat) == expected


def test_no_utm_zone_outside_its_range():
    for lon, lat in [(10.0, 84.5), (10.0, -80.5), (200.0, 10.0), (np.nan, 10.0)]:
        assert utm_epsg(lon, lat) is None
        with pytest.raises(RuntimeError):
            if np.isfinite(lon) and abs(lon) <= 180:
                gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).estimate_utm_crs()
            else:
                raise RuntimeError("not even a valid longitude")


GEOMS = [
    "POINT (1 2)", "POINT Z (1 2 3)", "LINESTRING (0 0, 3 4, 6 0)", "LINESTRING M (0 0 5, 1 1 6)",
    "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))", "POLYGON EMPTY",
    "MULTIPOINT ((0 0), (5 5))", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 4))",
    "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.1, 5.8 5.7, 5.2 5.1)))",
    "MULTIPOLYGON ZM (((0 0 1 2, 1 0 1 2, 1 1 1 2, 0 0 1 2)))",
    "GEOMETRYCOLLECTION (POINT (5 5), LINESTRING (0 0, 1 1), POLYGON ((0 0, 1 0, 1 1, 0 0)))",
]


@pytest.mark.parametrize("flavor, byte_order", [("iso", 1), ("iso", 0), ("extended", 1), ("extended", 0)])
def test_wkb_gives_the_same_ragged_arrays_as_shapely(flavor, byte_order):
    geoms = np.array([shapely.from_wkt(w) for w in GEOMS] + [None], dtype=object)
    if flavor == "extended":
        geoms = shapely.set_srid(geoms, 25833)  # EWKB carries the SRID flag
    blobs = [None if g is None else shapely.to_wkb(g, flavor=flavor, byte_order=byte_order,
                                                   include_srid=flavor == "extended", output_dimension=4)
             for g in geoms]
    for polygons_only in (False, True):
        expected = to_ragged(geoms, polygons_only=polygons_only)
        got = wkb_to_ragged(blobs, polygons_only=polygons_only)
        for field in expected._fields:
            np.testing.assert_array_equal(getattr(got, field), getattr(expected, field), err_msg=field)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=3, max_size=12),
                min_size=1, max_size=4))
def test_wkb_of_random_lines_and_rings(parts):
    lines = [shapely.LineString(p) for p in parts]
    rings = [shapely.Polygon(p + p[:1]) for p in parts]
    geoms = np.array([shapely.MultiLineString(lines), *rings], dtype=object)
    expected = to_ragged(geoms)
    got = wkb_to_ragged([shapely.to_wkb(g) for g in geoms])
    for field in expected._fields:
        np.testing.assert_array_equal(getattr(got, field), getattr(expected, field))


def test_empty_points_and_lines_have_no_vertices():
    # shapely keeps an empty part for them, the WKB reader none: either way nothing to reach.
    for wkt in ("POINT EMPTY", "LINESTRING EMPTY", "MULTIPOLYGON EMPTY"):
        r = wkb_to_ragged([shapely.to_wkb(shapely.from_wkt(wkt))])
        assert r.n_geoms == 1 and r.x.size == 0 and r.part_ptr[-1] == 0


def test_wkb_type_names_and_errors():
    assert parse_wkb(shapely.to_wkb(shapely.from_wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))"))).type_name == \
        "MultiPolygon"
    assert parse_wkb(shapely.to_wkb(shapely.Point())).is_empty
    curve = bytes.fromhex("0108000000") + (0).to_bytes(4, "little")  # an (empty) CIRCULARSTRING
    with pytest.raises(ValueError, match="unsupported WKB geometry type 8"):
        parse_wkb(curve)
    with pytest.raises(ValueError, match="truncated"):
        parse_wkb(shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)]))[:-4])


def test_invalid_plot_reason_is_written_as_geos_writes_it():
    # A ring passing twice through vertex v: GEOS reports v itself, so its coordinates are known exactly.
    x0, y0 = 597906.123456789, 6642927.98765432
    v = (x0 + 30.0001234, y0 + 30.0004321)
    ring = [(x0, y0), (x0 + 60, y0), v, (x0 + 60, y0 + 60), (x0, y0 + 60), v, (x0, y0)]
    plots = plots_to_arrays(gpd.GeoDataFrame(geometry=[shapely.Polygon(ring)], crs=25832))
    # The plugin gets the message and the location from QGIS's GEOS validator and formats them itself.
    assert plots.problem[0] == invalid_plot_problem(geos_reason("Ring Self-intersection", *v))


def test_layers_far_from_the_plots_are_taken_for_a_wrong_crs():
    plots = (0.0, 0.0, 1000.0, 1000.0)
    check_near_plots((-MAX_LAYER_GAP + 1, 0.0, -1.0, 10.0), plots, "network", "EPSG:25833")  # just near enough
    check_near_plots((500.0, 500.0, 600.0, 600.0), plots, "network", "EPSG:25833")  # inside
    with pytest.raises(InputError, match=r"CRS mismatch\? network \(CRS EPSG:3857\) lies 50 km from the plots"):
        check_near_plots((1000.0 + 30_003, 1000.0 + 40_004, 1e6, 1e6), plots, "network", "EPSG:3857")
