"""The Elverum Matrikkel address register as a batch of plots: one candidate per plot, none lost."""

from __future__ import annotations

import csv
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from sitefinder.adapters.register import group_plots
from sitefinder.cli import main
from sitefinder.errors import InputError

from .conftest import ROOT, SHARED, require

REGISTER = SHARED / "norway" / "elverum_matrikkel_adresser_25833.csv"
NSB = SHARED / "norway" / "entur_rail_nsb_gtfs_2018.zip"
PROFILE = ROOT / "docs" / "examples" / "rail-coworking.toml"


def _addresses():
    """The register read with the csv module: (gnr, bnr) -> list of (east, north)."""
    plots: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with open(require(REGISTER), encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            plots.setdefault((row["gardsnummer"], row["bruksnummer"]), []).append((float(row["Øst"]), float(row["Nord"])))
    return plots


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("elverum") / "elverum.csv"
    code = main(["score", str(require(REGISTER)), "--x", "Øst", "--y", "Nord", "--crs", "EPSG:25833", "--sep", ";",
                 "--group-by", "gardsnummer,bruksnummer", "--gtfs", str(require(NSB)), "-p", str(PROFILE),
                 "-o", str(out), "-q"])
    assert code == 0
    return pd.read_csv(out, dtype={"gardsnummer": str, "bruksnummer": str})


def test_every_plot_comes_out_once(scored):
    plots = _addresses()
    assert len(plots) == 8274 and sum(len(v) for v in plots.values()) == 10871
    assert len(scored) == 8274
    keys = list(zip(scored["gardsnummer"], scored["bruksnummer"]))
    assert len(set(keys)) == 8274 and set(keys) == set(plots)
    assert scored["address_count"].sum() == 10871
    assert all(scored["address_count"] == [len(plots[k]) for k in keys])
    assert (scored["distance_mode"] == "straight-line").all()
    assert scored["score"].notna().sum() + scored["excluded"].sum() == 8274


def test_each_plot_is_the_address_nearest_its_address_centroid(scored):
    plots = _addresses()
    big = scored.sort_values("address_count", ascending=False).head(25)
    for _, row in big.iterrows():
        pts = plots[(row["gardsnummer"], row["bruksnummer"])]
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        best = min(math.hypot(x - cx, y - cy) for x, y in pts)
        assert math.hypot(row["Øst"] - cx, row["Nord"] - cy) == pytest.approx(best, abs=1e-6)
    assert big["address_count"].iloc[0] > 50  # the test looks at real multi-address plots


def test_rail_distance_is_the_straight_line_to_elverum_station(scored):
    # Elverum stasjon (NSR:StopPlace:117) from the feed's stops.txt, projected independently.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True).transform(11.546232, 60.882854)
    near = scored[scored["frequent_station_value"].notna()].copy()
    assert len(near) > 1000
    expected = ((near["Øst"] - x) ** 2 + (near["Nord"] - y) ** 2) ** 0.5
    # Elverum is the only station with at least one departure an hour within 3 km of these plots.
    assert (near["frequent_station_value"] - expected).abs().max() < 0.01
    centre = scored.loc[scored["frequent_station_value"].idxmin()]
    assert centre["frequent_station_value"] < 300 and centre["score"] > 50


def test_csv_without_the_named_columns_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out.gpkg"
    code = main(["score", str(require(REGISTER)), "--x", "east", "--y", "Nord", "--crs", "EPSG:25833", "--sep", ";",
                 "--gtfs", str(NSB), "-p", str(PROFILE), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "no column 'east'" in err and "Traceback" not in err
    assert not out.exists()


def test_unknown_group_column_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out.gpkg"
    code = main(["score", str(require(REGISTER)), "--x", "Øst", "--y", "Nord", "--crs", "EPSG:25833", "--sep", ";",
                 "--group-by", "gnr,bnr", "--gtfs", str(NSB), "-p", str(PROFILE), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "cannot group by 'gnr'" in err and err.count("\n") == 1
    assert not out.exists()


def test_rows_without_key_or_coordinates_are_kept():
    points = gpd.GeoDataFrame(
        {"gnr": [1, 1, 1, None, 2, 2], "bnr": [5, 5, 5, 7, 3, 3], "label": list("abcdef")},
        geometry=[shapely.Point(0, 0), shapely.Point(10, 0), shapely.Point(4, 0), shapely.Point(50, 50), None, None],
        crs="EPSG:25833",
    )
    plots = group_plots(points, ["gnr", "bnr"])
    assert list(plots["label"]) == ["c", "d", "e"]  # c is nearest the centroid (4.67, 0) of a, b, c
    assert list(plots["address_count"]) == [3, 1, 2]
    assert plots.geometry.iloc[2] is None
    with pytest.raises(InputError, match="needs point geometries"):
        group_plots(points.set_geometry(points.geometry.buffer(1)), ["gnr", "bnr"])
