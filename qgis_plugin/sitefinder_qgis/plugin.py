"""The QGIS plugin object: registers the Processing provider."""

from __future__ import annotations

from qgis.core import QgsApplication

from .provider import SitefinderProvider


class SitefinderPlugin:
    """Adds the sitefinder Processing provider (toolbox, batch mode, Model Designer)."""

    def __init__(self, iface=None):
        self.iface = iface
        self.provider: SitefinderProvider | None = None

    def initProcessing(self) -> None:  # noqa: N802 (QGIS's name)
        """Register the provider; QGIS calls this for plugins with ``hasProcessingProvider=yes``."""
        if self.provider is None:
            self.provider = SitefinderProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 (QGIS's name)
        self.initProcessing()

    def unload(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
