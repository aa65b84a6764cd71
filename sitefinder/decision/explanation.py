"""Explain one plot's score: every criterion's value, score, weight, contribution, curve and sources.

>>> scored = sitefinder.read_scored("scored.gpkg")          # doctest: +SKIP
>>> sitefinder.explain(scored, "teig-3")                    # doctest: +SKIP
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..pipeline.scoring import _fmt as _num  # numbers written as in exclusion reasons
from ..profiles import sources
from ..profiles.schema import ASSUMPTION, Criterion, Profile, TransformSpec
from .privacy import sensitive_criteria, sensitive_layers
from .scored import find_plots, plot_labels, scored_profile

WITHHELD = "withheld"


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


def explain_row(scored: gpd.GeoDataFrame, row: int, profile: Profile, withheld: tuple[str, ...] = ()) -> pd.DataFrame:
    """The explanation of the plot at row position ``row`` (see :func:`explain`)."""
    total = float(sum(c.weight.value for c in profile.criteria))
    excluded = bool(scored["excluded"].iloc[row])
    records = []
    for c in profile.criteria:
        hidden = c.key in withheld or f"{c.key}_score" not in scored.columns
        get = (lambda s: float(pd.to_numeric(scored[f"{c.key}_{s}"].iloc[row], errors="coerce"))
               if f"{c.key}_{s}" in scored.columns else np.nan)
        value, score, contribution = (np.nan, np.nan, np.nan) if hidden else (get("value"), get("score"), get("contribution"))
        records.append({
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
    out = pd.DataFrame.from_records(records).set_index("criterion")
    labels, _ = plot_labels(scored)
    out.attrs = {
        "plot": labels[row], "row": row, "excluded": excluded,
        "exclusion_reason": str(scored["exclusion_reason"].iloc[row] or "") if excluded else "",
        "score": float(pd.to_numeric(scored["score"].iloc[row], errors="coerce")),
        "rank": pd.to_numeric(scored["rank"].iloc[row], errors="coerce") if "rank" in scored.columns else np.nan,
        "profile": profile.name, "weighting": profile.weighting.method,
    }
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
    profile = scored_profile(scored, profile)
    (row,) = find_plots(scored, [str(plot)], id_column)
    layers = sensitive_layers(profile, sensitive, scored.attrs.get("sitefinder", {}).get("sensitive", ()))
    withheld = () if include_sensitive else sensitive_criteria(profile, layers)
    return explain_row(scored, row, profile, withheld)


def format_explanation(table: pd.DataFrame) -> str:
    """The explanation as plain text for a terminal, with the cited sources at the end."""
    a = table.attrs
    lines = [f"Plot {a['plot']} — profile {a['profile']}"]
    if a["excluded"]:
        lines.append(f"EXCLUDED: {a['exclusion_reason']}")
        lines.append("(criterion values are shown for information; an excluded plot has no score)")
    else:
        rank = f", rank {int(a['rank'])}" if a["rank"] == a["rank"] else ""
        lines.append(f"Score {a['score']:.1f} of 100{rank}")
    lines.append("")
    head = f"{'criterion':<32} {'raw value':>18} {'score':>6} {'weight':>7} {'points':>13}  curve"
    lines += [head, "-" * len(head)]
    for _, r in table.iterrows():
        score = "" if np.isnan(r["score"]) else f"{r['score']:.2f}"
        points = "" if np.isnan(r["contribution"]) else f"{r['contribution']:.1f}"
        lines.append(f"{fit(r['label'], 32):<32} {fit(r['raw'], 18):>18} {score:>6} {100 * r['weight']:>6.1f}% "
                     f"{points:>6} / {r['max_points']:>4.1f}  {r['curve']}")
    if not a["excluded"]:
        shown = table["contribution"].sum(skipna=True)
        if table["withheld"].any():
            lines.append(f"{'criteria shown':<32} {'':>18} {'':>6} {'':>7} {shown:>6.1f}   "
                         "(the score also includes criteria on sensitive layers, withheld)")
        else:
            lines.append(f"{'total':<32} {'':>18} {'':>6} {'100.0%':>7} {shown:>6.1f}")
    cited = []
    for _, r in table.iterrows():
        for s in (r["weight_source"], r["curve_source"]):
            if s not in cited:
                cited.append(s)
    lines += ["", "Sources (weight source | curve source per criterion):"]
    for key, r in table.iterrows():
        lines.append(f"  {key}: weight {r['weight_source']} | curve {r['curve_source']}")
    registry = sources()
    quoted = [s for s in cited if s in registry]
    if quoted:
        lines.append("")
        for s in quoted:
            e = registry[s]
            lines.append(f"  [{s}] {e.get('report', '')} ({e.get('year', '')}), {e.get('where', '')}:")
            lines.append(f"      «{e.get('quote', '')}»")
    if ASSUMPTION in cited:
        lines.append(f"  [{ASSUMPTION}] no source: a judgement of the profile's authors (see docs/criteria.md)")
    return "\n".join(lines)
