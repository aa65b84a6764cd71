"""``sitefinder score``: score plots with a profile."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import SitefinderError
from ._args import add_privacy_arguments, pairs, weight_overrides


def register(sub) -> None:
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
    add_privacy_arguments(s)
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..adapters.output import check_output_path
    import pandas as pd

    from ..adapters.vector import read_csv_points
    from ..api import load_study
    from ..decision.privacy import redact_reasons, sensitive_layers
    from ..decision.scored import write_scored
    from ..profiles import load_profile
    from ..progress import Reporter, TqdmReporter

    out = check_output_path(args.output)
    profile = load_profile(args.profile)
    weights = weight_overrides(args.weight)
    profile = profile.with_weights(weights)
    features = pairs(args.features, "--features", "bus_stop=stops.gpkg")
    feature_weights = pairs(args.feature_weight, "--feature-weight", "rail_station=departures")
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
        write_scored(scored, out, profile, sensitive=tuple(args.sensitive), include_sensitive=args.include_sensitive)
    n = len(scored)
    n_ex = int(scored["excluded"].sum())
    if not args.quiet:
        print(f"{n} plots: {n - n_ex} scored, {n_ex} excluded -> {out}")
        if n_ex:
            reasons = scored.loc[scored["excluded"], "exclusion_reason"]
            if not args.include_sensitive:
                reasons = pd.Series(redact_reasons(reasons, profile, sensitive_layers(profile, args.sensitive)))
            top = reasons.value_counts().head(3)
            for reason, count in top.items():
                print(f"  {count:>6} excluded: {reason}")
    return 0

