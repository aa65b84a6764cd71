"""A plot register from an address list: one candidate per plot.

Kartverket's Matrikkel address register lists *addresses*; a plot
(``gardsnummer``/``bruksnummer``) with a house split into flats, or with a
farmhouse and a barn, has several. To score each plot once, the addresses
are grouped by the key columns and each group becomes the address **nearest
the centroid of the group's addresses** (a real address point that lies on
the plot, unlike the centroid itself, which can fall between two buildings or
on a neighbour's plot). Its columns are kept as they are; ``address_count``
says how many addresses the plot has. Documented in ``docs/data/matrikkel.md``.

Nothing is lost: a row with an empty key is a plot of its own, and a plot
whose addresses all lack coordinates keeps its first row with an empty
geometry (scored as excluded, with the reason).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError

COUNT_COLUMN = "address_count"


def group_plots(points: gpd.GeoDataFrame, keys: list[str], what: str = "plots") -> gpd.GeoDataFrame:
    """One row per distinct combination of ``keys``: the address nearest the group's centroid.

    Parameters
    ----------
    points : GeoDataFrame
        Address points (empty geometries allowed).
    keys : list of str
        Columns identifying a plot, e.g. ``["gardsnummer", "bruksnummer"]``.

    Returns
    -------
    GeoDataFrame
        Groups in the order of their first address; every input column plus
        ``address_count``.

    Raises
    ------
    InputError
        A key column that does not exist, or geometries that are not points.
    """
    missing = [k for k in keys if k not in points.columns]
    if missing:
        raise InputError(f"{what}: cannot group by {missing[0]!r}: no such column "
                         f"(columns: {', '.join(map(str, points.columns))})")
    if not keys:
        raise InputError(f"{what}: name the columns to group by, e.g. gardsnummer,bruksnummer")
    geoms = points.geometry.to_numpy()
    present = ~(pd.isna(geoms) | shapely.is_empty(np.where(pd.isna(geoms), shapely.Point(), geoms)))
    kinds = set(shapely.get_type_id(geoms[present]).tolist())
    if kinds - {0}:
        raise InputError(f"{what}: grouping by {', '.join(keys)} needs point geometries (addresses)")
    key_frame = points[keys].astype(str).where(points[keys].notna(), "")
    blank = (key_frame == "").any(axis=1).to_numpy()
    # Rows with an empty key each form their own group.
    group = pd.Series(list(map(tuple, key_frame.to_numpy())), index=points.index)
    codes, _ = pd.factorize(group, sort=False)
    codes = codes.astype(np.int64)
    n_keyed = int(codes.max()) + 1 if codes.size else 0
    codes[blank] = n_keyed + np.arange(int(blank.sum()))
    codes = pd.factorize(codes, sort=False)[0]  # renumber in order of first appearance

    xy = np.full((len(points), 2), np.nan)
    xy[present] = shapely.get_coordinates(geoms[present])
    frame = pd.DataFrame({"g": codes, "x": xy[:, 0], "y": xy[:, 1], "row": np.arange(len(points))})
    centre = frame.groupby("g")[["x", "y"]].transform("mean")  # nan when a group has no coordinates
    frame["d"] = np.hypot(frame["x"] - centre["x"], frame["y"] - centre["y"])
    frame["d"] = frame["d"].fillna(np.inf)
    chosen = frame.sort_values(["g", "d", "row"], kind="stable").groupby("g", sort=True)["row"].first()
    counts = frame.groupby("g").size()
    out = points.iloc[chosen.to_numpy()].copy()
    if COUNT_COLUMN in out.columns:
        out = out.rename(columns={COUNT_COLUMN: f"{COUNT_COLUMN}_input"})
    out[COUNT_COLUMN] = counts.reindex(chosen.index).to_numpy(np.int64)
    return out.reset_index(drop=True)
