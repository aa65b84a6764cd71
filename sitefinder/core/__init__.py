"""sitefinder's numeric core: arrays in, arrays out; numpy and numba only.

This package must import and run inside QGIS (whose numpy may be 1.x) with
no geopandas, shapely or scipy. Modules:

graph      CSR graph from geometric edges
paths      shortest-path kernels (nearest, k nearest, within radius)
access     points part-way along edges -> node seeds and back
snap       nearest point on the nearest edge
euclidean  straight-line versions of the path kernels
geometry   ragged geometry arrays: densify, point in polygon
transforms value functions to 0–1
aggregate  weighted combination, contributions, rank
"""

from .graph import Graph, build_graph, reverse_graph

__all__ = ["Graph", "build_graph", "reverse_graph"]
