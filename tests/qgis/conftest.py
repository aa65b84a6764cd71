"""Headless QGIS for the plugin tests: one QgsApplication, Processing, the plugin, Oslo layers.

These tests run in QGIS's own Python (``make test-qgis``: ``.venv-qgis``,
Debian's QGIS and numpy, no geopandas). Layers and the library's reference
scores come from the main ``.venv`` (see ``library_reference.py``).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsProcessingFeedback, QgsVectorLayer  # noqa: E402
from qgis.testing import start_app  # noqa: E402

from ..conftest import IN_CI, OSLO_PBF, ROOT, TEIG, require  # noqa: E402

QGIS_PLUGINS = Path("/usr/share/qgis/python/plugins")
PLUGIN_DIR = ROOT / "qgis_plugin"
LIBRARY_PYTHON = Path(os.environ.get("SITEFINDER_LIBRARY_PYTHON", ROOT / ".venv" / "bin" / "python"))

# No exitQgis at exit: tearing QGIS down after the tests can crash the process (and fail make).
APP = start_app(cleanup=False)
atexit.register(shutil.rmtree, os.environ["QGIS_CUSTOM_CONFIG_PATH"], True)
for path in (str(QGIS_PLUGINS), str(PLUGIN_DIR)):
    if path not in sys.path:
        sys.path.insert(0, path)

import processing  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()

import sitefinder_qgis  # noqa: E402

PLUGIN = sitefinder_qgis.classFactory(None)
PLUGIN.initProcessing()


class RecordingFeedback(QgsProcessingFeedback):
    """Keeps every message the algorithm pushes (a plain feedback only logs them)."""

    def __init__(self):
        super().__init__()
        self.infos: list[str] = []
        self.warnings: list[str] = []
        self.steps: list[str] = []

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)

    def setProgressText(self, text):  # noqa: N802
        self.steps.append(text)


@pytest.fixture(scope="session")
def oslo(tmp_path_factory):
    """Oslo layers in a GeoPackage and the library's scores for them (computed in the main .venv)."""
    require(OSLO_PBF)
    require(TEIG)
    if not LIBRARY_PYTHON.exists():
        message = f"the library's Python {LIBRARY_PYTHON} is missing (run make test)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("oslo")
    subprocess.run([str(LIBRARY_PYTHON), str(Path(__file__).with_name("library_reference.py")), str(out)],
                   check=True, cwd=ROOT)
    return OsloData(out / "oslo.gpkg", json.loads((out / "library.json").read_text(encoding="utf-8")))


class OsloData:
    """The test GeoPackage and the library's results (see ``library_reference.py``)."""

    def __init__(self, gpkg: Path, library: dict):
        self.gpkg = gpkg
        self.library = library
        self.categories: list[str] = library["layers"]["categories"]

    def uri(self, layer: str) -> str:
        return f"{self.gpkg}|layername={layer}"

    def layer(self, name: str) -> QgsVectorLayer:
        layer = QgsVectorLayer(self.uri(name), name, "ogr")
        assert layer.isValid(), name
        return layer

    def feature_layers(self) -> list[QgsVectorLayer]:
        """One layer per category, named after it (the plugin's convention)."""
        return [self.layer(c) for c in self.categories]


def score(parameters: dict, feedback: QgsProcessingFeedback | None = None) -> QgsVectorLayer:
    """Run sitefinder:scoreplots to a temporary layer and return it."""
    result = processing.run("sitefinder:scoreplots", {"OUTPUT": "TEMPORARY_OUTPUT", **parameters},
                            feedback=feedback or RecordingFeedback())
    return result["OUTPUT"]


def columns(layer: QgsVectorLayer) -> dict[str, list]:
    """Every attribute column of ``layer`` (NULL as None), in feature order."""
    names = [f.name() for f in layer.fields()]
    rows = [[None if v is None or (hasattr(v, "isNull") and v.isNull()) else v for v in f.attributes()]
            for f in layer.getFeatures()]
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


def registry():
    return QgsApplication.processingRegistry()
