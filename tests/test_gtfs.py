"""GTFS departures per hour against counts made independently from the feed's text files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from collections import Counter

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

import sitefinder
from sitefinder.adapters.gtfs import read_gtfs, read_gtfs_feeds
from sitefinder.cli import main
from sitefinder.errors import InputError
from sitefinder.progress import Reporter
from sitefinder.profiles import loads_profile

from .conftest import ROOT, SHARED, require

NSB = SHARED / "norway" / "entur_rail_nsb_gtfs_2018.zip"
GJB = SHARED / "norway" / "entur_rail_gjb_gtfs_2018.zip"
FLT = SHARED / "norway" / "entur_rail_flt_gtfs_2018.zip"
RAIL_PROFILE_PATH = ROOT / "docs" / "examples" / "rail-coworking.toml"
OSLO_S, NATIONALTHEATRET, ELVERUM = "NSR:StopPlace:337", "NSR:StopPlace:288", "NSR:StopPlace:117"


# --------------------------------------------------------------------------- independent reference (csv module)

def _rows(path, name):
    with zipfile.ZipFile(path) as z, z.open(name) as fh:
        yield from csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig"))


def _services(path, day: dt.date) -> set[str]:
    """Service ids on ``day`` from calendar_dates.txt (the Entur rail feeds have no calendar.txt)."""
    stamp = day.strftime("%Y%m%d")
    on, off = set(), set()
    for r in _rows(path, "calendar_dates.txt"):
        if r["date"] == stamp:
            (on if r["exception_type"] == "1" else off).add(r["service_id"])
    return on - off


def _count(path, station: str, day: dt.date, start_h: float, end_h: float) -> int:
    """Boarding stop_times at the station's platforms whose clock time on ``day`` is in [start, end)."""
    platforms = {r["stop_id"] for r in _rows(path, "stops.txt") if r["parent_station"] == station} | {station}
    today, yesterday = _services(path, day), _services(path, day - dt.timedelta(days=1))
    trip_today = {r["trip_id"] for r in _rows(path, "trips.txt") if r["service_id"] in today}
    trip_yday = {r["trip_id"] for r in _rows(path, "trips.txt") if r["service_id"] in yesterday}
    n = 0
    for r in _rows(path, "stop_times.txt"):
        if r["stop_id"] not in platforms or r["pickup_type"] == "1":
            continue
        h, m, s = (int(v) for v in r["departure_time"].split(":"))
        hours = h + m / 60 + s / 3600
        if r["trip_id"] in trip_today and start_h <= hours < end_h and hours < 24:
            n += 1
        if r["trip_id"] in trip_yday and hours >= 24 and start_h <= hours - 24 < end_h:
            n += 1
    return n


def _typical_weekday(path) -> dt.date:
    """Earliest Monday–Friday whose number of running trips is the most common such number."""
    per_service = Counter(r["service_id"] for r in _rows(path, "trips.txt"))
    by_date: dict[str, set[str]] = {}
    for r in _rows(path, "calendar_dates.txt"):
        if r["exception_type"] == "1":
            by_date.setdefault(r["date"], set()).add(r["service_id"])
    counts = {}
    for stamp, services in by_date.items():
        day = dt.datetime.strptime(stamp, "%Y%m%d").date()
        if day.weekday() < 5:
            counts[day] = sum(per_service[s] for s in services)
    common = Counter(counts.values()).most_common()
    best = max(c for c, k in common if k == common[0][1])
    return min(d for d, c in counts.items() if c == best)


# --------------------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def nsb():
    return read_gtfs(require(NSB))


def test_representative_date_is_the_typical_weekday(nsb):
    expected = _typical_weekday(NSB)
    assert nsb.attrs["gtfs"]["service_date"] == expected.isoformat()
    assert expected.weekday() < 5


@pytest.mark.parametrize("station", [OSLO_S, NATIONALTHEATRET, ELVERUM])
def test_departures_per_hour_match_hand_counts(nsb, station):
    day = dt.date.fromisoformat(nsb.attrs["gtfs"]["service_date"])
    expected = _count(NSB, station, day, 7, 9)
    row = nsb.set_index("stop_id").loc[station]
    assert row["departures"] == expected
    assert row["departures_per_hour"] == pytest.approx(expected / 2)
    assert row["departures_day"] == _count(NSB, station, day, 0, 24)
    if station != ELVERUM:
        assert expected > 20  # the busiest stations of Norway, not an empty match


