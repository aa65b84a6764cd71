"""Well-known binary (WKB) geometries to the core's ragged arrays, with numpy only.

Faces that have no shapely — the QGIS plugin, the GDAL OpenStreetMap reader —
export each geometry as WKB (``QgsGeometry.asWkb()``, OGR's
``ExportToIsoWkb()``) and turn it into :class:`~sitefinder.core.geometry.Ragged`
here. The layout matches :func:`sitefinder.adapters.geometry.to_ragged`: per
geometry, the rings of its polygons first, then its other parts (lines,
points); Z and M values are dropped.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

import numpy as np

from ..core.geometry import Ragged

TYPE_NAMES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon", 7: "GeometryCollection"}
# EWKB (PostGIS, OGR's ExportToWkb) flags in the type word.
_EWKB_Z, _EWKB_M, _EWKB_SRID = 0x80000000, 0x40000000, 0x20000000


class Pieces(NamedTuple):
    """One geometry taken apart: its type name, polygon rings and other parts (each an (n, 2) array)."""

    type_name: str
    rings: list[np.ndarray]
    others: list[np.ndarray]

    @property
    def is_empty(self) -> bool:
        return not self.rings and not self.others


def parse_wkb(blob: bytes) -> Pieces:
    """Take one WKB or ISO/EWKB geometry apart.

    Raises
    ------
    ValueError
        For curved or other types outside the simple features above
        (segmentize curves first) and for truncated data.

    Examples
    --------
    >>> import struct
    >>> blob = struct.pack("<BII4d", 1, 2, 2, 0.0, 0.0, 3.0, 4.0)   # LINESTRING (0 0, 3 4)
    >>> p = parse_wkb(blob)
    >>> p.type_name, p.others[0].tolist()
    ('LineString', [[0.0, 0.0], [3.0, 4.0]])
    """
    buf = memoryview(bytes(blob))
    rings: list[np.ndarray] = []
    others: list[np.ndarray] = []
    try:
        code, _ = _read(buf, 0, rings, others)
    except struct.error:
        raise ValueError("truncated WKB geometry") from None
    return Pieces(TYPE_NAMES[code], rings, others)


def _read(buf: memoryview, pos: int, rings: list, others: list) -> tuple[int, int]:
    """Parse the geometry at ``pos``; return its base type code and the position after it."""
    endian = "<" if buf[pos] == 1 else ">"
    (code,) = struct.unpack_from(endian + "I", buf, pos + 1)
    pos += 5
    has_z, has_m = bool(code & _EWKB_Z), bool(code & _EWKB_M)
    if code & _EWKB_SRID:
        pos += 4
    code &= 0x0FFFFFFF
    base, iso_dims = code % 1000, code // 1000
    has_z |= iso_dims in (1, 3)
    has_m |= iso_dims in (2, 3)
    if base not in TYPE_NAMES:
        raise ValueError(f"unsupported WKB geometry type {code} (curves must be segmentized first)")
    n_dims = 2 + has_z + has_m
    dtype = np.dtype(endian + "f8")

    def coords(count: int, at: int) -> np.ndarray:
        if at + 8 * n_dims * count > len(buf):
            raise struct.error("truncated")
        arr = np.frombuffer(buf, dtype=dtype, count=count * n_dims, offset=at).reshape(count, n_dims)
        return arr[:, :2].astype(np.float64)

    if base == 1:
        xy = coords(1, pos)
        if not np.isnan(xy).all():  # POINT EMPTY is written as NaN coordinates
            others.append(xy)
        return base, pos + 8 * n_dims
    (count,) = struct.unpack_from(endian + "I", buf, pos)
    pos += 4
    if base == 2:
        if count:
            others.append(coords(count, pos))
        return base, pos + 8 * n_dims * count
    if base == 3:
        for _ in range(count):
            (n,) = struct.unpack_from(endian + "I", buf, pos)
            if n:
                rings.append(coords(n, pos + 4))
            pos += 4 + 8 * n_dims * n
        return base, pos
    for _ in range(count):  # multi-geometries and collections
        _, pos = _read(buf, pos, rings, others)
    return base, pos


def ragged_from_pieces(pieces: list[Pieces | None], polygons_only: bool = False) -> Ragged:
    """One Ragged entry per geometry: its rings, then (unless ``polygons_only``) its other parts.

    ``None`` entries (missing or unusable geometries) get no parts.
    """
    parts: list[np.ndarray] = []
    per_geom = np.zeros(len(pieces), np.int64)
    for g, p in enumerate(pieces):
        if p is None:
            continue
        chosen = p.rings if polygons_only else p.rings + p.others
        parts.extend(chosen)
        per_geom[g] = len(chosen)
    geom_ptr = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum(per_geom, out=geom_ptr[1:])
    part_ptr = np.zeros(len(parts) + 1, np.int64)
    np.cumsum([a.shape[0] for a in parts], out=part_ptr[1:])
    xy = np.concatenate(parts) if parts else np.empty((0, 2))
    return Ragged(np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), part_ptr, geom_ptr)


def wkb_to_ragged(blobs: list[bytes | None], polygons_only: bool = False) -> Ragged:
    """WKB geometries (``None`` allowed) as ragged arrays; see :func:`ragged_from_pieces`."""
    return ragged_from_pieces([parse_wkb(b) if b is not None else None for b in blobs], polygons_only)
