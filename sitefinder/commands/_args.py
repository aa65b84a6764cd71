"""Parsing helpers shared by commands."""

from __future__ import annotations

from ..errors import SitefinderError


def pairs(values: list[str] | None, what: str, example: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise SitefinderError(f"{what} must look like {example}, got {item!r}")
        out[key.strip()] = value.strip()
    return out



def weight_overrides(values: list[str] | None) -> dict[str, float]:
    out = {}
    for key, value in pairs(values, "--weight", "transit=5").items():
        try:
            out[key] = float(value)
        except ValueError:
            raise SitefinderError(f"--weight {key}={value}: the weight must be a number") from None
    return out



def add_data_arguments(parser) -> None:
    """The data options shared by ``score`` and ``surface`` (network, features, GTFS, DEM)."""
    src = parser.add_argument_group("data")
    src.add_argument("--osm", help="local OpenStreetMap file (.osm.pbf or .osm): walking network and features")
    src.add_argument("--place", help="download OSM data for a place name with osmnx (needs internet)")
    src.add_argument("--network", help="line layer to use as the walking network (replaces the OSM network)")
    src.add_argument("--oneway-column", help="column of --network marking one-way lines (true/1/yes)")
    src.add_argument("--features", action="append", metavar="CATEGORY=FILE",
                     help="feature layer for a category (repeatable); replaces or adds to the OSM category")
    src.add_argument("--feature-weight", action="append", metavar="CATEGORY=COLUMN",
                     help="column holding each feature's weight for 'sum', 'area_weighted_sum' and min_weight "
                          "(repeatable), e.g. population=pop_tot")
    src.add_argument("--categories", help="custom OSM category table (TOML)")
    gtfs = parser.add_argument_group("public transport timetables (GTFS)")
    gtfs.add_argument("--gtfs", action="append", metavar="[CATEGORY=]FEED.zip",
                      help="GTFS feed: its stations become category 'gtfs_stop' (or CATEGORY), weighted by "
                           "departures per hour (repeatable; feeds of one category add up)")
    gtfs.add_argument("--gtfs-date", help="service date, e.g. 2018-10-16 (default: a representative weekday)")
    gtfs.add_argument("--gtfs-window", help="time window, default 07:00-09:00")
    gtfs.add_argument("--gtfs-route-types", metavar="N,N,...",
                      help="keep only trips of these GTFS route types, e.g. 2,100,101,102,103,106 (rail, "
                           "no replacement buses)")
    parser.add_argument_group("terrain").add_argument("--dem", help="terrain model (GeoTIFF) for slope criteria")


def gtfs_feeds(values: list[str] | None) -> dict[str, list[str]]:
    """``--gtfs`` values as category -> feed paths (a bare path goes to ``gtfs_stop``)."""
    out: dict[str, list[str]] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        category, path = (key.strip(), value.strip()) if sep else ("gtfs_stop", item)
        if not category or not path:
            raise SitefinderError(f"--gtfs must look like feed.zip or rail=feed.zip, got {item!r}")
        out.setdefault(category, []).append(path)
    return out


def int_list(value: str | None, option: str) -> list[int] | None:
    if value is None:
        return None
    try:
        return [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise SitefinderError(f"{option} must be whole numbers separated by commas, got {value!r}") from None


def study_kwargs(args) -> dict:
    """Keyword arguments for :func:`sitefinder.api.load_study` from the shared data options."""
    return dict(
        osm=args.osm, place=args.place, network=args.network, oneway_column=args.oneway_column,
        features=pairs(args.features, "--features", "bus_stop=stops.gpkg"),
        feature_weights=pairs(args.feature_weight, "--feature-weight", "population=pop_tot"),
        categories=args.categories, gtfs=gtfs_feeds(args.gtfs) or None, gtfs_date=args.gtfs_date,
        gtfs_window=args.gtfs_window, gtfs_route_types=int_list(args.gtfs_route_types, "--gtfs-route-types"),
        dem=args.dem,
    )


def add_scored_arguments(parser, privacy: bool = True) -> None:
    """Arguments of every command that reads a scored file (explain, compare, sensitivity, topsites, report)."""
    parser.add_argument("scored", help="a file written by sitefinder score (.gpkg, .parquet, .fgb, .geojson, .csv)")
    parser.add_argument("--profile", "-p", help="the profile that scored it (default: the one recorded in the file)")
    parser.add_argument("--layer", help="layer name when SCORED is a multi-layer GeoPackage")
    parser.add_argument("--id-column", help="column holding plot ids (default: plot_id, id or fid, else row numbers)")
    if privacy:
        add_privacy_arguments(parser)


def add_privacy_arguments(parser) -> None:
    """``--sensitive NAME`` (repeatable) and ``--include-sensitive``."""
    parser.add_argument("--sensitive", action="append", metavar="LAYER", default=[],
                        help="a sensitive layer (feature category or plot column): used for scoring, left out of "
                             "outputs (repeatable; adds to the profile's [privacy] list)")
    parser.add_argument("--include-sensitive", action="store_true",
                        help="write sensitive columns and details too (internal use only; do not publish)")


def load_scored(args):
    """The scored file named on the command line, with its profile."""
    from ..decision.scored import read_scored

    return read_scored(args.scored, profile=args.profile, layer=args.layer)
