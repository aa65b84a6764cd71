"""Read a local OpenStreetMap file (.osm.pbf or .osm XML) with pyosmium.

One pass gives the walking network (ways, as lines) and every feature
category of the category table (points, lines and polygons, including
multipolygon relations). Results are GeoDataFrames in EPSG:4326; the faces
reproject them to the working CRS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..errors import InputError
from ..progress import Reporter
from .osm_tags import (
    ATTRIBUTION, Category, CategoryIndex, check_osm_path, load_categories, load_network_rules, tag_keys,
)


@dataclass
class OsmData:
    """What was read from an OSM file.

    Attributes
    ----------
    network : GeoDataFrame
        Walkable ways as lines, columns ``osm_id``, ``highway``, ``name``.
    features : dict of str -> GeoDataFrame
        Per category: ``osm_type``, ``osm_id``, ``name``, geometry.
    categories : dict of str -> Category
        The category table used.
    source : str
    """

    network: gpd.GeoDataFrame
    features: dict[str, gpd.GeoDataFrame]
    categories: dict[str, Category]
    source: str
    attribution: str = ATTRIBUTION
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line per category with its feature count."""
        lines = [f"{len(self.network):>7} walkable ways"]
        lines += [f"{len(g):>7} {name}" for name, g in self.features.items()]
        return "\n".join(lines)


def read_osm(path: str | Path, categories: str | Path | None = None, reporter: Reporter | None = None) -> OsmData:
    """Read the walking network and feature categories from a local OSM file.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf`` or ``.osm`` (XML) file.
    categories : path, optional
        A category table TOML (default: ``sitefinder/data/osm_categories.toml``).
    reporter : Reporter, optional

    Returns
    -------
    OsmData

    Examples
    --------
    >>> osm = read_osm("../shared/data/oslo/oslo-center.osm.pbf")  # doctest: +SKIP
    >>> len(osm.features["bus_stop"])  # doctest: +SKIP
    269
    """
    import osmium
    from osmium.filter import KeyFilter

    reporter = reporter or Reporter()
    path = Path(path).expanduser()
    check_osm_path(path)
    table = load_categories(categories)
    rules = load_network_rules()
    keys = sorted(tag_keys(table))
    areas = CategoryIndex([c for c in table.values() if c.kind in ("place", "area")])
    lines = CategoryIndex([c for c in table.values() if c.kind == "line"])
    points = CategoryIndex([c for c in table.values() if c.kind == "place"])

    net_coords: list[np.ndarray] = []
    net_attrs: list[tuple[int, str, str]] = []
    feats: dict[str, list] = {name: [] for name in table}
    wkb = osmium.geom.WKBFactory()

    with reporter.step(f"reading {path.name}"):
        try:
            fp = (osmium.FileProcessor(str(path)).with_locations()
                  .with_areas(KeyFilter(*keys)).with_filter(KeyFilter(*keys)))
            for obj in fp:
                tags = obj.tags
                if obj.is_node():
                    for c in points.matching(tags):
                        loc = obj.location
                        feats[c.name].append(("node", obj.id, tags.get("name", ""), shapely.Point(loc.lon, loc.lat)))
                elif obj.is_way():
                    walk = rules.walkable(tags)
                    hit = lines.matching(tags)
                    if not (walk or hit):
                        continue
                    try:
                        coords = np.array([(n.lon, n.lat) for n in obj.nodes], dtype=np.float64)
                    except osmium.InvalidLocationError:
                        continue  # ways cut by the extract's edge
                    if coords.shape[0] < 2:
                        continue
                    if walk:
                        net_coords.append(coords)
                        net_attrs.append((obj.id, tags.get("highway", ""), tags.get("name", "")))
                    for c in hit:
                        feats[c.name].append(("way", obj.id, tags.get("name", ""), shapely.LineString(coords)))
                elif obj.is_area():
                    hit = areas.matching(tags)
                    if not hit:
                        continue
                    try:
                        geom = shapely.from_wkb(wkb.create_multipolygon(obj))
                    except Exception:
                        continue  # broken multipolygon
                    osm_type = "way" if obj.from_way() else "relation"
                    for c in hit:
                        feats[c.name].append((osm_type, obj.orig_id(), tags.get("name", ""), geom))
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"cannot read OSM file {path}: {str(exc).splitlines()[0]}") from None

    if not net_coords:
        raise InputError(f"no walkable ways in {path}: is it an OpenStreetMap extract with roads?")
    lengths = np.array([c.shape[0] for c in net_coords])
    network = gpd.GeoDataFrame(
        {
            "osm_id": np.array([a[0] for a in net_attrs], dtype=np.int64),
            "highway": [a[1] for a in net_attrs],
            "name": [a[2] for a in net_attrs],
        },
        geometry=shapely.linestrings(np.concatenate(net_coords), indices=np.repeat(np.arange(lengths.size), lengths)),
        crs="EPSG:4326",
    )
    features = {}
    for name, rows in feats.items():
        gdf = gpd.GeoDataFrame(
            {
                "osm_type": [r[0] for r in rows],
                "osm_id": np.array([r[1] for r in rows], dtype=np.int64),
                "name": [r[2] for r in rows],
            },
            geometry=[r[3] for r in rows],
            crs="EPSG:4326",
        )
        if table[name].kind == "place":
            gdf = _drop_nodes_inside_areas(gdf)
        features[name] = gdf.reset_index(drop=True)
    return OsmData(network=network, features=features, categories=table, source=str(path),
                   counts={k: len(v) for k, v in features.items()})


def _drop_nodes_inside_areas(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A node inside an area of the same category is the same place mapped twice."""
    is_node = (gdf["osm_type"] == "node").to_numpy()
    if not is_node.any() or is_node.all():
        return gdf
    areas = gdf.geometry.values[~is_node]
    tree = shapely.STRtree(areas)
    node_idx, _ = tree.query(gdf.geometry.values[is_node], predicate="within")
    drop = np.flatnonzero(is_node)[np.unique(node_idx)]
    return gdf.drop(index=gdf.index[drop])
