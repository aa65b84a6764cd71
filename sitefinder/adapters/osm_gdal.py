"""Read a local OpenStreetMap file with GDAL's OSM driver, straight into arrays.

This is the OSM reader for places without pyosmium and geopandas — inside
QGIS, whose Python always has GDAL's ``osgeo`` bindings. It applies the same
category table and walking rules (:mod:`sitefinder.adapters.osm_tags`) as the
pyosmium reader (:mod:`sitefinder.adapters.osm`) and aims at the same result:

* GDAL is given its own configuration (``osmconf.ini``) listing every tag key
  the rules read as a column;
* a closed way is read both as a way (walking network, line categories) and
  as an area (area and place categories), as pyosmium sees it;
* ways cut by the extract's edge (nodes missing) are dropped, as pyosmium
  drops them; GDAL would draw them through the nodes it has;
* broken multipolygons (unclosed rings, common at an extract's edge) are
  skipped, as pyosmium's area assembler skips them;
* a node lying inside an area of the same ``place`` category is dropped.

Differences on the Oslo extract are measured in ``docs/qgis.md``.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.geometry import points_in_polygons
from ..errors import InputError
from ..pipeline.inputs import FeatureArrays, NetworkArrays
from ..progress import Reporter
from .osm_tags import (
    ATTRIBUTION, Category, CategoryIndex, NetworkRules, check_osm_path, load_categories, load_network_rules, rule_keys,
)
from .wkb import Pieces, parse_wkb, ragged_from_pieces

# Check for cancel every this many OSM objects.
_CANCEL_EVERY = 20_000


@dataclass
class OsmArrays:
    """Walking network and feature categories read from an OSM file, in the working CRS.

    Attributes
    ----------
    network : NetworkArrays
    features : dict of str -> FeatureArrays
        One entry per category of the table (possibly with no features).
    categories : dict of str -> Category
    source : str
    counts : dict of str -> int
        Features per category.
    n_ways : int
        Walkable ways in the network.
    attribution : str
        The credit maps and reports from these data must carry.
    """

    network: NetworkArrays
    features: dict[str, FeatureArrays]
    categories: dict[str, Category]
    source: str
    counts: dict[str, int] = field(default_factory=dict)
    n_ways: int = 0
    attribution: str = ATTRIBUTION


def osm_config(keys: set[str]) -> str:
    """An ``osmconf.ini`` for GDAL: every key as a column, every closed way reported as a line.

    Closed ways come through the lines layer, where GDAL reports those cut
    by the extract's edge; the reader makes the areas itself. (GDAL still
    turns ``area=yes`` ways into polygons.)
    """
    columns = ",".join(sorted(keys))
    layers = []
    for layer in ("points", "lines", "multipolygons", "multilinestrings", "other_relations"):
        layers.append(f"[{layer}]\nosm_id=yes\nattributes={columns}\nother_tags=no\n")
    return "closed_ways_are_polygons=sitefinder_no_such_key\n\n" + "\n".join(layers)


class _Tags:
    """The tags of one OGR feature as a read-only mapping (looked up lazily, by column)."""

    __slots__ = ("_feature", "_columns")

    def __init__(self, feature, columns: dict[str, int]):
        self._feature = feature
        self._columns = columns

    def get(self, key: str, default=None):
        i = self._columns.get(key)
        if i is None or not self._feature.IsFieldSetAndNotNull(i):
            return default
        return self._feature.GetFieldAsString(i)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None


class _Collector:
    """Accumulates features of one category: geometry pieces, inner points, names, OSM way ids."""

    def __init__(self) -> None:
        self.pieces: list[Pieces] = []
        self.rep: list[tuple[float, float]] = []
        self.names: list[str] = []
        self.way_id: list[int] = []  # -1 for nodes, -2 for relations

    def add(self, pieces: Pieces, rep: tuple[float, float], name: str, way_id: int) -> None:
        self.pieces.append(pieces)
        self.rep.append(rep)
        self.names.append(name)
        self.way_id.append(way_id)


class _IncompleteWays:
    """GDAL error handler collecting the ways GDAL reports as missing nodes.

    GDAL keeps a way cut by the extract's edge, drawn through the nodes it
    has; pyosmium drops it. GDAL says so only in a debug message
    ("For way 123, got only 4 nodes instead of 9"), hence this handler.
    """

    PATTERN = re.compile(r"For way (\d+), got only \d+ nodes")

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __call__(self, error_class, error_number, message) -> None:
        match = self.PATTERN.search(message or "")
        if match:
            self.ids.add(int(match.group(1)))


def read_osm_gdal(path: str | Path, crs: str, categories: str | Path | None = None,
                  reporter: Reporter | None = None) -> OsmArrays:
    """Read the walking network and feature categories from a local OSM file with GDAL.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf`` or ``.osm`` (XML) file.
    crs : str
        The working CRS (projected, metres) as GDAL understands it:
        ``"EPSG:25833"`` or WKT.
    categories : path, optional
        A category table TOML (default: the built-in one).
    reporter : Reporter, optional
        Progress and cancel.

    Returns
    -------
    OsmArrays

    Raises
    ------
    InputError
        Missing or unreadable file, a file without walkable ways, or a bad CRS.
    """
    from osgeo import gdal, ogr, osr

    reporter = reporter or Reporter()
    path = Path(path).expanduser()
    check_osm_path(path)
    table = load_categories(categories)
    rules = load_network_rules()
    keys = rule_keys(table, rules)

    target = osr.SpatialReference()
    if target.SetFromUserInput(crs) != 0:
        raise InputError(f"cannot use the working CRS {crs!r} to read {path.name}")
    source = osr.SpatialReference()
    source.ImportFromEPSG(4326)
    for srs in (source, target):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(source, target)

    fd, config = tempfile.mkstemp(suffix=".ini", prefix="sitefinder-osmconf-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(osm_config(keys))
    # Thread-local settings and handler: QGIS may run other GDAL work meanwhile.
    settings = {"OGR_GEOMETRY_ACCEPT_UNCLOSED_RING": "NO", "CPL_DEBUG": "ON"}
    previous = {k: gdal.GetThreadLocalConfigOption(k, None) for k in settings}
    incomplete = _IncompleteWays()
    for key, value in settings.items():
        gdal.SetThreadLocalConfigOption(key, value)
    gdal.PushErrorHandler(incomplete)
    try:
        try:
            ds = gdal.OpenEx(str(path), gdal.OF_VECTOR, allowed_drivers=["OSM"],
                             open_options=[f"CONFIG_FILE={config}"])
        except RuntimeError:  # when something has turned on gdal.UseExceptions()
            ds = None
        if ds is None:
            raise InputError(f"cannot read OSM file {path}: {gdal.GetLastErrorMsg() or 'GDAL cannot open it'}")
        with reporter.step(f"reading {path.name} (GDAL)"):
            collected, network = _scan(ds, table, rules, transform, ogr, reporter)
        ds = None
    finally:
        gdal.PopErrorHandler()
        for key, value in previous.items():
            gdal.SetThreadLocalConfigOption(key, value)
        os.unlink(config)

    ways = [pieces for pieces, way_id in zip(*network) if way_id not in incomplete.ids]
    if not ways:
        raise InputError(f"no walkable ways in {path}: is it an OpenStreetMap extract with roads?")
    # Pedestrians walk one-way streets both ways.
    network_arrays = NetworkArrays.from_lines(ragged_from_pieces(ways), np.zeros(len(ways), np.bool_),
                                              "OpenStreetMap")
    features = {name: _feature_arrays(collected[name], table[name], incomplete.ids) for name in table}
    return OsmArrays(network=network_arrays, features=features, categories=table, source=str(path),
                     counts={k: v.n for k, v in features.items()}, n_ways=len(ways))


def _scan(ds, table: dict[str, Category], rules: NetworkRules, transform, ogr, reporter: Reporter):
    """One interleaved pass over GDAL's OSM layers.

    Returns the collected features per category and the walkable ways as
    ``(pieces, way ids)``.
    """
    areas = CategoryIndex([c for c in table.values() if c.kind in ("place", "area")])
    lines = CategoryIndex([c for c in table.values() if c.kind == "line"])
    points = CategoryIndex([c for c in table.values() if c.kind == "place"])
    collected = {name: _Collector() for name in table}
    net_pieces: list[Pieces] = []
    net_ids: list[int] = []
    columns: dict[str, dict[str, int]] = {}
    seen = 0
    while True:
        feature, layer = ds.GetNextFeature()
        if feature is None:
            break
        seen += 1
        if seen % _CANCEL_EVERY == 0:
            reporter.check_cancelled()
        name = layer.GetName()
        if name not in ("points", "lines", "multipolygons"):
            continue  # route relations and other relations are not features
        if name not in columns:
            defn = layer.GetLayerDefn()
            columns[name] = {defn.GetFieldDefn(i).GetName(): i for i in range(defn.GetFieldCount())}
        tags = _Tags(feature, columns[name])
        point_hits, walk, way_hits, area_hits = [], False, [], []
        way_id = -2
        if name == "points":
            point_hits = points.matching(tags)
        elif name == "lines":
            way_id = int(tags.get("osm_id"))
            walk, way_hits = rules.walkable(tags), lines.matching(tags)
            if tags.get("area") != "no":  # a closed way is an area too (checked below), as for pyosmium
                area_hits = areas.matching(tags)
        else:
            area_hits = areas.matching(tags)
            if tags.get("osm_way_id") is not None:  # a polygon made from a closed way is a way too
                way_id = int(tags.get("osm_way_id"))
                walk, way_hits = rules.walkable(tags), lines.matching(tags)
        if not (point_hits or walk or way_hits or area_hits):
            continue
        geom = feature.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            continue  # broken multipolygons
        geom = geom.Clone()
        if geom.Transform(transform) != 0:
            continue
        label = tags.get("name", "")
        for c in point_hits:
            collected[c.name].add(parse_wkb(bytes(geom.ExportToIsoWkb())), (geom.GetX(), geom.GetY()), label, -1)
        if walk or way_hits:
            line = _way_line(geom, ogr)
            if line is not None:
                pieces = parse_wkb(bytes(line.ExportToIsoWkb()))
                if walk:
                    net_pieces.append(pieces)
                    net_ids.append(way_id)
                for c in way_hits:
                    collected[c.name].add(pieces, _inner_point(line), label, way_id)
        if area_hits and name == "lines":
            area_hits = area_hits if _is_ring(geom) else []
            geom = ogr.ForceTo(geom, ogr.wkbMultiPolygon) if area_hits else geom
        if area_hits:
            if not geom.IsValid():
                geom = geom.MakeValid()  # as the geopandas adapter repairs invalid feature polygons
                if geom is None:
                    continue
            pieces = parse_wkb(bytes(geom.ExportToIsoWkb()))
            rep = _inner_point(geom)
            for c in area_hits:
                collected[c.name].add(pieces, rep, label, way_id)
    return collected, (net_pieces, net_ids)


def _way_line(geom, ogr):
    """A way as an OGR line: the line itself, or the outer ring of a polygon made from a closed way."""
    if ogr.GT_Flatten(geom.GetGeometryType()) == ogr.wkbMultiPolygon:
        line = ogr.Geometry(ogr.wkbLineString)
        for x, y, *_ in geom.GetGeometryRef(0).GetGeometryRef(0).GetPoints():
            line.AddPoint_2D(x, y)
        geom = line
    return geom if geom.GetPointCount() >= 2 else None


def _is_ring(line) -> bool:
    """A closed way with at least four nodes (the first repeated last) can be an area."""
    n = line.GetPointCount()
    return n >= 4 and line.GetPoint_2D(0) == line.GetPoint_2D(n - 1)


def _inner_point(geom) -> tuple[float, float]:
    """GEOS point-on-surface, as shapely's ``point_on_surface`` in the geopandas adapter."""
    p = geom.PointOnSurface()
    return (p.GetX(), p.GetY()) if p is not None else (np.nan, np.nan)


