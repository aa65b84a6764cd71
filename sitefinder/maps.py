"""Static PNG maps of scored plots (matplotlib, no basemap tiles needed).

Geometries are drawn as a few large matplotlib collections rather than one
patch per polygon, so ten thousand plots draw in well under a second.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .adapters.output import atomic_path

EXCLUDED_COLOUR = "#9e9e9e"
NETWORK_COLOUR = "#d0d0d0"
LABEL_COLOUR = "#b00020"


def _rings(geoms: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Exterior rings of every polygon part, and which geometry each ring belongs to."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    poly = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)  # an empty polygon has no ring to draw
    rings = shapely.get_exterior_ring(parts[poly])
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    splits = np.flatnonzero(np.diff(idx)) + 1
    return np.split(coords, splits) if coords.size else [], owner[poly]


def _lines(geoms: np.ndarray) -> list[np.ndarray]:
    parts = shapely.get_parts(geoms)
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    return np.split(coords, np.flatnonzero(np.diff(idx)) + 1) if coords.size else []


def _points(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    is_point = shapely.get_type_id(geoms) == 0
    return shapely.get_coordinates(geoms[is_point]), np.flatnonzero(is_point)


def score_map(
    scored: gpd.GeoDataFrame,
    path: str | Path,
    title: str,
    attribution: str,
    network: gpd.GeoDataFrame | None = None,
    top: int = 10,
    dpi: int = 110,
    selected: list[int] | None = None,
) -> Path:
    """Draw plots coloured by ``score`` (excluded in grey) with the top ``top`` labelled.

    Parameters
    ----------
    scored : GeoDataFrame
        Output of :func:`sitefinder.score`.
    path : path
        PNG file to write (atomically).
    title : str
    attribution : str
        Printed along the bottom edge (data licences).
    network : GeoDataFrame, optional
        Drawn underneath in light grey for orientation.
    top : int
        How many of the best plots get their rank written next to them.
    selected : list of int, optional
        Row positions of chosen sites (:func:`sitefinder.top_sites`), drawn as
        stars labelled S1, S2 … in the order chosen (instead of the top ranks).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import Normalize

    crs = scored.crs if scored.crs is not None and scored.crs.is_projected else scored.estimate_utm_crs()
    plots = scored.to_crs(crs)
    geoms = np.asarray(plots.geometry.values, dtype=object)
    excluded = plots["excluded"].to_numpy(dtype=bool)
    score = plots["score"].to_numpy(dtype=float)
    cmap = matplotlib.colormaps["viridis"]
    norm = Normalize(0, 100)
    colours = np.where(excluded[:, None], matplotlib.colors.to_rgba_array(EXCLUDED_COLOUR),
                       cmap(norm(np.nan_to_num(score))))
    colours[excluded, 3] = 0.5

    fig, ax = plt.subplots(figsize=(9, 9))
    if network is not None and len(network):
        ax.add_collection(LineCollection(_lines(np.asarray(network.to_crs(crs).geometry.values)),
                                         colors=NETWORK_COLOUR, linewidths=0.4, zorder=1))
    rings, owner = _rings(geoms)
    if rings:
        # Excluded plots first, then large before small, so no plot hides another.
        ring_area = np.array([0.5 * abs(np.dot(r[:, 0], np.roll(r[:, 1], 1)) - np.dot(r[:, 1], np.roll(r[:, 0], 1)))
                              for r in rings])
        order = np.lexsort((-ring_area, ~excluded[owner]))
        ax.add_collection(PolyCollection([rings[i] for i in order], facecolors=colours[owner[order]],
                                         edgecolors="none", zorder=2))
    pts, which = _points(geoms)
    if len(pts):
        ax.scatter(pts[:, 0], pts[:, 1], c=colours[which], s=8, zorder=3, linewidths=0)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, shrink=0.6, label="score (0–100)")

    ranked = plots[~excluded & plots["rank"].notna()].sort_values("rank").head(0 if selected is not None else top)
    for k, p in enumerate(plots.geometry.iloc[list(selected or [])].representative_point()):
        ax.plot(p.x, p.y, marker="*", markersize=14, markerfacecolor=LABEL_COLOUR, markeredgecolor="white", zorder=6)
        ax.annotate(f"S{k + 1}", (p.x, p.y), xytext=(6, 4), textcoords="offset points", fontsize=9,
                    fontweight="bold", color=LABEL_COLOUR, zorder=6)
    for r, p in zip(ranked["rank"], ranked.geometry.representative_point()):
        ax.plot(p.x, p.y, marker="o", markersize=6, markerfacecolor="none", markeredgecolor=LABEL_COLOUR, zorder=5)
        ax.annotate(str(int(r)), (p.x, p.y), xytext=(3, 3), textcoords="offset points", fontsize=9,
                    fontweight="bold", color=LABEL_COLOUR, zorder=5)

    bounds = plots.total_bounds
    if np.all(np.isfinite(bounds)):
        pad = 0.03 * max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1.0)
        ax.set_xlim(bounds[0] - pad, bounds[2] + pad)
        ax.set_ylim(bounds[1] - pad, bounds[3] + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{title}\n{int((~excluded).sum())} plots scored, {int(excluded.sum())} excluded (grey); "
                 + (f"{len(selected)} chosen sites starred" if selected is not None else f"top {len(ranked)} numbered"),
                 fontsize=11)
    fig.text(0.01, 0.01, attribution, fontsize=7, color="#444444", ha="left", va="bottom")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)
    return path


def surface_map(score: np.ndarray, extent: tuple[float, float, float, float], path: str | Path, title: str,
                attribution: str, outline: gpd.GeoDataFrame | None = None, dpi: int = 110) -> Path:
    """Preview PNG of a suitability surface: the total score, excluded and outside cells transparent.

    Parameters
    ----------
    score : ndarray, shape (ny, nx)
        Total score 0–100, north-up; ``nan`` where there is none.
    extent : (left, right, bottom, top)
        Where the grid lies, in the CRS of ``outline``.
    path : path
        PNG file to write (atomically).
    outline : GeoDataFrame, optional
        The area's boundary, drawn on top.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 9))
    image = ax.imshow(np.ma.masked_invalid(score), extent=extent, origin="upper", cmap="viridis", vmin=0, vmax=100,
                      interpolation="nearest")
    if outline is not None and len(outline):
        ax.add_collection(matplotlib.collections.LineCollection(
            _lines(shapely.boundary(np.asarray(outline.geometry.values))), colors="#333333", linewidths=0.8))
    fig.colorbar(image, ax=ax, shrink=0.6, label="score (0–100)")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    n_scored = int(np.isfinite(score).sum())
    ax.set_title(f"{title}\n{n_scored} cells scored; excluded cells and cells outside the area are blank", fontsize=11)
    fig.text(0.01, 0.01, attribution, fontsize=7, color="#444444", ha="left", va="bottom")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)
    return path
