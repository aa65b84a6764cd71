"""Compare two or more plots side by side: a table and contribution bars per criterion.

A future resident may be shown two plots to choose from (002:1138–1139);
the planner must say what separates them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..adapters.output import atomic_path
from ..errors import InputError
from .explanation import explain_row, fit
from .privacy import sensitive_layers
from .scored import find_plots, scored_profile


def compare(scored, plots: list[str], *, id_column: str | None = None, profile=None,
            sensitive: tuple[str, ...] = (), include_sensitive: bool = False) -> pd.DataFrame:
    """Criterion by criterion, what each plot gets.

    Parameters
    ----------
    scored : GeoDataFrame
        Output of :func:`sitefinder.score` or :func:`sitefinder.read_scored`.
    plots : list of str
        Two or more plot ids (see :func:`sitefinder.explain` for how ids are found).

    Returns
    -------
    DataFrame
        Rows: the criteria (by label), then ``score``. Columns: a
        two-level index ``(plot, "value" | "points")`` — the raw value as text
        and the contribution in points (the score on the last row; ``nan``
        for an excluded plot). ``.attrs["max_points"]`` holds each criterion's
        maximum, ``.attrs["excluded"]`` each plot's exclusion reason (or ``""``).
    """
    if len(plots) < 2:
        raise InputError("compare needs at least two plots")
    if len(set(map(str, plots))) != len(plots):
        raise InputError("compare: a plot is named twice")
    profile = scored_profile(scored, profile)
    rows = find_plots(scored, [str(p) for p in plots], id_column)
    layers = sensitive_layers(profile, sensitive, scored.attrs.get("sitefinder", {}).get("sensitive", ()))
    private = () if include_sensitive else layers
    parts, excluded, max_points = {}, {}, None
    for pid, row in zip(plots, rows):
        ex = explain_row(scored, row, profile, private)
        labels = list(ex["label"]) + ["score"]
        points = list(ex["contribution"]) + [ex.attrs["score"]]
        parts[(str(pid), "value")] = list(ex["raw"]) + [f"rank {int(ex.attrs['rank'])}"
                                                         if ex.attrs["rank"] == ex.attrs["rank"] else "excluded"]
        parts[(str(pid), "points")] = points
        excluded[str(pid)] = ex.attrs["exclusion_reason"]
        max_points = dict(zip(ex["label"], ex["max_points"]))
    table = pd.DataFrame(parts, index=pd.Index(labels, name="criterion"))
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["plot", ""])
    table.attrs = {"max_points": max_points, "excluded": excluded, "profile": profile.name}
    return table


def format_comparison(table: pd.DataFrame) -> str:
    """The comparison as plain text: one column per plot, ``value  points``."""
    plots = list(dict.fromkeys(table.columns.get_level_values(0)))
    value_width, points_width = 18, 7
    width = value_width + points_width + 2
    lines = [f"{'criterion':<32}" + "".join(f"{fit(p, width - 2):>{width}}" for p in plots) + f"{'max':>7}"]
    lines.append("-" * len(lines[0]))
    for label in table.index:
        cells = []
        for p in plots:
            v, pts = table.loc[label, (p, "value")], table.loc[label, (p, "points")]
            cells.append(f"  {fit(v, value_width):>{value_width}}{'' if pd.isna(pts) else f'{pts:.1f}':>{points_width}}")
        mx = table.attrs["max_points"].get(label)
        lines.append(f"{fit(label, 32):<32}" + "".join(cells) + (f"{mx:>7.1f}" if mx is not None else ""))
    for p, why in table.attrs["excluded"].items():
        if why:
            lines.append(f"{p}: excluded — {why}")
    return "\n".join(lines)


def compare_chart(table: pd.DataFrame, path: str | Path, title: str = "", dpi: int = 110) -> Path:
    """Horizontal bars: each criterion's points for each plot, its maximum as a grey outline (PNG, atomic)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = list(dict.fromkeys(table.columns.get_level_values(0)))
    labels = [lab for lab in table.index if lab != "score"]
    n, k = len(labels), len(plots)
    height = 0.8 / k
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * n * max(k, 2) / 2 + 0.8))
    y = np.arange(n)
    maxima = [table.attrs["max_points"].get(lab, 0.0) for lab in labels]
    ax.barh(y, maxima, height=0.85, color="none", edgecolor="#bbbbbb", linewidth=0.8, label="maximum", zorder=1)
    colours = matplotlib.colormaps["tab10"]
    for j, p in enumerate(plots):
        pts = pd.to_numeric(table.loc[labels, (p, "points")], errors="coerce").fillna(0).to_numpy()
        score = table.loc["score", (p, "points")]
        name = f"{p} ({score:.1f})" if pd.notna(score) else f"{p} (excluded)"
        ax.barh(y - 0.4 + height * (j + 0.5), pts, height=height * 0.95, color=colours(j % 10), label=name, zorder=2)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("points of the 0–100 score")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or "Contribution per criterion", fontsize=11)
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)
    return path
