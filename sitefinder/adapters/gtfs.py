"""GTFS timetables as transit-stop features weighted by departures per hour.

A feed (a ``.zip``) is read with pandas: ``stops``, ``trips``,
``stop_times`` and ``calendar`` and/or ``calendar_dates``. For one service
date and a time window (default: a representative weekday, 07:00–09:00) each
stop gets its departures per hour. Decisions, documented in
``docs/data/gtfs.md``:

* **Stations, not platforms.** Departures of all platforms (``location_type``
  0 with a ``parent_station``) are added up at their station
  (``location_type`` 1), placed at the station's coordinates: a traveller
  walks to the station, not to a platform. A stop without a parent is its own
  station.
* **A departure** is a ``stop_times`` row where boarding is possible
  (``pickup_type`` is not 1), so a trip's last stop, where it only sets down,
  does not count.
* **Times past 24:00** belong to the previous service day: 25:30 on Monday's
  service is 01:30 on Tuesday. The window on date D therefore counts
  Monday-service rows at 31:00–33:00 when D is a Tuesday, for a 07:00–09:00 window.
* **The representative date** (when none is given) is the earliest Monday–
  Friday whose number of running trips is the most common weekday count in
  the feed: an ordinary weekday, not a holiday or a day of engineering works.
* Stations with no departure at all on the service date are left out.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from ..progress import Reporter

REQUIRED_FILES = ("stops.txt", "trips.txt", "stop_times.txt")
DEFAULT_WINDOW = ("07:00", "09:00")
WEIGHT_COLUMN = "departures_per_hour"
GTFS_CRS = "EPSG:4326"


@dataclass(frozen=True)
class Window:
    """A time window on one service date, in seconds after midnight (``end`` exclusive)."""

    start: int
    end: int

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 3600.0

    def __str__(self) -> str:
        return f"{_clock(self.start)}–{_clock(self.end)}"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_window(text: str | tuple[str, str] | Window | None) -> Window:
    """A window from ``"07:00-09:00"`` (or a pair of clock times).

    Raises
    ------
    InputError
        For a malformed window or one whose end is not after its start.
    """
    if isinstance(text, Window):
        return text
    if text is None:
        text = DEFAULT_WINDOW
    if isinstance(text, str):
        parts = text.replace("–", "-").split("-")
        if len(parts) != 2:
            raise InputError(f"GTFS time window must look like 07:00-09:00, got {text!r}")
        text = (parts[0], parts[1])
    start, end = (_seconds(t.strip(), f"GTFS time window {text[0]}-{text[1]}") for t in text)
    if end <= start:
        raise InputError(f"GTFS time window {text[0]}-{text[1]}: the end must be after the start")
    return Window(start, end)


def _seconds(text: str, what: str) -> int:
    parts = text.split(":")
    try:
        if not 2 <= len(parts) <= 3:
            raise ValueError
        h, m, s = (int(p) for p in (parts + ["0"])[:3])
        if not (0 <= m < 60 and 0 <= s < 60 and h >= 0):
            raise ValueError
    except ValueError:
        raise InputError(f"{what}: {text!r} is not a clock time like 07:30") from None
    return h * 3600 + m * 60 + s


def parse_date(text: str | dt.date | None) -> dt.date | None:
    """A service date from ``"2018-08-21"`` or ``"20180821"`` (``None`` stays ``None``)."""
    if text is None or isinstance(text, dt.date):
        return text
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(str(text), fmt).date()
        except ValueError:
            pass
    raise InputError(f"GTFS service date must look like 2018-08-21, got {text!r}")


def _times_to_seconds(times: pd.Series) -> np.ndarray:
    """GTFS ``H:MM:SS`` times (hours may exceed 23) to seconds; nan where empty or malformed."""
    parts = times.fillna("").astype(str).str.strip().str.split(":", expand=True)
    if parts.shape[1] != 3:
        return np.full(len(times), np.nan)
    nums = parts.apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    return nums[:, 0] * 3600 + nums[:, 1] * 60 + nums[:, 2]


class _Feed:
    """The tables of one GTFS zip, read as strings."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"GTFS feed {path}: not a readable zip file ({exc})") from None
        # Some publishers put the files in a folder inside the zip.
        self.names = {Path(n).name: n for n in self.zip.namelist() if n.endswith(".txt")}
        missing = [f for f in REQUIRED_FILES if f not in self.names]
        if "calendar.txt" not in self.names and "calendar_dates.txt" not in self.names:
            missing.append("calendar.txt or calendar_dates.txt")
        if missing:
            raise InputError(f"GTFS feed {path.name} has no {', '.join(missing)}: is it a GTFS zip?")

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str, columns: list[str], required: tuple[str, ...] = ()) -> pd.DataFrame:
        with self.zip.open(self.names[name]) as fh:
            try:
                df = pd.read_csv(io.TextIOWrapper(fh, encoding="utf-8-sig"), dtype=str, keep_default_na=False,
                                 usecols=lambda c: c.strip() in columns)
            except Exception as exc:
                raise InputError(f"GTFS feed {self.path.name}: cannot read {name}: {str(exc).splitlines()[0]}") from None
        df.columns = [c.strip() for c in df.columns]
        absent = [c for c in required if c not in df.columns]
        if absent:
            raise InputError(f"GTFS feed {self.path.name}: {name} has no column {absent[0]!r}")
        for c in columns:
            if c not in df.columns:
                df[c] = ""
        return df


