"""Shapely geometries to the core's ragged arrays."""

from __future__ import annotations

import numpy as np
import shapely

from ..core.geometry import Ragged
from .layer_rules import LINE_TYPES, POINT_TYPES, POLYGON_TYPES  # noqa: F401  (re-exported)


def to_ragged(geoms: np.ndarray, polygons_only: bool = False) -> Ragged:
    """One entry per geometry: polygon rings, line parts or points as parts.

    Parameters
    ----------
    geoms : ndarray of shapely geometries (``None``/empty allowed: no parts)
    polygons_only : bool
        Keep only polygon rings (other geometries get no parts).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = geoms.shape[0]
    parts, owner = shapely.get_parts(geoms, return_index=True)
    type_id = shapely.get_type_id(parts)
    is_poly = type_id == 3
    rings, ring_of = shapely.get_rings(parts[is_poly], return_index=True)
    ring_owner = owner[is_poly][ring_of]
    if polygons_only:
        pieces, piece_owner = rings, ring_owner
    else:
        pieces = np.concatenate([rings, parts[~is_poly]])
        piece_owner = np.concatenate([ring_owner, owner[~is_poly]])
    order = np.argsort(piece_owner, kind="stable")
    pieces, piece_owner = pieces[order], piece_owner[order]
    coords, coord_piece = shapely.get_coordinates(pieces, return_index=True)
    part_ptr = np.zeros(pieces.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(coord_piece, minlength=pieces.shape[0]), out=part_ptr[1:])
    geom_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(piece_owner, minlength=n), out=geom_ptr[1:])
    return Ragged(
        np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1]), part_ptr, geom_ptr,
    )
