"""Oslo test layers and the library's scores for them; run by the QGIS tests with the main .venv's Python.

QGIS's Python has no geopandas, so the QGIS suite asks the library's own
environment for (1) the layers — plots, the OSM walking network and every
feature category, written to one GeoPackage — and (2) the library's scores
for exactly those layers, and for the plots with the OSM file itself.

Usage: ``python tests/qgis/library_reference.py OUT_DIR``; writes
``OUT_DIR/oslo.gpkg`` and ``OUT_DIR/library.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import sitefinder
from sitefinder.adapters.crs import metric_crs
from sitefinder.adapters.osm import read_osm
from sitefinder.adapters.vector import network_to_arrays
from sitefinder.core.snap import polyline_lengths
from sitefinder.demo import parcels_from_boundaries

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.conftest import OSLO_PBF, TEIG  # noqa: E402
from tests.qgis.reference_cases import (  # noqa: E402
    DTM, EXISTING_UNITS, EXPLAINED, NSB, POPULATION_PROFILE, REPORT, SENSITIVITY, SSB, SURFACE_BOX,
    SURFACE_CELL, TOP_SITES,
)
from tests.test_terrain import PROFILE as TERRAIN_PROFILE  # noqa: E402


CRS = 25832  # plots, network and features all in one projected CRS: no reprojection on either side
JERNBANETORGET = (10.75030, 59.91170)
SORENGA_EDGE = (10.75152, 59.90011)
FAR_AWAY = (10.9, 60.2)  # outside the extract: no walkable way within 150 m
N_BUILDINGS = 300
N_POINTS = 60


def oslo_plots(osm) -> gpd.GeoDataFrame:
    """Kartverket parcels, OSM building footprints, a plot far away, and rows that cannot be scored."""
    parcels = parcels_from_boundaries(TEIG).to_crs(4326)
    buildings = osm.features["building"].sample(N_BUILDINGS, random_state=3)
    buildings = gpd.GeoDataFrame({"plot_id": [f"b{i}" for i in buildings["osm_id"]], "source": "OSM building",
                                  "name": buildings["name"].to_numpy()}, geometry=buildings.geometry.values, crs=4326)
    x, y = JERNBANETORGET
    odd = gpd.GeoDataFrame(
        {"plot_id": ["far-away", "bow-tie", "empty", "missing"], "source": "test", "name": ""},
        geometry=[shapely.Point(*FAR_AWAY).buffer(0.0005),
                  shapely.Polygon([(x, y), (x + 0.001, y + 0.001), (x + 0.001, y), (x, y + 0.001)]),
                  shapely.Polygon(), None], crs=4326)
    plots = pd.concat([parcels, buildings, odd], ignore_index=True)
    plots["storeys"] = np.arange(len(plots)) % 5 + 1  # a numeric column, as plot attributes
    return plots.to_crs(CRS)


def oslo_points(osm) -> gpd.GeoDataFrame:
    """Address-like point plots: three test points and building centroids."""
    buildings = osm.features["building"].sample(N_POINTS, random_state=4)
    return gpd.GeoDataFrame(
        {"plot_id": ["jernbanetorget", "sorenga", "far-away"] + [f"p{i}" for i in buildings["osm_id"]]},
        geometry=[shapely.Point(*JERNBANETORGET), shapely.Point(*SORENGA_EDGE), shapely.Point(*FAR_AWAY)]
        + list(buildings.to_crs(CRS).centroid.to_crs(4326)), crs=4326).to_crs(CRS)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "oslo.gpkg"
    osm = read_osm(OSLO_PBF)
    plots = oslo_plots(osm)
    categories = sorted(set().union(*(sitefinder.load_profile(p).categories() for p in sitefinder.list_profiles())))
    layers = {"plots": plots, "plots_lonlat": plots.to_crs(4326), "points": oslo_points(osm),
              "network": osm.network.to_crs(CRS)}
    layers.update({c: osm.features[c].to_crs(CRS) for c in categories})
    for name, gdf in layers.items():
        # GeoPackage 1.2: Debian's GDAL 3.6 warns on every open of the 1.4 files newer GDALs write.
        gdf.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})

    # Score exactly what was written (read back, so both faces start from the same coordinates).
    read = {name: gpd.read_file(gpkg, layer=name) for name in layers}
    area = sitefinder.load_study(read["plots"], network=read["network"],
                                 features={c: read[c] for c in categories})
    points = sitefinder.load_study(read["points"], network=read["network"],
                                   features={c: read[c] for c in categories})
    lonlat = sitefinder.load_study(read["plots_lonlat"], network=read["network"],
                                   features={c: read[c] for c in categories})
    with_osm = sitefinder.load_study(read["plots"], osm=osm)
    network = network_to_arrays(layers["network"], "OpenStreetMap")
    lines = network.edges.lines
    lengths = polyline_lengths(lines.x, lines.y, lines.part_ptr)
    result = {
        "layers": {"crs": CRS, "categories": categories, "n_plots": len(plots)},
        "scores": {p: _columns(area.score(p)) for p in sitefinder.list_profiles()},
        "scores_points": {"smahus-integrated": _columns(points.score("smahus-integrated"))},
        "scores_lonlat_plots": {"coworking": _columns(lonlat.score("coworking"))},
        "working_crs_lonlat_plots": metric_crs(read["plots_lonlat"], "plots").to_epsg(),
        "scores_osm_file": {"coworking": _columns(with_osm.score("coworking"))},
        "pyosmium": {"counts": dict(osm.counts), "walkable_ways": len(osm.network),
                     "network_edges": network.n_edges, "network_length": float(lengths.sum())},
    }
    result["decision"] = decision_reference(out, area)
    result["surface"] = surface_reference(out, gpkg, read, categories)
    result["new_data"] = new_data_reference(out, gpkg, read)
    (out / "library.json").write_text(json.dumps(result), encoding="utf-8")


def decision_reference(out: Path, area) -> dict:
    """A scored file with sensitive columns (and a public one), and explain/sensitivity/report from it."""
    from sitefinder.decision import explain, read_scored, write_report, write_scored
    from sitefinder.decision.scored import score_table
    from sitefinder.decision.sensitivity import analyse_sensitivity, criteria_summary

    profile_path = out / "private-coworking.toml"
    profile_path.write_text(sitefinder.load_profile("coworking").text + '\n[privacy]\nsensitive = ["coworking"]\n',
                            encoding="utf-8")
    scored = area.score(sitefinder.load_profile(profile_path))
    write_scored(scored, out / "scored_internal.gpkg", include_sensitive=True)
    write_scored(scored, out / "scored_public.gpkg")
    internal = read_scored(out / "scored_internal.gpkg")
    explained = {}
    for plot in EXPLAINED:
        for include in (False, True):
            table = explain(internal, plot, include_sensitive=include)
            rows = table.reset_index().astype(object).where(table.reset_index().notna(), None).to_dict("records")
            explained[f"{plot}|{include}"] = {"rows": rows, "attrs": {k: (None if v != v else v) for k, v in
                                                                    table.attrs.items()}}
    result = analyse_sensitivity(score_table(internal), **SENSITIVITY)
    mc = result.mc
    sens = {"plot_id": internal["plot_id"].to_numpy()[result.rows].tolist(),
            "rank_min": mc.rank_min.tolist(), "rank_max": mc.rank_max.tolist(), "rank_mean": mc.rank_mean.tolist(),
            "rank_p05": mc.rank_p05.tolist(), "rank_p95": mc.rank_p95.tolist(), "p_top": mc.p_top_n.tolist(),
            "criteria": criteria_summary(result), "median_spearman": float(np.median(mc.spearman))}
    write_report(internal, out / "report.html", **REPORT)
    return {"explain": explained, "sensitivity": sens, "top_sites": top_sites_reference(out, internal)}


def top_sites_reference(out: Path, internal) -> dict:
    """Top sites under TOP_SITES with existing units at the best plots, hidden and included; a report with them."""
    from sitefinder.decision import top_sites, write_report

    best = internal[~internal["excluded"]].sort_values("rank").head(len(EXISTING_UNITS))
    existing = gpd.GeoDataFrame({"units": EXISTING_UNITS}, geometry=best.geometry.representative_point().values,
                                crs=internal.crs)
    existing.to_file(out / "existing_units.gpkg", driver="GPKG", engine="pyogrio")
    result = {}
    for include in (False, True):
        sites = top_sites(internal, **TOP_SITES, existing=out / "existing_units.gpkg", existing_units_column="units",
                          include_sensitive=include)
        result[str(include)] = {"chosen": sites.chosen.astype(object).to_dict("list"),
                                "skipped": sites.skipped.astype(object).to_dict("list")}
        if not include:
            write_report(internal, out / "report_sites.html", sites=sites, **REPORT)
    return result


def surface_reference(out: Path, gpkg: Path, read: dict, categories: list[str]) -> dict:
    """A surface over a box of central Oslo from the same layers, its bands and geometry."""
    x0, y0, x1, y1 = SURFACE_BOX
    box = gpd.GeoDataFrame({"name": ["box"]}, geometry=[shapely.box(x0, y0, x1, y1)], crs=CRS)
    box.to_file(gpkg, layer="surface_area", driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
    result = sitefinder.surface(gpd.read_file(gpkg, layer="surface_area"), "coworking", cell=SURFACE_CELL,
                                network=read["network"], features={c: read[c] for c in categories})
    sitefinder.write_surface(out / "surface.tif", result, preview=False)
    g = result.surface.grid.geometry
    bands = np.where(np.isnan(result.surface.bands), None, result.surface.bands.astype(float))
    return {"bands": bands.tolist(), "names": result.surface.names,
            "grid": [g.left, g.top, g.dx, g.dy, g.nx, g.ny]}


def new_data_reference(out: Path, gpkg: Path, read: dict) -> dict:
    """Scores with a GTFS feed and a weighted population grid (Oslo), and with a terrain model (Bømlo)."""
    population = sitefinder.load_study(read["plots"], features={"population": SSB},
                                       feature_weights={"population": "pop_tot"}, gtfs=[NSB])
    x, y = -25500.0, 6675500.0  # inside the DTM10 tile (EPSG:25833), and one plot outside it
    bomlo = gpd.GeoDataFrame(
        {"plot_id": [f"t{i}" for i in range(8)] + ["outside"]},
        geometry=[shapely.box(x + 150 * i, y - 90 * i, x + 150 * i + 40, y - 90 * i + 30) for i in range(8)]
        + [shapely.box(x - 5000, y, x - 4960, y + 30)], crs=25833)
    bomlo.to_file(gpkg, layer="bomlo", driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
    (out / "terrain.toml").write_text(TERRAIN_PROFILE, encoding="utf-8")
    terrain = sitefinder.load_study(gpd.read_file(gpkg, layer="bomlo"), dem=DTM)
    return {"population": _columns(population.score(POPULATION_PROFILE)),
            "terrain": _columns(terrain.score(out / "terrain.toml"))}


def _columns(scored: gpd.GeoDataFrame) -> dict[str, list]:
    """Every column but the geometry, JSON-ready (NaN and NA as null)."""
    out = {}
    for col in scored.columns:
        if col == scored.geometry.name:
            continue
        values = scored[col].astype(object).where(scored[col].notna(), None).tolist()
        out[col] = [v.item() if hasattr(v, "item") else v for v in values]
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]))
