"""The command line: real runs, and bad input ending in one clear line without a traceback."""

from __future__ import annotations

import subprocess
import sys
import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sitefinder.cli import main

from .test_scoring import CRS, PROFILE, X0, Y0, box, line, P


@pytest.fixture()
def files(tmp_path):
    net = tmp_path / "net.gpkg"
    gpd.GeoDataFrame(geometry=[line((0, 0), (500, 0), (1000, 0)), line((500, 0), (500, 300))], crs=CRS).to_file(net)
    stops = tmp_path / "stops.geojson"
    gpd.GeoDataFrame({"name": ["Torget"]}, geometry=[P(100, 10)], crs=CRS).to_file(stops)
    shop = tmp_path / "shop.gpkg"
    gpd.GeoDataFrame({"name": ["Butikken"]}, geometry=[P(500, 310)], crs=CRS).to_file(shop)
    park = tmp_path / "park.gpkg"
    gpd.GeoDataFrame(geometry=[box(700, 20, 800, 120)], crs=CRS).to_file(park)
    ind = tmp_path / "industry.gpkg"
    gpd.GeoDataFrame(geometry=[box(900, -200, 1000, -100)], crs=CRS).to_file(ind)
    plots = tmp_path / "plots.gpkg"
    gpd.GeoDataFrame({"plot_name": ["A", "B"]}, geometry=[P(300, 5), box(280, 10, 320, 40)], crs=CRS).to_file(plots)
    profile = tmp_path / "hand.toml"
    profile.write_text(PROFILE)
    args = ["--network", str(net), "--features", f"bus_stop={stops}", "--features", f"grocery={shop}",
            "--features", f"park={park}", "--features", f"industrial_area={ind}", "--profile", str(profile), "-q"]
    return tmp_path, plots, args


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".csv", ".geojson", ".fgb"])
def test_score_writes_every_format(files, capsys, ext):
    tmp, plots, args = files
    out = tmp / f"result{ext}"
    code, _, err = run(["score", str(plots), *args, "-o", str(out)], capsys)
    assert code == 0, err
    back = pd.read_csv(out) if ext == ".csv" else (gpd.read_parquet(out) if ext == ".parquet" else gpd.read_file(out))
    assert len(back) == 2 and list(back["plot_name"]) == ["A", "B"]
    assert back.loc[0, "bus_value"] == pytest.approx(215.0)
    for col in ("score", "rank", "excluded", "exclusion_reason", "bus_score", "bus_contribution"):
        assert col in back.columns
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith(".")) == []


def _bad(tmp, name, gdf):
    path = tmp / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": that is the point
        gdf.to_file(path)
    return path


def bad_inputs(tmp, plots, args):
    """(description, argv, expected message fragment)."""
    empty = _bad(tmp, "empty.gpkg", gpd.GeoDataFrame({"a": []}, geometry=[], crs=CRS))
    nocrs = _bad(tmp, "nocrs.shp", gpd.GeoDataFrame(geometry=[P(1, 1)]))  # a Shapefile without .prj
    geojson = _bad(tmp, "projected.geojson", gpd.GeoDataFrame(geometry=[P(1, 1)]))  # read as lon/lat
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    invalid = _bad(tmp, "invalid.gpkg", gpd.GeoDataFrame(geometry=[bowtie, bowtie], crs=CRS))
    lines = _bad(tmp, "lines.gpkg", gpd.GeoDataFrame(geometry=[line((0, 0), (10, 0))], crs=CRS))
    broken = tmp / "broken.toml"
    broken.write_text("[profile\nname = 'x'")
    typo = tmp / "typo.toml"
    typo.write_text(PROFILE.replace('measure = "nearest"\ncategories = ["grocery"]',
                                    'measure = "nearest"\ncategories = ["grocery"]\nwieght = 3', 1))
    no_profile = [a for a in args if a != args[args.index("--profile") + 1] and a != "--profile"]
    return [
        ("missing file", ["score", str(tmp / "nope.gpkg"), *args], "file not found"),
        ("empty layer", ["score", str(empty), *args], "is empty"),
        ("no CRS", ["score", str(nocrs), *args], "no coordinate reference system"),
        ("wrong CRS", ["score", str(geojson), *args], "the data is probably projected"),
        ("invalid polygons", ["score", str(invalid), *args], "none of the 2 plots can be scored"),
        ("lines as plots", ["score", str(lines), *args], "plots must be polygons or points"),
        ("unknown profile", ["score", str(plots), *no_profile, "--profile", "smahus-integrate"], "unknown profile"),
        ("malformed TOML", ["score", str(plots), *no_profile, "--profile", str(broken)], "is not valid TOML"),
        ("unknown criterion key", ["score", str(plots), *no_profile, "--profile", str(typo)],
         "criteria.grocery.wieght: unknown key"),
        ("unknown weight key", ["score", str(plots), *args, "--weight", "buss=2"], "unknown criterion 'buss'"),
        ("bad weight", ["score", str(plots), *args, "--weight", "bus=lots"], "must be a number"),
        ("missing network", ["score", str(plots), *args, "--network", str(tmp / "none.gpkg")], "file not found"),
        ("polygons as network", ["score", str(plots), *args, "--network", str(plots)], "must contain lines"),
        ("missing category", ["score", str(plots), *args], "needs feature categories"),
    ]


