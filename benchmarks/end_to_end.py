"""Workload 4: score synthetic polygon plots x 6 criteria through the real pipeline, written to GeoParquet.

    python benchmarks/end_to_end.py --plots 1000000 [--graph 1M] [--json]

What a planner's script does with a municipal plot register: GeoDataFrames
of plots, network lines and feature points go to ``sitefinder.load_study``,
``StudyArea.score`` scores them with a profile (``bench_profile.toml``: six
network criteria) and ``write_result`` writes GeoParquet atomically. The
network is the synthetic road-like graph as straight lines; features are
points at central Oslo's densities (``graphs.CATEGORY_COUNTS``), a few metres
off random junctions.

Prints the wall time of each stage and the peak resident memory of this
process (run it alone: ``run.py`` starts it in a fresh process per size).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphs  # noqa: E402
from synthetic import RoadGraph, plot_polygons  # noqa: E402

from sitefinder.adapters.output import write_result  # noqa: E402
from sitefinder.api import load_study  # noqa: E402
from sitefinder.progress import Reporter  # noqa: E402

PROFILE = Path(__file__).resolve().parent / "bench_profile.toml"
CRS = "EPSG:25833"


def peak_rss_gib() -> float:
    """Peak resident memory of this process, GiB.

    Linux's VmHWM belongs to the process's own address space; ``ru_maxrss``
    would also count the parent's peak at the moment it started this one.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class StageClock(Reporter):
    """A silent reporter that records how long each pipeline step took."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: dict[str, float] = {}
        self._open: tuple[str, float] | None = None

    def start(self, label: str, total: int | None = None) -> None:
        self.finish()
        self._open = (label, time.perf_counter())

    def finish(self) -> None:
        if self._open is not None:
            label, t0 = self._open
            self.steps[label] = self.steps.get(label, 0.0) + time.perf_counter() - t0
            self._open = None


def layers(rg: RoadGraph, n_plots: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """Plots, network lines and feature points of the synthetic study area."""
    lines = shapely.linestrings(np.stack([np.column_stack([rg.node_x[rg.edge_u], rg.node_y[rg.edge_u]]),
                                          np.column_stack([rg.node_x[rg.edge_v], rg.node_y[rg.edge_v]])], axis=1))
    network = gpd.GeoDataFrame({"oneway": rg.edge_oneway}, geometry=lines, crs=CRS)
    plots = gpd.GeoDataFrame({"plot_id": np.arange(n_plots)}, geometry=plot_polygons(rg, n_plots), crs=CRS)
    rng = np.random.default_rng(3)
    features = {}
    for name, nodes in graphs.category_sources(rg.n_nodes, np.ones(rg.n_nodes, np.bool_)).items():
        x = rg.node_x[nodes] + rng.uniform(-10, 10, nodes.shape[0])
        y = rg.node_y[nodes] + rng.uniform(-10, 10, nodes.shape[0])
        features[name] = gpd.GeoDataFrame({"name": [f"{name} {i}" for i in range(nodes.shape[0])]},
                                          geometry=shapely.points(x, y), crs=CRS)
    return plots, network, features


def run(n_plots: int, graph: str) -> dict:
    """Score ``n_plots`` plots on the synthetic ``graph``; returns times (s) and peak memory."""
    t_all = time.perf_counter()
    rg = graphs.load(graph)
    plots, network, features = layers(rg, n_plots)
    t_made = time.perf_counter()
    clock = StageClock()
    area = load_study(plots, network=network, features=features, oneway_column="oneway", reporter=clock)
    t_loaded = time.perf_counter()
    scored = area.score(str(PROFILE))
    t_scored = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = write_result(scored, Path(tmp) / "scored.parquet")
        size = out.stat().st_size
    t_written = time.perf_counter()
    snap = clock.steps.get("snapping plots to the network", 0.0)
    paths = clock.steps.get("measuring criteria", 0.0)
    assert len(scored) == n_plots  # every plot comes back, scored or excluded with a reason
    return {
        "plots": n_plots,
        "graph": rg.name,
        "criteria": 6,
        "wall": t_written - t_made,
        "peak_rss_gib": peak_rss_gib(),
        "stages": {
            "load": t_loaded - t_made,
            "snap": snap,
            "paths": paths,
            "scoring": (t_scored - t_loaded) - snap - paths,
            "write": t_written - t_scored,
        },
        "load_steps": {k: v for k, v in clock.steps.items() if k not in ("snapping plots to the network",
                                                                        "measuring criteria")},
        "making_synthetic_data": t_made - t_all,
        "excluded": int(scored["excluded"].sum()),
        "parquet_mib": size / 2**20,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plots", type=int, default=100_000)
    ap.add_argument("--graph", default="1M", help="synthetic graph size (100k, 1M, 4M)")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = ap.parse_args()
    r = run(args.plots, args.graph)
    if args.json:
        print(json.dumps(r))
    else:
        print(f"{r['plots']:,} plots x {r['criteria']} criteria on {r['graph']}: {r['wall']:.1f} s, "
              f"peak {r['peak_rss_gib']:.2f} GiB")
        for k, v in r["stages"].items():
            print(f"  {k:8s} {v:7.2f} s")
        for k, v in r["load_steps"].items():
            print(f"    ({k}: {v:.2f} s)")
        print(f"  excluded {r['excluded']:,}; parquet {r['parquet_mib']:.0f} MiB; "
              f"synthetic data made in {r['making_synthetic_data']:.1f} s (not counted)")


if __name__ == "__main__":
    main()
