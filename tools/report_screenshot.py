"""Make the report screenshot in docs/img/ from real Oslo data (run from the repository root).

    .venv/bin/python tools/report_screenshot.py [OUT_DIR]

Scores the Kartverket parcels at Ullevål and OSM residential land use of
central Oslo with the smahus-integrated profile, chooses 5 sites under the
profile's rules, writes the HTML report to OUT_DIR (default: demo_output/)
and renders it in headless Chromium to docs/img/report.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sitefinder
from sitefinder.adapters.osm import read_osm
from sitefinder.demo import candidate_plots, find_demo_data

ROOT = Path(__file__).resolve().parents[1]


def main(out_dir: str = "demo_output") -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = find_demo_data()
    osm = read_osm(data.osm)
    plots = candidate_plots(data, osm)
    plots = plots[plots["source"] != "OSM building"].reset_index(drop=True)  # parcels and residential areas
    t0 = time.perf_counter()
    area = sitefinder.load_study(plots, osm=osm)
    scored = area.score("smahus-integrated")
    scored.attrs["sitefinder"]["attribution"] = data.attribution
    sitefinder.write_scored(scored, out / "report_scored.gpkg")
    t1 = time.perf_counter()
    back = sitefinder.read_scored(out / "report_scored.gpkg")
    sites = sitefinder.top_sites(back, 5)
    report = sitefinder.write_report(back, out / "report.html", sites=sites, top_n=10)
    t2 = time.perf_counter()
    print(f"{len(plots)} plots: scoring {t1 - t0:.1f} s, report {t2 - t1:.1f} s -> {report}")
    shot = ROOT / "docs" / "img" / "report.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as home:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1100,2600", f"--screenshot={shot}", report.resolve().as_uri()],
                       check=True, capture_output=True, timeout=180, env={"HOME": home, "PATH": "/usr/bin:/bin"})
    print(f"screenshot -> {shot}")


if __name__ == "__main__":
    main(*sys.argv[1:])
