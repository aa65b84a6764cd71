"""Terrain slope on Kartverket's DTM10 (stored as EPSG:3045, northing first): values and positions line up."""

from __future__ import annotations

import math
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

import sitefinder
from sitefinder.cli import main
from sitefinder.core.terrain import slope
from sitefinder.errors import InputError
from sitefinder.profiles import loads_profile

from .conftest import IN_CI, SHARED, require

DTM = SHARED / "norway" / "kartverket_dtm10_bomlo_25833.tif"

PROFILE = """
[profile]
name = "terrain-test"
[criteria.mean_slope]
label = "Mean slope"
measure = "slope"
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 0, zero = 45, source = "assumption" }
[criteria.max_slope_pct]
label = "Steepest cell"
measure = "slope"
statistic = "max"
slope_unit = "percent"
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 0, zero = 100, source = "assumption" }
[[constraints]]
kind = "max_value"
criterion = "mean_slope"
value = 15
source = "assumption"
"""


def _raw():
    """Elevations, the transform read straight from the file, and the stored CRS."""
    with rasterio.open(require(DTM)) as src:
        z = src.read(1, masked=True).astype(float).filled(np.nan)
        return z, src.transform, src.crs


def _hand_slope(z, row, col, cell=10.0):
    """Horn's method written out for one cell: a b c / d e f / g h i."""
    a, b, c = z[row - 1, col - 1], z[row - 1, col], z[row - 1, col + 1]
    d, f = z[row, col - 1], z[row, col + 1]
    g, h, i = z[row + 1, col - 1], z[row + 1, col], z[row + 1, col + 1]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * cell)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * cell)
    rise = math.hypot(dzdx, dzdy)
    return math.degrees(math.atan(rise)), 100 * rise


# Steep and gentle cells on land, well inside the tile (a third of the tile is sea at 0 m).
CELLS = [(100, 100), (150, 30), (20, 180), (60, 120), (120, 60)]


def _centre(transform, row, col):
    """Cell centre in easting/northing, from the affine transform itself."""
    return transform.c + (col + 0.5) * transform.a, transform.f + (row + 0.5) * transform.e


def test_the_tile_is_stored_northing_first_and_read_easting_first():
    z, t, crs = _raw()
    assert crs.to_epsg() == 3045
    # GDAL gives x = easting: western Norway lies far west of UTM 33's central meridian.
    assert t.c == pytest.approx(-26005.0) and t.f == pytest.approx(6676005.0)
    from pyproj import CRS

    from sitefinder.adapters.raster import read_dem

    dem = read_dem(DTM, CRS.from_epsg(25833))
    assert (dem.grid.left, dem.grid.top, dem.grid.dx, dem.grid.dy) == (t.c, t.f, 10.0, 10.0)
    assert np.array_equal(np.isnan(dem.values), np.isnan(z))


def test_point_plots_get_the_hand_computed_slope_of_their_cell():
    z, t, _ = _raw()
    xy = [_centre(t, r, c) for r, c in CELLS]
    plots = gpd.GeoDataFrame({"cell": [f"{r},{c}" for r, c in CELLS]}, geometry=shapely.points(xy), crs="EPSG:25833")
    scored = sitefinder.score(plots, loads_profile(PROFILE), dem=DTM)
    expected = [_hand_slope(z, r, c) for r, c in CELLS]
    assert scored["mean_slope_value"].to_numpy() == pytest.approx([e[0] for e in expected], abs=1e-9)
    assert scored["max_slope_pct_value"].to_numpy() == pytest.approx([e[1] for e in expected], abs=1e-9)
    # The cells differ enough that a one-cell shift (or swapped axes) would be caught.
    for r, c in CELLS:
        here = _hand_slope(z, r, c)[0]
        neighbours = [_hand_slope(z, r + dr, c + dc)[0] for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))]
        assert min(abs(here - n) for n in neighbours) > 0.01


def test_polygon_plot_takes_the_cells_whose_centre_it_holds():
    z, t, _ = _raw()
    # A 35 × 18 m plot: the centres of a 2 × 3 block of cells fall inside it.
    x0, y_top = _centre(t, 80, 90)
    poly = shapely.box(x0 - 7, y_top - 15, x0 + 28, y_top + 3)
    plots = gpd.GeoDataFrame(geometry=[poly], crs="EPSG:25833")
    scored = sitefinder.score(plots, loads_profile(PROFILE), dem=DTM)
    block = [_hand_slope(z, 80 + dr, 90 + dc) for dr in (0, 1) for dc in (0, 1, 2)]
    assert scored.loc[0, "mean_slope_value"] == pytest.approx(np.mean([b[0] for b in block]), abs=1e-9)
    assert scored.loc[0, "max_slope_pct_value"] == pytest.approx(max(b[1] for b in block), abs=1e-9)


