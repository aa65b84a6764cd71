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
# Top sites: rules that pass plots over for spacing and for the cap, with existing units (sensitive) placed
# at the two best plots (3 and 1 units), so some cap reasons involve them.
TOP_SITES = {"n_sites": 6, "min_spacing": 150.0, "max_units": 4.0, "cap_radius": 300.0, "units_per_site": 2.0}
EXISTING_UNITS = [3, 1]
SURFACE_BOX = (597000.0, 6643000.0, 597900.0, 6643700.0)  # EPSG:25832, central Oslo
SURFACE_CELL = 100.0
