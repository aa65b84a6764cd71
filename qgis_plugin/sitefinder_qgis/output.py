"""The scored layer: every input feature and field, plus the library's explanation columns."""

from __future__ import annotations

import math

from qgis.core import QgsFeature, QgsFeatureSink, QgsField, QgsFields
from qgis.PyQt.QtCore import QVariant

from sitefinder.errors import InputError
from sitefinder.pipeline import ScoreTable
from sitefinder.pipeline.scoring import explanation_columns
from sitefinder.progress import Reporter

from .layers import LayerInput

_TYPES = {"excluded": QVariant.Bool, "exclusion_reason": QVariant.String, "distance_mode": QVariant.String,
          "rank": QVariant.Int}


def output_fields(input_fields: QgsFields, table_columns: list[str]) -> tuple[QgsFields, list[str]]:
    """Input fields (one named like an explanation column gets the suffix ``_input``, as in the library) + new ones.

    Returns
    -------
    fields : QgsFields
    renamed : list of str
        Input fields that were renamed.
    """
    fields = QgsFields()
    renamed = []
    for field in input_fields:
        copy = QgsField(field)
        if field.name() in table_columns:
            copy.setName(f"{field.name()}_input")
            renamed.append(field.name())
        fields.append(copy)
    for name in table_columns:
        fields.append(QgsField(name, _TYPES.get(name, QVariant.Double)))
    return fields, renamed


def _value(name: str, value):
    if name == "rank":
        return int(value) if value > 0 else None  # 0 = excluded: no rank
    if name == "excluded":
        return bool(value)
    if isinstance(value, str):
        return value
    value = float(value)
    return None if math.isnan(value) else value


def write_scored(plots: LayerInput, fids: list[int], table: ScoreTable, sink, fields: QgsFields,
                 reporter: Reporter) -> None:
    """Write every plot once, in the source's order, with its explanation values.

    ``fids`` are the feature ids in the order the plots were read (the table's row order).
    """
    columns = explanation_columns(table.profile)
    row_of = {fid: i for i, fid in enumerate(fids)}
    values = [table.columns[name] for name in columns]
    # Not a reporter.step: a cancel now would leave a half-written layer, and writing is quick.
    reporter.start("writing the scored layer", len(fids))
    for n, feature in enumerate(plots.features(), start=1):
        i = row_of[feature.id()]
        out = QgsFeature(fields)
        out.setGeometry(feature.geometry())
        out.setAttributes(list(feature.attributes()) + [_value(c, v[i]) for c, v in zip(columns, values)])
        if not sink.addFeature(out, QgsFeatureSink.FastInsert):  # e.g. a point in a polygon layer
            raise InputError(f"plot {feature.id()} could not be written to the output "
                             f"({sink.lastError() or 'its geometry type does not fit the layer'}); "
                             "does the plots layer mix points and polygons? Score each type as its own layer")
        if n % 1000 == 0:
            reporter.advance(1000)
    reporter.finish()
