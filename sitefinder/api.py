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
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .adapters.area import read_area
from .adapters.crs import metric_crs, to_crs
from .adapters.geometry import to_ragged
from .adapters.gtfs import WEIGHT_COLUMN, read_gtfs_feeds
from .adapters.layer_rules import category_label
from .adapters.osm import OsmData, read_osm
from .adapters.raster import read_dem
from .adapters.register import group_plots
from .adapters.vector import features_to_arrays, network_to_arrays, plots_to_arrays, read_layer
from .errors import InputError
from .pipeline import FeatureArrays, PlotArrays, ScoreTable, Study, score_arrays
from .pipeline.scoring import explanation_columns
from .pipeline.surface import Surface, score_surface, surface_grid
from .profiles import Profile, load_profile
from .progress import Reporter, TqdmReporter


# Category of GTFS stations when no other name is given.
GTFS_CATEGORY = "gtfs_stop"
# Nodata of surface GeoTIFFs (scores are 0–100 and 0–1).
SURFACE_NODATA = -9999.0


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
        "profile_text": table.profile.text,
        "weights": table.profile.weight_record(),
        "warnings": list(table.warnings),
        "exclusions": dict(table.exclusions),
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
    gtfs=None,
    gtfs_date: str | None = None,
    gtfs_window: str | None = None,
    gtfs_route_types: list[int] | None = None,
    dem: str | Path | None = None,
    group_by: list[str] | None = None,
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
    gtfs : path, list of paths, or dict of category -> path(s), optional
        GTFS feeds (zip): their stations become the category ``gtfs_stop``
        (or the dict's keys), weighted by departures per hour, for
        ``min_weight`` and ``sum`` criteria. Stations in several feeds add up.
    gtfs_date : str, optional
        Service date, e.g. ``"2018-10-16"``; default a representative weekday.
    gtfs_window : str, optional
        Time window, default ``"07:00-09:00"``.
    gtfs_route_types : list of int, optional
        Keep only trips of these GTFS route types.
    dem : path, optional
        A terrain model (GeoTIFF or any raster GDAL reads) for ``slope`` criteria.
    group_by : list of str, optional
        Columns identifying a plot in an address list (e.g.
        ``["gardsnummer", "bruksnummer"]``): one candidate per plot, the
        address nearest the centroid of its addresses (see
        :func:`sitefinder.adapters.register.group_plots`).
    progress : bool
        Show progress bars on stderr.
    reporter : Reporter, optional
        Receives progress and warnings (overrides ``progress``).

    Without ``osm``, ``place`` and ``network``, distances are straight lines.
    """
    reporter = reporter or (TqdmReporter() if progress else Reporter())
    plots_gdf = read_layer(plots, "plots", layer=layer)
    if group_by:
        plots_gdf = group_plots(plots_gdf, list(group_by))
    crs = metric_crs(plots_gdf, "plots")
    with reporter.step("preparing plots", len(plots_gdf)):
        plots_m = to_crs(plots_gdf, crs, "plots")
        plot_arrays = plots_to_arrays(plots_m)
    data = prepare_data(crs, bounds=_bounds(plots_m), osm=osm, place=place, network=network, features=features, oneway_column=oneway_column,
                        feature_weights=feature_weights, categories=categories, gtfs=gtfs, gtfs_date=gtfs_date,
                        gtfs_window=gtfs_window, gtfs_route_types=gtfs_route_types, dem=dem, reporter=reporter)
    sources = [f"plots: {plots if not isinstance(plots, gpd.GeoDataFrame) else 'GeoDataFrame'}", *data.sources]
    return StudyArea(plots_gdf, crs, plot_arrays, data.study, sources, data.attribution)


def _bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """The layer's bounds, ``None`` when it has no geometry."""
    b = tuple(float(v) for v in gdf.total_bounds)
    return b if np.isfinite(b).all() else None


class StudyData(NamedTuple):
    """Network, features and terrain prepared in one CRS, and where they came from."""

    study: Study
    sources: list[str]
    attribution: str


def prepare_data(
    crs: CRS,
    *,
    osm: str | Path | OsmData | None = None,
    place: str | None = None,
    network=None,
    features: dict | None = None,
    oneway_column: str | None = None,
    feature_weights: dict[str, str] | None = None,
    categories: str | Path | None = None,
    gtfs=None,
    gtfs_date: str | None = None,
    gtfs_window: str | None = None,
    gtfs_route_types: list[int] | None = None,
    dem: str | Path | None = None,
    reporter: Reporter | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> StudyData:
    """Read the network, feature layers, GTFS feeds and terrain model into a :class:`Study` in ``crs``.

    The data keywords are those of :func:`load_study`; this is its part that
    does not need plots (a surface's cells are made from arrays). ``bounds``
    (in ``crs``) is where the plots or cells are: only that part of the
    terrain model is read.
    """
    reporter = reporter or Reporter()
    data_sources: list[str] = []
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
        for name, paths in _gtfs_feeds(gtfs).items():
            stops = read_gtfs_feeds(paths, gtfs_date, gtfs_window, gtfs_route_types, reporter)
            meta = stops.attrs["gtfs"]
            feature_arrays[name] = features_to_arrays(to_crs(stops, crs, f"GTFS {name}"), name.replace("_", " "),
                                                      meta["feed"], weight_column=WEIGHT_COLUMN)
            feature_arrays[name].weight_unit = "departures/hour"
            data_sources.append(f"GTFS {name}: {meta['feed']}, departures per hour {meta['window']} on "
                                f"{meta['service_date']}")
            attribution.append(f"GTFS timetables {meta['feed']}")

    network_arrays = None
    if network is not None:
        net_gdf = read_layer(network, "network")
        network_arrays = network_to_arrays(to_crs(net_gdf, crs, "network"), str(network)
                                           if not isinstance(network, gpd.GeoDataFrame) else "GeoDataFrame",
                                           oneway_column=oneway_column)
        data_sources.append(f"network: {network if not isinstance(network, gpd.GeoDataFrame) else 'GeoDataFrame'}")
    elif osm_data is not None:
        network_arrays = network_to_arrays(to_crs(osm_data.network, crs, "OSM network"), "OpenStreetMap")
    terrain = None
    if dem is not None:
        with reporter.step("reading terrain model"):
            terrain = read_dem(dem, crs, reporter, bounds)
        data_sources.append(f"terrain: {dem}")
    study = Study(network_arrays, feature_arrays, reporter=reporter, terrain=terrain)
    return StudyData(study, data_sources, "; ".join(attribution))


def _gtfs_feeds(gtfs) -> dict[str, list]:
    """Normalise the ``gtfs`` argument to category -> list of feed paths."""
    if gtfs is None:
        return {}
    if isinstance(gtfs, dict):
        return {k: (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in gtfs.items()}
    return {GTFS_CATEGORY: list(gtfs) if isinstance(gtfs, (list, tuple)) else [gtfs]}


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


@dataclass
class SurfaceResult:
    """A scored surface with what a writer needs: its CRS, area and data provenance."""

    surface: Surface
    crs: CRS
    area: gpd.GeoDataFrame
    data_sources: list[str]
    attribution: str


def surface(area, profile: str | Path | Profile, *, cell: float = 25.0, crs: str | None = None,
            municipalities: str | Path | None = None, weights: dict[str, float] | None = None,
            progress: bool = False, reporter: Reporter | None = None, **kwargs) -> SurfaceResult:
    """Score a regular grid of cells over an area (a suitability surface).

    Parameters
    ----------
    area : path, str or GeoDataFrame
        A polygon file, a bounding box ``"xmin,ymin,xmax,ymax"`` (in ``crs``)
        or a municipality number such as ``"3420"`` (looked up in ``municipalities``).
    profile : str, Path or Profile
    cell : float
        Cell size in metres.
    crs : str, optional
        CRS of the surface (and of a bounding box). Default: the area's own
        CRS when projected in metres, else its UTM zone.
    municipalities : path, optional
        Municipality polygons (Kartverket's ``kommuner_2024.geojson``).
    weights : dict, optional
        Weight overrides.
    progress : bool
        Show progress bars on stderr.
    reporter : Reporter, optional
    **kwargs
        Data, as for :func:`load_study` (``osm=``, ``gtfs=``, ``dem=``, ``features=`` …).

    Returns
    -------
    SurfaceResult
        ``surface.bands`` (total score, then criterion scores; ``nan`` where
        none), ``surface.names``, ``surface.table`` (the cells' score table),
        the CRS, the area polygon in it, and the data sources.

    Examples
    --------
    >>> result = sitefinder.surface("3420", "coworking", cell=50, crs="EPSG:25833", osm="elverum.osm.pbf",
    ...                             municipalities="kommuner_2024.geojson")  # doctest: +SKIP
    >>> sitefinder.write_surface("elverum.tif", result)  # doctest: +SKIP
    """
    reporter = reporter or (TqdmReporter() if progress else Reporter())
    area_gdf = read_area(area, crs=crs, municipalities=municipalities)
    work_crs = CRS.from_user_input(crs) if crs else metric_crs(area_gdf, "area")
    if not (work_crs.is_projected and work_crs.axis_info[0].unit_name in ("metre", "meter", "m")):
        raise InputError(f"the surface CRS must be projected in metres, got {work_crs.name}")
    area_m = to_crs(area_gdf, work_crs, "area")
    with reporter.step("laying out cells"):
        grid = surface_grid(to_ragged(np.asarray(area_m.geometry.values, dtype=object), polygons_only=True),
                            float(cell))
    data = prepare_data(work_crs, reporter=reporter, bounds=_bounds(area_m), **kwargs)
    result = score_surface(grid, data.study, load_profile(profile), weights, reporter)
    return SurfaceResult(result, work_crs, area_m, data.sources, data.attribution)


def write_surface(path: str | Path, result: SurfaceResult, preview: bool = True, sensitive: tuple[str, ...] = (),
                  include_sensitive: bool = False) -> list[Path]:
    """Write a surface as a Cloud-Optimised GeoTIFF (and a PNG preview next to it), atomically.

    Bands of criteria read from sensitive layers (the profile's ``[privacy]``
    list plus ``sensitive``) are left out, and data sources naming them lose
    their detail, unless ``include_sensitive`` is true (see ``docs/decision.md``).

    Returns
    -------
    list of Path
        The files written: the GeoTIFF, then the preview.
    """
    from .adapters.raster import write_geotiff
    from .maps import surface_map

    path = Path(path).expanduser()
    if path.suffix.lower() not in (".tif", ".tiff"):
        raise InputError(f"cannot write {path.name}: a surface is a GeoTIFF (.tif)")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    from .decision.privacy import public_surface, sensitive_layers

    s = result.surface
    g = s.grid.geometry
    profile = s.table.profile
    layers = () if include_sensitive else sensitive_layers(profile, sensitive)
    bands, names, tags = public_surface(s, result.data_sources, result.attribution, layers, SURFACE_NODATA)
    written = [write_geotiff(path, bands, names, g, result.crs, SURFACE_NODATA, tags)]
    if preview:
        extent = (g.left, g.left + g.nx * g.dx, g.top - g.ny * g.dy, g.top)
        written.append(surface_map(s.bands[0], extent, path.with_suffix(".png"), profile.title,
                                   result.attribution or "sitefinder", outline=result.area))
    return written
