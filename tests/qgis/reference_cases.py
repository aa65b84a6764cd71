"""The cases both sides compute: ``library_reference.py`` (library, main .venv) and the QGIS tests.

Standard library only: the QGIS tests import it in QGIS's Python.
"""

from __future__ import annotations


from ..conftest import ROOT, SHARED

SSB = SHARED / "oslo" / "ssb_befolkning_250m_2023_oslo.gpkg"
NSB = SHARED / "norway" / "entur_rail_nsb_gtfs_2018.zip"
DTM = SHARED / "norway" / "kartverket_dtm10_bomlo_25833.tif"
POPULATION_PROFILE = ROOT / "docs" / "examples" / "population-coworking.toml"
# Explain, sensitivity and report: coworking with the coworking category marked sensitive (its
# "competition" criterion reads it), so privacy shows; seeds and draws small enough to stay quick.
SENSITIVITY = {"draws": 200, "seed": 7, "top_n": 5}
REPORT = {"draws": 100, "seed": 3, "top_n": 5}
EXPLAINED = ["teig-3", "far-away", "bow-tie"]
SURFACE_BOX = (597000.0, 6643000.0, 597900.0, 6643700.0)  # EPSG:25832, central Oslo
SURFACE_CELL = 100.0