def _gdaldem(tmp_path, *extra):
    exe = shutil.which("gdaldem")
    if exe is None:
        message = "gdaldem not installed (make test installs gdal-bin)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path / "slope.tif"
    subprocess.run([exe, "slope", str(require(DTM)), str(out), *extra, "-q"], check=True)
    with rasterio.open(out) as src:
        return src.read(1, masked=True).astype(float).filled(np.nan)


@pytest.mark.parametrize("unit, extra", [("degrees", ()), ("percent", ("-p",))])
def test_whole_tile_matches_gdaldem(tmp_path, unit, extra):
    z, _, _ = _raw()
    reference = _gdaldem(tmp_path, *extra)
    ours = slope(z, 10.0, 10.0, unit)
    both = np.isfinite(reference) & np.isfinite(ours)
    assert both.sum() > 0.95 * z.size  # all but the edge ring and the nodata row
    assert np.array_equal(np.isfinite(reference), np.isfinite(ours))
    assert np.abs(ours[both] - reference[both]).max() < 1e-3  # gdaldem writes float32


def test_plots_outside_the_tile_are_excluded_and_kept(tmp_path):
    z, t, _ = _raw()
    inside = _centre(t, 100, 100)
    plots = gpd.GeoDataFrame({"name": ["in", "out"]}, geometry=shapely.points([inside, (inside[0] + 5000, inside[1])]),
                             crs="EPSG:25833")
    scored = sitefinder.score(plots, loads_profile(PROFILE), dem=DTM)
    assert list(scored["name"]) == ["in", "out"]
    assert not scored.loc[0, "excluded"] or "above the maximum" in scored.loc[0, "exclusion_reason"]
    assert scored.loc[1, "excluded"] and "outside the terrain model" in scored.loc[1, "exclusion_reason"]


def test_steep_plots_fail_the_slope_constraint():
    z, t, _ = _raw()
    ours = slope(z, 10.0, 10.0, "degrees")
    steep = np.argwhere(ours > 25)[0]
    flat = np.argwhere(ours < 3)[0]
    plots = gpd.GeoDataFrame(geometry=shapely.points([_centre(t, *steep), _centre(t, *flat)]), crs="EPSG:25833")
    scored = sitefinder.score(plots, loads_profile(PROFILE), dem=DTM)
    assert scored.loc[0, "excluded"] and "Mean slope" in scored.loc[0, "exclusion_reason"]
    assert "above the maximum 15 °" in scored.loc[0, "exclusion_reason"]
    assert not scored.loc[1, "excluded"]


def test_dem_not_covering_any_plot_is_a_clear_error(tmp_path, capsys):
    plots = gpd.GeoDataFrame(geometry=[shapely.Point(262000, 6650000)], crs="EPSG:25833")  # Oslo
    with pytest.raises(InputError, match="covers none of the plots"):
        sitefinder.score(plots, loads_profile(PROFILE), dem=require(DTM))
    csv = tmp_path / "oslo.csv"
    csv.write_text("id;x;y\n1;262000;6650000\n")
    profile = tmp_path / "terrain.toml"
    profile.write_text(PROFILE)
    out = tmp_path / "out.gpkg"
    code = main(["score", str(csv), "--x", "x", "--y", "y", "--crs", "EPSG:25833", "--dem", str(DTM),
                 "-p", str(profile), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("sitefinder: error: the terrain model") and err.count("\n") == 1
    assert not out.exists()


def test_slope_without_a_dem_is_a_clear_error():
    plots = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:25833")
    with pytest.raises(InputError, match="--dem"):
        sitefinder.score(plots, loads_profile(PROFILE))


def test_slope_of_a_plane_in_both_units():
    z = np.add.outer(np.arange(5.0) * -2.0, np.arange(6.0) * 1.0)  # 1 m per 10 m east, 2 m per 10 m south
    rise = math.hypot(0.1, 0.2)
    assert slope(z, 10, 10, "percent")[2, 2] == pytest.approx(100 * rise)
    assert slope(z, 10, 10, "degrees")[2, 2] == pytest.approx(math.degrees(math.atan(rise)))
    assert np.isnan(slope(z, 10, 10)[0]).all() and np.isnan(slope(z, 10, 10)[:, -1]).all()


def test_plots_in_another_crs_get_a_reprojected_dem_with_a_warning():
    from pyproj import Transformer

    z, t, _ = _raw()
    row, col = 120, 60  # a smooth hillside: 18–26° around it
    x, y = _centre(t, row, col)
    lon, lat = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True).transform(x, y)
    plots = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs="EPSG:4326")
    area = sitefinder.load_study(plots, dem=DTM)
    scored = area.score(loads_profile(PROFILE))
    assert any("reprojected" in w for w in area.study.reporter.warnings)
    # Bilinear resampling into UTM 31/32 smooths the terrain a little; the slope stays close.
    assert scored.loc[0, "mean_slope_value"] == pytest.approx(_hand_slope(z, row, col)[0], abs=4.0)