def test_bad_input_gives_one_line_nonzero_exit_and_no_output(files, capsys):
    tmp, plots, args = files
    for what, argv, fragment in bad_inputs(tmp, plots, args):
        if what == "missing category":
            argv = [a for a in argv]
            i = argv.index(next(a for a in argv if a.startswith("park=")))
            del argv[i - 1:i + 1]
        out = tmp / f"out-{what.replace(' ', '-')}.gpkg"
        code, _, err = run([*argv, "-o", str(out)], capsys)
        assert code == 1, what
        lines = [ln for ln in err.strip().splitlines() if ln.startswith("sitefinder: error:")]
        assert len(lines) == 1 and fragment in lines[0], (what, err)
        assert "Traceback" not in err
        assert not out.exists(), what
    assert not [p for p in tmp.iterdir() if p.name.startswith(".")]


def test_unknown_output_format_is_refused_before_work(files, capsys):
    tmp, plots, args = files
    code, _, err = run(["score", str(plots), *args, "-o", str(tmp / "x.xlsx")], capsys)
    assert code == 1 and "unknown output format .xlsx" in err


def test_crash_while_writing_leaves_no_file(files, capsys, monkeypatch):
    tmp, plots, args = files
    import sitefinder.adapters.output as output

    def explode(gdf, path, layer, fmt):
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(output, "_write", explode)
    target = tmp / "result.gpkg"
    code, _, err = run(["score", str(plots), *args, "-o", str(target)], capsys)
    assert code == 1 and "disk full" in err
    assert not target.exists()
    assert not [p for p in tmp.iterdir() if p.name.startswith(".")]


def test_profiles_list_and_show(capsys):
    code, out, _ = run(["profiles"], capsys)
    assert code == 0 and "smahus-integrated" in out and "coworking" in out
    code, out, _ = run(["profiles", "show", "coworking"], capsys)
    assert code == 0 and out.startswith("#") and 'name = "coworking"' in out
    code, _, err = run(["profiles", "show", "nope"], capsys)
    assert code == 1 and "unknown profile 'nope'" in err


def test_real_process_has_no_traceback(files):
    tmp, plots, args = files
    proc = subprocess.run([sys.executable, "-m", "sitefinder.cli", "score", str(tmp / "missing.gpkg"), *args,
                           "-o", str(tmp / "o.gpkg")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("sitefinder: error: plots: file not found")
    assert "Traceback" not in proc.stderr


def test_file_system_errors_are_one_line_not_internal(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(["demo", "--out", str(blocker / "sub")], capsys)
    assert code == 1
    assert err.strip().startswith("sitefinder: error:") and "internal error" not in err
    assert str(blocker / "sub") in err
