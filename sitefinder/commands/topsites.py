"""``sitefinder topsites``: the best N sites under spacing and co-location rules."""

from __future__ import annotations

import argparse

from ._args import add_scored_arguments, load_scored


def add_rule_arguments(parser) -> None:
    """The siting rules (shared with ``sitefinder report --sites``); defaults from the profile's [selection]."""
    g = parser.add_argument_group("rules (default: the profile's [selection] table)")
    g.add_argument("--min-spacing", type=float, help="minimum distance between chosen sites, metres")
    g.add_argument("--max-units", type=float, help="at most this many units within --cap-radius of a chosen site")
    g.add_argument("--cap-radius", type=float, help="radius of the cap, metres")
    g.add_argument("--units-per-site", help="units a chosen site adds: a number, or a plot column name")
    g.add_argument("--existing", help="layer of existing units (points or polygons; sensitive: never shown)")
    g.add_argument("--existing-units-column", help="column of --existing with the units at each location (default 1)")


def run_rules(args: argparse.Namespace, scored, n_sites: int):
    """Apply :func:`sitefinder.top_sites` with the rule arguments."""
    from ..decision.topsites import top_sites

    units = args.units_per_site
    if units is not None:
        try:
            units = float(units)
        except ValueError:
            pass  # a column name
    return top_sites(scored, n_sites, id_column=args.id_column, min_spacing=args.min_spacing, units_per_site=units,
                     max_units=args.max_units, cap_radius=args.cap_radius, existing=args.existing,
                     existing_units_column=args.existing_units_column, include_sensitive=args.include_sensitive)


def register(sub) -> None:
    t = sub.add_parser("topsites", help="choose the best N sites under spacing and co-location rules",
                       description="Greedy: the best plot still allowed is chosen next, until N sites are chosen. "
                                   "A plot is skipped when it is closer than --min-spacing to a chosen site or would "
                                   "put more than --max-units units within --cap-radius (existing units counted).")
    add_scored_arguments(t)
    t.add_argument("-n", "--sites", type=int, default=10, help="how many sites to choose (default 10)")
    add_rule_arguments(t)
    t.add_argument("--map", help="write a PNG map with the chosen sites starred")
    t.add_argument("--output", "-o", help="write the chosen plots as a layer (.gpkg, .parquet, .csv, .geojson, .fgb)")
    t.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..adapters.output import check_output_path
    from ..decision.scored import public_view, write_scored
    from ..decision.privacy import sensitive_layers
    from ..decision.scored import scored_profile
    from ..maps import score_map

    out = check_output_path(args.output) if args.output else None
    scored = load_scored(args)
    sites = run_rules(args, scored, args.sites)
    print(sites.chosen.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    if len(sites.skipped):
        print("\nPassed over (better score, but a rule said no):")
        print(sites.skipped.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    if len(sites.chosen) < args.sites:
        print(f"\nonly {len(sites.chosen)} of {args.sites} sites could be chosen under these rules")
    profile = scored_profile(scored)
    layers = sensitive_layers(profile, args.sensitive, scored.attrs.get("sitefinder", {}).get("sensitive", ()))
    if args.map:
        public, _ = public_view(scored, profile, layers)
        score_map(public, args.map, f"sitefinder · {profile.title}: {len(sites.chosen)} chosen sites",
                  scored.attrs.get("sitefinder", {}).get("attribution", ""), selected=list(sites.selection.chosen))
        print(f"map -> {args.map}")
    if out is not None:
        chosen = scored.iloc[sites.selection.chosen].copy()
        chosen.insert(0, "site", range(1, len(chosen) + 1))
        chosen.attrs = scored.attrs
        write_scored(chosen, out, profile, sensitive=tuple(args.sensitive), include_sensitive=args.include_sensitive)
        print(f"chosen plots -> {out}")
    return 0