def test_south_up_dem_reads_like_the_north_up_original(tmp_path):
    from affine import Affine
    from pyproj import CRS

    from sitefinder.adapters.raster import read_dem

    with rasterio.open(require(DTM)) as src:
        z, t, profile = src.read(1), src.transform, src.profile.copy()
    profile.update(transform=Affine(t.a, 0, t.c, 0, -t.e, t.f + t.e * z.shape[0]))  # row 0 in the south
    flipped = tmp_path / "south_up.tif"
    with rasterio.open(flipped, "w", **profile) as dst:
        dst.write(z[::-1], 1)
    a, b = read_dem(DTM, CRS.from_epsg(25833)), read_dem(flipped, CRS.from_epsg(25833))
    assert a.grid == b.grid
    assert np.array_equal(np.isnan(a.values), np.isnan(b.values))
    assert np.array_equal(a.values[~np.isnan(a.values)], b.values[~np.isnan(b.values)])


def test_dem_window_hand_computed():
    from sitefinder.adapters.raster_gdal import dem_window

    # North-up 10 m cells from (0, 1000): x 205–251 is columns 20.5–25.1, y 395–601 rows 39.9–60.5; two cells more.
    assert dem_window(0.0, 10.0, 1000.0, -10.0, 100, 100, (205.0, 395.0, 251.0, 601.0)) == (18, 37, 10, 26)
    # Clipped at the raster's edges; the whole raster without bounds; None when the raster does not reach them.
    assert dem_window(0.0, 10.0, 1000.0, -10.0, 100, 100, (-50.0, 990.0, 5.0, 1200.0)) == (0, 0, 3, 3)
    assert dem_window(0.0, 10.0, 1000.0, -10.0, 100, 100, None) == (0, 0, 100, 100)
    assert dem_window(0.0, 10.0, 1000.0, -10.0, 100, 100, (2000.0, 0.0, 2100.0, 50.0)) is None
    # South-up (row 0 in the south): rows count up from y = 0.
    assert dem_window(0.0, 10.0, 0.0, 10.0, 100, 100, (0.0, 100.0, 10.0, 150.0)) == (0, 8, 3, 9)


def test_only_the_cells_around_the_plots_are_read_and_they_are_the_files_cells():
    from pyproj import CRS

    from sitefinder.adapters.raster import read_dem

    z, t, _ = _raw()
    x, y = _centre(t, 120, 60)
    whole = read_dem(DTM, CRS.from_epsg(25833))
    part = read_dem(DTM, CRS.from_epsg(25833), bounds=(x - 30, y - 30, x + 30, y + 30))
    g = part.grid
    col, row = round((g.left - t.c) / t.a), round((t.f - g.top) / -t.e)
    assert (g.nx, g.ny) == (11, 11)  # the box spans cells 57.5–63.5 (columns): 57–63, and 2 more on each side
    assert (g.dx, g.dy) == (whole.grid.dx, whole.grid.dy) and g.left == t.c + col * t.a and g.top == t.f + row * t.e
    assert (col, row) == (55, 115)
    np.testing.assert_array_equal(part.values, z[row:row + 11, col:col + 11])
    with pytest.raises(InputError, match="covers none of the plots"):
        read_dem(DTM, CRS.from_epsg(25833), bounds=(262000.0, 6650000.0, 262100.0, 6650100.0))
