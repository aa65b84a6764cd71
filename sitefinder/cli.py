"""Command line: ``sitefinder score | profiles | categories | demo``.

Bad input ends with one line on stderr naming the problem and a non-zero
exit status; no traceback (unless ``--debug``), no partial output file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import Cancelled, SitefinderError

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_CANCELLED = 130


def _pairs(values: list[str] | None, what: str, example: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise SitefinderError(f"{what} must look like {example}, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _weights(values: list[str] | None) -> dict[str, float]:
    out = {}
    for key, value in _pairs(values, "--weight", "transit=5").items():
        try:
            out[key] = float(value)
        except ValueError:
            raise SitefinderError(f"--weight {key}={value}: the weight must be a number") from None
    return out


def cmd_score(args: argparse.Namespace) -> int:
    from .adapters.output import check_output_path, write_result
    from .adapters.vector import read_csv_points
    from .api import load_study
    from .profiles import load_profile
    from .progress import Reporter, TqdmReporter

    out = check_output_path(args.output)
    profile = load_profile(args.profile)
    weights = _weights(args.weight)
    profile = profile.with_weights(weights)
    features = _pairs(args.features, "--features", "bus_stop=stops.gpkg")
    feature_weights = _pairs(args.feature_weight, "--feature-weight", "rail_station=departures")
    reporter = Reporter() if args.quiet else TqdmReporter()
    plots = args.plots
    if Path(plots).suffix.lower() in (".csv", ".txt"):
        if not (args.x and args.y and args.crs):
            raise SitefinderError(f"{plots} is a CSV: name its coordinate columns and CRS with --x, --y and --crs")
        plots = read_csv_points(plots, args.x, args.y, args.crs, sep=args.sep)
    if args.osm is None and args.place is None and args.network is None:
        reporter.warn("no --osm, --place or --network: distances are straight lines")
    area = load_study(
        plots, osm=args.osm, place=args.place, network=args.network, features=features, layer=args.layer,
        oneway_column=args.oneway_column, feature_weights=feature_weights, categories=args.categories,
        reporter=reporter,
    )
    scored = area.score(profile)
    with reporter.step(f"writing {out.name}"):
        write_result(scored, out, layer=profile.name)
    n = len(scored)
    n_ex = int(scored["excluded"].sum())
    if not args.quiet:
        print(f"{n} plots: {n - n_ex} scored, {n_ex} excluded -> {out}")
        if n_ex:
            top = scored.loc[scored["excluded"], "exclusion_reason"].value_counts().head(3)
            for reason, count in top.items():
                print(f"  {count:>6} excluded: {reason}")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from .profiles import list_profiles, load_profile, profile_text

    if args.action == "show":
        if not args.name:
            raise SitefinderError("sitefinder profiles show needs a profile name, e.g. sitefinder profiles show coworking")
        load_profile(args.name)  # validate first: never print a broken profile as if it were fine
        sys.stdout.write(profile_text(args.name))
        return 0
    for name in list_profiles():
        p = load_profile(name)
        print(f"{name:<20} {p.title}")
        print(f"{'':<20} criteria: {', '.join(p.keys)}")
    print("\nShow one as editable TOML: sitefinder profiles show NAME > my-profile.toml")
    return 0


def cmd_categories(args: argparse.Namespace) -> int:
    from .adapters.osm_tags import load_categories

    table = load_categories(args.categories)
    for name, c in table.items():
        rules = " | ".join(
            ", ".join(f"{k}={'*' if v is None else '/'.join(sorted(v))}" for k, v in rule.items()) for rule in c.match)
        print(f"{name:<22} {c.kind:<6} {rules}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    from .progress import Reporter, TqdmReporter

    run_demo(args.out, reporter=Reporter() if args.quiet else TqdmReporter())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitefinder",
        description="Score candidate plots by walking distance to transit, services and neighbours.",
    )
    parser.add_argument("--version", action="version", version=f"sitefinder {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("score", help="score plots with a profile",
                       description="Score every plot with a profile and write the plots with explanation columns.")
    s.add_argument("plots", help="plots: polygons or points (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, "
                                 "GeoParquet; or CSV with --x/--y/--crs)")
    s.add_argument("--profile", "-p", required=True, help="built-in profile name or a .toml file")
    s.add_argument("--output", "-o", required=True, help="output file; format from the extension "
                                                          "(.gpkg, .parquet, .csv, .geojson, .fgb)")
    src = s.add_argument_group("data")
    src.add_argument("--osm", help="local OpenStreetMap file (.osm.pbf or .osm): walking network and features")
    src.add_argument("--place", help="download OSM data for a place name with osmnx (needs internet)")
    src.add_argument("--network", help="line layer to use as the walking network (replaces the OSM network)")
    src.add_argument("--oneway-column", help="column of --network marking one-way lines (true/1/yes)")
    src.add_argument("--features", action="append", metavar="CATEGORY=FILE",
                     help="feature layer for a category (repeatable); replaces or adds to the OSM category")
    src.add_argument("--feature-weight", action="append", metavar="CATEGORY=COLUMN",
                     help="column holding each feature's weight for 'sum' criteria (repeatable)")
    src.add_argument("--categories", help="custom OSM category table (TOML)")
    src.add_argument("--layer", help="layer name when PLOTS is a multi-layer file")
    csv = s.add_argument_group("CSV plots")
    csv.add_argument("--x", help="CSV column with x / easting")
    csv.add_argument("--y", help="CSV column with y / northing")
    csv.add_argument("--crs", help="CRS of the CSV coordinates, e.g. EPSG:25833")
    csv.add_argument("--sep", help="CSV separator (default: detected)")
    s.add_argument("--weight", "-w", action="append", metavar="KEY=VALUE", help="override a criterion weight")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bars or summary")
    s.set_defaults(func=cmd_score)

    p = sub.add_parser("profiles", help="list built-in profiles or print one as TOML")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("name", nargs="?", help="profile name (for show)")
    p.set_defaults(func=cmd_profiles)

    c = sub.add_parser("categories", help="list the OSM feature categories and their tags")
    c.add_argument("--categories", help="a custom category table (TOML)")
    c.set_defaults(func=cmd_categories)

    d = sub.add_parser("demo", help="score real plots in central Oslo with every built-in profile")
    d.add_argument("--out", default="demo_output", help="output folder (default: demo_output)")
    d.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    d.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sitefinder`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except Cancelled:
        print("sitefinder: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("\nsitefinder: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except SitefinderError as exc:
        if args.debug:
            raise
        print(f"sitefinder: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug: say so in one line, keep the traceback behind --debug
        if args.debug:
            raise
        print(f"sitefinder: internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              "(rerun with --debug for the traceback and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
