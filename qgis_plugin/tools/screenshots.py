"""Screenshots for docs/qgis.md: the Score plots dialog and a styled result, taken in real QGIS.

Run under a virtual X server (``make screenshots`` runs ``xvfb-run``) with
QGIS's Python and sitefinder installed (``.venv-qgis``). It scores OSM
building footprints of central Oslo (the shared OpenStreetMap extract) with
the smahus-integrated profile and writes ``docs/img/qgis-dialog.png`` and
``docs/img/qgis-result.png``.

Usage: ``python qgis_plugin/tools/screenshots.py [SHARED_DATA_DIR]``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SITEFINDER_DATA", ROOT.parent / "shared" / "data"))
OSM = SHARED / "oslo" / "oslo-center.osm.pbf"
OUT = ROOT / "docs" / "img"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
PROFILE = "smahus-integrated"
# Sentrum, Grünerløkka and Tøyen (lon/lat): enough blocks to show contrast, few enough to see them.
MAP_EXTENT = (10.735, 59.907, 10.775, 59.93)

sys.path[:0] = ["/usr/share/qgis/python/plugins", str(ROOT / "qgis_plugin")]

from qgis.core import (  # noqa: E402
    QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsLayout, QgsLayoutExporter, QgsLayoutItemLabel,
    QgsLayoutItemLegend, QgsLayoutItemMap, QgsLayoutItemScaleBar, QgsLayoutPoint, QgsLayoutSize, QgsProject,
    QgsRectangle, QgsUnitTypes, QgsVectorLayer,
)
from qgis.gui import QgisInterface, QgsBrowserGuiModel, QgsMapCanvas  # noqa: E402
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QFont, QImage  # noqa: E402
from qgis.PyQt.QtWidgets import QMainWindow  # noqa: E402
from qgis.testing import start_app  # noqa: E402

APP = start_app(cleanup=False)  # see main(): no teardown
# Processing's dialogs look for QGIS's main window through qgis.utils.iface: give them one.
WINDOW = QMainWindow()
IFACE = mock.Mock(spec=QgisInterface)
IFACE.mainWindow.return_value = WINDOW
IFACE.mapCanvas.return_value = QgsMapCanvas(WINDOW)
IFACE.browserModel.return_value = QgsBrowserGuiModel()
IFACE.activeLayer.return_value = None
import qgis.utils  # noqa: E402

qgis.utils.iface = IFACE

import processing  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import sitefinder_qgis  # noqa: E402

PLUGIN = sitefinder_qgis.classFactory(IFACE)  # keep a reference: it owns the provider
PLUGIN.initProcessing()


def buildings() -> QgsVectorLayer:
    """OSM building footprints in the map extent, as the plots layer (GDAL's default OSM reading)."""
    layer = QgsVectorLayer(f"{OSM}|layername=multipolygons", "Buildings (OSM)", "ogr")
    layer.setSubsetString("building IS NOT NULL")
    assert layer.isValid(), OSM
    QgsProject.instance().addMapLayer(layer)
    return layer


def dialog_screenshot(plots: QgsVectorLayer) -> None:
    dialog = processing.createAlgorithmDialog("sitefinder:scoreplots", {
        "PLOTS": plots.id(), "PROFILE": PROFILE, "OSM": str(OSM), "WEIGHTS": "transit=3",
    })
    dialog.resize(QSize(1000, 720))
    dialog.show()
    for _ in range(20):
        APP.processEvents()
    dialog.grab().save(str(OUT / "qgis-dialog.png"), "PNG")
    dialog.close()


def result_screenshot(plots: QgsVectorLayer) -> None:
    target = Path(tempfile.mkdtemp()) / "scored.gpkg"
    plots.setSubsetString("building IS NOT NULL")
    result = processing.runAndLoadResults("sitefinder:scoreplots", {
        "PLOTS": plots, "PROFILE": PROFILE, "OSM": str(OSM), "OUTPUT": str(target),
    })
    [scored] = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source().startswith(result["OUTPUT"])]
    scored.setName(f"Scored plots: {PROFILE}")
    QgsProject.instance().layerTreeRoot().findLayer(plots.id()).setItemVisibilityChecked(False)

    layout = QgsLayout(QgsProject.instance())
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(246, 150, QgsUnitTypes.LayoutMillimeters))
    item = QgsLayoutItemMap(layout)
    item.attemptMove(QgsLayoutPoint(5, 5, QgsUnitTypes.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(160, 140, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(item)
    item.setLayers([scored])
    utm = QgsCoordinateReferenceSystem("EPSG:25832")
    item.setCrs(utm)
    box = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), utm,
                                 QgsProject.instance()).transformBoundingBox(QgsRectangle(*MAP_EXTENT))
    # Widen the box to the map item's shape, so that setExtent keeps the item's size.
    rect = item.rect()
    width = max(box.width(), box.height() * rect.width() / rect.height())
    box = QgsRectangle(box.center().x() - width / 2, box.center().y() - width * rect.height() / rect.width() / 2,
                       box.center().x() + width / 2, box.center().y() + width * rect.height() / rect.width() / 2)
    item.setExtent(box)
    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(item)
    legend.setTitle("sitefinder score")
    legend.setAutoUpdateModel(False)
    legend.model().rootGroup().clear()
    legend.model().rootGroup().addLayer(scored)
    legend.attemptMove(QgsLayoutPoint(170, 8, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(legend)
    label = QgsLayoutItemLabel(layout)
    # Reasons differ by their first number ("plot area 312 m² is below ..."): count them without it.
    reasons = Counter(re.sub(r"\d[\d ,.]*\d|\d", "…", f["exclusion_reason"], count=1)
                      for f in scored.getFeatures() if f["excluded"])
    label.setText(f"Central Oslo: {scored.featureCount()} OpenStreetMap building footprints scored with the "
                  f"{PROFILE} profile. Grey: {sum(reasons.values())} excluded, most often: "
                  f"{reasons.most_common(1)[0][0]}.\n{ATTRIBUTION}")
    label.setFont(QFont("DejaVu Sans", 7))
    label.attemptMove(QgsLayoutPoint(170, 125, QgsUnitTypes.LayoutMillimeters))
    label.attemptResize(QgsLayoutSize(68, 20, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(label)
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(item)
    bar.applyDefaultSize(QgsUnitTypes.DistanceMeters)
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setUnitsPerSegment(250)
    bar.setUnitLabel("m")
    bar.setBackgroundEnabled(True)
    bar.attemptMove(QgsLayoutPoint(8, 130, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(bar)
    image = QgsLayoutExporter(layout).renderPageToImage(0, QSize(), 100)
    # A palette image: the map has few colours, and the docs want small files.
    image.convertToFormat(QImage.Format_Indexed8).save(str(OUT / "qgis-result.png"), "PNG")


def main() -> None:
    if not OSM.is_file():
        sys.exit(f"screenshots need the Oslo extract: {OSM} not found")
    OUT.mkdir(parents=True, exist_ok=True)
    plots = buildings()
    dialog_screenshot(plots)
    result_screenshot(plots)
    for name in ("qgis-dialog.png", "qgis-result.png"):
        print(f"wrote {OUT / name} ({(OUT / name).stat().st_size // 1024} KiB)")
    shutil.rmtree(os.environ["QGIS_CUSTOM_CONFIG_PATH"], ignore_errors=True)
    sys.stdout.flush()
    os._exit(0)  # QGIS may crash while tearing down a script's application; the files are written


if __name__ == "__main__":
    main()
