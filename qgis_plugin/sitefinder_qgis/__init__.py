"""sitefinder for QGIS: a Processing provider for site-suitability scoring.

QGIS calls :func:`classFactory` when the plugin is enabled. Nothing here
imports sitefinder or numba: the plugin loads without them, and its
algorithms say what to install.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """Create the plugin (QGIS entry point)."""
    from .plugin import SitefinderPlugin

    return SitefinderPlugin(iface)
