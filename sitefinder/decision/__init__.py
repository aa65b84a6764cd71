"""Decision support on scored plots: explain, compare, sensitivity, top sites, report, privacy.

Everything here works on a scored table — the output of
:func:`sitefinder.score` or a file written by ``sitefinder score`` (read with
:func:`read_scored`) — plus the profile recorded with it. Criterion scores do
not depend on the weights, so re-weighting never re-measures.

The numerical parts take plain arrays so the QGIS plugin can call them
without geopandas: :mod:`.sensitivity` (one-at-a-time and Monte-Carlo),
:func:`.topsites.select_sites`, and the weights in
:mod:`sitefinder.core.weights` (AHP, rank-sum, ROC).
"""

from .compare import compare, compare_chart, format_comparison
from .explain import explain, format_explanation
from .report import write_report
from .scored import find_plots, read_scored, score_table, scored_profile, write_scored
from .sensitivity import analyse_sensitivity
from .topsites import select_sites, top_sites

__all__ = [
    "compare", "compare_chart", "explain", "find_plots", "format_comparison", "format_explanation", "read_scored",
    "analyse_sensitivity", "score_table", "scored_profile", "select_sites", "top_sites", "write_report", "write_scored",
]
