"""``sitefinder surface``: score a regular grid of cells over an area and write a GeoTIFF."""

from __future__ import annotations

import argparse

from ._args import add_data_arguments, add_privacy_arguments, study_kwargs, weight_overrides


def register(sub) -> None:
    s = sub.add_parser(
        "surface", help="score a grid of cells over an area (GeoTIFF suitability surface)",
        description="Score a regular grid of cells over an area like point plots at the cell centres and write a "
                    "Cloud-Optimised GeoTIFF (band 1 the total score 0-100, then one band per criterion score "
                    "0-1; excluded cells are nodata) and a PNG preview next to it.")
    s.add_argument("--area", required=True,
                   help="a polygon file, a bounding box xmin,ymin,xmax,ymax (in --crs), or a municipality number "
                        "such as 3420 (with --municipalities)")
    s.add_argument("--cell", type=float, default=25.0, help="cell size in metres (default 25)")
    s.add_argument("--crs", help="CRS of the surface and of a bounding box, e.g. EPSG:25833 (default: the area's "
                                 "own CRS if projected, else its UTM zone)")
    s.add_argument("--municipalities", help="municipality polygons with a kommunenummer column "
                                            "(default: kommuner_2024.geojson in the shared data folder, if found)")
    s.add_argument("--profile", "-p", required=True, help="built-in profile name or a .toml file")
    s.add_argument("--output", "-o", required=True, help="output GeoTIFF (.tif); the preview is written as .png")
    s.add_argument("--no-preview", action="store_true", help="do not write the PNG preview")
    add_data_arguments(s)
    s.add_argument("--weight", "-w", action="append", metavar="KEY=VALUE", help="override a criterion weight")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bars or summary")
    add_privacy_arguments(s)
    s.set_defaults(func=run)


def _default_municipalities():
    from ..demo import shared_data_dir

    shared = shared_data_dir()
    path = shared / "norway" / "kommuner_2024.geojson" if shared is not None else None
    return path if path is not None and path.exists() else None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..api import surface, write_surface
    from ..errors import InputError
    from ..profiles import load_profile
    from ..progress import Reporter, TqdmReporter

    out = Path(args.output).expanduser()
    if out.suffix.lower() not in (".tif", ".tiff"):
        raise InputError(f"cannot write {out.name}: a surface is a GeoTIFF, give a .tif output")
    if not out.parent.is_dir():
        raise InputError(f"cannot write {out}: folder {out.parent} does not exist")
    profile = load_profile(args.profile).with_weights(weight_overrides(args.weight))
    reporter = Reporter() if args.quiet else TqdmReporter()
    municipalities = args.municipalities or _default_municipalities()
    if args.osm is None and args.place is None and args.network is None:
        reporter.warn("no --osm, --place or --network: distances are straight lines")
    result = surface(args.area, profile, cell=args.cell, crs=args.crs, municipalities=municipalities,
                     reporter=reporter, **study_kwargs(args))
    with reporter.step(f"writing {out.name}"):
        written = write_surface(out, result, preview=not args.no_preview, sensitive=tuple(args.sensitive),
                                include_sensitive=args.include_sensitive)
    if not args.quiet:
        table = result.surface.table
        n_ex = int(table.columns["excluded"].sum())
        g = result.surface.grid.geometry
        print(f"{table.n} cells of {g.dx:g} m ({g.nx} x {g.ny} grid, {result.crs.to_string()}): "
              f"{table.n - n_ex} scored, {n_ex} excluded -> {', '.join(str(p) for p in written)}")
    return 0
