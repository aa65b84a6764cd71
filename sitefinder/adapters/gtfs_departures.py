"""Departures per hour at each station of a GTFS feed, with the csv module (no pandas).

The standard library and numpy only, so the QGIS plugin counts departures
with exactly the code the library uses (:mod:`sitefinder.adapters.gtfs`
wraps the result in a GeoDataFrame). A feed (a ``.zip``) is read from
``stops``, ``trips``, ``stop_times`` and ``calendar`` and/or
``calendar_dates``. For one service date and a time window (default: a
representative weekday, 07:00–09:00) each station gets its departures per
hour. Decisions, documented in ``docs/data/gtfs.md``:

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
* **Headway-based trips** (``frequencies.txt``) are expanded: a listed trip
  departs at ``start_time``, ``start_time + headway_secs``, … before
  ``end_time``, and its ``stop_times`` give only the offsets from its first
  stop (GTFS reference), whatever ``exact_times`` says.
* Stations with no departure at all on the service date are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..progress import Reporter

REQUIRED_FILES = ("stops.txt", "trips.txt", "stop_times.txt")
DEFAULT_WINDOW = ("07:00", "09:00")
GTFS_CRS = "EPSG:4326"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = 24 * 3600


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


@dataclass
class Stations:
    """Stations of one or more feeds with their departures (one row per station, sorted by ``stop_id``).

    Attributes
    ----------
    stop_id, name : ndarray of object
    lon, lat : ndarray of float64
        Station coordinates in EPSG:4326.
    departures : ndarray of int64
        Departures in the window.
    departures_per_hour : ndarray of float64
    departures_day : ndarray of int64
        Departures on the whole service date.
    service_date, window : ndarray of object
        Per station (several feeds may use different representative dates).
    feed, dates, window_text : str
        Summary: the feed file name(s), the service date(s) used, the window.
    """

    stop_id: np.ndarray
    name: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    departures: np.ndarray
    departures_per_hour: np.ndarray
    departures_day: np.ndarray
    service_date: np.ndarray
    window: np.ndarray
    feed: str
    dates: str
    window_text: str

    @property
    def n(self) -> int:
        return int(self.stop_id.shape[0])

    def describe(self) -> str:
        """One line for data-source lists, e.g. ``"nsb.zip, departures per hour 07:00–09:00 on 2018-08-21"``."""
        return f"{self.feed}, departures per hour {self.window_text} on {self.dates}"


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


def gtfs_seconds(text: str) -> float:
    """A GTFS ``H:MM:SS`` time (hours may exceed 23) in seconds; ``nan`` when empty or malformed.

    Examples
    --------
    >>> gtfs_seconds("25:30:00"), gtfs_seconds("")
    (91800.0, nan)
    """
    parts = text.strip().split(":")
    if len(parts) != 3:
        return float("nan")
    try:
        h, m, s = (float(p) for p in parts)
    except ValueError:
        return float("nan")
    return h * 3600 + m * 60 + s


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


class _Feed:
    """The tables of one GTFS zip, read as text columns."""

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

    def read(self, name: str, columns: list[str], required: tuple[str, ...] = ()) -> dict[str, list[str]]:
        """The named columns of one table as lists of strings (absent optional columns are empty strings)."""
        try:
            with self.zip.open(self.names[name]) as fh:
                reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig", newline=""))
                header = [h.strip() for h in next(reader, [])]
                absent = [c for c in required if c not in header]
                if absent:
                    raise InputError(f"GTFS feed {self.path.name}: {name} has no column {absent[0]!r}")
                where = [(c, header.index(c)) for c in columns if c in header]
                out: dict[str, list[str]] = {c: [] for c, _ in where}
                for row in reader:
                    if not row:
                        continue
                    for c, i in where:
                        out[c].append(row[i] if i < len(row) else "")
        except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"GTFS feed {self.path.name}: cannot read {name}: {str(exc).splitlines()[0]}") from None
        n = len(next(iter(out.values()))) if out else 0
        for c in columns:
            out.setdefault(c, [""] * n)
        return out


class _Calendar:
    """calendar.txt and calendar_dates.txt: which services run on a day."""

    def __init__(self, feed: _Feed):
        self.weekly = None
        if feed.has("calendar.txt"):
            self.weekly = feed.read("calendar.txt", ["service_id", *_WEEKDAYS, "start_date", "end_date"],
                                    required=("service_id", "start_date", "end_date"))
        self.by_date: dict[str, tuple[set[str], set[str]]] = {}  # date -> (added, removed)
        if feed.has("calendar_dates.txt"):
            d = feed.read("calendar_dates.txt", ["service_id", "date", "exception_type"],
                          required=("service_id", "date", "exception_type"))
            for service, date, kind in zip(d["service_id"], d["date"], d["exception_type"]):
                added, removed = self.by_date.setdefault(date, (set(), set()))
                if kind.strip() == "1":
                    added.add(service)
                elif kind.strip() == "2":
                    removed.add(service)

    def services_on(self, day: dt.date) -> set[str]:
        """Service ids running on ``day`` (calendar.txt, then calendar_dates.txt exceptions)."""
        stamp = day.strftime("%Y%m%d")
        active: set[str] = set()
        if self.weekly is not None:
            w = self.weekly
            runs = w[_WEEKDAYS[day.weekday()]]
            active = {s for s, a, b, r in zip(w["service_id"], w["start_date"], w["end_date"], runs)
                      if a <= stamp <= b and r.strip() == "1"}
        added, removed = self.by_date.get(stamp, (set(), set()))
        return (active | added) - removed

    def days(self) -> list[dt.date]:
        """Every date the calendar covers (open-ended calendars: three years at most)."""
        stamps: set[str] = set()
        if self.weekly is not None and self.weekly["service_id"]:
            day = dt.datetime.strptime(min(self.weekly["start_date"]), "%Y%m%d").date()
            end = dt.datetime.strptime(max(self.weekly["end_date"]), "%Y%m%d").date()
            end = min(end, day + dt.timedelta(days=3 * 366))
            while day <= end:
                stamps.add(day.strftime("%Y%m%d"))
                day += dt.timedelta(days=1)
        stamps |= set(self.by_date)
        out = []
        for s in sorted(stamps):
            try:
                out.append(dt.datetime.strptime(s, "%Y%m%d").date())
            except ValueError:
                continue
        return out


def representative_date(calendar: _Calendar, trips_per_service: Counter) -> dt.date:
    """The earliest Monday–Friday with the most common weekday number of running trips (ties: more trips)."""
    counts = {}
    for day in calendar.days():
        if day.weekday() < 5:
            n = sum(trips_per_service.get(s, 0) for s in calendar.services_on(day))
            if n > 0:
                counts[day] = n
    if not counts:
        raise InputError("the GTFS feed runs no trip on any weekday (Monday–Friday): give a service date")
    frequency = Counter(counts.values())
    typical = max(frequency, key=lambda n: (frequency[n], n))
    return min(d for d, c in counts.items() if c == typical)


def _headways(feed: _Feed, reporter: Reporter) -> dict[str, list[tuple[int, int, int]]]:
    """frequencies.txt: per trip its ``(start, end, headway)`` periods in seconds (malformed rows skipped, with a warning)."""
    f = feed.read("frequencies.txt", ["trip_id", "start_time", "end_time", "headway_secs"],
                  required=("trip_id", "start_time", "end_time", "headway_secs"))
    out: dict[str, list[tuple[int, int, int]]] = {}
    bad = 0
    for trip, start, end, headway in zip(f["trip_id"], f["start_time"], f["end_time"], f["headway_secs"]):
        a, b, h = gtfs_seconds(start), gtfs_seconds(end), _number(headway)
        if not (a == a and b == b and h == h and h > 0):
            bad += 1
            continue
        out.setdefault(trip, []).append((int(a), int(b), int(h)))
    if bad:
        reporter.warn(f"GTFS feed {feed.path.name}: {bad} frequencies.txt rows without valid times or a positive "
                      "headway_secs are ignored")
    return out


def count_departures(
    path: str | Path,
    date: str | dt.date | None = None,
    window: str | tuple[str, str] | Window | None = None,
    route_types: list[int] | None = None,
    reporter: Reporter | None = None,
) -> Stations:
    """Stations of one GTFS feed with their departures in a time window.

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
        Keep only trips of these GTFS ``route_type`` values.
    reporter : Reporter, optional
        Receives warnings.

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
    stops = feed.read("stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon", "parent_station"],
                      required=("stop_id", "stop_lat", "stop_lon"))
    trips = feed.read("trips.txt", ["trip_id", "service_id", "route_id"], required=("trip_id", "service_id"))
    trip_rows = list(zip(trips["trip_id"], trips["service_id"], trips["route_id"]))
    if route_types is not None:
        if not feed.has("routes.txt"):
            raise InputError(f"GTFS feed {path.name} has no routes.txt, so it cannot be filtered by route type")
        routes = feed.read("routes.txt", ["route_id", "route_type"], required=("route_id", "route_type"))
        wanted = {float(t) for t in route_types}
        keep = {r for r, t in zip(routes["route_id"], routes["route_type"]) if _number(t) in wanted}
        trip_rows = [t for t in trip_rows if t[2] in keep]
    calendar = _Calendar(feed)
    service_date = parse_date(date) or representative_date(calendar, Counter(s for _, s, _ in trip_rows))
    headways = _headways(feed, reporter) if feed.has("frequencies.txt") else {}

    today, yesterday = calendar.services_on(service_date), calendar.services_on(service_date - dt.timedelta(days=1))
    trips_today = {t for t, s, _ in trip_rows if s in today}
    trips_yesterday = {t for t, s, _ in trip_rows if s in yesterday}

    station_of: dict[str, str] = {}
    row_of: dict[str, int] = {}
    for i, stop in enumerate(stops["stop_id"]):
        row_of.setdefault(stop, i)  # the first row of a duplicated stop_id counts
    for stop, i in row_of.items():
        parent = stops["parent_station"][i].strip()
        station_of[stop] = parent if parent and parent in row_of else stop

    st = feed.read("stop_times.txt", ["trip_id", "stop_id", "departure_time", "arrival_time", "pickup_type"],
                   required=("trip_id", "stop_id", "departure_time"))
    per_day: Counter = Counter()
    per_window: Counter = Counter()

    def tally(trip: str, station: str, seconds: float) -> None:
        # Clock time on the service date: today's rows before 24:00, yesterday's rows past 24:00 shifted back.
        if trip in trips_today and seconds < _DAY:
            clock = seconds
        elif trip in trips_yesterday and seconds >= _DAY:
            clock = seconds - _DAY
        else:
            return  # not running on the date (or no time)
        per_day[station] += 1
        if win.start <= clock < win.end:
            per_window[station] += 1

    first_time: dict[str, float] = {}  # headway-based trips: the time at their first stop
    template: dict[str, list[tuple[str, float]]] = {}  # ... and their boarding stops with times
    boarding = unknown = 0
    for trip, stop, dep, arr, pickup in zip(st["trip_id"], st["stop_id"], st["departure_time"], st["arrival_time"],
                                            st["pickup_type"]):
        seconds = gtfs_seconds(dep if dep.strip() else arr)
        if trip in headways and seconds == seconds:
            first_time[trip] = min(first_time.get(trip, seconds), seconds)
        if pickup.strip() == "1":
            continue
        boarding += 1
        station = station_of.get(stop)
        if station is None:
            unknown += 1
        elif trip in headways:
            template.setdefault(trip, []).append((station, seconds))
        else:
            tally(trip, station, seconds)
    for trip, rows in template.items():
        for start, end, headway in headways[trip]:
            for departure in range(start, end, headway):
                for station, seconds in rows:
                    tally(trip, station, departure + seconds - first_time.get(trip, 0.0))
    if boarding and unknown == boarding:
        raise InputError(f"GTFS feed {path.name}: no stop_times.txt stop_id is in stops.txt")
    if unknown:
        reporter.warn(f"GTFS feed {path.name}: {unknown} stop_times rows name stops missing from stops.txt and "
                      "are ignored")
    if not per_day:
        raise InputError(
            f"GTFS feed {path.name}: no trip runs on {service_date:%Y-%m-%d} ({service_date:%A}); "
            "choose a date inside the feed's validity"
        )
    ids = sorted(s for s in per_day if np.isfinite(_number(stops["stop_lon"][row_of[s]]))
                 and np.isfinite(_number(stops["stop_lat"][row_of[s]])))
    rows = [row_of[s] for s in ids]
    departures = np.array([per_window[s] for s in ids], np.int64)
    return Stations(
        stop_id=np.array(ids, dtype=object),
        name=np.array([stops["stop_name"][i] for i in rows], dtype=object),
        lon=np.array([_number(stops["stop_lon"][i]) for i in rows], np.float64),
        lat=np.array([_number(stops["stop_lat"][i]) for i in rows], np.float64),
        departures=departures, departures_per_hour=departures / win.hours,
        departures_day=np.array([per_day[s] for s in ids], np.int64),
        service_date=np.full(len(ids), service_date.isoformat(), dtype=object),
        window=np.full(len(ids), str(win), dtype=object),
        feed=path.name, dates=service_date.isoformat(), window_text=str(win),
    )


