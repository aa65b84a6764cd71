"""A report a council can read: one self-contained HTML file (opens offline, no CDN).

Sections: summary, map of scores (a static PNG and an interactive inline SVG
with hover titles), score histogram, the top N with contribution bars, chosen
sites (when rules are given), sensitivity, exclusions, the profile with every
source quoted, privacy, and data attribution. Images are base64 PNG or inline
SVG; styles are inline. Sensitive layers stay out (see
:mod:`sitefinder.decision.privacy`) unless ``include_sensitive``.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..adapters.output import atomic_path
from ..errors import InputError
from ..profiles import sources
from ..profiles.schema import ASSUMPTION, Profile
from ..profiles.sources_doc import source_uses
from .explanation import describe_curve
from .privacy import WITHHELD_REASON, redact_metadata_text, sensitive_criteria, sensitive_layers
from .scored import plot_labels, public_view, score_table, scored_profile
from .sensitivity import DEFAULT_CONCENTRATION, DEFAULT_DRAWS, analyse_sensitivity, criteria_frame, plots_frame

# Above this many plots the interactive map is left out (the file would grow
# past a few megabytes); the static map is always there.
MAX_SVG_PLOTS = 5000
MAX_SKIPPED = 15  # rows of "plots passed over" shown under the chosen sites
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#1f77b4", "#17becf"]
SECTIONS = ("summary", "map", "histogram", "top", "sites", "sensitivity", "exclusions", "profile", "privacy", "data")

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


def _viridis(values: np.ndarray) -> list[str]:
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    rgba = cmap(np.clip(np.nan_to_num(values) / 100.0, 0, 1))
    return [matplotlib.colors.to_hex(c) for c in rgba]


def _png_map(scored, title: str, attribution: str, selected=None) -> str:
    from ..maps import score_map

    with tempfile.TemporaryDirectory() as tmp:
        path = score_map(scored, Path(tmp) / "map.png", title, attribution, selected=selected, dpi=90)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="map of scores" src="data:image/png;base64,{data}">'


def _svg_map(scored, labels: np.ndarray, selected=None, width: int = 900) -> str:
    """Interactive map: plots as SVG shapes coloured by score, a hover title on each."""
    import shapely

    crs = scored.crs if scored.crs is not None and scored.crs.is_projected else scored.estimate_utm_crs()
    geoms = scored.to_crs(crs).geometry
    x0, y0, x1, y1 = geoms.total_bounds
    span = max(x1 - x0, y1 - y0, 1.0)
    scale = width / span
    height = int((y1 - y0) * scale) + 20
    tol = span / 2000.0
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(float)
    rank = pd.to_numeric(scored["rank"], errors="coerce").to_numpy(float) if "rank" in scored else np.full(len(score), np.nan)
    excluded = scored["excluded"].to_numpy(bool)
    colours = _viridis(score)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 {width + 20} {height}" '
           f'style="width:100%;max-height:720px;background:#f4f4f4;border:1px solid #ddd">']

    def pt(x, y):
        return f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}"

    for i, g in enumerate(geoms.values):
        if g is None or g.is_empty:
            continue
        tip = f"{labels[i]}: " + ("excluded" if excluded[i] else f"score {score[i]:.1f}, rank {int(rank[i])}")
        fill = "#9e9e9e" if excluded[i] else colours[i]
        if g.geom_type in ("Point", "MultiPoint"):
            c = shapely.get_coordinates(g)[0]
            tag, shape = "circle", f'cx="{(c[0] - x0) * scale:.1f}" cy="{(y1 - c[1]) * scale:.1f}" r="3"'
        else:
            g = shapely.simplify(g, tol)
            rings = []
            for part in shapely.get_parts(g):
                if part.geom_type == "Polygon":
                    rings.append("M" + " L".join(pt(x, y) for x, y in shapely.get_coordinates(part.exterior)) + " Z")
            if not rings:
                continue
            tag, shape = "path", f'd="{" ".join(rings)}"'
        out.append(f'<{tag} {shape} class="plot" fill="{fill}" fill-opacity="{0.45 if excluded[i] else 0.9}" '
                   f'stroke="#555" stroke-width="0.3"><title>{_e(tip)}</title></{tag}>')
    for k, i in enumerate(selected or []):
        c = shapely.get_coordinates(geoms.values[i].representative_point())[0]
        out.append(f'<text x="{(c[0] - x0) * scale:.1f}" y="{(y1 - c[1]) * scale:.1f}" font-size="16" '
                   f'fill="#b00020" stroke="white" stroke-width="0.6">★S{k + 1}<title>chosen site {k + 1}: '
                   f'{_e(labels[i])}</title></text>')
    out.append("</svg>")
    return "".join(out)


def _histogram_svg(score: np.ndarray, width: int = 640, height: int = 200) -> str:
    s = score[~np.isnan(score)]
    counts, edges = np.histogram(s, bins=20, range=(0, 100))
    top = max(int(counts.max()) if counts.size else 1, 1)
    bw = (width - 50) / 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 30}" '
             f'style="width:100%;max-width:{width}px">']
    colours = _viridis((edges[:-1] + edges[1:]) / 2)
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


def _bar(points: list[float], colours: list[str], titles: list[str], width: int = 260) -> str:
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


def _table(df: pd.DataFrame, numeric: dict[str, int] | None = None, index: bool = False) -> str:
    numeric = numeric or {}
    cols = ([df.index.name or ""] if index else []) + [str(c) for c in df.columns]
    rows = ["<table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in cols) + "</tr>"]
    for idx, r in df.iterrows():
        cells = [f"<td>{_e(idx)}</td>"] if index else []
        for c in df.columns:
            v = r[c]
            if c in numeric and isinstance(v, (int, float, np.number)):
                cells.append(f'<td class="n">{_num(float(v), numeric[c])}</td>')
            else:
                cells.append(f"<td>{_e('' if v is None or (isinstance(v, float) and np.isnan(v)) else v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</table>")
    return "".join(rows)


def _profile_section(profile: Profile) -> str:
    total = sum(c.weight.value for c in profile.criteria)
    out = [f"<p><b>{_e(profile.title)}</b> (<code>{_e(profile.name)}</code>). {_e(profile.description)}</p>"]
    rows = []
    for c in profile.criteria:
        cats = ", ".join(c.categories) or (c.attribute or c.measure)
        rows.append({"criterion": c.label, "measure": f"{c.measure} ({c.metric}): {cats}",
                     "weight": f"{100 * c.weight.value / total:.1f} %", "weight source": c.weight.source,
                     "curve": describe_curve(c.transform, c.unit), "curve source": c.transform.source})
    out.append(_table(pd.DataFrame(rows)))
    w = profile.weighting
    if w.method == "ahp":
        m = pd.DataFrame(np.array(w.matrix), index=pd.Index(w.order, name="AHP"), columns=list(w.order))
        out.append(f"<p>Weights derived by AHP (principal eigenvector) from the pairwise comparisons below; "
                   f"λ<sub>max</sub> = {w.lambda_max:.3f}, consistency ratio {w.consistency_ratio:.3f} "
                   f"(accepted up to 0.1). Source: {_e(w.source)}.</p>")
        out.append(_table(m.round(3), index=True))
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


def write_report(scored, path: str | Path, *, profile=None, top_n: int = 10, title: str | None = None,
                 sites=None, draws: int = DEFAULT_DRAWS, concentration: float = DEFAULT_CONCENTRATION, seed: int = 0,
                 sensitive: tuple[str, ...] = (), include_sensitive: bool = False, id_column: str | None = None,
                 reporter=None) -> Path:
    """Write the HTML report for scored plots.

    Parameters
    ----------
    scored : GeoDataFrame
        Output of :func:`sitefinder.score` or :func:`sitefinder.read_scored`.
    path : path
        The ``.html`` file to write (atomically).
    top_n : int
        Rows of the top table, and N of "probability of being in the top N".
    sites : TopSites, optional
        A :func:`sitefinder.top_sites` result to show in the map and a table.
    draws, concentration, seed
        Monte-Carlo sensitivity settings (see :mod:`sitefinder.decision.sensitivity`).
    sensitive, include_sensitive
        Sensitive layers (besides the profile's and those recorded in the
        file) are left out unless ``include_sensitive``.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the report is an HTML file: name it .html, not {path.name}")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    profile = scored_profile(scored, profile)
    meta = scored.attrs.get("sitefinder", {})
    layers = sensitive_layers(profile, sensitive, meta.get("sensitive", ()))
    hidden = () if include_sensitive else sensitive_criteria(profile, layers)
    labels, id_col = plot_labels(scored, id_column)
    public, withheld = (scored, []) if include_sensitive else public_view(scored, profile, layers)
    withheld = sorted(set(withheld) | set(meta.get("withheld_columns", [])))
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(float)
    excluded = scored["excluded"].to_numpy(bool)
    rank = pd.to_numeric(scored["rank"], errors="coerce").to_numpy(float)
    attribution = meta.get("attribution") or ""
    title = title or f"Site suitability: {profile.title}"
    selected = list(sites.selection.chosen) if sites is not None else None
    body: dict[str, str] = {}

    n, n_ex = len(scored), int(excluded.sum())
    modes = ", ".join(sorted(set(map(str, scored.get("distance_mode", pd.Series(["?"])).dropna()))))
    body["summary"] = (
        f"<p>{n} plots: <b>{n - n_ex} scored</b>, {n_ex} excluded. Distances: {_e(modes)}. "
        f"Best score {_num(np.nanmax(score) if n > n_ex else np.nan)}, median "
        f"{_num(np.nanmedian(score) if n > n_ex else np.nan)}. Profile <code>{_e(profile.name)}</code>"
        f" ({len(profile.criteria)} criteria, weights: {_e(profile.weighting.method)}).</p>"
        "<p class='muted'>A score is 0–100: each criterion turns a measured value into 0–1 with a curve, "
        "and the weighted sum of these is the score. Rank 1 is best. Every number below says where it comes "
        "from; see the profile section for the sources.</p>")

    static = f"<div><p class='muted'>Static map (for print).</p>{_png_map(public, title, attribution, selected)}</div>"
    if n <= MAX_SVG_PLOTS:
        interactive = ("<div><p class='muted'>Interactive map: hover over a plot for its score and rank.</p>"
                       f"{_svg_map(public, labels, selected)}</div>")
    else:
        interactive = f"<div><p class='muted'>{n} plots: the interactive map is left out above {MAX_SVG_PLOTS}.</p></div>"
    body["map"] = f"<div class='maps'>{static}{interactive}</div>"
    body["histogram"] = _histogram_svg(score)

    keys = [c.key for c in profile.criteria if c.key not in hidden]
    colours = {c.key: PALETTE[j % len(PALETTE)] for j, c in enumerate(profile.criteria)}
    crit_label = {c.key: c.label for c in profile.criteria}
    order = np.flatnonzero(~excluded & (rank > 0))
    order = order[np.lexsort((order, rank[order]))][:top_n]
    legend = "".join(f"<span><i class='sw' style='background:{colours[k]}'></i>{_e(crit_label[k])}</span>"
                     for k in keys)
    rows = []
    for i in order:
        pts = [float(pd.to_numeric(scored[f"{k}_contribution"].iloc[i], errors="coerce")) for k in keys]
        best = keys[int(np.nanargmax(pts))] if keys else ""
        rows.append(f"<tr><td class='n'>{int(rank[i])}</td><td>{_e(labels[i])}</td><td class='n'>{score[i]:.1f}</td>"
                    f"<td>{_bar(pts, [colours[k] for k in keys], [crit_label[k] for k in keys])}</td>"
                    f"<td>{_e(crit_label.get(best, ''))}</td></tr>")
    note = (f"<p class='muted'>Criteria reading sensitive layers ({_e(', '.join(crit_label[k] for k in hidden))}) "
            "are not drawn: the bars add up to less than the score.</p>") if hidden else ""
    body["top"] = (f"<div class='legend'>{legend}</div><table><tr><th>rank</th><th>plot ({_e(id_col)})</th>"
                   f"<th>score</th><th>contributions (0–100)</th><th>strongest criterion</th></tr>{''.join(rows)}"
                   f"</table>{note}")

    if sites is not None:
        rules = sites.rules
        rule_text = "; ".join(f"{k.replace('_', ' ')} {v[0] if isinstance(v, tuple) else v}"
                              + (f" [{v[1]}]" if isinstance(v, tuple) else "") for k, v in rules.items()
                              if not (isinstance(v, tuple) and v[0] is None))
        body["sites"] = (f"<p>Greedy choice, best score first, under the rules: {_e(rule_text)}. "
                         "The map above stars the chosen sites (S1, S2 …).</p>"
                         + _table(sites.chosen, {"score": 1, "units": 0, "units_within_cap": 0, "rank": 0})
                         + ("<p>Better-scored plots passed over:</p>" + _table(sites.skipped.head(MAX_SKIPPED), {"score": 1})
                            if len(sites.skipped) else "")
                         + (f"<p class='muted'>… and {len(sites.skipped) - MAX_SKIPPED} more.</p>"
                            if len(sites.skipped) > MAX_SKIPPED else ""))

    try:
        table = score_table(scored, profile)
        result = analyse_sensitivity(table, draws=draws, concentration=concentration, seed=seed, top_n=top_n, reporter=reporter)
        crit = criteria_frame(result)
        per_plot = plots_frame(result, labels).head(top_n)
        rho = result.mc.spearman
        body["sensitivity"] = (
            "<p>One at a time: each weight moved by −25 %, −10 %, +10 %, +25 % (the others rescaled to keep the "
            "sum). <i>Sensitivity</i> is the mean absolute change of rank over all scored plots at ±25 %; "
            "the criteria the ranking depends on most come first.</p>"
            + _table(crit.reset_index(), {c: 2 for c in crit.columns if c != "label"})
            + f"<p>Monte Carlo: {len(rho)} random weight sets (Dirichlet around the profile's weights, "
              f"concentration {concentration:g}, seed {seed}). Rank correlation with the profile's ranking: "
              f"median {np.median(rho):.3f}, 5th percentile {np.percentile(rho, 5):.3f}. For the top {top_n}:</p>"
            + _table(per_plot, {"rank_p05": 0, "rank_p95": 0, "rank_mean": 1, f"p_top_{top_n}": 2}))
    except InputError as exc:
        body["sensitivity"] = f"<p class='note'>Not available: {_e(exc)}</p>"

    reasons = public["exclusion_reason"][excluded] if "exclusion_reason" in public else pd.Series(dtype=object)
    parts = pd.Series([p for r in reasons.fillna("") for p in str(r).split("; ") if p])
    counts = parts.value_counts().head(15).rename_axis("reason").reset_index(name="plots")
    body["exclusions"] = (_table(counts) if len(counts) else "<p>No plot was excluded.</p>")

    body["profile"] = _profile_section(profile)
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
    doc = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
           f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{CSS}</style></head>"
           f"<body><main><h1>{_e(title)}</h1><nav>{nav}</nav>{sections}</main></body></html>")
    with atomic_path(path) as tmp:
        tmp.write_text(doc, encoding="utf-8")
    return path
