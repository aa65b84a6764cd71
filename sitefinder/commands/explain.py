"""``sitefinder explain``: why one plot scored what it scored."""

from __future__ import annotations

import argparse

from ._args import add_scored_arguments, load_scored


def register(sub) -> None:
    e = sub.add_parser("explain", help="explain one plot's score criterion by criterion",
                       description="Print each criterion's raw value, score, weight, contribution, curve and the "
                                   "source of each default for one plot; for an excluded plot, why.")
    add_scored_arguments(e)
    e.add_argument("--plot", required=True, help="the plot's id (in --id-column) or row number")
    e.add_argument("--csv", help="also write the explanation table to this CSV file")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..adapters.output import atomic_path
    from ..decision.explanation import explain, format_explanation

    scored = load_scored(args)
    table = explain(scored, args.plot, id_column=args.id_column, sensitive=tuple(args.sensitive),
                    include_sensitive=args.include_sensitive)
    print(format_explanation(table))
    if args.csv:
        from pathlib import Path

        with atomic_path(Path(args.csv)) as tmp:
            table.to_csv(tmp)
    return 0
