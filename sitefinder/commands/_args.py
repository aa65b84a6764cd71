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
