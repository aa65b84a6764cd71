"""The siting rules shared by 'Top sites' and 'Report': parameters, and the choice made with the library's rules.

The rules are :func:`sitefinder.decision.topsites.resolve_rules` (the
profile's ``[selection]`` table unless a value is given here) and the choice
is :func:`~sitefinder.decision.topsites.choose_sites`, so the plugin chooses
the same sites as ``sitefinder topsites``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qgis.core import (
    QgsProcessing, QgsProcessingParameterFeatureSource, QgsProcessingParameterField, QgsProcessingParameterNumber,
)

from . import scored_input as si
from .base import help_text

N_SITES = "N_SITES"
MIN_SPACING = "MIN_SPACING"
MAX_UNITS = "MAX_UNITS"
CAP_RADIUS = "CAP_RADIUS"
UNITS_PER_SITE = "UNITS_PER_SITE"
UNITS_FIELD = "UNITS_FIELD"
EXISTING = "EXISTING"
EXISTING_UNITS_FIELD = "EXISTING_UNITS_FIELD"


def add_site_parameters(alg, n_default: int, n_minimum: int, n_help: str) -> None:
    """Number of sites and the rules (each optional: default from the profile's [selection] table)."""
    alg.addParameter(help_text(QgsProcessingParameterNumber(
        N_SITES, "Number of sites to choose", QgsProcessingParameterNumber.Integer, n_default, minValue=n_minimum),
        n_help))
    for name, label, text in (
        (MIN_SPACING, "Minimum spacing between chosen sites (m)",
         "A plot closer than this (straight line between points inside the plots) to a chosen site is passed "
         "over. Empty: the profile's [selection] min_spacing, else 0."),
        (MAX_UNITS, "Cap: at most this many units together",
         "At most this many units (existing and chosen) within the cap radius of any chosen site — the "
         "småhus rule is 4. Empty: the profile's [selection] max_units, else no cap."),
        (CAP_RADIUS, "Cap radius (m)",
         "The radius of the cap. Empty: the profile's [selection] cap_radius."),
        (UNITS_PER_SITE, "Units per site",
         "Units a chosen site adds (småhus are built in groups of 2–3). Empty: the profile's [selection] "
         "units_per_site, else 1."),
    ):
        alg.addParameter(help_text(QgsProcessingParameterNumber(
            name, label, QgsProcessingParameterNumber.Double, optional=True, minValue=0.0), text))
    alg.addParameter(help_text(QgsProcessingParameterField(
        UNITS_FIELD, "Units per site from field", parentLayerParameterName=si.INPUT,
        type=QgsProcessingParameterField.Numeric, optional=True),
        "A plot field with the units each site would add (replaces 'Units per site'; empty values count 0)."))
    alg.addParameter(help_text(QgsProcessingParameterFeatureSource(
        EXISTING, "Existing units (sensitive)", [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon],
        optional=True),
        "Units that exist already (points or polygons), counted under the cap. Sensitive: their locations and "
        "the counts near each plot are left out of the output unless 'Include sensitive data' is ticked."))
    alg.addParameter(help_text(QgsProcessingParameterField(
        EXISTING_UNITS_FIELD, "Units at each existing location", parentLayerParameterName=EXISTING,
        type=QgsProcessingParameterField.Numeric, optional=True),
        "Field of the existing units layer with the number of units at each location (default 1 each)."))


def _optional_number(alg, parameters, name: str, context) -> float | None:
    value = parameters.get(name)
    if value is None or value == "":
        return None
    return alg.parameterAsDouble(parameters, name, context)


@dataclass
class Sites:
    """The choice: rules (as the report lists them), the array result, and the table rows."""

    rules: dict
    selection: object
    chosen: list
    skipped: list


def choose(alg, parameters, context, scored, profile, include: bool, n_sites: int) -> Sites:
    """Choose ``n_sites`` plots of the scored layer under the rules given in ``parameters``.

    Raises
    ------
    InputError
        Bad rules, a missing field, or an existing units layer without a usable CRS.
    QgsProcessingException
        When the scored layer cannot be read.
    """
    from qgis.core import QgsProcessingException

    from sitefinder.decision.columns import bool_column, float_column
    from sitefinder.decision.topsites import choose_sites, resolve_rules, site_records
    from sitefinder.errors import InputError

    from ..layers import LayerInput, check_crs, inner_points, number, working_crs

    source = alg.parameterAsSource(parameters, si.INPUT, context)
    if source is None:
        raise QgsProcessingException(alg.invalidSourceError(parameters, si.INPUT))
    field = alg.parameterAsString(parameters, UNITS_FIELD, context) or None
    rules = resolve_rules(profile, n_sites, min_spacing=_optional_number(alg, parameters, MIN_SPACING, context),
                          max_units=_optional_number(alg, parameters, MAX_UNITS, context),
                          cap_radius=_optional_number(alg, parameters, CAP_RADIUS, context),
                          units_per_site=_optional_number(alg, parameters, UNITS_PER_SITE, context),
                          units_column=field)
    if field is not None:
        if field not in scored.columns:
            raise InputError(f"the scored plots have no field {field!r} for the units per site")
        units = np.nan_to_num(float_column(scored.columns[field]), nan=0.0)
    else:
        units = np.full(scored.n, rules.units_per_site[0], np.float64)
    transform_context = context.transformContext()
    plots = LayerInput.from_source(source, "scored plots")
    crs = working_crs(plots, transform_context)
    x, y = inner_points(plots, scored.fids, crs, transform_context)
    ex = ey = eu = None
    existing_source = alg.parameterAsSource(parameters, EXISTING, context)
    if existing_source is not None:
        existing = LayerInput.from_source(existing_source, "existing units")
        check_crs(existing, "existing units")
        ex, ey = inner_points(existing, None, crs, transform_context)
        usable = ~np.isnan(ex)
        ex, ey = ex[usable], ey[usable]
        units_field = alg.parameterAsString(parameters, EXISTING_UNITS_FIELD, context) or None
        if units_field is not None:
            values = np.array([number(f[units_field]) for f in existing.features()])  # NULL: nan
            eu = np.nan_to_num(values, nan=1.0)[usable]
    columns = scored.columns
    score = float_column(columns["score"])
    excluded = bool_column(columns["excluded"])
    rank = float_column(columns["rank"]) if "rank" in columns else np.full(scored.n, np.nan)
    result = choose_sites(rules, x, y, score, excluded, units=units, existing_x=ex, existing_y=ey,
                          existing_units=eu)
    labels, _ = scored.labels(alg.parameterAsString(parameters, si.ID_FIELD, context))
    hide = existing_source is not None and not include
    chosen, skipped = site_records(result, rules, labels, score, rank, units, hide_existing=hide)
    return Sites(rules.as_dict(existing_source is not None, hide), result, chosen, skipped)