def test_times_past_midnight_count_on_the_next_day():
    require(NSB)
    day = dt.date(2018, 10, 17)
    stops = read_gtfs(NSB, date="2018-10-17", window="00:00-03:00").set_index("stop_id")
    for station in (OSLO_S, NATIONALTHEATRET):
        expected = _count(NSB, station, day, 0, 3)
        assert stops.loc[station, "departures"] == expected
    # The previous day's 24:00+ rows are what makes these counts non-zero.
    assert _count(NSB, OSLO_S, day, 0, 3) > 0


def test_stations_are_placed_at_the_parent_station(nsb):
    oslo = nsb.set_index("stop_id").loc[OSLO_S]
    assert oslo["name"] == "Oslo S"
    assert (oslo.geometry.x, oslo.geometry.y) == pytest.approx((10.753276, 59.910927))
    assert not nsb["stop_id"].str.contains("Quay").any()


def test_feeds_sharing_the_stop_register_add_up():
    require(NSB), require(GJB), require(FLT)
    date = "2018-09-04"
    layers = [read_gtfs(p, date=date).set_index("stop_id") for p in (NSB, GJB, FLT)]
    merged = read_gtfs_feeds([NSB, GJB, FLT], date=date).set_index("stop_id")
    expected = sum(layer.loc[OSLO_S, "departures"] for layer in layers if OSLO_S in layer.index)
    assert merged.loc[OSLO_S, "departures"] == expected
    assert sum(OSLO_S in layer.index for layer in layers) == 3
    assert merged.index.is_unique


def test_route_type_filter_drops_replacement_buses():
    require(NSB)
    all_modes = read_gtfs(NSB, date="2018-08-21").set_index("stop_id")
    rail = read_gtfs(NSB, date="2018-08-21", route_types=[2, 100, 101, 102, 103, 106]).set_index("stop_id")
    bus_stop = "NSR:StopPlace:2"  # "Oslo S, alternativ transport": replacement buses only
    assert bus_stop in all_modes.index and bus_stop not in rail.index
    assert rail.loc[OSLO_S, "departures"] <= all_modes.loc[OSLO_S, "departures"]


@pytest.mark.parametrize("window, message", [("7-9", "clock time"), ("09:00-07:00", "after the start"),
                                              ("07:00", "07:00-09:00")])
def test_bad_window_is_a_clear_error(window, message):
    with pytest.raises(InputError, match=message):
        read_gtfs(require(NSB), window=window)


def test_date_outside_the_feed_is_a_clear_error():
    with pytest.raises(InputError, match="no trip runs on 2030-01-01"):
        read_gtfs(require(NSB), date="2030-01-01")


def _copy_without(src, dst, drop: str):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename != drop:
                zout.writestr(item, zin.read(item.filename))


