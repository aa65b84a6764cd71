"""The GDAL OpenStreetMap reader used inside QGIS, against the library's pyosmium reader."""

from __future__ import annotations

import numpy as np
import pytest

from sitefinder.adapters.osm_gdal import read_osm_gdal
from sitefinder.core.snap import polyline_lengths
from sitefinder.errors import InputError

from ..conftest import OSLO_PBF, require

pytestmark = pytest.mark.qgis  # runs in QGIS's Python (make test-qgis)

# Measured on the Oslo extract (docs/qgis.md): features at the extract's edge that GDAL keeps
# (area=yes ways and multipolygons cut by the edge, which GDAL does not report) and pyosmium drops.
EDGE_DIFFERENCES = {"pedestrian_street": 5, "park": 1, "nature": 1, "building": 3}


@pytest.fixture(scope="module")
def gdal_oslo(oslo):
    return read_osm_gdal(require(OSLO_PBF), f"EPSG:{oslo.library['layers']['crs']}")


def test_walking_network_is_the_same_as_pyosmiums(gdal_oslo, oslo):
    reference = oslo.library["pyosmium"]
    lines = gdal_oslo.network.edges.lines
    assert gdal_oslo.n_ways == reference["walkable_ways"]
    assert gdal_oslo.network.n_edges == reference["network_edges"]
    np.testing.assert_allclose(polyline_lengths(lines.x, lines.y, lines.part_ptr).sum(), reference["network_length"],
                               rtol=1e-9)


def test_feature_counts_per_category_match_pyosmium(gdal_oslo, oslo):
    reference = oslo.library["pyosmium"]["counts"]
    assert set(gdal_oslo.counts) == set(reference)
    for category, n in reference.items():
        assert 0 <= gdal_oslo.counts[category] - n <= EDGE_DIFFERENCES.get(category, 0), category
    names = gdal_oslo.features["rail_station"].name
    assert "Jernbanetorget" in set(names)


def test_closed_ways_nodes_inside_areas_and_ways_cut_by_the_edge(tmp_path):
    # A school mapped as an area (a closed way) and again as a node inside it; another school node;
    # a footway; and a footway whose second node is missing from the file (cut by the extract's edge).
    xml = tmp_path / "school.osm"
    xml.write_text("""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
 <node id="1" lat="59.9000" lon="10.7000" version="1"/>
 <node id="2" lat="59.9000" lon="10.7010" version="1"/>
 <node id="3" lat="59.9010" lon="10.7010" version="1"/>
 <node id="4" lat="59.9010" lon="10.7000" version="1"/>
 <node id="5" lat="59.9005" lon="10.7005" version="1"><tag k="amenity" v="school"/><tag k="name" v="Skolen"/></node>
 <node id="6" lat="59.9100" lon="10.7100" version="1"><tag k="amenity" v="school"/></node>
 <node id="7" lat="59.9100" lon="10.7000" version="1"/>
 <node id="8" lat="59.9200" lon="10.7000" version="1"/>
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
  <tag k="amenity" v="school"/><tag k="name" v="Skolen"/></way>
 <way id="11" version="1"><nd ref="1"/><nd ref="7"/><tag k="highway" v="footway"/></way>
 <way id="12" version="1"><nd ref="7"/><nd ref="99"/><nd ref="8"/><tag k="highway" v="footway"/></way>
</osm>""")
    osm = read_osm_gdal(xml, "EPSG:25832")
    schools = osm.features["school"]
    assert schools.n == 2  # node 5 dropped (inside the area), node 6 and way 10 kept
    assert sorted(np.diff(schools.polygons.geom_ptr)) == [0, 1]  # one of them is a polygon
    assert sorted(schools.name) == ["", "Skolen"]
    assert osm.n_ways == 1  # way 12 misses node 99: dropped, as pyosmium drops it


def test_bad_osm_files(tmp_path):
    with pytest.raises(InputError, match="OSM file not found"):
        read_osm_gdal(tmp_path / "missing.osm.pbf", "EPSG:25832")
    not_osm = tmp_path / "plots.gpkg"
    not_osm.write_text("x")
    with pytest.raises(InputError, match="does not look like an OpenStreetMap file"):
        read_osm_gdal(not_osm, "EPSG:25832")
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(InputError, match="cannot read OSM file|no walkable ways"):
        read_osm_gdal(broken, "EPSG:25832")
    with pytest.raises(InputError, match="cannot use the working CRS"):
        read_osm_gdal(require(OSLO_PBF), "EPSG:not-a-code")
