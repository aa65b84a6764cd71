"""A report a council can read: one self-contained HTML file (opens offline, no CDN).

The HTML is :func:`sitefinder.decision.report_html.render_report` (shared
with the QGIS plugin); this module feeds it from a GeoDataFrame and adds the
static PNG map drawn with matplotlib. Sensitive
layers stay out (see :mod:`sitefinder.decision.privacy`) unless ``include_sensitive``.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from ..adapters.output import atomic_path
from .privacy import redact_reasons, sensitive_layers
from .report_html import (  # noqa: F401 (SECTIONS and MAX_SVG_PLOTS are part of this module's interface)
    MAX_SVG_PLOTS, SECTIONS, PlotShapes, check_report_path, render_report, simplify_tolerance, sites_section,
)
from .scored import columns_of, plot_labels, public_view, scored_profile
from .sensitivity import DEFAULT_CONCENTRATION, DEFAULT_DRAWS

def _png_map(scored, title: str, attribution: str, selected=None) -> str:
    from ..maps import score_map

    with tempfile.TemporaryDirectory() as tmp:
        path = score_map(scored, Path(tmp) / "map.png", title, attribution, selected=selected, dpi=90)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="map of scores" src="data:image/png;base64,{data}">'


def plot_shapes(scored) -> PlotShapes:
    """The plots of a GeoDataFrame for the interactive map: in a metric CRS, simplified, exterior rings."""
    import shapely

    crs = scored.crs if scored.crs is not None and scored.crs.is_projected else scored.estimate_utm_crs()
    geoms = scored.to_crs(crs).geometry
    bounds = tuple(float(v) for v in geoms.total_bounds)
    tol = simplify_tolerance(bounds)
    shapes: list = []
    for g in geoms.values:
        if g is None or g.is_empty:
            shapes.append(None)
        elif g.geom_type in ("Point", "MultiPoint"):
            c = shapely.get_coordinates(g)[0]
            shapes.append((float(c[0]), float(c[1])))
        else:
            rings = [tuple(shapely.get_coordinates(part.exterior).T)
                     for part in shapely.get_parts(shapely.simplify(g, tol)) if part.geom_type == "Polygon"]
            shapes.append(rings or None)
    rep = geoms.representative_point()
    return PlotShapes(shapes, rep.x.to_numpy(float), rep.y.to_numpy(float), bounds)


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
    check_report_path(path)
    profile = scored_profile(scored, profile)
    meta = scored.attrs.get("sitefinder", {})
    layers = sensitive_layers(profile, sensitive, meta.get("sensitive", ()))
    labels, id_col = plot_labels(scored, id_column)
    public, withheld = (scored, []) if include_sensitive else public_view(scored, profile, layers)
    withheld = sorted(set(withheld) | set(meta.get("withheld_columns", [])))
    title = title or f"Site suitability: {profile.title}"
    selected = list(sites.selection.chosen) if sites is not None else None
    reasons = scored["exclusion_reason"].tolist() if "exclusion_reason" in scored else [""] * len(scored)
    if not include_sensitive:
        reasons = redact_reasons(reasons, profile, layers)
    static = (f"<div><p class='muted'>Static map (for print).</p>"
              f"{_png_map(public, title, meta.get('attribution') or '', selected)}</div>")
    doc = render_report(
        columns_of(scored), len(scored), profile, labels=labels, id_column=id_col, meta=meta, layers=layers,
        include_sensitive=include_sensitive, public_reasons=reasons, withheld=withheld, static_map=static,
        shapes=plot_shapes(public) if len(scored) <= MAX_SVG_PLOTS else None, title=title, top_n=top_n,
        sites_html=sites_section(sites.rules, sites.chosen.to_dict("records"), sites.skipped.to_dict("records"))
        if sites is not None else None, selected=selected, draws=draws,
        concentration=concentration, seed=seed, reporter=reporter)
    with atomic_path(path) as tmp:
        tmp.write_text(doc, encoding="utf-8")
    return path