def test_zip_without_stop_times_is_a_clear_error(tmp_path, capsys):
    broken = tmp_path / "no_stop_times.zip"
    _copy_without(require(FLT), broken, "stop_times.txt")
    with pytest.raises(InputError, match="has no stop_times.txt"):
        read_gtfs(broken)
    plots = tmp_path / "plots.csv"
    plots.write_text("id,x,y\n1,262000,6650000\n")
    out = tmp_path / "out.csv"
    code = main(["score", str(plots), "--x", "x", "--y", "y", "--crs", "EPSG:25833", "--gtfs", str(broken),
                 "-p", str(require(RAIL_PROFILE_PATH)), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "stop_times.txt" in err and "Traceback" not in err
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- criteria on GTFS stations

PROFILE = """
[profile]
name = "gtfs-test"
[criteria.frequent]
label = "Station with 10+ departures/hour"
measure = "nearest"
categories = ["gtfs_stop"]
min_weight = { value = 10, source = "assumption" }
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 0, zero = 6000, source = "assumption" }
[criteria.departures]
label = "Departures within 3 km"
measure = "sum"
categories = ["gtfs_stop"]
radius = { value = 3000, source = "assumption" }
decay = { kind = "linear", source = "assumption" }
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_rising", zero = 0, full = 100, source = "assumption" }
"""


def test_min_weight_and_decayed_sum_against_hand_computation(nsb):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    # Three points in Oslo: by Oslo S, at Majorstuen, at Grefsen.
    lonlat = [(10.7540, 59.9120), (10.7160, 59.9300), (10.7800, 59.9550)]
    xy = np.array([to_utm.transform(lon, lat) for lon, lat in lonlat])
    plots = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=shapely.points(xy), crs="EPSG:25833")
    scored = sitefinder.score(plots, loads_profile(PROFILE), gtfs=NSB)

    day = dt.date.fromisoformat(nsb.attrs["gtfs"]["service_date"])
    stations = [(r["stop_id"], r["stop_lon"], r["stop_lat"]) for r in _rows(NSB, "stops.txt") if r["location_type"] == "1"]
    per_hour, pos = {}, {}
    for sid, lon, lat in stations:
        x, y = to_utm.transform(float(lon), float(lat))
        if math.hypot(x - xy[:, 0].mean(), y - xy[:, 1].mean()) < 10000:  # only stations near Oslo matter
            per_hour[sid] = _count(NSB, sid, day, 7, 9) / 2
            pos[sid] = (x, y)
    for i, (px, py) in enumerate(xy):
        dists = {s: math.hypot(px - x, py - y) for s, (x, y) in pos.items()}
        nearest_frequent = min(d for s, d in dists.items() if per_hour[s] >= 10)
        assert scored.loc[i, "frequent_value"] == pytest.approx(nearest_frequent, abs=0.01)
        decayed = sum(per_hour[s] * (1 - d / 3000) for s, d in dists.items() if d <= 3000 and per_hour[s] > 0)
        assert scored.loc[i, "departures_value"] == pytest.approx(decayed, rel=1e-9)
    assert (scored["distance_mode"] == "straight-line").all()
    assert scored.loc[0, "frequent_value"] < 200  # Oslo S itself is frequent


def test_min_weight_needs_weighted_features(tmp_path):
    plots = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:25833")
    stops = gpd.GeoDataFrame(geometry=[shapely.Point(100, 0)], crs="EPSG:25833")
    with pytest.raises(InputError, match="min_weight needs weighted features"):
        sitefinder.score(plots, loads_profile(PROFILE.split("[criteria.departures]")[0]), features={"gtfs_stop": stops})


def _tiny_feed(path):
    """A hand-made feed: one station with two platforms, weekday service via calendar.txt."""
    files = {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
                     "S,Sentrum,60.0,11.0,1,\nP1,Sentrum spor 1,60.0,11.0,0,S\nP2,Sentrum spor 2,60.0,11.0,0,S\n"
                     "E,Ende,60.1,11.1,0,\n",
        "trips.txt": "route_id,service_id,trip_id\nR,WK,t1\nR,WK,t2\nR,WK,t3\nR,WE,t4\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WK,1,1,1,1,1,0,0,20240101,20241231\nWE,0,0,0,0,0,1,1,20240101,20241231\n",
        "stop_times.txt": "trip_id,stop_id,stop_sequence,arrival_time,departure_time,pickup_type\n"
                          "t1,P1,1,07:10:00,07:10:00,0\nt1,E,2,07:40:00,07:40:00,1\n"
                          "t2,P2,1,08:59:00,08:59:00,\nt2,E,2,09:30:00,09:30:00,1\n"
                          "t3,P1,1,24:30:00,24:30:00,0\nt3,E,2,25:00:00,25:00:00,1\n"
                          "t4,P1,1,07:30:00,07:30:00,0\nt4,E,2,08:00:00,08:00:00,1\n",
        # Wednesday 2024-05-01 (a public holiday) has no weekday service.
        "calendar_dates.txt": "service_id,date,exception_type\nWK,20240501,2\n",
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def test_calendar_txt_exceptions_and_after_midnight_on_a_hand_made_feed(tmp_path):
    feed = _tiny_feed(tmp_path / "tiny.zip")
    tue = read_gtfs(feed, date="2024-04-30", window="07:00-09:00").set_index("stop_id")
    assert tue.loc["S", "departures"] == 2 and tue.loc["S", "departures_per_hour"] == 1.0  # t1 and t2, not t4
    assert "E" not in tue.index  # trips only set down there: no departure
    assert tue.loc["S", "departures_day"] == 3  # t1, t2 and Monday's t3 at 00:30
    holiday = read_gtfs(feed, date="2024-05-01", window="00:00-01:00").set_index("stop_id")
    assert holiday.loc["S", "departures"] == 1  # Tuesday's t3 at 24:30 runs into the holiday
    assert holiday.loc["S", "departures_day"] == 1
    saturday = read_gtfs(feed, date="2024-05-04").set_index("stop_id")
    assert saturday.loc["S", "departures"] == 1  # t4 at 07:30; Friday's t3 at 00:30 is outside the window
    assert saturday.loc["S", "departures_day"] == 2
    # The representative weekday: every weekday runs 3 trips except the holiday; the first is Monday 2024-01-01.
    assert read_gtfs(feed).attrs["gtfs"]["service_date"] == "2024-01-01"


def test_headway_based_trips_are_expanded_on_a_hand_made_feed(tmp_path):
    """frequencies.txt: departures every headway_secs from start_time until (not including) end_time.

    The template trip leaves a depot (no boarding) at 09:58, Sentrum at 10:00 and Midt at 10:05: the
    stations are 2 and 7 minutes after the trip's start. Hand count for Tuesday 2024-04-30:
    06:30–08:00 every 10 min starts 06:30 … 07:50 (9 trips), 6 of them reach Sentrum (07:02 … 07:52) and
    Midt (07:07 … 07:57) within 07:00–09:00; 08:00–09:00 every 30 min adds 08:00 and 08:30 (2 more each);
    23:50–24:30 every 20 min starts 23:50 (same day) and 24:10 (00:10 next day). Day total at each station:
    9 + 2 + 1 (Tuesday 23:50) + 1 (Monday's 24:10 run, at 00:1x on Tuesday) = 13.
    """
    files = {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
                     "D,Depot,60.0,10.9,0,\nS,Sentrum,60.0,11.0,1,\nP1,Sentrum spor 1,60.0,11.0,0,S\n"
                     "M,Midt,60.05,11.05,0,\nE,Ende,60.1,11.1,0,\n",
        "trips.txt": "route_id,service_id,trip_id\nR,WK,f1\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WK,1,1,1,1,1,0,0,20240101,20241231\n",
        "stop_times.txt": "trip_id,stop_id,stop_sequence,arrival_time,departure_time,pickup_type\n"
                          "f1,D,1,09:58:00,09:58:00,1\nf1,P1,2,10:00:00,10:00:00,0\n"
                          "f1,M,3,10:05:00,10:05:00,0\nf1,E,4,10:20:00,10:20:00,1\n",
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n"
                           "f1,06:30:00,08:00:00,600,0\nf1,08:00:00,09:00:00,1800,1\nf1,23:50:00,24:30:00,1200,0\n"
                           "f1,nonsense,25:00:00,600,0\n",
    }
    feed = tmp_path / "headways.zip"
    with zipfile.ZipFile(feed, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    reporter = Reporter()
    tue = read_gtfs(feed, date="2024-04-30", window="07:00-09:00", reporter=reporter).set_index("stop_id")
    assert tue.loc["S", "departures"] == 8 and tue.loc["M", "departures"] == 8
    assert tue.loc["S", "departures_per_hour"] == 4.0
    assert tue.loc["S", "departures_day"] == 13 and tue.loc["M", "departures_day"] == 13
    assert "D" not in tue.index and "E" not in tue.index  # no boarding there
    assert any("1 frequencies.txt rows" in w for w in reporter.warnings)
    # The template's own clock times (10:00 at Sentrum) are offsets only, never departures.
    assert read_gtfs(feed, date="2024-04-30", window="10:00-11:00").set_index("stop_id").loc["S", "departures"] == 0
    # Monday: nothing runs on Sunday, so nothing spills past midnight into Monday: 9 + 2 + 1 = 12.
    assert read_gtfs(feed, date="2024-04-29").set_index("stop_id").loc["S", "departures_day"] == 12


def test_exclusion_reason_names_the_frequency_filter(nsb):
    profile = loads_profile("""
[profile]
name = "frequent-only"
[criteria.frequent]
label = "Station with 10+ departures/hour"
measure = "nearest"
categories = ["gtfs_stop"]
min_weight = { value = 10, source = "assumption" }
weight = { value = 1, source = "assumption" }
transform = { kind = "linear_falling", full = 0, zero = 500, source = "assumption" }
[[constraints]]
kind = "max_value"
criterion = "frequent"
value = 500
source = "assumption"
""")
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    x, y = to_utm.transform(10.7800, 59.9550)  # Grefsen: no station with 10+ departures/hour within 500 m
    plots = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.Point(x, y)], crs="EPSG:25833")
    scored = sitefinder.score(plots, profile, gtfs=NSB)
    assert scored.loc[0, "exclusion_reason"] == (
        "no gtfs stop with ≥ 10 departures/hour within 500 m (straight line)")
