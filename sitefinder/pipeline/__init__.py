"""The scoring pipeline every face calls: arrays in, a score table out.

It depends on :mod:`sitefinder.core` and the profile loader only (numpy,
numba, stdlib), so the QGIS plugin runs it without geopandas. Faces turn
their layers into :class:`PlotArrays`, :class:`FeatureArrays` and
:class:`NetworkArrays` at the edge, build a :class:`Study` once, and call
:func:`score_arrays` for each profile.
"""

from .inputs import FeatureArrays, NetworkArrays, PlotArrays
from .scoring import ScoreTable, score_arrays
from .study import Study

__all__ = ["FeatureArrays", "NetworkArrays", "PlotArrays", "ScoreTable", "Study", "score_arrays"]
