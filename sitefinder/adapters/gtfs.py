"""GTFS timetables as transit-stop features weighted by departures per hour.

The counting is :mod:`sitefinder.adapters.gtfs_departures` (standard library
and numpy, shared with the QGIS plugin); this module returns its stations as
a GeoDataFrame. The rules (stations not platforms, boarding only, times past
24:00, the representative date) are documented there and in ``docs/data/gtfs.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import shapely

from ..progress import Reporter
from .gtfs_departures import (  # noqa: F401 (re-exported: the GTFS names library users know)
    DEFAULT_WINDOW, GTFS_CRS, REQUIRED_FILES, Stations, Window, count_departures, count_departures_feeds,
    parse_date, parse_window,
)

WEIGHT_COLUMN = "departures_per_hour"


def stations_frame(stations: Stations) -> gpd.GeoDataFrame:
    """Counted stations as a GeoDataFrame in EPSG:4326 (columns as :func:`read_gtfs` documents)."""
    out = gpd.GeoDataFrame(
        {
            "stop_id": stations.stop_id, "name": stations.name, "departures": stations.departures,
            WEIGHT_COLUMN: stations.departures_per_hour, "departures_day": stations.departures_day,
            "service_date": stations.service_date, "window": stations.window,
        },
        geometry=shapely.points(stations.lon, stations.lat), crs=GTFS_CRS,
    )
    out.attrs["gtfs"] = {"feed": stations.feed, "service_date": stations.dates, "window": stations.window_text}
    return out


def read_gtfs(
    path: str | Path,
    date: str | dt.date | None = None,
    window: str | tuple[str, str] | Window | None = None,
    route_types: list[int] | None = None,
    reporter: Reporter | None = None,
) -> gpd.GeoDataFrame:
    """Stations of a GTFS feed with their departures per hour in a time window.

    Parameters
    ----------
    path : path
        A GTFS ``.zip``.
    date : str or date, optional
        Service date (``"2018-08-21"``). Default: a representative weekday
        (see the module docstring).
    window : str, optional
        Clock times ``"07:00-09:00"`` (the default); the end is exclusive.
    route_types : list of int, optional
        Keep only trips of these GTFS ``route_type`` values (e.g. ``[2, 100,
        101, 102, 103, 106]`` for rail without replacement buses, 714).
    reporter : Reporter, optional
        Receives a note of the date and window used.

    Returns
    -------
    GeoDataFrame
        One row per station with at least one departure on the date (EPSG:4326):
        ``stop_id``, ``name``, ``departures`` (in the window),
        ``departures_per_hour``, ``departures_day`` (whole service date),
        ``service_date``, ``window``. ``attrs["gtfs"]`` repeats date and window.

    Raises
    ------
    InputError
        A missing or unreadable file, a zip without the GTFS tables, a bad
        date or window, a date on which nothing runs.
    """
    return stations_frame(count_departures(path, date, window, route_types, reporter))


def read_gtfs_feeds(
    paths: list[str | Path],
    date: str | dt.date | None = None,
    window: str | tuple[str, str] | Window | None = None,
    route_types: list[int] | None = None,
    reporter: Reporter | None = None,
) -> gpd.GeoDataFrame:
    """Several feeds as one layer; a station in more than one feed adds up its departures.

    Entur's feeds share the national stop register (``NSR:StopPlace:…``), so
    Oslo S in the NSB, Gjøvikbanen and Flytoget feeds is one station. Each
    feed without a given ``date`` uses its own representative date (all are
    listed in ``service_date``). See :func:`read_gtfs` for the columns.
    """
    return stations_frame(count_departures_feeds(paths, date, window, route_types, reporter))
