"""Report and privacy, end to end through the command line: sections, offline, rendered, nothing sensitive leaks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from sitefinder.adapters.output import read_metadata
from sitefinder.cli import main
from sitefinder.decision.privacy import WITHHELD_REASON
from sitefinder.decision.report import SECTIONS

from .conftest import IN_CI
from .test_scoring import CRS, P, X0, Y0, box, line

# Existing småhus: the sensitive layer. Their coordinates must never appear in an output.
EXISTING_XY = [(305.25, 61.75), (905.75, 260.25)]

PROFILE = """
[profile]
name = "private"
title = "Bus, shop and distance to existing units"

[privacy]
sensitive = ["existing_smahus"]

[criteria.bus]
label = "Bus stop"
measure = "nearest"
categories = ["bus_stop"]
weight = { value = 3, source = "smahus-transit" }
transform = { kind = "linear_falling", full = 100, zero = 600, source = "assumption" }

[criteria.grocery]
label = "Grocery"
measure = "nearest"
categories = ["grocery"]
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 200, zero = 1000, source = "assumption" }

[criteria.cluster]
label = "Away from existing units"
measure = "nearest"
categories = ["existing_smahus"]
metric = "euclidean"
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_rising", zero = 0, full = 400, source = "assumption" }
cutoff = { value = 2000, source = "assumption" }

[[constraints]]
kind = "min_value"
criterion = "cluster"
value = 60
source = "assumption"
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    gpd.GeoDataFrame(geometry=[line((0, 0), (500, 0), (1000, 0)), line((500, 0), (500, 300))],
                     crs=CRS).to_file(tmp / "net.gpkg")
    gpd.GeoDataFrame({"name": ["Torget"]}, geometry=[P(100, 10)], crs=CRS).to_file(tmp / "stops.gpkg")
    gpd.GeoDataFrame({"name": ["Butikken"]}, geometry=[P(500, 310)], crs=CRS).to_file(tmp / "shop.gpkg")
    gpd.GeoDataFrame({"name": ["Hus A", "Hus B"]}, geometry=[P(x, y) for x, y in EXISTING_XY],
                     crs=CRS).to_file(tmp / "existing.gpkg")
    gpd.GeoDataFrame({"plot_id": [f"p{i}" for i in range(8)]},
                     geometry=[box(50 + i * 110, 5, 90 + i * 110, 45) for i in range(8)], crs=CRS).to_file(tmp / "plots.gpkg")
    (tmp / "private.toml").write_text(PROFILE)
    args = ["--network", str(tmp / "net.gpkg"), "--features", f"bus_stop={tmp / 'stops.gpkg'}",
            "--features", f"grocery={tmp / 'shop.gpkg'}", "--features", f"existing_smahus={tmp / 'existing.gpkg'}",
            "--profile", str(tmp / "private.toml"), "-q"]
    assert main(["score", str(tmp / "plots.gpkg"), *args, "-o", str(tmp / "internal.gpkg"), "--include-sensitive"]) == 0
    return tmp, args


def _sensitive_strings(internal: gpd.GeoDataFrame) -> list[str]:
    """Texts that would reveal the existing units: their coordinates and the distances to them."""
    out = []
    for x, y in EXISTING_XY:
        out += [f"{X0 + x:.2f}", f"{Y0 + y:.2f}"]
    for v in internal["cluster_value"].dropna():
        out.append(f"{v:.3f}"[:-1])  # e.g. "61.81" (a distance written to any precision starts so)
    out += ["existing.gpkg", "Hus A"]
    return out


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".csv", ".geojson", ".fgb"])
def test_sensitive_layer_is_left_out_of_every_format(files, ext):
    tmp, args = files
    out = tmp / f"public{ext}"
    assert main(["score", str(tmp / "plots.gpkg"), *args, "-o", str(out)]) == 0
    internal = gpd.read_file(tmp / "internal.gpkg")
    assert internal["cluster_value"].notna().sum() == 8  # the internal file does have them
    back = pd.read_csv(out) if ext == ".csv" else (gpd.read_parquet(out) if ext == ".parquet" else gpd.read_file(out))
    assert len(back) == 8 and not [c for c in back.columns if c.startswith("cluster")]
    assert back["score"].to_numpy() == pytest.approx(internal["score"].to_numpy(), nan_ok=True)
    reasons = back["exclusion_reason"].fillna("")
    assert reasons[internal["excluded"].to_numpy()].str.contains("details withheld").any()
    assert not reasons.str.contains("Away from existing units").any()
    meta = read_metadata(out)
    assert meta["sensitive"] == ["existing_smahus"] and "cluster_value" in meta["withheld_columns"]
    texts = [json.dumps(meta)] + ([out.read_text(encoding="utf-8")] if ext in (".csv", ".geojson") else [])
    texts.append(back.drop(columns=[back.geometry.name] if ext != ".csv" else []).to_csv())
    for text in texts:
        for s in _sensitive_strings(internal):
            assert s not in text, (ext, s)


def test_explain_and_compare_from_a_public_file_show_withheld(files, capsys):
    tmp, args = files
    assert main(["score", str(tmp / "plots.gpkg"), *args, "-o", str(tmp / "pub.gpkg")]) == 0
    capsys.readouterr()
    assert main(["explain", str(tmp / "pub.gpkg"), "--plot", "p1"]) == 0
    text = capsys.readouterr().out
    assert "Away from existing units" in text and "withheld" in text
    assert main(["compare", str(tmp / "pub.gpkg"), "--plots", "p0", "p1", "--chart", str(tmp / "c.png")]) == 0
    assert (tmp / "c.png").exists()
    # sensitivity needs every criterion's score: a clear error on a public file, a result on the internal one
    assert main(["sensitivity", str(tmp / "pub.gpkg"), "--draws", "20", "-q"]) == 1
    assert "withheld as sensitive" in capsys.readouterr().err
    assert main(["sensitivity", str(tmp / "internal.gpkg"), "--draws", "20", "-q", "--top", "3"]) == 0
    assert "cluster" in capsys.readouterr().out


