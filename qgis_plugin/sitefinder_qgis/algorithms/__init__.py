"""The provider's algorithms, one module each.

To add one, write a module with a :class:`~.base.SitefinderAlgorithm`
subclass and list it in :data:`ALGORITHMS`.
"""

from .explain_plot import ExplainPlot
from .export_profile import ExportProfile
from .report import Report
from .score_plots import ScorePlots
from .sensitivity import Sensitivity
from .surface import Surface
from .top_sites import TopSites

ALGORITHMS = [ScorePlots, Surface, ExplainPlot, Sensitivity, TopSites, Report, ExportProfile]
