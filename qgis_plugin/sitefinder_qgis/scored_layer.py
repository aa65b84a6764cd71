"""Scored layers in QGIS: record the run metadata with them, read them back as plain columns.

A scored output describes itself as in the library (:mod:`sitefinder.decision.scored`):
the profile's TOML text, the weights, the data sources and the sensitive
layers are stored with it as JSON under the key ``sitefinder`` — in a
GeoPackage or FlatGeobuf as OGR layer metadata (what ``sitefinder score``
writes, so the command line reads QGIS's outputs and the other way round),
next to other files as ``<file>.sitefinder.json``, and on a memory layer as
the custom property ``sitefinder/metadata`` (saved with the project).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from qgis.core import NULL, QgsFeatureRequest, QgsVectorLayer

from sitefinder.adapters.atomic import atomic_path

METADATA_KEY = "sitefinder"
PROPERTY = "sitefinder/metadata"
SIDECAR_SUFFIX = ".sitefinder.json"
EMBEDDED = (".gpkg", ".fgb")


def _file_and_layer(source: str) -> tuple[Path, str | None]:
    """``/x/y.gpkg|layername=z`` -> (Path, "z")."""
    path, *options = source.split("|")
    layer = next((o.split("=", 1)[1] for o in options if o.startswith("layername=")), None)
    return Path(path), layer


def write_metadata(destination: str, meta: dict, layer: QgsVectorLayer | None = None) -> None:
    """Store ``meta`` with a written output (the file must be closed) or on a memory ``layer``."""
    text = json.dumps(meta, ensure_ascii=False)
    path, name = _file_and_layer(destination)
    if path.is_file() and path.suffix.lower() in EMBEDDED:
        from osgeo import gdal

        ds = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_UPDATE)
        if ds is not None:
            target = ds.GetLayerByName(name) if name else ds.GetLayer(0)
            target.SetMetadataItem(METADATA_KEY, text)
            ds = None  # GDAL writes the metadata on close
            return
    if path.is_file():
        with atomic_path(path.with_name(path.name + SIDECAR_SUFFIX)) as tmp:
            tmp.write_text(text, encoding="utf-8")
    if layer is not None:
        layer.setCustomProperty(PROPERTY, text)


def read_metadata(layer: QgsVectorLayer) -> dict:
    """The run metadata recorded with a scored layer, or ``{}`` (written by another tool)."""
    text = layer.customProperty(PROPERTY)
    if not text:
        path, name = _file_and_layer(layer.source())
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if path.suffix.lower() in EMBEDDED and path.is_file():
            from osgeo import gdal

            ds = gdal.OpenEx(str(path), gdal.OF_VECTOR)
            if ds is not None:
                source = ds.GetLayerByName(name) if name else ds.GetLayer(0)
                text = source.GetMetadataItem(METADATA_KEY) if source is not None else None
                ds = None
        elif sidecar.is_file():
            text = sidecar.read_text(encoding="utf-8")
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def _cell(value):
    if value is None or value == NULL:
        return None
    if hasattr(value, "isNull") and value.isNull():
        return None
    return value


@dataclass
class ScoredLayer:
    """A scored layer read into plain columns.

    Attributes
    ----------
    columns : dict of str -> ndarray of object
        Every field (the data source's primary key, e.g. a GeoPackage's
        ``fid``, only in ``key_columns``), NULL as ``None``.
    key_columns : dict of str -> ndarray
        Primary-key fields, usable as plot ids when named.
    fids : list of int
        Feature ids, in reading order (the rows).
    meta : dict
        Recorded run metadata (``{}`` when none).
    """

    columns: dict
    key_columns: dict
    fids: list
    meta: dict

    @property
    def n(self) -> int:
        return len(self.fids)

    def labels(self, id_field: str | None):
        """Plot ids and the field they come from (row numbers from 0 without an id field, as the library)."""
        from sitefinder.decision.columns import plot_labels_from

        if id_field and id_field in self.key_columns:
            return np.array([str(v) for v in self.key_columns[id_field]], dtype=object), id_field
        return plot_labels_from(self.columns, self.n, id_field or None)


def read_scored_layer(layer: QgsVectorLayer, feedback=None) -> ScoredLayer:
    """Every attribute of ``layer`` and its metadata (no geometry)."""
    fields = layer.fields()
    keys = set(layer.dataProvider().pkAttributeIndexes()) if layer.dataProvider() is not None else set()
    names = [f.name() for f in fields]
    values: list[list] = [[] for _ in names]
    fids = []
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
    for n, feature in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 1000 == 0 and feedback.isCanceled():
            from sitefinder.errors import Cancelled

            raise Cancelled()
        fids.append(feature.id())
        for column, value in zip(values, feature.attributes()):
            column.append(_cell(value))
    arrays = {name: np.array(v, dtype=object) for name, v in zip(names, values)}
    key_columns = {names[i]: arrays.pop(names[i]) for i in sorted(keys)}
    return ScoredLayer(arrays, key_columns, fids, read_metadata(layer))


def float_or_none(value) -> float | None:
    """A number for a QGIS attribute (``None`` for NaN)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value
