"""Sensitive layers: used for scoring, left out of every export and report.

Existing småhus locations and living-conditions data are sensitive
(residents hide where they live, 002:1590–1592; living-conditions surveys
have been withheld from the public, 003:1275–1279). A layer is *sensitive*
when the profile's ``[privacy] sensitive`` list or the user (``--sensitive``)
names it: a feature category or a plot attribute column.

What is withheld (unless the user passes ``include_sensitive``):

* the sensitive features themselves — they are never written or drawn;
* every number computed from a sensitive layer: ``<key>_value``,
  ``<key>_score`` and ``<key>_contribution`` of each criterion that reads
  one (an exact distance from many plots triangulates a location, and the
  score and contribution are the distance through a known curve);
* a sensitive plot attribute column of the input;
* the text of exclusion reasons from rules on those criteria or layers
  (they quote the distance): replaced by :data:`WITHHELD_REASON`;
* file paths of sensitive layers and warnings that name them.

The total ``score`` and ``rank`` are kept: they are what the run is for.
They still carry the sensitive criteria's influence, and anyone who can
recompute the public criteria could subtract them; ``docs/decision.md``
explains this limit and how to live with it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..profiles.schema import Criterion, Profile

WITHHELD_REASON = "excluded by a rule on sensitive data (details withheld)"
WITHHELD_SOURCE = "(sensitive, withheld)"


def sensitive_layers(profile: Profile, *extra: Iterable[str]) -> tuple[str, ...]:
    """The profile's sensitive layers plus any named by the user or recorded in an output, sorted."""
    names = set(profile.sensitive)
    for more in extra:
        names |= {n for n in more or () if n}
    return tuple(sorted(names))


def is_sensitive_criterion(criterion: Criterion, layers: Iterable[str]) -> bool:
    """Whether ``criterion`` reads a sensitive feature category or plot attribute."""
    layers = set(layers)
    return bool(set(criterion.categories) & layers) or (criterion.attribute is not None and criterion.attribute in layers)


def sensitive_criteria(profile: Profile, layers: Iterable[str]) -> tuple[str, ...]:
    """Keys of the criteria whose values are computed from a sensitive layer."""
    layers = tuple(layers)
    return tuple(c.key for c in profile.criteria if is_sensitive_criterion(c, layers))


def withheld_columns(profile: Profile, layers: Iterable[str], columns: Iterable[str]) -> list[str]:
    """The columns of a scored table that must not leave the machine (see the module docstring)."""
    layers = tuple(layers)
    keys = sensitive_criteria(profile, layers)
    derived = {f"{k}_{s}" for k in keys for s in ("value", "score", "contribution")}
    inputs = set(layers) | {f"{name}_input" for name in layers}
    return [c for c in columns if c in derived or c in inputs]


def redact_reasons(reasons: Iterable[str], profile: Profile, layers: Iterable[str]) -> list[str]:
    """Exclusion reasons with every part from a sensitive rule replaced by :data:`WITHHELD_REASON`.

    A reason is several parts joined by ``"; "``. A part is withheld when it
    starts with a sensitive criterion's label (``"Existing units: 120 m is
    below the minimum 200 m"``) or names a sensitive layer by its name or
    label (``"no existing smahus within 500 m"``, ``"inside living
    conditions (area 12)"``: a layer given as ``--features NAME=FILE`` is
    labelled with its name, underscores as spaces).
    """
    layers = tuple(layers)
    prefixes = tuple(f"{profile.criterion(k).label}:" for k in sensitive_criteria(profile, layers))
    fragments = {n.lower() for n in layers} | {n.replace("_", " ").lower() for n in layers}
    out = []
    for reason in reasons:
        if not isinstance(reason, str) or not reason or not layers:
            out.append(reason)
            continue
        parts: list[str] = []
        for part in reason.split("; "):
            hidden = part.startswith(prefixes) or any(f in part.lower() for f in fragments)
            text = WITHHELD_REASON if hidden else part
            if text not in parts:
                parts.append(text)
        out.append("; ".join(parts))
    return out


def redact_metadata_text(items: Iterable[str], layers: Iterable[str]) -> list[str]:
    """Data sources and warnings: those naming a sensitive layer lose their detail."""
    layers = tuple(layers)
    out = []
    for item in items:
        named = [n for n in layers if n in item or n.replace("_", " ") in item]
        if not named:
            out.append(item)
        elif item.startswith("features "):
            out.append(f"features {named[0]!r}: {WITHHELD_SOURCE}")
        # warnings about sensitive layers (how many features, how far) are dropped
    return out


def public_surface(surface, data_sources: list[str], attribution: str, layers: Iterable[str], nodata: float,
                   ) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """What a surface file may hold: its bands (``nan`` as ``nodata``), band descriptions and tags.

    Bands of criteria read from the sensitive ``layers`` are left out, and
    data sources naming them lose their detail. Both faces (the library's
    rasterio writer and the QGIS plugin's GDAL writer) write exactly this.

    Parameters
    ----------
    surface : sitefinder.pipeline.surface.Surface
    layers : iterable of str
        Sensitive layers to leave out (empty when the user asked to include them).
    """
    layers = tuple(layers)
    profile = surface.table.profile
    g = surface.grid.geometry
    hidden = {f"{key}_score" for key in sensitive_criteria(profile, layers)}
    keep = [i for i, name in enumerate(surface.names) if name.split(" ", 1)[0] not in hidden]
    data = redact_metadata_text(data_sources, layers) if layers else list(data_sources)
    tags = {"sitefinder_profile": profile.name, "cell_size_m": f"{g.dx:g}",
            "distance_mode": str(surface.table.columns["distance_mode"][0]) if surface.table.n else "",
            "data": " | ".join(data), "attribution": attribution}
    return np.nan_to_num(surface.bands[keep], nan=nodata), [surface.names[i] for i in keep], tags
