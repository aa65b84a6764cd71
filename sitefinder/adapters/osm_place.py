"""Download OpenStreetMap data for a place name with osmnx (needs internet).

Kept thin on purpose: osmnx fetches the walking network and the tagged
features, and the same category table as for local files sorts them.
Offline, use a local extract (``--osm file.osm.pbf``) instead.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..progress import Reporter
from .osm import ATTRIBUTION, OsmData
from .osm_tags import Category, load_categories, tag_keys

_KIND_TYPES = {
    "place": {"Point", "Polygon", "MultiPolygon"},
    "area": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString"},
}


def categorise(features: gpd.GeoDataFrame, table: dict[str, Category]) -> dict[str, gpd.GeoDataFrame]:
    """Sort osmnx features (one column per OSM tag) into the table's categories."""
    out = {}
    tag_cols = [c for c in features.columns if c != features.geometry.name]
    records = features[tag_cols].astype(object).where(features[tag_cols].notna(), None).to_dict("records")
    types = features.geometry.geom_type.to_numpy()
    index = features.index
    osm_type = index.get_level_values(0) if isinstance(index, pd.MultiIndex) else np.full(len(features), "")
    osm_id = index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index
    for name, cat in table.items():
        keep = np.array([t in _KIND_TYPES[cat.kind] and cat.accepts(r) for t, r in zip(types, records)], dtype=bool)
        out[name] = gpd.GeoDataFrame(
            {
                "osm_type": np.asarray(osm_type)[keep],
                "osm_id": np.asarray(osm_id)[keep],
                "name": [records[i].get("name") or "" for i in np.flatnonzero(keep)],
            },
            geometry=features.geometry.values[keep],
            crs=features.crs,
        )
    return out


def read_place(place: str, categories=None, reporter: Reporter | None = None) -> OsmData:
    """Download the walking network and feature categories for ``place`` (e.g. "Elverum, Norway")."""
    reporter = reporter or Reporter()
    try:
        import osmnx as ox
    except ImportError:
        raise InputError("downloading by place name needs osmnx: pip install 'sitefinder[osmnx]'") from None
    table = load_categories(categories)
    try:
        with reporter.step(f"downloading walking network for {place}"):
            graph = ox.graph_from_place(place, network_type="walk", retain_all=True)
            edges = ox.graph_to_gdfs(graph, nodes=False)
        with reporter.step(f"downloading features for {place}"):
            feats = ox.features_from_place(place, {key: True for key in tag_keys(table) if key != "highway"}
                                           | {"highway": True})
    except Exception as exc:
        raise InputError(
            f"could not download {place!r} with osmnx ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__});"
            " offline, use a local extract with --osm FILE.osm.pbf"
        ) from None
    network = edges.reset_index()[["osmid", "highway", "name", "geometry"]].rename(columns={"osmid": "osm_id"})
    for col in ("highway", "name"):
        network[col] = network[col].astype(str)
    network = gpd.GeoDataFrame(network, geometry="geometry", crs=edges.crs).to_crs("EPSG:4326")
    features = categorise(feats.to_crs("EPSG:4326"), table)
    return OsmData(network=network, features=features, categories=table, source=f"osmnx: {place}",
                   attribution=ATTRIBUTION, counts={k: len(v) for k, v in features.items()})
