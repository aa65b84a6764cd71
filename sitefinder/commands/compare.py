"""``sitefinder compare``: two or more plots side by side."""

from __future__ import annotations

import argparse

from ._args import add_scored_arguments, load_scored


def register(sub) -> None:
    c = sub.add_parser("compare", help="compare plots side by side (table and contribution chart)",
                       description="Show, criterion by criterion, what each plot gets; optionally draw the "
                                   "contributions as bars.")
    add_scored_arguments(c)
    c.add_argument("--plots", nargs="+", required=True, metavar="ID", help="two or more plot ids")
    c.add_argument("--chart", help="write a PNG bar chart of the contributions")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..decision.comparison import compare, compare_chart, format_comparison

    scored = load_scored(args)
    table = compare(scored, args.plots, id_column=args.id_column, sensitive=tuple(args.sensitive),
                    include_sensitive=args.include_sensitive)
    print(format_comparison(table))
    if args.chart:
        compare_chart(table, args.chart, title=f"{table.attrs['profile']}: contribution per criterion")
        print(f"chart -> {args.chart}")
    return 0