def _feature_arrays(c: _Collector, category: Category, incomplete: set[int]) -> FeatureArrays:
    """The features of one category, without ways cut by the extract's edge (as pyosmium)."""
    way_id = np.array(c.way_id, dtype=np.int64)
    keep = np.array([w not in incomplete for w in c.way_id], dtype=np.bool_)
    rep = np.array(c.rep, dtype=np.float64).reshape(-1, 2)
    is_node = way_id == -1
    if category.kind == "place" and is_node.any() and not is_node.all():
        # A node inside an area of the same category is the same place mapped twice.
        area_idx = np.flatnonzero(~is_node & keep)
        polygons = ragged_from_pieces([c.pieces[i] for i in area_idx], polygons_only=True)
        node_idx = np.flatnonzero(is_node)
        inside, _ = points_in_polygons(rep[node_idx, 0], rep[node_idx, 1], polygons)
        keep[node_idx[np.unique(inside)]] = False
    pieces = [p for p, k in zip(c.pieces, keep) if k]
    names = np.array([n for n, k in zip(c.names, keep) if k], dtype=object)
    return FeatureArrays(
        outline=ragged_from_pieces(pieces), rep_x=rep[keep, 0].copy(), rep_y=rep[keep, 1].copy(),
        polygons=ragged_from_pieces(pieces, polygons_only=True), name=names, label=category.label,
        origin="OpenStreetMap",
    )
