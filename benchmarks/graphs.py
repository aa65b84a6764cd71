"""The benchmark graphs: the real Oslo walking graph and the synthetic road-like graphs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from synthetic import RoadGraph, road_grid

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SITEFINDER_DATA", ROOT.parent / "shared" / "data"))
OSLO_PBF = DATA / "oslo" / "oslo-center.osm.pbf"

# Features per network node in central Oslo (counts from the extract's README / 56k nodes):
# the six categories of workload 1, the same densities on every graph.
OSLO_NODES = 56_000
CATEGORY_COUNTS = {"supermarket": 142, "pharmacy": 47, "school": 39, "kindergarten": 54, "bus_stop": 269,
                   "rail_tram_stop": 86}


def oslo_graph() -> RoadGraph:
    """Oslo's OSM walking network (UTM 32N), lengths along the ways rounded to the millimetre.

    Self-loops are dropped and, of parallel edges between the same two nodes,
    the shortest is kept: scipy would add the lengths of parallel arcs and
    networkx's DiGraph keep the last, so every engine gets the same simple graph.
    """
    from sitefinder.adapters.osm import read_osm
    from sitefinder.adapters.vector import network_to_arrays
    from sitefinder.core.snap import polyline_lengths

    if not OSLO_PBF.exists():
        raise FileNotFoundError(f"Oslo extract not found: {OSLO_PBF} (set SITEFINDER_DATA)")
    osm = read_osm(OSLO_PBF)
    e = network_to_arrays(osm.network.to_crs(25832), "OpenStreetMap").edges
    length = polyline_lengths(e.lines.x, e.lines.y, e.lines.part_ptr).round(3)
    u, v = e.edge_u.astype(np.int64), e.edge_v.astype(np.int64)
    keep = u != v
    lo, hi = np.minimum(u, v)[keep], np.maximum(u, v)[keep]
    idx = np.flatnonzero(keep)
    order = np.lexsort((length[idx], hi, lo))
    first = np.ones(order.shape[0], np.bool_)
    first[1:] = (lo[order][1:] != lo[order][:-1]) | (hi[order][1:] != hi[order][:-1])
    idx = np.sort(idx[order[first]])
    return RoadGraph("Oslo (OSM walking graph)", e.node_x, e.node_y, e.edge_u[idx], e.edge_v[idx], length[idx],
                     e.edge_oneway[idx])


def load(name: str) -> RoadGraph:
    """``"oslo"`` or a synthetic size such as ``"100k"``, ``"1M"``, ``"4M"``."""
    if name == "oslo":
        return oslo_graph()
    n = int(float(name[:-1]) * (1_000 if name[-1].lower() == "k" else 1_000_000))
    return road_grid(n)


def category_sources(n_nodes: int, can_host: np.ndarray, seed: int = 11) -> dict[str, np.ndarray]:
    """Source nodes of the six categories at central Oslo's densities (random nodes, fixed seed)."""
    rng = np.random.default_rng(seed)
    hosts = np.flatnonzero(can_host)
    out = {}
    for name, count in CATEGORY_COUNTS.items():
        k = max(1, round(count * n_nodes / OSLO_NODES))
        out[name] = np.sort(rng.choice(hosts, size=min(k, hosts.shape[0]), replace=False)).astype(np.int64)
    return out
