"""sitefinder: score candidate plots by walking distance to transit, services and neighbours.

The Python API (geopandas) is imported lazily so that :mod:`sitefinder.core`
and :mod:`sitefinder.pipeline` stay importable inside QGIS without geopandas.

>>> import sitefinder
>>> sitefinder.list_profiles()
['coworking', 'smahus-integrated', 'smahus-shielded']
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import InputError, ProfileError, SitefinderError
from .profiles import list_profiles, load_profile, profile_text

_LAZY = {"score": "api", "load_study": "api", "StudyArea": "api", "read_osm": "adapters.osm",
         "surface": "api", "write_surface": "api", "read_gtfs": "adapters.gtfs"}
# Decision support (sitefinder.decision): explain, compare, sensitivity, top sites, report.
_LAZY.update({name: "decision" for name in (
    "analyse_sensitivity", "compare", "explain", "read_scored", "top_sites", "write_report", "write_scored")})

__all__ = [
    "InputError", "ProfileError", "SitefinderError", "StudyArea", "__version__", "analyse_sensitivity", "compare",
    "explain", "list_profiles", "load_profile", "load_study", "profile_text", "read_gtfs", "read_osm", "read_scored",
    "score", "surface", "top_sites", "write_report", "write_scored", "write_surface",
]


def __getattr__(name: str):
    import importlib

    if name == "decision":
        return importlib.import_module(".decision", __name__)
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'sitefinder' has no attribute {name!r}")
