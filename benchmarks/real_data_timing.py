"""Wall time of the real-data paths of issue 5, in one warm process (kernels compiled first).

* reading the Entur NSB rail feed (departures per hour for 305 stations);
* scoring the whole Elverum address register (10,871 addresses -> 8,274 plots)
  with the rail example profile, straight-line;
* area-weighted residents within 1 km for 100,000 random points over Oslo's
  SSB grid (2,380 cells);
* a 25 m suitability surface over Elverum municipality (about 2 million cells).

    python benchmarks/real_data_timing.py [--runs 3]

The machine is shared: read the medians as orders of magnitude.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SITEFINDER_DATA", ROOT.parent / "shared" / "data"))
NSB = SHARED / "norway" / "entur_rail_nsb_gtfs_2018.zip"
REGISTER = SHARED / "norway" / "elverum_matrikkel_adresser_25833.csv"
GRID = SHARED / "oslo" / "ssb_befolkning_250m_2023_oslo.gpkg"
MUNICIPALITIES = SHARED / "norway" / "kommuner_2024.geojson"
RAIL = ROOT / "docs" / "examples" / "rail-coworking.toml"


def timed(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up: compile kernels, fill OS caches
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import sitefinder
    from sitefinder.adapters.gtfs import read_gtfs
    from sitefinder.adapters.geometry import to_ragged
    from sitefinder.adapters.vector import read_csv_points, read_layer
    from sitefinder.core.areal import area_weighted_sum

    t, stops = timed(lambda: read_gtfs(NSB), args.runs)
    print(f"GTFS NSB feed -> {len(stops)} stations: {t:.2f} s")

    def elverum():
        plots = read_csv_points(REGISTER, "Øst", "Nord", "EPSG:25833", sep=";")
        return sitefinder.score(plots, str(RAIL), group_by=["gardsnummer", "bruksnummer"], gtfs=NSB)

    t, scored = timed(elverum, args.runs)
    print(f"Elverum register, {len(scored)} plots scored (read + group + GTFS + score): {t:.2f} s")

    grid = read_layer(GRID, "population")
    polys = to_ragged(np.asarray(grid.geometry.values, dtype=object), polygons_only=True)
    weight = grid["pop_tot"].to_numpy(float)
    x0, y0, x1, y1 = grid.total_bounds
    rng = np.random.default_rng(0)
    px, py = rng.uniform(x0, x1, 100_000), rng.uniform(y0, y1, 100_000)
    t, _ = timed(lambda: area_weighted_sum(px, py, 1000.0, polys, weight), args.runs)
    print(f"residents within 1 km, 100,000 points over the Oslo grid: {t:.2f} s")

    def surface():
        result = sitefinder.surface("3420", str(RAIL), cell=25, crs="EPSG:25833", municipalities=MUNICIPALITIES,
                                    gtfs=NSB)
        with tempfile.TemporaryDirectory() as tmp:
            sitefinder.write_surface(Path(tmp) / "elverum.tif", result)
        return result.surface

    t, result = timed(surface, max(1, args.runs - 2))
    print(f"surface over Elverum, 25 m, {result.grid.n_cells:,} cells (score + COG + PNG): {t:.2f} s")


if __name__ == "__main__":
    main()
