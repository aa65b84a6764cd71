"""The provider's algorithms, one module each.

To add one, write a module with a :class:`~.base.SitefinderAlgorithm`
subclass and list it in :data:`ALGORITHMS`.
"""

from .export_profile import ExportProfile
from .score_plots import ScorePlots

ALGORITHMS = [ScorePlots, ExportProfile]
