"""Cold and warm wall time of ``sitefinder demo`` (issue: demo under 30 s cold).

Cold: numba's on-disk cache of compiled kernels is removed first, so every
kernel compiles. Warm: the same command again, loading compiled kernels from
the cache. Each is run in a fresh process; the median of the runs is printed.

    python benchmarks/demo_timing.py [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def clear_numba_cache() -> int:
    n = 0
    for p in (ROOT / "sitefinder").rglob("*.nb[ic]"):
        p.unlink()
        n += 1
    return n


def run_demo(out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sitefinder.cli", "demo", "--quiet", "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="also print the times as one JSON line (for run.py)")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="sitefinder-demo-"))
    cold, warm = [], []
    try:
        for _ in range(args.runs):
            clear_numba_cache()
            cold.append(run_demo(out))
            warm.append(run_demo(out))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores")
    print(f"sitefinder demo, cold (empty numba cache): median {statistics.median(cold):.1f} s  runs {[round(c, 1) for c in cold]}")
    print(f"sitefinder demo, warm (cached kernels):     median {statistics.median(warm):.1f} s  runs {[round(w, 1) for w in warm]}")
    if args.json:
        print(json.dumps({"cold": cold, "warm": warm, "cold_median": statistics.median(cold),
                          "warm_median": statistics.median(warm)}))


if __name__ == "__main__":
    main()
