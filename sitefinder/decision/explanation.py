"""Explain one plot's score: every criterion's value, score, weight, contribution, curve and sources.

>>> scored = sitefinder.read_scored("scored.gpkg")          # doctest: +SKIP
>>> sitefinder.explain(scored, "teig-3")                    # doctest: +SKIP

The explanation itself (:func:`explain_columns`, :func:`explanation_text`,
:func:`explanation_html`) works on plain columns and imports no pandas, so
the QGIS plugin's *Explain plot* gives the same rows; :func:`explain`
returns them as a DataFrame.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..pipeline.scoring import format_number as _num  # numbers written as in exclusion reasons
from ..profiles import sources
from ..profiles.schema import ASSUMPTION, Criterion, Profile, TransformSpec
from .columns import as_float
from .privacy import redact_reasons, sensitive_criteria, sensitive_layers

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

WITHHELD = "withheld"
# The columns of an explanation, in order (the DataFrame's index is "criterion").
FIELDS = ("criterion", "label", "raw_value", "raw", "score", "weight", "contribution", "max_points", "curve",
          "weight_source", "curve_source", "withheld")


@dataclass
class Explanation:
    """Why one plot scored what it scored.

    Attributes
    ----------
    rows : list of dict
        One per criterion, keys :data:`FIELDS`.
    plot : str
        The plot's id; ``row`` its row position.
    excluded, exclusion_reason, score, rank
        As in the scored output (``rank`` ``nan`` when excluded).
    profile, weighting : str
        Profile name and how its weights were set.
    """

    rows: list[dict]
    plot: str
    row: int
    excluded: bool
    exclusion_reason: str
    score: float
    rank: float
    profile: str
    weighting: str

    def attrs(self) -> dict:
        """Everything but the rows (the DataFrame's ``.attrs``)."""
        return {"plot": self.plot, "row": self.row, "excluded": self.excluded,
                "exclusion_reason": self.exclusion_reason, "score": self.score, "rank": self.rank,
                "profile": self.profile, "weighting": self.weighting}


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _unit(criterion: Criterion) -> str:
    return "" if criterion.unit == "count" else criterion.unit  # a (decayed) count needs no unit


def describe_curve(transform: TransformSpec, unit: str = "m") -> str:
    """The value function in words, e.g. ``"1 up to 160 m, 0 from 800 m (linear)"``.

    Examples
    --------
    >>> describe_curve(TransformSpec("band", {"too_close": 20, "ideal_min": 50, "ideal_max": 250,
    ...                                       "too_far": 600}, "assumption"))
    '0 up to 20 m, 1 from 50 to 250 m, 0 from 600 m'
    """
    p = transform.params
    u = f" {unit}" if unit else ""
    kind = transform.kind
    if kind == "linear_falling":
        return f"1 up to {_num(p['full'])}{u}, 0 from {_num(p['zero'])}{u} (linear)"
    if kind == "linear_rising":
        return f"0 up to {_num(p['zero'])}{u}, 1 from {_num(p['full'])}{u} (linear)"
    if kind == "logistic":
        way = "rising" if p.get("rising") else "falling"
        return f"S-curve {way} through 0.5 at {_num(p['midpoint'])}{u}, width {_num(p['scale'])}{u}"
    if kind == "gaussian":
        return f"1 up to {_num(p.get('plateau', 0.0))}{u}, then gaussian decay (sigma {_num(p['sigma'])}{u})"
    if kind == "step":
        b, s = p["breaks"], p["scores"]
        parts = [f"{s[0]:g} below {_num(b[0])}{u}"]
        parts += [f"{s[i + 1]:g} from {_num(b[i])}{u}" for i in range(len(b))]
        return ", ".join(parts)
    if kind == "band":
        return (f"0 up to {_num(p['too_close'])}{u}, 1 from {_num(p['ideal_min'])} to {_num(p['ideal_max'])}{u}, "
                f"0 from {_num(p['too_far'])}{u}")
    return kind


def _raw(criterion: Criterion, value: float, score: float) -> str:
    if np.isnan(value):
        if np.isnan(score):  # not measured (unusable plot)
            return "—"
        return f"none within {_num(criterion.search_cutoff)} {_unit(criterion)}".rstrip()
    unit = f" {_unit(criterion)}" if _unit(criterion) else ""
    return f"{_num(value)}{unit}"


def explain_columns(columns: Mapping[str, Sequence], row: int, plot: str, profile: Profile,
                    private_layers: tuple[str, ...] = ()) -> Explanation:
    """The explanation of the plot at row position ``row`` of scored columns.

    Parameters
    ----------
    columns : mapping of str -> sequence
        The scored output's columns (``<key>_value``, ``_score``,
        ``_contribution``, ``excluded``, ``exclusion_reason``, ``score``, ``rank``).
    plot : str
        The plot's id, for the heading.
    private_layers : tuple of str
        Sensitive layers to keep out: criteria reading them are shown as
        withheld and exclusion reasons naming them are redacted (empty when
        the user asked to include sensitive detail).
    """
    withheld = sensitive_criteria(profile, private_layers) if private_layers else ()
    total = float(sum(c.weight.value for c in profile.criteria))
    excluded = str(columns["excluded"][row]).strip().lower() in ("true", "1", "yes")
    rows = []
    for c in profile.criteria:
        hidden = c.key in withheld or f"{c.key}_score" not in columns

        def get(suffix: str) -> float:
            name = f"{c.key}_{suffix}"
            return as_float(columns[name][row]) if name in columns else np.nan

        value, score, contribution = (np.nan, np.nan, np.nan) if hidden else (get("value"), get("score"),
                                                                               get("contribution"))
        rows.append({
            "criterion": c.key,
            "label": c.label,
            "raw_value": value,
            "raw": WITHHELD if hidden else _raw(c, value, score),
            "score": score,
            "weight": c.weight.value / total,
            "contribution": contribution,
            "max_points": 100.0 * c.weight.value / total,
            "curve": describe_curve(c.transform, _unit(c)),
            "weight_source": c.weight.source,
            "curve_source": c.transform.source,
            "withheld": hidden,
        })
    reason = columns["exclusion_reason"][row] if "exclusion_reason" in columns else ""
    if private_layers and isinstance(reason, str) and reason:
        reason = redact_reasons([reason], profile, private_layers)[0]
    return Explanation(
        rows=rows, plot=str(plot), row=row, excluded=excluded,
        exclusion_reason=str(reason or "") if excluded and reason == reason else "",
        score=as_float(columns["score"][row]),
        rank=as_float(columns["rank"][row]) if "rank" in columns else np.nan,
        profile=profile.name, weighting=profile.weighting.method,
    )


def explain_row(scored: gpd.GeoDataFrame, row: int, profile: Profile,
                private_layers: tuple[str, ...] = ()) -> pd.DataFrame:
    """The explanation of the plot at row position ``row`` (see :func:`explain`)."""
    import pandas as pd

    from .scored import columns_of, plot_labels

    labels, _ = plot_labels(scored)
    e = explain_columns(columns_of(scored), row, labels[row], profile, private_layers)
    out = pd.DataFrame.from_records(e.rows, columns=list(FIELDS)).set_index("criterion")
    out.attrs = e.attrs()
    return out


def explain(scored: gpd.GeoDataFrame, plot: str | int, *, id_column: str | None = None,
            profile=None, sensitive: tuple[str, ...] = (), include_sensitive: bool = False) -> pd.DataFrame:
    """Why a plot scored what it scored.

    Parameters
    ----------
    scored : GeoDataFrame
        Output of :func:`sitefinder.score` or :func:`sitefinder.read_scored`.
    plot : str or int
        The plot's id in ``id_column`` (default: ``plot_id``, ``id`` or
        ``fid``, else the row number from 0).
    profile : str, Path or Profile, optional
        Default: the profile recorded with the scores.
    sensitive, include_sensitive
        Criteria reading sensitive layers are shown as withheld unless
        ``include_sensitive`` (see :mod:`sitefinder.decision.privacy`).

    Returns
    -------
    DataFrame
        One row per criterion: ``label``, ``raw_value`` (``nan`` when nothing
        lies within the cut-off), ``raw`` (as text), ``score`` (0–1),
        ``weight`` (normalised), ``contribution`` (points), ``max_points``,
        ``curve`` (in words), ``weight_source``, ``curve_source``,
        ``withheld``. ``.attrs`` holds ``plot``, ``score``, ``rank``,
        ``excluded`` and ``exclusion_reason``. For a scored plot the
        contributions add up to the score.
    """
    from .scored import find_plots, scored_profile

    profile = scored_profile(scored, profile)
    (row,) = find_plots(scored, [str(plot)], id_column)
    layers = sensitive_layers(profile, sensitive, scored.attrs.get("sitefinder", {}).get("sensitive", ()))
    return explain_row(scored, row, profile, () if include_sensitive else layers)


def format_explanation(table: pd.DataFrame) -> str:
    """The explanation (a DataFrame from :func:`explain`) as plain text for a terminal, sources at the end."""
    a = table.attrs
    rows = table.reset_index().to_dict("records")
    return explanation_text(Explanation(rows, **{k: a[k] for k in ("plot", "row", "excluded", "exclusion_reason",
                                                                     "score", "rank", "profile", "weighting")}))


def _cited(e: Explanation) -> list[str]:
    cited = []
    for r in e.rows:
        for s in (r["weight_source"], r["curve_source"]):
            if s not in cited:
                cited.append(s)
    return cited


def _shown_total(e: Explanation) -> float:
    return float(sum(r["contribution"] for r in e.rows if not np.isnan(r["contribution"])))


def explanation_text(e: Explanation) -> str:
    """The explanation as plain text for a terminal, with the cited sources at the end."""
    lines = [f"Plot {e.plot} — profile {e.profile}"]
    if e.excluded:
        lines.append(f"EXCLUDED: {e.exclusion_reason}")
        lines.append("(criterion values are shown for information; an excluded plot has no score)")
    else:
        rank = f", rank {int(e.rank)}" if e.rank == e.rank else ""
        lines.append(f"Score {e.score:.1f} of 100{rank}")
    lines.append("")
    head = f"{'criterion':<32} {'raw value':>18} {'score':>6} {'weight':>7} {'points':>13}  curve"
    lines += [head, "-" * len(head)]
    for r in e.rows:
        score = "" if np.isnan(r["score"]) else f"{r['score']:.2f}"
        points = "" if np.isnan(r["contribution"]) else f"{r['contribution']:.1f}"
        lines.append(f"{fit(r['label'], 32):<32} {fit(r['raw'], 18):>18} {score:>6} {100 * r['weight']:>6.1f}% "
                     f"{points:>6} / {r['max_points']:>4.1f}  {r['curve']}")
    if not e.excluded:
        shown = _shown_total(e)
        if any(r["withheld"] for r in e.rows):
            lines.append(f"{'criteria shown':<32} {'':>18} {'':>6} {'':>7} {shown:>6.1f}   "
                         "(the score also includes criteria on sensitive layers, withheld)")
        else:
            lines.append(f"{'total':<32} {'':>18} {'':>6} {'100.0%':>7} {shown:>6.1f}")
    cited = _cited(e)
    lines += ["", "Sources (weight source | curve source per criterion):"]
    for r in e.rows:
        lines.append(f"  {r['criterion']}: weight {r['weight_source']} | curve {r['curve_source']}")
    registry = sources()
    quoted = [s for s in cited if s in registry]
    if quoted:
        lines.append("")
        for s in quoted:
            entry = registry[s]
            lines.append(f"  [{s}] {entry.get('report', '')} ({entry.get('year', '')}), {entry.get('where', '')}:")
            lines.append(f"      «{entry.get('quote', '')}»")
    if ASSUMPTION in cited:
        lines.append(f"  [{ASSUMPTION}] no source: a judgement of the profile's authors (see docs/criteria.md)")
    return "\n".join(lines)


def source_note(source: str) -> str:
    """A source id in words: report, year, place and the verbatim quote; or what ``assumption`` means."""
    if source == ASSUMPTION:
        return "no source: a judgement of the profile's authors (see docs/criteria.md)"
    entry = sources().get(source)
    if entry is None:
        return source
    return (f"{entry.get('report', '')} ({entry.get('year', '')}), {entry.get('where', '')}: "
            f"«{entry.get('quote', '')}»")


def explanation_html(e: Explanation) -> str:
    """The explanation as an HTML page (same content as :func:`explanation_text`, for QGIS's results viewer)."""
    def x(text) -> str:
        return html.escape(str(text), quote=True)

    def num(v: float, digits: int) -> str:
        return "" if np.isnan(v) else f"{v:.{digits}f}"

    if e.excluded:
        head = (f"<p><b>EXCLUDED:</b> {x(e.exclusion_reason)}</p><p><i>Criterion values are shown for "
                "information; an excluded plot has no score.</i></p>")
    else:
        rank = f", rank {int(e.rank)}" if e.rank == e.rank else ""
        head = f"<p><b>Score {e.score:.1f} of 100{rank}</b></p>"
    cells = "".join(f"<th>{h}</th>" for h in ("criterion", "raw value", "score", "weight", "points", "of",
                                               "curve", "weight source", "curve source"))
    body = []
    for r in e.rows:
        body.append(f"<tr><td>{x(r['label'])}</td><td>{x(r['raw'])}</td><td align='right'>{num(r['score'], 2)}</td>"
                    f"<td align='right'>{100 * r['weight']:.1f}%</td><td align='right'>{num(r['contribution'], 1)}"
                    f"</td><td align='right'>{r['max_points']:.1f}</td><td>{x(r['curve'])}</td>"
                    f"<td>{x(r['weight_source'])}</td><td>{x(r['curve_source'])}</td></tr>")
    if not e.excluded:
        withheld = any(r["withheld"] for r in e.rows)
        label = "criteria shown" if withheld else "total"
        note = " (the score also includes criteria on sensitive layers, withheld)" if withheld else ""
        body.append(f"<tr><td><b>{label}</b></td><td></td><td></td><td></td><td align='right'><b>"
                    f"{_shown_total(e):.1f}</b></td><td colspan='4'>{note}</td></tr>")
    quotes = "".join(f"<li><b>[{x(s)}]</b> {x(source_note(s))}</li>" for s in _cited(e))
    return (f"<html><head><meta charset='utf-8'><title>Plot {x(e.plot)}</title></head><body>"
            f"<h2>Plot {x(e.plot)} — profile {x(e.profile)}</h2>{head}"
            f"<table border='1' cellspacing='0' cellpadding='3'><tr>{cells}</tr>{''.join(body)}</table>"
            f"<h3>Sources</h3><ul>{quotes}</ul></body></html>")
