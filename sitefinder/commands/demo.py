"""``sitefinder demo``: score real Oslo plots with every built-in profile."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    d = sub.add_parser("demo", help="score real plots in central Oslo with every built-in profile")
    d.add_argument("--out", default="demo_output", help="output folder (default: demo_output)")
    d.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    d.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo
    from ..progress import Reporter, TqdmReporter

    run_demo(args.out, reporter=Reporter() if args.quiet else TqdmReporter())
    return 0

