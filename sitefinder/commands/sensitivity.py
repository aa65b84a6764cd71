"""``sitefinder sensitivity``: how much the ranking depends on the weights."""

from __future__ import annotations

import argparse

from ._args import add_scored_arguments, load_scored


def register(sub) -> None:
    s = sub.add_parser("sensitivity", help="one-at-a-time and Monte-Carlo sensitivity of the ranking to the weights",
                       description="Move each weight by ±10/±25 %% and draw random weights around the profile's "
                                   "(Dirichlet, seeded); report which criteria the ranking depends on most and, per "
                                   "plot, the rank range and the probability of being in the top N.")
    add_scored_arguments(s, privacy=False)  # prints ranks and criterion names only
    s.add_argument("--top", type=int, default=10, help="N of 'in the top N' (default 10)")
    s.add_argument("--draws", type=int, default=1000, help="Monte-Carlo weight sets (default 1000)")
    s.add_argument("--concentration", type=float, default=100.0,
                   help="Dirichlet concentration: larger = weights closer to the profile's (default 100)")
    s.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same result (default 0)")
    s.add_argument("--output", "-o", help="write the per-plot table (every scored plot) to this CSV file")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..adapters.output import atomic_path
    from ..decision.scored import plot_labels, score_table
    from ..decision.sensitivity import analyse_sensitivity, criteria_frame, plots_frame
    from ..errors import InputError
    from ..progress import Reporter, TqdmReporter

    if args.top < 1 or args.draws < 1 or args.concentration <= 0:
        raise InputError("--top and --draws must be at least 1 and --concentration greater than 0")
    scored = load_scored(args)
    result = analyse_sensitivity(score_table(scored), draws=args.draws, concentration=args.concentration, seed=args.seed,
                     top_n=args.top, reporter=Reporter() if args.quiet else TqdmReporter())
    labels, _ = plot_labels(scored, args.id_column)
    crit = criteria_frame(result)
    plots = plots_frame(result, labels)
    print("Criteria, most influential first (mean absolute rank change when the weight moves):")
    print(crit.to_string(float_format=lambda v: f"{v:.2f}"))
    rho = result.mc.spearman
    print(f"\nMonte Carlo: {args.draws} weight sets, concentration {args.concentration:g}, seed {args.seed}; "
          f"rank correlation with the profile's ranking: median {np.median(rho):.3f}, "
          f"5th percentile {np.percentile(rho, 5):.3f}")
    print(f"\nTop {args.top} (rank range over the draws, share of draws in the top {args.top}):")
    print(plots.head(args.top).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.output:
        from pathlib import Path

        with atomic_path(Path(args.output)) as tmp:
            plots.to_csv(tmp, index=False)
        print(f"\nper-plot table -> {args.output}")
    return 0