def _active_services(feed: _Feed) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    cal = None
    if feed.has("calendar.txt"):
        cal = feed.read("calendar.txt", ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                                          "saturday", "sunday", "start_date", "end_date"],
                        required=("service_id", "start_date", "end_date"))
    dates = None
    if feed.has("calendar_dates.txt"):
        dates = feed.read("calendar_dates.txt", ["service_id", "date", "exception_type"],
                          required=("service_id", "date", "exception_type"))
    return cal, dates


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def services_on(cal: pd.DataFrame | None, dates: pd.DataFrame | None, day: dt.date) -> set[str]:
    """Service ids running on ``day`` (calendar.txt, then calendar_dates.txt exceptions)."""
    stamp = day.strftime("%Y%m%d")
    active: set[str] = set()
    if cal is not None and len(cal):
        weekday = _WEEKDAYS[day.weekday()]
        on = (cal["start_date"] <= stamp) & (cal["end_date"] >= stamp) & (cal[weekday].str.strip() == "1")
        active = set(cal.loc[on, "service_id"])
    if dates is not None and len(dates):
        today = dates[dates["date"] == stamp]
        active |= set(today.loc[today["exception_type"].str.strip() == "1", "service_id"])
        active -= set(today.loc[today["exception_type"].str.strip() == "2", "service_id"])
    return active


def _service_days(cal: pd.DataFrame | None, dates: pd.DataFrame | None) -> list[dt.date]:
    stamps: set[str] = set()
    if cal is not None and len(cal):
        first = min(cal["start_date"])
        last = max(cal["end_date"])
        day, end = dt.datetime.strptime(first, "%Y%m%d").date(), dt.datetime.strptime(last, "%Y%m%d").date()
        if (end - day).days > 3 * 366:
            end = day + dt.timedelta(days=3 * 366)  # open-ended calendars: look at three years at most
        while day <= end:
            stamps.add(day.strftime("%Y%m%d"))
            day += dt.timedelta(days=1)
    if dates is not None and len(dates):
        stamps |= set(dates["date"])
    out = []
    for s in sorted(stamps):
        try:
            out.append(dt.datetime.strptime(s, "%Y%m%d").date())
        except ValueError:
            continue
    return out