def _report(files, capsys, name, *extra):
    tmp, _ = files
    out = tmp / name
    code = main(["report", str(tmp / "internal.gpkg"), "-o", str(out), "--draws", "50", "-q", "--top", "3",
                 "--sites", "2", "--existing", str(tmp / "existing.gpkg"), *extra])
    assert code == 0, capsys.readouterr().err
    return out, out.read_text(encoding="utf-8")


def test_report_has_every_section_and_is_self_contained(files, capsys):
    out, html = _report(files, capsys, "report.html")
    for section in SECTIONS:
        assert f"id='{section}'" in html, section
    assert "data:image/png;base64," in html and "<svg" in html and "<title>p0: score" in html
    # offline: nothing fetched from elsewhere
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html) and "<script" not in html and "<link" not in html
    # every cited source quoted verbatim
    assert "bred enighet i kommunene om at småhusene bør bygges i nærhet til kollektivtrafikk" in html
    assert "smahus-transit" in html and "assumption" in html
    assert "Monte Carlo: 50 random weight sets" in html


def test_report_leaves_the_sensitive_layer_out_unless_asked(files, capsys):
    tmp, _ = files
    internal = gpd.read_file(tmp / "internal.gpkg")
    _, html = _report(files, capsys, "public.html")
    for s in _sensitive_strings(internal):
        assert s not in html, s
    assert "Away from existing units: " not in html and WITHHELD_REASON in html
    assert "existing units given (sensitive, withheld)" in html
    assert "units_within_cap" not in html
    _, full = _report(files, capsys, "full.html", "--include-sensitive")
    assert "do not publish it" in full and "Away from existing units" in full


def _browser() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "chromium is not installed (make test installs it with apt)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_report_renders_in_headless_chromium(files, capsys, tmp_path):
    out, _ = _report(files, capsys, "render.html")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,1400",
         f"--screenshot={shot}", out.as_uri()],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert shot.exists(), proc.stderr[-500:]
    import matplotlib.image

    img = matplotlib.image.imread(shot)[..., :3]
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    not_white = (img < 0.95).any(axis=2).mean()
    assert 0.03 < not_white < 0.9, not_white  # text, map and charts drawn; not a blank or black page
    assert len(np.unique((img * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50  # colours: the map is there


def test_topsites_command_writes_map_and_chosen_plots(files, capsys):
    tmp, _ = files
    code = main(["topsites", str(tmp / "internal.gpkg"), "-n", "3", "--min-spacing", "200", "--max-units", "4",
                 "--cap-radius", "150", "--units-per-site", "2", "--existing", str(tmp / "existing.gpkg"),
                 "--map", str(tmp / "sites.png"), "-o", str(tmp / "sites.csv")])
    out = capsys.readouterr().out
    assert code == 0
    chosen = pd.read_csv(tmp / "sites.csv")
    assert chosen["site"].tolist() == list(range(1, len(chosen) + 1)) and len(chosen) >= 2
    assert not [c for c in chosen.columns if c.startswith("cluster")]  # public by default
    assert (tmp / "sites.png").read_bytes()[:4] == b"\x89PNG" and "Passed over" in out


def test_recorded_profile_and_weight_overrides_come_back(files, capsys):
    tmp, args = files
    out = tmp / "heavy.csv"
    assert main(["score", str(tmp / "plots.gpkg"), *args, "-w", "grocery=5", "-o", str(out)]) == 0
    from sitefinder.decision.scored import read_scored, scored_profile

    back = read_scored(out)
    assert back.crs.to_epsg() == 25833
    profile = scored_profile(back)
    assert profile.name == "private" and profile.criterion("grocery").weight.value == 5
    assert profile.criterion("bus").weight.source == "smahus-transit"


@pytest.mark.parametrize("argv, message", [
    (["report", "{tmp}/internal.gpkg", "-o", "{tmp}/r.pdf"], "the report is an HTML file"),
    (["explain", "{tmp}/internal.gpkg", "--plot", "p99"], "no plot with plot_id 'p99'"),
    (["explain", "{tmp}/nothing.gpkg", "--plot", "p1"], "scored file not found"),
    (["explain", "{tmp}/plots.gpkg", "--plot", "p1"], "has no score/excluded columns"),
    (["topsites", "{tmp}/internal.gpkg", "--max-units", "4"], "a cap needs both max_units and cap_radius"),
    (["sensitivity", "{tmp}/internal.gpkg", "--draws", "0"], "--draws must be at least 1"),
])
def test_bad_input_is_one_clear_line(files, capsys, argv, message):
    tmp, _ = files
    code = main([a.format(tmp=tmp) for a in argv])
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_file_without_recorded_profile_needs_profile(files, capsys):
    tmp, _ = files
    plain = gpd.read_file(tmp / "internal.gpkg")
    plain.to_file(tmp / "plain.gpkg")  # written by another tool: no sitefinder metadata
    assert main(["explain", str(tmp / "plain.gpkg"), "--plot", "p1"]) == 1
    assert "give it with --profile" in capsys.readouterr().err
    assert main(["explain", str(tmp / "plain.gpkg"), "--plot", "p1", "--profile", str(tmp / "private.toml")]) == 0
