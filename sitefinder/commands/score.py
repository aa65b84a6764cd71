"""``sitefinder score``: score plots with a profile."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import SitefinderError
from ._args import add_data_arguments, add_privacy_arguments, study_kwargs, weight_overrides


def register(sub) -> None:
    s = sub.add_parser("score", help="score plots with a profile",
                       description="Score every plot with a profile and write the plots with explanation columns.")
    s.add_argument("plots", help="plots: polygons or points (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, "
                                 "GeoParquet; or CSV with --x/--y/--crs)")
    s.add_argument("--profile", "-p", required=True, help="built-in profile name or a .toml file")
    s.add_argument("--output", "-o", required=True, help="output file; format from the extension "
                                                          "(.gpkg, .parquet, .csv, .geojson, .fgb)")
    add_data_arguments(s)
    src = s.add_argument_group("plots")
    src.add_argument("--layer", help="layer name when PLOTS is a multi-layer file")
    csv = s.add_argument_group("CSV plots")
    csv.add_argument("--x", help="CSV column with x / easting")
    csv.add_argument("--y", help="CSV column with y / northing")
    csv.add_argument("--crs", help="CRS of the CSV coordinates, e.g. EPSG:25833")
    csv.add_argument("--sep", help="CSV separator (default: detected)")
    s.add_argument("--group-by", metavar="COL,COL",
                   help="one candidate per plot of an address list, e.g. gardsnummer,bruksnummer: the address "
                        "nearest the centroid of the plot's addresses (column address_count says how many)")
    s.add_argument("--weight", "-w", action="append", metavar="KEY=VALUE", help="override a criterion weight")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bars or summary")
    add_privacy_arguments(s)
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..adapters.output import check_output_path
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
    reporter = Reporter() if args.quiet else TqdmReporter()
    plots = args.plots
    if Path(plots).suffix.lower() in (".csv", ".txt"):
        if not (args.x and args.y and args.crs):
            raise SitefinderError(f"{plots} is a CSV: name its coordinate columns and CRS with --x, --y and --crs")
        plots = read_csv_points(plots, args.x, args.y, args.crs, sep=args.sep)
    if args.osm is None and args.place is None and args.network is None:
        reporter.warn("no --osm, --place or --network: distances are straight lines")
    group_by = [c.strip() for c in args.group_by.split(",") if c.strip()] if args.group_by else None
    area = load_study(plots, layer=args.layer, group_by=group_by, reporter=reporter, **study_kwargs(args))
    for line in area.data_sources:
        if line.startswith("GTFS") and not args.quiet:
            print(line, file=sys.stderr)
    scored = area.score(profile)
    with reporter.step(f"writing {out.name}"):
        write_scored(scored, out, profile, sensitive=tuple(args.sensitive), include_sensitive=args.include_sensitive)
    n = len(scored)
    n_ex = int(scored["excluded"].sum())
    if not args.quiet:
        print(f"{n} plots: {n - n_ex} scored, {n_ex} excluded -> {out}")
        kinds = pd.Series(scored.attrs["sitefinder"]["exclusions"], dtype="int64")
        if not args.include_sensitive and len(kinds):
            # Kinds of reason naming a sensitive rule collapse into the generic "withheld" text.
            kinds.index = redact_reasons(kinds.index, profile, sensitive_layers(profile, args.sensitive))
            kinds = kinds.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")
        for reason, count in kinds.head(5).items():
            print(f"  {count:>6} excluded: {reason}")
    return 0

