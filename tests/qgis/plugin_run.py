"""Run the plugin in a fresh QGIS process, loaded the way QGIS loads it; print a JSON report.

Used by ``test_plugin.py`` to prove that the plugin path needs no geopandas,
shapely, scipy or pyosmium, that a missing numba or sitefinder gives install
instructions instead of a traceback, and that the built zip installs.

Usage: ``python plugin_run.py [--block MODULES] [--plugins DIR] [--gpkg GPKG --osm OSM_FILE]``.
``--block`` makes the comma-separated modules unimportable; ``--plugins``
is a QGIS plugins folder holding ``sitefinder_qgis`` (default: the
repository's ``qgis_plugin``). With a GeoPackage (``library_reference.py``)
and an OSM file it scores the plots from layers and from the OSM file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--block", default="")
parser.add_argument("--plugins", default=str(ROOT / "qgis_plugin"))
parser.add_argument("--gpkg")
parser.add_argument("--osm")
args = parser.parse_args()
for name in filter(None, args.block.split(",")):
    sys.modules[name] = None  # "import name" now raises ImportError

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, "/usr/share/qgis/python/plugins")

from qgis.core import QgsApplication, QgsProcessingException, QgsVectorLayer  # noqa: E402
from qgis.testing import start_app  # noqa: E402

start_app(cleanup=False)  # exitQgis at exit can crash; this process only prints a report
import processing  # noqa: E402
import qgis.utils  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import numpy  # noqa: E402

# As QGIS does at start-up for a plugin with hasProcessingProvider=yes.
qgis.utils.plugin_paths = [args.plugins]
sys.path.insert(0, args.plugins)
qgis.utils.updateAvailablePlugins()
loaded = qgis.utils.loadPlugin("sitefinder_qgis") and qgis.utils.startProcessingPlugin("sitefinder_qgis")
provider = QgsApplication.processingRegistry().providerById("sitefinder")
report = {
    "loaded": bool(loaded),
    "plugin_file": sys.modules["sitefinder_qgis"].__file__,
    "provider": provider is not None,
    "algorithms": sorted(a.id() for a in provider.algorithms()) if provider else [],
    "numpy": numpy.__version__,
    "numpy_file": numpy.__file__,
}
score = QgsApplication.processingRegistry().algorithmById("sitefinder:scoreplots")
report["can_execute"] = list(score.canExecute())
report["profile_options"] = score.parameterDefinition("PROFILE").options()

runs = {}
if args.gpkg:
    gpkg, osm = args.gpkg, args.osm
    categories = ["bus_stop", "rail_station", "cafe_restaurant", "shop", "pedestrian_street", "park", "coworking",
                  "university", "industrial_area"]
    inputs = {
        "layers": {"NETWORK": f"{gpkg}|layername=network",
                   "FEATURES": [QgsVectorLayer(f"{gpkg}|layername={c}", c, "ogr") for c in categories]},
        "osm_file": {"OSM": osm},
    }
    for label, extra in inputs.items():
        try:
            out = processing.run("sitefinder:scoreplots", {"PLOTS": f"{gpkg}|layername=plots", "PROFILE": "coworking",
                                                           "OUTPUT": "TEMPORARY_OUTPUT", **extra})["OUTPUT"]
            scored = [f["score"] for f in out.getFeatures()]
            runs[label] = {"features": len(scored), "scored": sum(isinstance(s, float) for s in scored)}
        except QgsProcessingException as exc:
            runs[label] = {"error": str(exc)}
    # The decision algorithms and the surface on a scored GeoPackage, with the same modules blocked.
    import tempfile

    tmp = Path(tempfile.mkdtemp())
    layers = {"NETWORK": f"{gpkg}|layername=network", "FEATURES": inputs["layers"]["FEATURES"]}
    steps = [
        ("scoreplots", {"PLOTS": f"{gpkg}|layername=plots", "PROFILE": "coworking", **layers,
                        "OUTPUT": str(tmp / "scored.gpkg")}),
        ("explainplot", {"INPUT": str(tmp / "scored.gpkg"), "PLOT": "teig-3", "HTML": str(tmp / "e.html")}),
        ("sensitivity", {"INPUT": str(tmp / "scored.gpkg"), "DRAWS": 20, "OUTPUT": "TEMPORARY_OUTPUT"}),
        ("topsites", {"INPUT": str(tmp / "scored.gpkg"), "N_SITES": 3, "MAX_UNITS": 4, "CAP_RADIUS": 300,
                      "OUTPUT": "TEMPORARY_OUTPUT"}),
        ("report", {"INPUT": str(tmp / "scored.gpkg"), "DRAWS": 20, "N_SITES": 3, "OUTPUT": str(tmp / "report.html")}),
        ("surface", {"EXTENT": "597000,597600,6643000,6643600 [EPSG:25832]", "CELL": 200, "PROFILE": "coworking",
                     **layers, "OUTPUT": str(tmp / "surface.tif")}),
    ]
    for name, params in steps:
        try:
            processing.run(f"sitefinder:{name}", params)
            runs[name] = {"error": None}
        except QgsProcessingException as exc:
            runs[name] = {"error": str(exc)}
    shutil.rmtree(tmp, ignore_errors=True)
else:
    try:
        processing.run("sitefinder:scoreplots", {"PLOTS": "unused", "OUTPUT": "TEMPORARY_OUTPUT"})
        runs["run"] = {"error": None}
    except QgsProcessingException as exc:
        runs["run"] = {"error": str(exc)}
report["runs"] = runs
# Modules that really got imported (blocked ones stay None in sys.modules).
report["imported"] = sorted(m for m in ("geopandas", "shapely", "scipy", "osmium", "pandas", "pyproj", "pyogrio",
                                      "matplotlib", "rasterio")
                            if sys.modules.get(m) is not None)
print("REPORT " + json.dumps(report), flush=True)
shutil.rmtree(os.environ["QGIS_CUSTOM_CONFIG_PATH"], ignore_errors=True)
