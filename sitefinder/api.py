"""The Python API: score plots from files or GeoDataFrames.

>>> import sitefinder
>>> scored = sitefinder.score("plots.gpkg", "smahus-integrated",
...                           osm="oslo-center.osm.pbf")  # doctest: +SKIP
>>> scored.sort_values("rank").head()  # doctest: +SKIP

To score several profiles on the same data, prepare the study area once:

>>> area = sitefinder.load_study("plots.gpkg", osm="oslo-center.osm.pbf")  # doctest: +SKIP
>>> for name in sitefinder.list_profiles():  # doctest: +SKIP
...     area.score(name).to_file(f"{name}.gpkg")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .adapters.crs import metric_crs, to_crs
from .adapters.layer_rules import category_label
from .adapters.osm import OsmData, read_osm
from .adapters.vector import features_to_arrays, network_to_arrays, plots_to_arrays, read_layer
from .errors import InputError
from .pipeline import FeatureArrays, PlotArrays, ScoreTable, Study, score_arrays
from .pipeline.scoring import explanation_columns
from .profiles import Profile, load_profile
from .progress import Reporter, TqdmReporter


@dataclass
class StudyArea:
    """Plots, network and features prepared once, ready to score with any profile.

    Create it with :func:`load_study`.
    """

    plots: gpd.GeoDataFrame
    crs: CRS
    plot_arrays: PlotArrays
    study: Study
    data_sources: list[str] = field(default_factory=list)
    attribution: str = ""

    def score(self, profile: str | Path | Profile = "smahus-integrated", weights: dict[str, float] | None = None,
              ) -> gpd.GeoDataFrame:
        """Score every plot with ``profile``; see :func:`score` for the output columns."""
        table = score_arrays(self.plot_arrays, self.study, load_profile(profile), weights, self.study.reporter)
        return attach(self.plots, table, self.data_sources, self.attribution, self.study.reporter)

    def score_table(self, profile: str | Path | Profile, weights: dict[str, float] | None = None) -> ScoreTable:
        """The raw :class:`~sitefinder.pipeline.ScoreTable` (arrays) for ``profile``."""
        return score_arrays(self.plot_arrays, self.study, load_profile(profile), weights, self.study.reporter)


def attach(plots: gpd.GeoDataFrame, table: ScoreTable, data_sources: list[str], attribution: str,
           reporter: Reporter) -> gpd.GeoDataFrame:
    """The plots with the explanation columns appended (input columns, rows and order kept)."""
    out = plots.copy()
    new_cols = explanation_columns(table.profile)
    clash = [c for c in new_cols if c in out.columns]
    if clash:
        out = out.rename(columns={c: f"{c}_input" for c in clash})
        reporter.warn(f"input columns {', '.join(clash)} were renamed with suffix _input (sitefinder writes its own)")
    for name in new_cols:
        values = table.columns[name]
        if name == "rank":
            values = pd.array(np.where(values > 0, values, 0), dtype="Int64")
            values[table.columns["rank"] == 0] = pd.NA
        out[name] = values
    out.attrs["sitefinder"] = {
        "profile": table.profile.name,
        "profile_title": table.profile.title,
        "warnings": list(table.warnings),
        "data": list(data_sources),
        "attribution": attribution,
    }
    return out


def _as_osm(osm, categories, reporter: Reporter) -> OsmData:
    if isinstance(osm, OsmData):
        return osm
    return read_osm(osm, categories=categories, reporter=reporter)


def load_study(
    plots,
    *,
    osm: str | Path | OsmData | None = None,
    place: str | None = None,
    network=None,
    features: dict | None = None,
    layer: str | None = None,
    oneway_column: str | None = None,
    feature_weights: dict[str, str] | None = None,
    categories: str | Path | None = None,
    progress: bool = False,
    reporter: Reporter | None = None,
) -> StudyArea:
    """Read and prepare plots, a walking network and feature layers.

    Parameters
    ----------
    plots : path or GeoDataFrame
        Polygons or points, any CRS (a CRS is required).
    osm : path or OsmData, optional
        A local ``.osm.pbf``/``.osm`` file: gives the walking network and every
        category of the OSM category table.
    place : str, optional
        A place name to download with osmnx instead (needs internet), e.g.
        ``"Elverum, Norway"``.
    network : path or GeoDataFrame, optional
        A line layer to use as the walking network (replaces the OSM network).
    features : dict of category -> path or GeoDataFrame, optional
        Feature layers (points, lines or polygons); they replace or add to the
        OSM categories.
    layer : str, optional
        Layer name when ``plots`` is a multi-layer file.
    oneway_column : str, optional
        Column of ``network`` marking one-way lines.
    feature_weights : dict of category -> column, optional
        Column holding each feature's weight for ``sum`` criteria.
    categories : path, optional
        A custom OSM category table (TOML).
    progress : bool
        Show progress bars on stderr.
    reporter : Reporter, optional
        Receives progress and warnings (overrides ``progress``).

    Without ``osm``, ``place`` and ``network``, distances are straight lines.
    """
    reporter = reporter or (TqdmReporter() if progress else Reporter())
    plots_gdf = read_layer(plots, "plots", layer=layer)
    crs = metric_crs(plots_gdf, "plots")
    with reporter.step("preparing plots", len(plots_gdf)):
        plot_arrays = plots_to_arrays(to_crs(plots_gdf, crs, "plots"))
    data_sources: list[str] = [f"plots: {plots if not isinstance(plots, gpd.GeoDataFrame) else 'GeoDataFrame'}"]
    attribution: list[str] = []

    osm_data: OsmData | None = None
    if osm is not None and place is not None:
        raise InputError("give either osm (a file) or place (a name to download), not both")
    if osm is not None:
        osm_data = _as_osm(osm, categories, reporter)
    elif place is not None:
        from .adapters.osm_place import read_place

        osm_data = read_place(place, categories=categories, reporter=reporter)
    if osm_data is not None:
        data_sources.append(f"OpenStreetMap: {osm_data.source}")
        attribution.append(osm_data.attribution)

    feature_arrays: dict[str, FeatureArrays] = {}
    with reporter.step("preparing feature layers"):
        if osm_data is not None:
            for name, gdf in osm_data.features.items():
                feature_arrays[name] = features_to_arrays(
                    to_crs(gdf, crs, f"OSM {name}"), osm_data.categories[name].label, "OpenStreetMap")
        for name, src in (features or {}).items():
            what = f"features {name!r}"
            gdf = read_layer(src, what)
            weight_col = (feature_weights or {}).get(name)
            feature_arrays[name] = features_to_arrays(to_crs(gdf, crs, what), category_label(name),
                                                      str(src) if not isinstance(src, gpd.GeoDataFrame) else what,
                                                      weight_column=weight_col)
            data_sources.append(f"{what}: {src if not isinstance(src, gpd.GeoDataFrame) else 'GeoDataFrame'}")

    network_arrays = None
    if network is not None:
        net_gdf = read_layer(network, "network")
        network_arrays = network_to_arrays(to_crs(net_gdf, crs, "network"), str(network)
                                           if not isinstance(network, gpd.GeoDataFrame) else "GeoDataFrame",
                                           oneway_column=oneway_column)
        data_sources.append(f"network: {network if not isinstance(network, gpd.GeoDataFrame) else 'GeoDataFrame'}")
    elif osm_data is not None:
        network_arrays = network_to_arrays(to_crs(osm_data.network, crs, "OSM network"), "OpenStreetMap")
    study = Study(network_arrays, feature_arrays, reporter=reporter)
    return StudyArea(plots_gdf, crs, plot_arrays, study, data_sources, "; ".join(attribution))


def score(plots, profile: str | Path | Profile = "smahus-integrated", *, weights: dict[str, float] | None = None,
          **kwargs) -> gpd.GeoDataFrame:
    """Score candidate plots for a use case.

    Parameters
    ----------
    plots : path or GeoDataFrame
        Candidate plots: polygons or points in any CRS.
    profile : str, Path or Profile
        Built-in name (``smahus-integrated``, ``smahus-shielded``,
        ``coworking``) or a TOML file.
    weights : dict, optional
        Weight overrides by criterion key, e.g. ``{"transit": 5}``.
    **kwargs
        Data sources, as for :func:`load_study` (``osm=``, ``network=``,
        ``features=``, ``place=``, ``progress=`` …).

    Returns
    -------
    GeoDataFrame
        The input plots — every row and column, in input order, in their own
        CRS — plus, for each criterion ``c``, ``c_value`` (metres, a count …;
        empty when nothing lies within the search cut-off), ``c_score`` (0–1)
        and ``c_contribution`` (points of the total), then ``excluded``,
        ``exclusion_reason``, ``score`` (0–100), ``rank`` (1 = best; empty
        for excluded plots) and ``distance_mode``.

    Examples
    --------
    >>> import sitefinder
    >>> scored = sitefinder.score("parcels.gpkg", "coworking", osm="town.osm.pbf")  # doctest: +SKIP
    """
    return load_study(plots, **kwargs).score(profile, weights=weights)
