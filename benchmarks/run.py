"""``make bench``: sitefinder against scipy, networkx, igraph and pandana; writes docs/benchmarks.md.

    python benchmarks/run.py              # everything (about 30-60 min on 2 cores)
    python benchmarks/run.py --quick      # Oslo and 100 k only, no end-to-end (a few minutes)

Workloads (defined in docs/benchmarks.md, section "Workloads"):

1. nearest source of each of six categories, cut-off 2 km and unbounded;
2. the 5 nearest sources and their distances (cut-off 2 km);
3. count, and linearly decayed weight sum, of sources within 800 m and 2 km;
4. end to end: score synthetic polygon plots x 6 criteria through the real pipeline
   (``end_to_end.py``, one subprocess per size for a clean peak-memory figure).

Every engine's result is cross-checked against sitefinder's (1e-6 relative)
before its time counts; every time is the median of 5 runs after a warm-up
unless the table says otherwise.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphs  # noqa: E402
from engines import Igraph, Networkx, Scipy, Sitefinder  # noqa: E402
from harness import (  # noqa: E402
    Timing, counts_within_rounding, edge_sweep, machine, measure, measure_together, once, same_values,
)  # noqa: E402
from report import write_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CUTOFF = 2000.0
K = 5
RADII = (800.0, 2000.0)
NETWORKX_CAP = 60.0  # seconds per measurement: slower networkx runs are timed once
NETWORKX_MAX_NODES = 1_100_000  # building a networkx graph of 4 M nodes takes minutes and ~8 GB
PANDANA_MAX_NODES = 1_100_000  # pandana's contraction hierarchy build grows steeply with size
PANDANA_CAP = 1500.0  # seconds for pandana's build, precompute and queries on one graph


@dataclass
class Row:
    """One timed figure of the report."""

    workload: str
    graph: str
    engine: str
    timing: Timing | None
    ratio: float | None = None  # this engine's time / sitefinder's, same run
    check: str = ""
    note: str = ""


def log(msg: str) -> None:
    print(msg, flush=True)


def run_graph(name: str, rows: list[Row], runs: int, peers: set[str]) -> dict:
    """Workloads 1-3 on one graph; appends to ``rows``; returns facts about the graph."""
    t = time.perf_counter()
    rg = graphs.load(name)
    log(f"\n== {rg.name}: {rg.n_nodes:,} nodes, {rg.n_edges:,} edges ({int(rg.edge_oneway.sum()):,} one-way), "
        f"made in {time.perf_counter() - t:.1f} s")
    sf_build = once(lambda: Sitefinder(rg))
    sf: Sitefinder = sf_build.result
    cats = graphs.category_sources(rg.n_nodes, sf.source_ok)
    g = sf.reverse
    floor = measure(lambda: edge_sweep(g.indptr, g.indices, g.weights), runs)
    rows.append(Row("floor: one sweep over all CSR arcs", rg.name, "sitefinder", floor,
                    note=f"{g.n_arcs:,} arcs"))
    facts = {"name": rg.name, "nodes": rg.n_nodes, "edges": rg.n_edges, "arcs": g.n_arcs,
             "oneway": int(rg.edge_oneway.sum()), "sources": {k: int(v.shape[0]) for k, v in cats.items()},
             "sitefinder_build": sf_build.median}
    cat_list = list(cats.values())

    # ---- workload 1: nearest source per category
    peer_objs = {}
    for cls in (Scipy, Igraph, Networkx):
        if cls.name not in peers:
            continue
        if cls is Networkx and rg.n_nodes > NETWORKX_MAX_NODES:
            rows.append(Row("1 nearest", rg.name, "networkx", None, note="not run: graph too big for networkx"))
            continue
        t = time.perf_counter()
        peer_objs[cls.name] = cls(rg)
        log(f"  {cls.name}: graph converted in {time.perf_counter() - t:.1f} s")
    for cutoff in (CUTOFF, np.inf):
        wl = f"1 nearest, 6 categories, cut-off {'2 km' if np.isfinite(cutoff) else 'none'}"
        calls = [sf.nearest(c, cutoff) for c in cat_list]
        many = sf.nearest_many(cat_list, cutoff)
        # sitefinder, scipy and igraph take turns run after run (fair ratios on a busy machine);
        # networkx, hundreds of times slower, is timed on its own under a time cap.
        together = {"sitefinder": lambda: [f() for f in calls], "parallel": many}
        for pname, peer in peer_objs.items():
            if pname != "networkx":
                pcalls = [peer.nearest(c, cutoff) for c in cat_list]
                together[pname] = lambda pcalls=pcalls: [f() for f in pcalls]
        times = measure_together(together, runs)
        if "networkx" in peer_objs:
            nx_calls = [peer_objs["networkx"].nearest(c, cutoff) for c in cat_list]
            times["networkx"] = measure(lambda: [f() for f in nx_calls], runs, cap=NETWORKX_CAP)
        ref = times.pop("sitefinder")
        rows.append(Row(wl, rg.name, "sitefinder", ref, 1.0,
                        note=f"one category after another, 1 thread; {ref.runs} runs"))
        log(f"  {wl}: sitefinder {ref.median:.3f} s")
        par = times.pop("parallel")
        ok, msg = same_values(np.stack(ref.result), par.result)
        rows.append(Row(wl, rg.name, "sitefinder (categories in parallel)", par if ok else None,
                        par.median / ref.median, msg, f"{len(cat_list)} categories, all threads"))
        for pname, tm in times.items():
            ok, msg = same_values(np.stack(ref.result), np.stack(tm.result))
            note = "no cut-off option: searches the whole graph" if pname == "igraph" else ""
            if pname == "networkx" and tm.runs == 1:
                note = f"one run (time cap {NETWORKX_CAP:g} s)"
            rows.append(Row(wl, rg.name, pname, tm if ok else None, tm.median / ref.median if ok else None, msg, note))
            log(f"    {pname}: {tm.median:.3f} s  x{tm.median / ref.median:.1f}  [{msg}]")
    del peer_objs
    gc.collect()

    # ---- workloads 2 and 3 against pandana (build and precompute included)
    bus = cats["bus_stop"]
    weight = np.round(np.random.default_rng(5).uniform(1.0, 10.0, bus.shape[0]), 1)
    wl2 = f"2 k={K} nearest, cut-off 2 km"
    kn = measure(sf.k_nearest(bus, K, CUTOFF), runs)
    rows.append(Row(wl2, rg.name, "sitefinder", kn, 1.0, note=f"{bus.shape[0]} sources; + graph build "
                    f"{sf_build.median:.2f} s"))
    log(f"  {wl2}: sitefinder {kn.median:.3f} s")
    reach = {}
    for radius in RADII:
        for decay in (False, True):
            wl3 = _reach_name(radius, decay)
            tm = measure(sf.reach(bus, weight, radius, decay), runs)
            reach[(radius, decay)] = tm
            rows.append(Row(wl3, rg.name, "sitefinder", tm, 1.0, note=f"{bus.shape[0]} sources"))
            log(f"  {wl3}: sitefinder {tm.median:.3f} s")
    if "pandana" in peers and rg.n_nodes > PANDANA_MAX_NODES:
        rows.append(Row("2-3 k nearest, reach", rg.name, "pandana", None,
                        note="not run: pandana's network build on this size takes far beyond the time cap"))
    elif "pandana" in peers:
        run_pandana(name, rg, sf, sf_build, bus, weight, kn, reach, rows, facts, runs)
    return facts


def run_pandana(graph_name: str, rg, sf: Sitefinder, sf_build: Timing, bus: np.ndarray, weight: np.ndarray,
                kn: Timing, reach: dict, rows: list[Row], facts: dict, runs: int) -> None:
    """Workloads 2 and 3 with pandana (``pandana_job.py`` in a subprocess, capped at ``PANDANA_CAP``).

    pandana keeps distances in single precision (86.065 m comes back as
    86.06500244), so it is checked at that precision: distances and decayed
    sums to 1e-4 relative + 1 cm, counts between sitefinder's counts at
    ``r - 1 cm`` and ``r + 1 cm``.
    """
    wl2 = f"2 k={K} nearest, cut-off 2 km"
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "sources.npz", Path(tmp) / "pandana.npz"
        np.savez(src, bus=bus, weight=weight, k=K, cutoff=CUTOFF, radii=np.array(RADII))
        log(f"  pandana: build + queries in a subprocess (cap {PANDANA_CAP / 60:.0f} min) ...")
        try:
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pandana_job.py"), "--graph", graph_name,
                            "--sources", str(src), "--out", str(out), "--runs", str(runs)],
                           check=True, timeout=PANDANA_CAP, cwd=ROOT, stdout=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            note = (f"did not finish within the {PANDANA_CAP / 60:.0f} min cap (contraction hierarchy build); "
                    f"ratio is a lower bound")
            for wl, mine in [(wl2, kn)] + [(_reach_name(r, d), t) for (r, d), t in reach.items()]:
                rows.append(Row(wl, rg.name, "pandana", None, PANDANA_CAP / (sf_build.median + mine.median),
                                "not checked", note))
            log(f"    pandana: {note}")
            return
        res = dict(np.load(out))
    build = float(res["build"])
    facts["pandana_build"] = build
    q = Timing(float(np.median(res["k_times"])), list(res["k_times"]), 0.0)
    ok, msg = same_values(kn.result, res["k_result"], rtol=1e-4, atol=0.01)
    total, ours = build + q.median, sf_build.median + kn.median
    rows.append(Row(wl2, rg.name, "pandana", q if ok else None, total / ours if ok else None, msg,
                    f"build {build:.1f} s (1 run) + query {q.median:.3f} s; query alone x{q.median / kn.median:.1f}"))
    log(f"    pandana: build+query x{total / ours:.0f}, query alone x{q.median / kn.median:.1f} [{msg}]")
    pre = float(res["precompute"])
    facts["pandana_precompute"] = pre
    origin_ok = sf.origin_ok
    for (radius, decay), mine in reach.items():
        key = f"{int(radius)}_{int(decay)}"
        q = Timing(float(np.median(res[f"reach_times_{key}"])), list(res[f"reach_times_{key}"]), 0.0)
        got = res[f"reach_result_{key}"][origin_ok]
        if decay:
            ok, msg = same_values(mine.result[origin_ok], got, rtol=1e-4, atol=0.01)
        else:
            low = sf.reach(bus, weight, radius - 0.01, False)()[origin_ok]
            high = sf.reach(bus, weight, radius + 0.01, False)()[origin_ok]
            ok, msg = counts_within_rounding(low, high, got)
        total, ours = build + pre + q.median, sf_build.median + mine.median
        rows.append(Row(_reach_name(radius, decay), rg.name, "pandana", q if ok else None,
                        total / ours if ok else None, msg,
                        f"build {build:.1f} s + precompute(2 km) {pre:.1f} s (1 run each) + query {q.median:.3f} s; "
                        f"query alone x{q.median / mine.median:.1f}"))
        log(f"    pandana {_reach_name(radius, decay)}: x{total / ours:.0f}, query alone "
            f"x{q.median / mine.median:.1f} [{msg}]")
    facts["origin_nodes_compared"] = int(origin_ok.sum())


def _reach_name(radius: float, decay: bool) -> str:
    return f"3 {'decayed sum' if decay else 'count'} within {radius / 1000:g} km"


def run_end_to_end(n_plots: int, graph_nodes: str) -> dict:
    """Workload 4 in a fresh process (clean peak memory); returns its JSON report."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "end_to_end.py"), "--plots", str(n_plots),
                          "--graph", graph_nodes, "--json"], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"end_to_end.py failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_demo_timing(runs: int) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "demo_timing.py"), "--runs", str(runs),
                          "--json"], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"demo_timing.py failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="Oslo and 100 k only, no end-to-end, 3 runs")
    ap.add_argument("--graphs", default="oslo,100k,1M,4M", help="comma-separated: oslo, 100k, 1M, 4M")
    ap.add_argument("--peers", default="scipy,igraph,networkx,pandana")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plots", default="100000,1000000", help="end-to-end plot counts ('' to skip)")
    ap.add_argument("--demo-runs", type=int, default=2, help="cold/warm demo runs (0 to skip)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    if args.quick:
        args.graphs, args.runs, args.plots, args.demo_runs = "oslo,100k", 3, "", 0
    if args.runs < 5 and not args.quick:
        ap.error("--runs must be at least 5 (medians of >= 5 runs)")
    started = time.perf_counter()
    info = machine()
    log("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    rows: list[Row] = []
    facts = [run_graph(name, rows, args.runs, set(args.peers.split(","))) for name in args.graphs.split(",") if name]
    e2e = []
    for n in [int(x) for x in args.plots.split(",") if x]:
        log(f"\n== end to end: {n:,} plots x 6 criteria on the 1 M-node graph")
        r = run_end_to_end(n, "1M")
        log(json.dumps(r))
        e2e.append(r)
    demo = run_demo_timing(args.demo_runs) if args.demo_runs else None
    if demo:
        log(f"\n== demo: cold {demo['cold_median']:.1f} s, warm {demo['warm_median']:.1f} s")
    elapsed = time.perf_counter() - started
    out = write_report(Path(args.out), info, rows, facts, e2e, demo, elapsed, quick=args.quick)
    log(f"\nwrote {out} and {out.with_suffix('.png')} in {elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()