def merge_stations(parts: list[Stations]) -> Stations:
    """Several feeds as one set of stations; a station in more than one feed adds up its departures.

    Name, position and window come from the first feed listing the station;
    ``service_date`` lists every date used for it.
    """
    if len(parts) == 1:
        return parts[0]
    first: dict[str, tuple[int, int]] = {}
    for k, p in enumerate(parts):
        for i, s in enumerate(p.stop_id):
            first.setdefault(s, (k, i))
    ids = sorted(first)
    index = {s: j for j, s in enumerate(ids)}
    n = len(ids)
    dep, per_hour, day = np.zeros(n, np.int64), np.zeros(n), np.zeros(n, np.int64)
    dates: list[set[str]] = [set() for _ in range(n)]
    for p in parts:
        j = np.array([index[s] for s in p.stop_id], np.int64)
        np.add.at(dep, j, p.departures)
        np.add.at(per_hour, j, p.departures_per_hour)
        np.add.at(day, j, p.departures_day)
        for jj, d in zip(j, p.service_date):
            dates[jj].add(d)

    def pick(attr: str) -> np.ndarray:
        return np.array([getattr(parts[first[s][0]], attr)[first[s][1]] for s in ids])

    return Stations(
        stop_id=np.array(ids, dtype=object), name=pick("name").astype(object), lon=pick("lon").astype(np.float64),
        lat=pick("lat").astype(np.float64), departures=dep, departures_per_hour=per_hour, departures_day=day,
        service_date=np.array([", ".join(sorted(d)) for d in dates], dtype=object),
        window=pick("window").astype(object),
        feed=", ".join(p.feed for p in parts), dates=", ".join(sorted({d for p in parts for d in p.dates.split(", ")})),
        window_text=parts[0].window_text,
    )


def count_departures_feeds(
    paths: list[str | Path],
    date: str | dt.date | None = None,
    window: str | tuple[str, str] | Window | None = None,
    route_types: list[int] | None = None,
    reporter: Reporter | None = None,
) -> Stations:
    """:func:`count_departures` for each feed, merged with :func:`merge_stations`.

    Entur's feeds share the national stop register (``NSR:StopPlace:…``), so
    Oslo S in the NSB, Gjøvikbanen and Flytoget feeds is one station. Each
    feed without a given ``date`` uses its own representative date.
    """
    if not paths:
        raise InputError("no GTFS feed given")
    return merge_stations([count_departures(p, date, window, route_types, reporter) for p in paths])
