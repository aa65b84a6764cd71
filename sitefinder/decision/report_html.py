"""The HTML of the report a council can read, from plain columns (no pandas, geopandas or matplotlib).

Both faces build the same report with :func:`render_report`: the library
(:mod:`sitefinder.decision.report`, from a GeoDataFrame, adding a static PNG
map drawn with matplotlib) and the QGIS plugin's *Report* algorithm (from a
vector layer, its static map rendered by QGIS). Sections: summary, map of
scores (static image and an interactive inline SVG with hover titles), score
histogram, the top N with contribution bars, chosen sites (when given),
sensitivity, exclusions, the profile with every source quoted, privacy, and
data attribution. Everything is inline: the file opens offline.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .. import __version__
from ..errors import InputError
from ..profiles import sources
from ..profiles.schema import ASSUMPTION, Profile
from ..profiles.sources_doc import source_uses
from ..progress import Reporter
from .columns import bool_column, float_column, table_from_columns
from .explanation import describe_curve
from .privacy import WITHHELD_REASON, redact_metadata_text, sensitive_criteria
from .sensitivity import DEFAULT_CONCENTRATION, DEFAULT_DRAWS, analyse_sensitivity, criteria_summary, plot_order

# Above this many plots the interactive map is left out (the file would grow
# past a few megabytes); the static map is always there.
MAX_SVG_PLOTS = 5000
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#1f77b4", "#17becf"]
SECTIONS = ("summary", "map", "histogram", "top", "sites", "sensitivity", "exclusions", "profile", "privacy", "data")
MAX_REASONS = 15  # kinds of exclusion reason listed
VIRIDIS = (
    "44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769"
    "48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a"
    "472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85"
    "4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b"
    "3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d"
    "33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e"
    "2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e"
    "26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d"
    "21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88"
    "1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81"
    "28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74"
    "3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863"
    "5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d"
    "84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32"
    "addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a"
    "d8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725"
)

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:16px 28px 40px;background:#fff}
h1{font-size:1.6em;margin:.4em 0 .1em} h2{border-bottom:2px solid #4e79a7;padding-bottom:3px;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em} th,td{border-bottom:1px solid #e3e3e3;padding:3px 8px;
text-align:left;vertical-align:top} th{background:#f0f3f7} td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666;font-size:.9em} .note{background:#fff8e1;border-left:4px solid #edc948;padding:6px 10px}
.legend span{display:inline-block;margin-right:12px;font-size:.85em} .sw{display:inline-block;width:11px;
height:11px;margin-right:4px;vertical-align:middle} blockquote{margin:.3em 0 .3em 1em;color:#444;font-style:italic}
nav a{margin-right:10px;font-size:.9em} img{max-width:100%} svg .plot:hover{stroke:#b00020;stroke-width:2}
.maps{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start} .maps>div{flex:1 1 460px;min-width:0}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _num(v, digits=1) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{digits}f}"


# matplotlib's viridis (256 colours, as matplotlib.colormaps["viridis"] gives them), so neither face needs matplotlib.
VIRIDIS_HEX = "".join(VIRIDIS)


def viridis(values: np.ndarray) -> list[str]:
    """Colours of 0–100 values on viridis (``nan`` as 0), exactly as matplotlib maps them.

    Examples
    --------
    >>> viridis(np.array([0.0, 100.0]))
    ['#440154', '#fde725']
    """
    x = np.clip(np.nan_to_num(np.asarray(values, np.float64)) / 100.0, 0, 1)
    index = np.minimum((x * 256).astype(np.int64), 255)
    return [f"#{VIRIDIS_HEX[6 * i:6 * i + 6]}" for i in index]


@dataclass
class PlotShapes:
    """Plot geometries for the interactive map, in a metric CRS, already simplified.

    Attributes
    ----------
    shapes : list
        Per plot: ``None`` (nothing to draw), ``(x, y)`` for a point plot, or a
        list of exterior rings, each ``(xs, ys)``.
    rep_x, rep_y : ndarray
        A point inside each plot (for the stars of chosen sites).
    bounds : tuple
        ``(xmin, ymin, xmax, ymax)`` of every plot before simplification.
    """

    shapes: list
    rep_x: np.ndarray
    rep_y: np.ndarray
    bounds: tuple[float, float, float, float]


def simplify_tolerance(bounds: tuple[float, float, float, float]) -> float:
    """How far (map units) the faces simplify plot outlines for the interactive map: 1/2000 of its span."""
    x0, y0, x1, y1 = bounds
    return max(x1 - x0, y1 - y0, 1.0) / 2000.0


def svg_map(shapes: PlotShapes, labels: np.ndarray, score: np.ndarray, rank: np.ndarray, excluded: np.ndarray,
            selected: Sequence[int] | None = None, width: int = 900) -> str:
    """Interactive map: plots as SVG shapes coloured by score, a hover title on each."""
    x0, y0, x1, y1 = shapes.bounds
    span = max(x1 - x0, y1 - y0, 1.0)
    scale = width / span
    height = int((y1 - y0) * scale) + 20
    colours = viridis(score)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 {width + 20} {height}" '
           f'style="width:100%;max-height:720px;background:#f4f4f4;border:1px solid #ddd">']

    def pt(x, y):
        return f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}"

    for i, shape in enumerate(shapes.shapes):
        if not shape:
            continue
        tip = f"{labels[i]}: " + ("excluded" if excluded[i] else f"score {score[i]:.1f}, rank {int(rank[i])}")
        fill = "#9e9e9e" if excluded[i] else colours[i]
        if isinstance(shape, tuple):
            tag, attrs = "circle", f'cx="{(shape[0] - x0) * scale:.1f}" cy="{(y1 - shape[1]) * scale:.1f}" r="3"'
        else:
            rings = ["M" + " L".join(pt(x, y) for x, y in zip(xs, ys)) + " Z" for xs, ys in shape]
            tag, attrs = "path", f'd="{" ".join(rings)}"'
        out.append(f'<{tag} {attrs} class="plot" fill="{fill}" fill-opacity="{0.45 if excluded[i] else 0.9}" '
                   f'stroke="#555" stroke-width="0.3"><title>{_e(tip)}</title></{tag}>')
    for k, i in enumerate(selected or []):
        x, y = shapes.rep_x[i], shapes.rep_y[i]
        out.append(f'<text x="{(x - x0) * scale:.1f}" y="{(y1 - y) * scale:.1f}" font-size="16" '
                   f'fill="#b00020" stroke="white" stroke-width="0.6">★S{k + 1}<title>chosen site {k + 1}: '
                   f'{_e(labels[i])}</title></text>')
    out.append("</svg>")
    return "".join(out)


def histogram_svg(score: np.ndarray, width: int = 640, height: int = 200) -> str:
    """The score distribution: 20 bins of 5 points, coloured like the map."""
    s = score[~np.isnan(score)]
    counts, edges = np.histogram(s, bins=20, range=(0, 100))
    top = max(int(counts.max()) if counts.size else 1, 1)
    bw = (width - 50) / 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 30}" '
             f'style="width:100%;max-width:{width}px">']
    colours = viridis((edges[:-1] + edges[1:]) / 2)
    for k, c in enumerate(counts):
        h = (height - 10) * c / top
        parts.append(f'<rect x="{40 + k * bw:.1f}" y="{height - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" '
                     f'fill="{colours[k]}"><title>{edges[k]:.0f}–{edges[k + 1]:.0f}: {c} plots</title></rect>')
    for v in range(0, 101, 20):
        parts.append(f'<text x="{40 + v / 5 * bw:.1f}" y="{height + 16}" font-size="11" text-anchor="middle">{v}</text>')
    parts.append(f'<text x="34" y="12" font-size="11" text-anchor="end">{top}</text>'
                 f'<text x="34" y="{height}" font-size="11" text-anchor="end">0</text>'
                 f'<text x="{width / 2}" y="{height + 30}" font-size="11" text-anchor="middle">score (0–100)</text>'
                 "</svg>")
    return "".join(parts)


def contribution_bar(points: list[float], colours: list[str], titles: list[str], width: int = 260) -> str:
    """One stacked bar of contributions, 0–100 across ``width`` pixels."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="14" viewBox="0 0 {width} 14">'
             f'<rect width="{width}" height="14" fill="#eee"/>']
    x = 0.0
    for p, c, t in zip(points, colours, titles):
        if not p or np.isnan(p):
            continue
        w = width * p / 100.0
        parts.append(f'<rect x="{x:.2f}" width="{w:.2f}" height="14" fill="{c}"><title>{_e(t)}: {p:.1f}</title></rect>')
        x += w
    parts.append("</svg>")
    return "".join(parts)


