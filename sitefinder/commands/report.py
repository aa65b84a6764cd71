"""``sitefinder report``: one self-contained HTML report a council can read."""

from __future__ import annotations

import argparse

from ._args import add_scored_arguments, load_scored
from .topsites import add_rule_arguments, run_rules


def register(sub) -> None:
    r = sub.add_parser("report", help="write a self-contained HTML report (map, histogram, top N, sensitivity, "
                                      "sources)",
                       description="Write one HTML file that opens offline: map of scores, score histogram, top-N "
                                   "table with contribution bars, sensitivity summary, the profile with every source "
                                   "quoted, and data attribution. Sensitive layers are left out.")
    add_scored_arguments(r)
    r.add_argument("--output", "-o", required=True, help="the report file (.html)")
    r.add_argument("--title", help="report title (default: from the profile)")
    r.add_argument("--top", type=int, default=10, help="rows of the top table, N of 'in the top N' (default 10)")
    r.add_argument("--sites", type=int, help="also choose this many sites under the rules below and show them")
    add_rule_arguments(r)
    s = r.add_argument_group("sensitivity")
    s.add_argument("--draws", type=int, default=1000, help="Monte-Carlo weight sets (default 1000)")
    s.add_argument("--concentration", type=float, default=100.0, help="Dirichlet concentration (default 100)")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..decision.report import write_report
    from ..errors import InputError
    from ..progress import Reporter, TqdmReporter

    if args.top < 1 or args.draws < 1 or args.concentration <= 0:
        raise InputError("--top and --draws must be at least 1 and --concentration greater than 0")
    scored = load_scored(args)
    sites = run_rules(args, scored, args.sites) if args.sites else None
    path = write_report(scored, args.output, top_n=args.top, title=args.title, sites=sites, draws=args.draws,
                        concentration=args.concentration, seed=args.seed, sensitive=tuple(args.sensitive),
                        include_sensitive=args.include_sensitive, id_column=args.id_column,
                        reporter=Reporter() if args.quiet else TqdmReporter())
    if not args.quiet:
        print(f"report -> {path}")
    return 0
