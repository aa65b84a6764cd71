"""Decision support on scored plots: explain, compare, sensitivity, top sites, report, privacy.

Everything here works on a scored table — the output of
:func:`sitefinder.score` or a file written by ``sitefinder score`` (read with
:func:`read_scored`) — plus the profile recorded with it. Criterion scores do
not depend on the weights, so re-weighting never re-measures.

The numerical parts take plain arrays and import neither geopandas nor
pandas, so the QGIS plugin can call them: :mod:`.sensitivity`
(one-at-a-time and Monte-Carlo), :func:`.topsites.select_sites`, and the
weights in :mod:`sitefinder.core.weights` (AHP, rank-sum, ROC). The names
below are therefore imported lazily.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "compare": "comparison", "compare_chart": "comparison", "format_comparison": "comparison",
    "explain": "explanation", "format_explanation": "explanation",
    "write_report": "report",
    "find_plots": "scored", "read_scored": "scored", "score_table": "scored", "scored_profile": "scored",
    "write_scored": "scored",
    "analyse_sensitivity": "sensitivity",
    "select_sites": "topsites", "top_sites": "topsites",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'sitefinder.decision' has no attribute {name!r}")