def html_table(rows: Sequence[Mapping], columns: Sequence[str] | None = None,
               numeric: Mapping[str, int] | None = None) -> str:
    """Rows (dicts) as an HTML table; ``numeric`` columns are right-aligned with that many decimals."""
    numeric = numeric or {}
    columns = list(columns if columns is not None else (rows[0].keys() if rows else []))
    out = ["<table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>"]
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            if c in numeric and isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
                cells.append(f'<td class="n">{_num(float(v), numeric[c])}</td>')
            else:
                cells.append(f"<td>{_e('' if v is None or (isinstance(v, float) and np.isnan(v)) else v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


MAX_SKIPPED = 15  # rows of "plots passed over" shown under the chosen sites
SITE_COLUMNS = ["site", "plot", "row", "score", "rank", "units", "units_within_cap"]


def sites_section(rules: Mapping, chosen: Sequence[Mapping], skipped: Sequence[Mapping]) -> str:
    """The chosen sites under their rules and the better-scored plots passed over (rows of
    :func:`sitefinder.decision.topsites.site_records`; ``rules`` from ``SiteRules.as_dict``)."""
    rule_text = "; ".join(f"{k.replace('_', ' ')} {v[0] if isinstance(v, tuple) else v}"
                          + (f" [{v[1]}]" if isinstance(v, tuple) else "") for k, v in rules.items()
                          if not (isinstance(v, tuple) and v[0] is None))
    columns = [c for c in SITE_COLUMNS if c != "units_within_cap"
               or (chosen and c in chosen[0])]
    return (f"<p>Greedy choice, best score first, under the rules: {_e(rule_text)}. "
            "The maps above mark the chosen sites (S1, S2 …).</p>"
            + html_table(chosen, columns, {"score": 1, "units": 0, "units_within_cap": 0, "rank": 0})
            + ("<p>Better-scored plots passed over:</p>"
               + html_table(list(skipped[:MAX_SKIPPED]), ["plot", "row", "score", "reason"], {"score": 1})
               if len(skipped) else "")
            + (f"<p class='muted'>… and {len(skipped) - MAX_SKIPPED} more.</p>" if len(skipped) > MAX_SKIPPED
               else ""))


def profile_section(profile: Profile) -> str:
    """The profile: criteria, weights and curves with their sources, the rules, and every source quoted."""
    total = sum(c.weight.value for c in profile.criteria)
    out = [f"<p><b>{_e(profile.title)}</b> (<code>{_e(profile.name)}</code>). {_e(profile.description)}</p>"]
    rows = []
    for c in profile.criteria:
        cats = ", ".join(c.categories) or (c.attribute or c.measure)
        rows.append({"criterion": c.label, "measure": f"{c.measure} ({c.metric}): {cats}",
                     "weight": f"{100 * c.weight.value / total:.1f} %", "weight source": c.weight.source,
                     "curve": describe_curve(c.transform, c.unit), "curve source": c.transform.source})
    out.append(html_table(rows))
    w = profile.weighting
    if w.method == "ahp":
        matrix = np.round(np.array(w.matrix, dtype=np.float64), 3)
        out.append(f"<p>Weights derived by AHP (principal eigenvector) from the pairwise comparisons below; "
                   f"λ<sub>max</sub> = {w.lambda_max:.3f}, consistency ratio {w.consistency_ratio:.3f} "
                   f"(accepted up to 0.1). Source: {_e(w.source)}.</p>")
        out.append(html_table([{"AHP": k, **dict(zip(w.order, matrix[i]))} for i, k in enumerate(w.order)],
                              ["AHP", *w.order]))
    elif w.method in ("rank_sum", "roc"):
        name = "rank-sum" if w.method == "rank_sum" else "rank-order-centroid (ROC)"
        out.append(f"<p>Weights derived by {name} from the ranking {_e(' > '.join(w.order))}. "
                   f"Source: {_e(w.source)}.</p>")
    if profile.constraints:
        out.append("<p>Exclusion rules:</p><ul>")
        for k in profile.constraints:
            what = k.description or f"{k.kind} {k.criterion or ', '.join(k.categories)} {k.value or ''}"
            out.append(f"<li>{_e(what)} <span class='muted'>[{_e(k.source)}]</span></li>")
        out.append("</ul>")
    cited = [src for _, src in source_uses(profile)]
    registry = {**sources(), **profile.sources}
    used = [s for s in dict.fromkeys(cited) if s in registry]
    out.append("<h3>Sources cited</h3>")
    for s in used:
        e = registry[s]
        out.append(f"<p id='src-{_e(s)}'><b>[{_e(s)}]</b> {_e(e.get('report', ''))}, {_e(e.get('publisher', ''))} "
                   f"{_e(e.get('year', ''))}, {_e(e.get('where', ''))}<blockquote>«{_e(e.get('quote', ''))}»"
                   f"</blockquote><span class='muted'>{_e(e.get('supports', ''))}</span></p>")
    if ASSUMPTION in cited:
        out.append(f"<p><b>[{ASSUMPTION}]</b> no source: a judgement of the profile's authors, to be revised "
                   "with local knowledge.</p>")
    return "".join(out)


def _sensitivity_section(columns: Mapping[str, Sequence], n: int, profile: Profile, meta: Mapping,
                         labels: np.ndarray, top_n: int, draws: int, concentration: float, seed: int,
                         reporter: Reporter | None) -> str:
    try:
        table = table_from_columns(columns, n, profile, meta)
        result = analyse_sensitivity(table, draws=draws, concentration=concentration, seed=seed, top_n=top_n,
                                     reporter=reporter)
    except InputError as exc:
        return f"<p class='note'>Not available: {_e(exc)}</p>"
    crit = criteria_summary(result)
    mc = result.mc
    order = plot_order(result)[:top_n]
    p_top = f"p_top_{top_n}"
    per_plot = [{"plot": labels[result.rows[j]], "rank": int(mc.base_rank[j]), "rank_min": int(mc.rank_min[j]),
                 "rank_max": int(mc.rank_max[j]), "rank_p05": float(mc.rank_p05[j]),
                 "rank_p95": float(mc.rank_p95[j]), "rank_mean": float(mc.rank_mean[j]), p_top: float(mc.p_top_n[j])}
                for j in order]
    rho = mc.spearman
    return (
        "<p>One at a time: each weight moved by −25 %, −10 %, +10 %, +25 % (the others rescaled to keep the "
        "sum). <i>Sensitivity</i> is the mean absolute change of rank over all scored plots at ±25 %; "
        "the criteria the ranking depends on most come first.</p>"
        + html_table(crit, numeric={c: 2 for c in crit[0] if c not in ("criterion", "label")} if crit else {})
        + f"<p>Monte Carlo: {len(rho)} random weight sets (Dirichlet around the profile's weights, "
          f"concentration {concentration:g}, seed {seed}). Rank correlation with the profile's ranking: "
          f"median {np.median(rho):.3f}, 5th percentile {np.percentile(rho, 5):.3f}. For the top {top_n}:</p>"
        + html_table(per_plot, ["plot", "rank", "rank_min", "rank_max", "rank_p05", "rank_p95", "rank_mean", p_top],
                     {"rank_p05": 0, "rank_p95": 0, "rank_mean": 1, p_top: 2}))


def render_report(
    columns: Mapping[str, Sequence],
    n: int,
    profile: Profile,
    *,
    labels: np.ndarray,
    id_column: str,
    meta: Mapping,
    layers: tuple[str, ...],
    include_sensitive: bool,
    public_reasons: Sequence[str],
    withheld: Sequence[str],
    static_map: str,
    shapes: PlotShapes | None,
    title: str | None = None,
    top_n: int = 10,
    sites_html: str | None = None,
    selected: Sequence[int] | None = None,
    draws: int = DEFAULT_DRAWS,
    concentration: float = DEFAULT_CONCENTRATION,
    seed: int = 0,
    reporter: Reporter | None = None,
) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    columns : mapping of str -> sequence
        Every column of the scored output, sensitive ones included (the
        sensitivity analysis needs every criterion score; nothing derived from
        a withheld criterion is shown).
    n : int
        Number of plots.
    labels, id_column
        Plot ids and the column they come from.
    meta : mapping
        Run metadata (``data``, ``attribution``, ``warnings``, ``withheld_columns``).
    layers : tuple of str
        Sensitive layers; ``include_sensitive`` shows their criteria anyway.
    public_reasons : sequence of str
        Exclusion reasons as they may be shown (redacted unless ``include_sensitive``).
    withheld : sequence of str
        Columns left out of the public view (named in the privacy section).
    static_map : str
        HTML of the static map (an ``<img>`` with a data URI), or a note.
    shapes : PlotShapes, optional
        For the interactive map (``None``: left out, with a note).
    sites_html, selected
        The chosen-sites section and the chosen rows (stars on the map).
    draws, concentration, seed, reporter
        Monte-Carlo sensitivity settings.
    """
    hidden = () if include_sensitive else sensitive_criteria(profile, layers)
    score = float_column(columns["score"])
    excluded = bool_column(columns["excluded"])
    rank = float_column(columns["rank"]) if "rank" in columns else np.full(n, np.nan)
    attribution = meta.get("attribution") or ""
    title = title or f"Site suitability: {profile.title}"
    body: dict[str, str] = {}

    n_ex = int(excluded.sum())
    modes = ", ".join(sorted({str(m) for m in columns.get("distance_mode", ["?"]) if m is not None and m == m}))
    body["summary"] = (
        f"<p>{n} plots: <b>{n - n_ex} scored</b>, {n_ex} excluded. Distances: {_e(modes)}. "
        f"Best score {_num(np.nanmax(score) if n > n_ex else np.nan)}, median "
        f"{_num(np.nanmedian(score) if n > n_ex else np.nan)}. Profile <code>{_e(profile.name)}</code>"
        f" ({len(profile.criteria)} criteria, weights: {_e(profile.weighting.method)}).</p>"
        "<p class='muted'>A score is 0–100: each criterion turns a measured value into 0–1 with a curve, "
        "and the weighted sum of these is the score. Rank 1 is best. Every number below says where it comes "
        "from; see the profile section for the sources.</p>")

    if n > MAX_SVG_PLOTS:
        interactive = f"<div><p class='muted'>{n} plots: the interactive map is left out above {MAX_SVG_PLOTS}.</p></div>"
    elif shapes is None:
        interactive = "<div><p class='muted'>No plot geometry: the interactive map is left out.</p></div>"
    else:
        interactive = ("<div><p class='muted'>Interactive map: hover over a plot for its score and rank.</p>"
                       f"{svg_map(shapes, labels, score, rank, excluded, selected)}</div>")
    body["map"] = f"<div class='maps'>{static_map}{interactive}</div>"
    body["histogram"] = histogram_svg(score)

    keys = [c.key for c in profile.criteria if c.key not in hidden]
    colours = {c.key: PALETTE[j % len(PALETTE)] for j, c in enumerate(profile.criteria)}
    crit_label = {c.key: c.label for c in profile.criteria}
    contributions = {k: float_column(columns[f"{k}_contribution"]) if f"{k}_contribution" in columns
                     else np.full(n, np.nan) for k in keys}
    order = np.flatnonzero(~excluded & (rank > 0))
    order = order[np.lexsort((order, rank[order]))][:top_n]
    legend = "".join(f"<span><i class='sw' style='background:{colours[k]}'></i>{_e(crit_label[k])}</span>"
                     for k in keys)
    rows = []
    for i in order:
        pts = [float(contributions[k][i]) for k in keys]
        best = keys[int(np.nanargmax(pts))] if keys and not np.isnan(pts).all() else ""
        rows.append(f"<tr><td class='n'>{int(rank[i])}</td><td>{_e(labels[i])}</td><td class='n'>{score[i]:.1f}</td>"
                    f"<td>{contribution_bar(pts, [colours[k] for k in keys], [crit_label[k] for k in keys])}</td>"
                    f"<td>{_e(crit_label.get(best, ''))}</td></tr>")
    note = (f"<p class='muted'>Criteria reading sensitive layers ({_e(', '.join(crit_label[k] for k in hidden))}) "
            "are not drawn: the bars add up to less than the score.</p>") if hidden else ""
    body["top"] = (f"<div class='legend'>{legend}</div><table><tr><th>rank</th><th>plot ({_e(id_column)})</th>"
                   f"<th>score</th><th>contributions (0–100)</th><th>strongest criterion</th></tr>{''.join(rows)}"
                   f"</table>{note}")
    if sites_html is not None:
        body["sites"] = sites_html
    body["sensitivity"] = _sensitivity_section(columns, n, profile, meta, labels, top_n, draws, concentration, seed,
                                               reporter)

    kinds = Counter(p for r, ex in zip(public_reasons, excluded) if ex for p in str(r or "").split("; ") if p)
    counts = [{"reason": r, "plots": c} for r, c in kinds.most_common(MAX_REASONS)]
    body["exclusions"] = html_table(counts) if counts else "<p>No plot was excluded.</p>"

    body["profile"] = profile_section(profile)
    if layers:
        body["privacy"] = (
            f"<p>Sensitive layers: {_e(', '.join(layers))}. "
            + ("<b>Included in this report at the user's request (--include-sensitive): do not publish it.</b>"
               if include_sensitive else
               f"They were used for scoring but are left out of this report: no location of theirs is drawn or "
               f"listed; the columns computed from them ({_e(', '.join(withheld) or 'none present')}) are not "
               f"shown, and exclusion reasons from rules on them read “{_e(WITHHELD_REASON)}”. The total score "
               "and the rank still include them.")
            + "</p>")
    else:
        body["privacy"] = "<p>No layer is marked sensitive.</p>"
    data = redact_metadata_text(meta.get("data", []), layers)
    warnings = redact_metadata_text(meta.get("warnings", []), layers)
    body["data"] = (
        "<ul>" + "".join(f"<li>{_e(d)}</li>" for d in data) + "</ul>"
        + f"<p><b>Attribution:</b> {_e(attribution or 'not recorded')}</p>"
        + ("<p>Warnings:</p><ul>" + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>" if warnings else "")
        + f"<p class='muted'>Made with sitefinder {__version__} on {_dt.date.today().isoformat()}.</p>")

    names = {"summary": "Summary", "map": "Map of scores", "histogram": "Score distribution",
             "top": f"Top {top_n}", "sites": "Chosen sites", "sensitivity": "Sensitivity to the weights",
             "exclusions": "Exclusions", "profile": "Profile and sources", "privacy": "Privacy",
             "data": "Data and attribution"}
    nav = "".join(f"<a href='#{k}'>{names[k]}</a>" for k in SECTIONS if k in body)
    sections = "".join(f"<section id='{k}'><h2>{names[k]}</h2>{body[k]}</section>" for k in SECTIONS if k in body)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{CSS}</style></head>"
            f"<body><main><h1>{_e(title)}</h1><nav>{nav}</nav>{sections}</main></body></html>")


def check_report_path(path) -> None:
    """An ``.html`` file in an existing folder.

    Raises
    ------
    InputError
    """
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the report is an HTML file: name it .html, not {path.name}")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