def representative_date(cal: pd.DataFrame | None, dates: pd.DataFrame | None, trips: pd.DataFrame) -> dt.date:
    """The earliest Monday–Friday with the most common weekday number of running trips."""
    trips_per_service = trips.groupby("service_id").size()
    counts: dict[dt.date, int] = {}
    for day in _service_days(cal, dates):
        if day.weekday() < 5:
            active = services_on(cal, dates, day)
            counts[day] = int(trips_per_service.reindex(list(active)).fillna(0).sum())
    counts = {d: c for d, c in counts.items() if c > 0}
    if not counts:
        raise InputError("the GTFS feed runs no trip on any weekday (Monday–Friday): give a service date")
    values = pd.Series(counts)
    typical = values.value_counts().sort_index(ascending=False).idxmax()  # most common; ties: more trips
    return min(d for d, c in counts.items() if c == typical)


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
    reporter = reporter or Reporter()
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"GTFS feed not found: {path}")
    win = parse_window(window)
    feed = _Feed(path)
    stops = feed.read("stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station"],
                      required=("stop_id", "stop_lat", "stop_lon"))
    trips = feed.read("trips.txt", ["trip_id", "service_id", "route_id"], required=("trip_id", "service_id"))
    if route_types is not None:
        routes = feed.read("routes.txt", ["route_id", "route_type"], required=("route_id", "route_type")) \
            if feed.has("routes.txt") else None
        if routes is None:
            raise InputError(f"GTFS feed {path.name} has no routes.txt, so it cannot be filtered by route type")
        keep = set(routes.loc[pd.to_numeric(routes["route_type"], errors="coerce").isin(route_types), "route_id"])
        trips = trips[trips["route_id"].isin(keep)]
    cal, dates = _active_services(feed)
    service_date = parse_date(date) or representative_date(cal, dates, trips)
    if feed.has("frequencies.txt"):
        reporter.warn(f"GTFS feed {path.name} has frequencies.txt: headway-based trips are counted once per "
                      "listed stop time, not per headway")

    stop_times = feed.read("stop_times.txt", ["trip_id", "stop_id", "departure_time", "arrival_time", "pickup_type"],
                           required=("trip_id", "stop_id", "departure_time"))
    boarding = stop_times["pickup_type"].str.strip() != "1"
    stop_times = stop_times[boarding]
    seconds = _times_to_seconds(stop_times["departure_time"].where(stop_times["departure_time"].str.strip() != "",
                                                                   stop_times["arrival_time"]))
    today = services_on(cal, dates, service_date)
    yesterday = services_on(cal, dates, service_date - dt.timedelta(days=1))
    trips_today = set(trips.loc[trips["service_id"].isin(today), "trip_id"])
    trips_yesterday = set(trips.loc[trips["service_id"].isin(yesterday), "trip_id"])
    run_today = stop_times["trip_id"].isin(trips_today).to_numpy()
    run_yesterday = stop_times["trip_id"].isin(trips_yesterday).to_numpy()
    day = 24 * 3600
    # Clock time on the service date: today's rows as they are (before 24:00),
    # yesterday's rows past 24:00 shifted back one day.
    in_day = (run_today & (seconds < day)) | (run_yesterday & (seconds >= day))
    clock = np.where(run_today & (seconds < day), seconds, seconds - day)
    in_window = in_day & (clock >= win.start) & (clock < win.end)

    stops = stops.drop_duplicates("stop_id").set_index("stop_id")
    parent = stops["parent_station"].str.strip()
    station_of = pd.Series(np.where(parent.isin(stops.index) & (parent != ""), parent, stops.index), index=stops.index)
    unknown = ~stop_times["stop_id"].isin(stops.index)
    if unknown.all() and len(stop_times):
        raise InputError(f"GTFS feed {path.name}: no stop_times.txt stop_id is in stops.txt")
    if unknown.any():
        reporter.warn(f"GTFS feed {path.name}: {int(unknown.sum())} stop_times rows name stops missing from "
                      "stops.txt and are ignored")
    station = station_of.reindex(stop_times["stop_id"]).to_numpy()
    per_day = pd.Series(station[in_day & ~unknown.to_numpy()]).value_counts()
    per_window = pd.Series(station[in_window & ~unknown.to_numpy()]).value_counts()
    if per_day.empty:
        raise InputError(
            f"GTFS feed {path.name}: no trip runs on {service_date:%Y-%m-%d} ({service_date:%A}); "
            "choose a date inside the feed's validity"
        )
    served = stops.loc[per_day.index]
    lon = pd.to_numeric(served["stop_lon"], errors="coerce").to_numpy(np.float64)
    lat = pd.to_numeric(served["stop_lat"], errors="coerce").to_numpy(np.float64)
    departures = per_window.reindex(per_day.index).fillna(0).astype(np.int64).to_numpy()
    out = gpd.GeoDataFrame(
        {
            "stop_id": per_day.index.to_numpy(dtype=object),
            "name": served["stop_name"].to_numpy(dtype=object),
            "departures": departures,
            WEIGHT_COLUMN: departures / win.hours,
            "departures_day": per_day.to_numpy(np.int64),
            "service_date": service_date.isoformat(),
            "window": str(win),
        },
        geometry=shapely.points(lon, lat), crs=GTFS_CRS,
    )
    out = out[np.isfinite(lon) & np.isfinite(lat)].sort_values("stop_id").reset_index(drop=True)
    out.attrs["gtfs"] = {"feed": path.name, "service_date": service_date.isoformat(), "window": str(win)}
    return out


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
    if not paths:
        raise InputError("no GTFS feed given")
    layers = [read_gtfs(p, date, window, route_types, reporter) for p in paths]
    if len(layers) == 1:
        return layers[0]
    allrows = pd.concat(layers, ignore_index=True)
    first = allrows.groupby("stop_id", sort=True).first()
    summed = allrows.groupby("stop_id", sort=True)[["departures", WEIGHT_COLUMN, "departures_day"]].sum()
    dates = allrows.groupby("stop_id", sort=True)["service_date"].agg(lambda s: ", ".join(sorted(set(s))))
    out = gpd.GeoDataFrame(
        {"stop_id": summed.index.to_numpy(dtype=object), "name": first["name"].to_numpy(dtype=object),
         **{c: summed[c].to_numpy() for c in summed.columns}, "service_date": dates.to_numpy(dtype=object),
         "window": first["window"].to_numpy(dtype=object)},
        geometry=gpd.GeoSeries(first["geometry"].to_numpy(), crs=GTFS_CRS).values, crs=GTFS_CRS,
    )
    out.attrs["gtfs"] = {"feed": ", ".join(Path(p).name for p in paths),
                         "service_date": ", ".join(sorted({layer.attrs['gtfs']['service_date'] for layer in layers})),
                         "window": layers[0].attrs["gtfs"]["window"]}
    return out
