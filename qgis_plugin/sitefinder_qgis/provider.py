"""The sitefinder Processing provider: one algorithm per module in :mod:`.algorithms`."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS

ICON = Path(__file__).resolve().parent / "icon.svg"


class SitefinderProvider(QgsProcessingProvider):
    """Provider id ``sitefinder``: algorithms are called ``sitefinder:<name>``."""

    def id(self) -> str:
        return "sitefinder"

    def name(self) -> str:
        return "sitefinder"

    def longName(self) -> str:  # noqa: N802 (QGIS's name)
        return "sitefinder — site suitability by walking distance"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:  # noqa: N802 (QGIS's name)
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
