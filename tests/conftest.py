"""Shared fixtures: the real data in ../shared/data and small helpers."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

# tests/qgis runs in QGIS's own Python (make test-qgis), where qgis is importable; never here.
collect_ignore = [] if importlib.util.find_spec("qgis") else ["qgis"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SITEFINDER_DATA", ROOT.parent / "shared" / "data"))
OSLO_PBF = SHARED / "oslo" / "oslo-center.osm.pbf"
TEIG = SHARED / "oslo" / "kartverket_teig_grenser_ullevaal.geojson"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(path: Path) -> Path:
    """Return ``path``; fail in CI (the data must be there) and skip elsewhere when it is missing."""
    if not path.exists():
        message = f"shared data file missing: {path}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def oslo_osm():
    """The Oslo OSM extract, read once per test session."""
    from sitefinder.adapters.osm import read_osm

    return read_osm(require(OSLO_PBF))


@pytest.fixture(scope="session")
def oslo_network(oslo_osm):
    """The Oslo walking network in UTM 32N, noded."""
    from sitefinder.adapters.vector import network_to_arrays

    return network_to_arrays(oslo_osm.network.to_crs(25832), "OpenStreetMap")
