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


def output_fields(input_fields: QgsFields, table_columns: list[str], withheld: tuple[str, ...] = (),
                  ) -> tuple[QgsFields, list[str]]:
    """Input fields (one named like an explanation column gets the suffix ``_input``, as in the library) + new ones.

    Columns named in ``withheld`` (see :func:`output_names` and
    :func:`sitefinder.decision.privacy.withheld_columns`) are left out.

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
        if copy.name() not in withheld:
            fields.append(copy)
    for name in table_columns:
        if name not in withheld:
            fields.append(QgsField(name, _TYPES.get(name, QVariant.Double)))
    return fields, renamed


def output_names(input_fields: QgsFields, table_columns: list[str]) -> list[str]:
    """Every column name of the scored layer before anything is withheld."""
    names = [f"{f.name()}_input" if f.name() in table_columns else f.name() for f in input_fields]
    return names + list(table_columns)


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
                 reporter: Reporter, withheld: tuple[str, ...] = (), reasons: list[str] | None = None) -> None:
    """Write every plot once, in the source's order, with its explanation values.

    ``fids`` are the feature ids in the order the plots were read (the table's
    row order). Columns in ``withheld`` are left out; ``reasons`` replaces the
    exclusion reasons (redacted ones).
    """
    all_columns = explanation_columns(table.profile)
    columns = [c for c in all_columns if c not in withheld]
    names = output_names(plots.fields, all_columns)
    keep = [i for i, name in enumerate(names[:len(plots.fields)]) if name not in withheld]
    row_of = {fid: i for i, fid in enumerate(fids)}
    values = [reasons if c == "exclusion_reason" and reasons is not None else table.columns[c] for c in columns]
    # Not a reporter.step: a cancel now would leave a half-written layer, and writing is quick.
    reporter.start("writing the scored layer", len(fids))
    for n, feature in enumerate(plots.features(), start=1):
        i = row_of[feature.id()]
        out = QgsFeature(fields)
        out.setGeometry(feature.geometry())
        attributes = feature.attributes()
        out.setAttributes([attributes[k] for k in keep] + [_value(c, v[i]) for c, v in zip(columns, values)])
        if not sink.addFeature(out, QgsFeatureSink.FastInsert):  # e.g. a point in a polygon layer
            raise InputError(f"plot {feature.id()} could not be written to the output "
                             f"({sink.lastError() or 'its geometry type does not fit the layer'}); "
                             "does the plots layer mix points and polygons? Score each type as its own layer")
        if n % 1000 == 0:
            reporter.advance(1000)
    reporter.finish()


class PublicCopy:
    """Copies of a scored layer's features for a derived output: withheld fields left out, exclusion reasons
    redacted (the privacy rules of :mod:`sitefinder.decision.privacy`), new fields added at the front or back.

    Parameters
    ----------
    source_fields : QgsFields
        The scored layer's fields.
    drop : set of str
        Field names to leave out (withheld columns and fields the output replaces).
    redact : callable, optional
        ``str -> str`` for the exclusion reason; ``None`` keeps it.
    before, after : list of QgsField
        Fields the output adds.
    """

    def __init__(self, source_fields: QgsFields, drop: set[str], redact=None, before=(), after=()):
        names = [f.name() for f in source_fields]
        self.keep = [i for i, n in enumerate(names) if n not in drop]
        self.reason_at = names.index("exclusion_reason") if "exclusion_reason" in names else -1
        self.redact = redact
        self.fields = QgsFields()
        for field in list(before) + [source_fields[i] for i in self.keep] + list(after):
            self.fields.append(field)

    def feature(self, feature: QgsFeature, before=(), after=()) -> QgsFeature:
        """A copy of ``feature`` (geometry and kept attributes) with the added values."""
        attributes = feature.attributes()
        if self.redact is not None and self.reason_at >= 0 and isinstance(attributes[self.reason_at], str):
            attributes[self.reason_at] = self.redact(attributes[self.reason_at])
        out = QgsFeature(self.fields)
        out.setGeometry(feature.geometry())
        out.setAttributes(list(before) + [attributes[k] for k in self.keep] + list(after))
        return out


def public_copy(source_fields: QgsFields, profile, layers: tuple[str, ...], include: bool, replaced=(),
                before=(), after=()) -> PublicCopy:
    """A :class:`PublicCopy` for a scored layer under the privacy choice (``include``: keep everything)."""
    from sitefinder.decision.privacy import redact_reasons, withheld_columns

    names = [f.name() for f in source_fields]
    drop = set(replaced) | (set() if include else set(withheld_columns(profile, layers, names)))
    redact = None if include or not layers else (lambda reason: redact_reasons([reason], profile, layers)[0])
    return PublicCopy(source_fields, drop, redact, before, after)
