"""pandana's part of workloads 2 and 3, in its own process so that run.py can cap its time.

    python benchmarks/pandana_job.py --graph 1M --sources sources.npz --out result.npz [--runs 5]

pandana's contraction-hierarchy build takes minutes on large grids; run.py
starts this script with a time limit and reports a capped build as a lower
bound. Results and times go to ``--out`` for run.py to cross-check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphs  # noqa: E402
from engines import Pandana  # noqa: E402
from harness import measure, once  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", required=True)
    ap.add_argument("--sources", required=True, help="npz with bus, weight, k, cutoff, radii")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    src = np.load(args.sources)
    bus, weight, k, cutoff, radii = src["bus"], src["weight"], int(src["k"]), float(src["cutoff"]), src["radii"]
    engine = Pandana(graphs.load(args.graph))
    build = once(engine.build)
    net = build.result
    out = {"build": build.median}
    q = measure(lambda: engine.k_nearest(net, bus, k, cutoff), args.runs)
    out.update(k_times=np.array(q.times), k_result=q.result)
    # Precompute once at the largest radius, as pandana documents (smaller radii reuse it).
    out["precompute"] = once(lambda: net.precompute(float(radii.max()))).median
    for radius in radii:
        for decay in (False, True):
            key = f"{int(radius)}_{int(decay)}"
            q = measure(lambda: engine.reach(net, bus, weight, float(radius), decay), args.runs)
            out[f"reach_times_{key}"] = np.array(q.times)
            out[f"reach_result_{key}"] = q.result
    np.savez(args.out, **out)


if __name__ == "__main__":
    main()
