"""``sitefinder categories``: the OSM feature categories and their tags."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    c = sub.add_parser("categories", help="list the OSM feature categories and their tags")
    c.add_argument("--categories", help="a custom category table (TOML)")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..adapters.osm_tags import load_categories

    table = load_categories(args.categories)
    for name, c in table.items():
        rules = " | ".join(
            ", ".join(f"{k}={'*' if v is None else '/'.join(sorted(v))}" for k, v in rule.items()) for rule in c.match)
        print(f"{name:<22} {c.kind:<6} {rules}")
    return 0

