"""The plugin loads in real QGIS, registers its provider, and runs on QGIS's own numpy without geopandas."""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy
import pytest
from qgis.core import QgsProcessingParameterDefinition

from ..conftest import OSLO_PBF, ROOT, require
from .conftest import PLUGIN, PLUGIN_DIR, registry

pytestmark = pytest.mark.qgis  # runs in QGIS's Python (make test-qgis)

ALGORITHMS = {"sitefinder:scoreplots", "sitefinder:exportprofile", "sitefinder:explainplot", "sitefinder:sensitivity",
              "sitefinder:report", "sitefinder:surface", "sitefinder:topsites"}
PLUGIN_RUN = Path(__file__).with_name("plugin_run.py")
NOT_IN_QGIS = ["geopandas", "shapely", "scipy", "osmium", "pandas", "pyproj", "pyogrio", "matplotlib", "rasterio"]


def _plugin_run(*args: str) -> dict:
    """Run ``plugin_run.py`` in a fresh QGIS process and return its report."""
    done = subprocess.run([sys.executable, str(PLUGIN_RUN), *args], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    line = next((x for x in done.stdout.splitlines() if x.startswith("REPORT ")), None)
    assert line is not None, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(line[len("REPORT "):])


def test_provider_and_algorithms_register():
    provider = registry().providerById("sitefinder")
    assert provider is not None
    assert {a.id() for a in provider.algorithms()} == ALGORITHMS
    assert not provider.icon().isNull()
    for alg in provider.algorithms():
        assert alg.displayName() and alg.group() and not alg.icon().isNull()
        assert registry().createAlgorithmById(alg.id()) is not alg  # fresh instances for batch mode and models
        assert alg.createInstance().name() == alg.name()


def test_every_parameter_has_help_shown_in_the_dialog():
    for alg_id in ALGORITHMS:
        alg = registry().algorithmById(alg_id)
        params = alg.parameterDefinitions()
        assert params
        for p in params:
            assert len(p.help()) > 20, (alg_id, p.name())
            assert p.help() in alg.shortHelpString()
        # No parameter is hidden from the dialog, batch mode or the Model Designer.
        assert not any(p.flags() & QgsProcessingParameterDefinition.FlagHidden for p in params)


def test_unload_removes_the_provider_and_it_comes_back():
    PLUGIN.unload()
    assert registry().providerById("sitefinder") is None
    PLUGIN.initProcessing()
    assert {a.id() for a in registry().providerById("sitefinder").algorithms()} == ALGORITHMS


def test_metadata_is_what_the_plugin_manager_needs():
    meta = configparser.ConfigParser()
    meta.read(PLUGIN_DIR / "sitefinder_qgis" / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    for key in ("name", "description", "about", "version", "author", "tracker", "repository", "homepage"):
        assert general[key].strip(), key
    assert (PLUGIN_DIR / "sitefinder_qgis" / general["icon"]).is_file()
    assert general["homepage"].endswith("docs/qgis.md")


def test_the_built_zip_installs_and_runs_on_debian_numpy_without_geopandas_pandas_or_matplotlib(oslo, tmp_path):
    subprocess.run([sys.executable, str(ROOT / "qgis_plugin" / "tools" / "build_zip.py"), str(tmp_path)], check=True)
    [zip_path] = tmp_path.glob("sitefinder_qgis-*.zip")
    plugins = tmp_path / "plugins"
    with zipfile.ZipFile(zip_path) as zf:
        assert not [n for n in zf.namelist() if not n.startswith("sitefinder_qgis/") or "__pycache__" in n]
        zf.extractall(plugins)  # what "Install from ZIP" does, into the profile's python/plugins
    report = _plugin_run("--block", ",".join(NOT_IN_QGIS), "--plugins", str(plugins),
                         "--gpkg", str(oslo.gpkg), "--osm", str(require(OSLO_PBF)))
    assert report["loaded"] and report["plugin_file"].startswith(str(plugins))
    assert set(report["algorithms"]) == ALGORITHMS
    assert report["numpy_file"].startswith("/usr/lib/python3/dist-packages/")  # Debian's numpy, not a wheel
    assert report["numpy"] == numpy.__version__ and report["numpy"].startswith("1.")
    n = oslo.library["layers"]["n_plots"]
    for source in ("layers", "osm_file"):
        run = report["runs"][source]
        assert run.get("features") == n, run  # every plot written once
        assert run["scored"] > 300
    for step in ("scoreplots", "explainplot", "sensitivity", "topsites", "report", "surface"):
        assert report["runs"][step] == {"error": None}, step  # every algorithm runs without the blocked modules
    assert report["imported"] == []


@pytest.mark.parametrize("missing", ["numba", "sitefinder"])
def test_without_the_library_the_plugin_loads_and_says_what_to_install(missing):
    report = _plugin_run("--block", missing)
    assert report["provider"] and set(report["algorithms"]) == ALGORITHMS
    can, why = report["can_execute"]
    error = report["runs"]["run"]["error"]
    assert not can
    for message in (why, error):
        assert "Traceback" not in message
        assert "cannot be imported" in message and missing in message
        assert '-m pip install' in message and '"numba>=0.59"' in message and "--no-deps sitefinder" in message
        assert f'"numpy=={numpy.__version__}"' in message  # never let pip replace QGIS's numpy
    if missing == "sitefinder":
        assert report["profile_options"] == ["(sitefinder is not installed: see the help)"]
    else:
        assert "coworking" in report["profile_options"]  # the profile list needs the library, not numba


def test_docs_show_both_screenshots():
    text = (ROOT / "docs" / "qgis.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\((img/[^)]+\.png)\)", text)
    assert {"img/qgis-dialog.png", "img/qgis-result.png"} <= set(images)
    for rel in images:
        png = ROOT / "docs" / rel
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert 5_000 < png.stat().st_size < 400_000  # small, but not blank
