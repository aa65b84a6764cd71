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
    (out / "library.json").write_text(json.dumps(result), encoding="utf-8")


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
