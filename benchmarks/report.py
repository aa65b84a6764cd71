"""Render the benchmark results: a Markdown report, a PNG chart of the ratios and the raw JSON.

    python benchmarks/report.py docs/benchmarks.json   # re-render docs/benchmarks.md from saved results
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from sitefinder.adapters.output import atomic_path

WORKLOADS = """\
All questions are asked for **every node** of the graph, towards sources that
sit on nodes (pandana attaches points of interest to nodes; sitefinder gets
each source as the point at the end of an edge, the same place). Distances
run *from the node to the source* along directed arcs: one-way edges are
respected. Sources are random nodes (fixed seed) at central Oslo's densities:
per 56 000 nodes 142 supermarkets, 47 pharmacies, 39 schools, 54
kindergartens, 269 bus stops and 86 rail/tram stops.

1. **Nearest source per category** (six categories): each engine answers the
   six categories one after another, with cut-off 2 km and unbounded.
   scipy: `dijkstra(min_only=True, limit=...)` on the transposed matrix;
   igraph: `distances(mode="in")` from a super-sink joined to the sources by
   zero-length arcs (igraph has no cut-off, so it searches the whole graph and
   is cut afterwards); networkx: `multi_source_dijkstra_path_length(cutoff=...)`
   on the reversed DiGraph. sitefinder: `nearest_from_seeds` on the reversed
   CSR graph, one thread; also `nearest_from_seeds_many`, the six categories in
   parallel.
2. **k = 5 nearest bus stops** and their distances, cut-off 2 km.
   sitefinder: `k_nearest_labels` (multi-label search). pandana:
   `Network(...)` + `set_pois` + `nearest_pois(num_pois=5)`.
3. **Count, and linearly decayed weight sum, of bus stops within 800 m and
   2 km** (weights 1-10, decay `1 - d/r`, pandana's `linear`). sitefinder:
   `reach_from_features` (what the pipeline runs when features are fewer than
   plots), every node an origin. pandana: `precompute(r)` + `set` +
   `aggregate(type="count", decay="flat")` / `aggregate(type="sum",
   decay="linear")`. Nodes whose only edges are outgoing one-way edges cannot
   be written as a point on an edge and are left out of the comparison.
4. **End to end**: synthetic polygon plots (15-40 m rectangles) scored with a
   six-criterion profile (nearest bus stop, nearest supermarket, 3rd-nearest
   school, nearest pharmacy with a maximum, bus stops within 800 m, decayed
   sum of kindergartens within 2 km) on the 1 M-node graph through
   `sitefinder.pipeline` (snapping of plot outlines, searches, scoring) and
   written to GeoParquet with `sitefinder.adapters.output.write_result`.

Graphs: the real Oslo walking graph (`../shared/data/oslo/oslo-center.osm.pbf`,
lengths along the ways, rounded to the millimetre; self-loops dropped and
the shortest of parallel edges kept, because scipy sums parallel arcs) and
synthetic road-like graphs (`benchmarks/synthetic.py`: a grid of junctions
100 m apart, each moved up to 25 m, 15 % of links missing, 10 % one-way in a
random direction, lengths 0-20 % longer than the straight line and rounded
to the millimetre; seed 2024).

Method: each engine converts the graph to its own format first (not timed);
every result is compared with sitefinder's (equal to 1e-6 relative, unreached
nodes in the same places) and only then is its time reported; each time is
the **median of at least 5 runs after one warm-up run**, and each ratio is the
peer's median over sitefinder's median **measured in the same run**. In
workload 1, sitefinder, scipy and igraph take turns run after run, so load
from elsewhere slows them alike, and tasks under a second get more runs (up
to 50). networkx runs slower than the time cap (60 s for 5 runs) are timed
once. pandana keeps distances in single precision (86.065 m comes back as
86.06500244), so it cannot agree to 1e-6: it is checked at its own precision,
distances and decayed sums to 1e-4 relative + 1 cm and counts between
sitefinder's counts at r - 1 cm and r + 1 cm. Its ratio includes its network
build and precompute (one run each: they take seconds to many minutes)
against sitefinder's graph build plus query; the query-alone ratio is in the
note. pandana runs in a subprocess capped at 25 min; a capped run gives a
lower bound (the cap over sitefinder's time).
"""


def _fmt_s(t: float | None) -> str:
    if t is None:
        return "—"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def _fmt_ratio(r: float | None) -> str:
    if r is None:
        return "—"
    return f"{r:.2f}×" if r < 10 else (f"{r:.1f}×" if r < 100 else f"{r:.0f}×")


def _row_dict(r) -> dict:
    t = r.timing
    return {"workload": r.workload, "graph": r.graph, "engine": r.engine, "ratio": r.ratio, "check": r.check,
            "note": r.note, "median": t.median if t else None, "times": list(map(float, t.times)) if t else None}


def _row_from_dict(d: dict):
    timing = None if d["median"] is None else SimpleNamespace(median=d["median"], times=d["times"],
                                                              runs=len(d["times"]))
    return SimpleNamespace(timing=timing, **{k: d[k] for k in ("workload", "graph", "engine", "ratio", "check",
                                                               "note")})


def targets(rows: list, e2e: list[dict]) -> list[tuple[str, str, str]]:
    """The issue's targets: (target, measured, verdict)."""
    out = []
    w1 = [r for r in rows if r.workload.startswith("1 ")]
    for peer, goal in (("scipy", 2.0), ("networkx", 50.0)):
        for graph in dict.fromkeys(r.graph for r in w1):
            got = [r for r in w1 if r.graph == graph and r.engine == peer]
            if not got:
                continue
            worst = min((r.ratio for r in got if r.ratio is not None), default=None)
            if worst is None:
                out.append((f"1 nearest: ≥ {goal:g}× faster than {peer}", f"{graph}: {got[0].note or 'no result'}",
                            "not measured"))
                continue
            out.append((f"1 nearest: ≥ {goal:g}× faster than {peer}", f"{graph}: worst cut-off {_fmt_ratio(worst)}",
                        "met" if worst >= goal else f"missed by {goal / worst:.2f}×"))
    for graph in dict.fromkeys(r.graph for r in rows if r.engine == "pandana"):
        got = [r for r in rows if r.graph == graph and r.engine == "pandana" and r.workload[0] in "23"]
        ratios = [r.ratio for r in got if r.ratio is not None]
        if ratios:
            capped = any("lower bound" in r.note for r in got)
            worst = min(ratios)
            out.append(("2-3 k nearest, count/sum: ≥ 10× faster than pandana (build + precompute included)",
                        f"{graph}: worst {_fmt_ratio(worst)}" + (" (lower bound: pandana capped)" if capped else ""),
                        "met" if worst >= 10 else f"missed by {10 / worst:.2f}×"))
    big = [r for r in e2e if r["plots"] >= 1_000_000]
    if big:
        r = big[-1]
        out.append(("4 end to end: 1 M plots × 6 criteria in ≤ 60 s", _fmt_s(r["wall"]),
                    "met" if r["wall"] <= 60 else f"missed by {r['wall'] / 60:.2f}×"))
        out.append(("4 end to end: peak memory ≤ 4 GiB", f"{r['peak_rss_gib']:.2f} GiB",
                    "met" if r["peak_rss_gib"] <= 4 else f"missed by {r['peak_rss_gib'] / 4:.2f}×"))
        small = [x for x in e2e if x["plots"] < r["plots"]]
        if small:
            growth = r["wall"] / small[0]["wall"]
            out.append((f"4 end to end: {small[0]['plots']:,} → {r['plots']:,} plots grows ≤ 12×", f"{growth:.1f}×",
                        "met" if growth <= 12 else f"missed by {growth / 12:.2f}×"))
    return out


def write_report(path: Path, info: dict, rows: list, facts: list[dict], e2e: list[dict], demo: dict | None,
                 elapsed: float, quick: bool = False) -> Path:
    """Write ``path`` (Markdown), ``path.with_suffix('.png')`` (chart) and ``.json`` (raw results)."""
    raw = {"info": info, "rows": [_row_dict(r) for r in rows], "facts": facts, "e2e": e2e, "demo": demo,
           "elapsed": elapsed, "quick": quick, "date": datetime.date.today().isoformat()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps(raw, indent=1, default=float))
    lines = ["# Benchmarks", ""]
    lines += [f"Generated by `make bench` (`benchmarks/run.py`{' --quick' if quick else ''}) on "
              f"{datetime.date.today().isoformat()} in {elapsed / 60:.1f} min. Rerun it to check every number.", ""]
    lines += ["**Machine**: " + f"{info['cpu']}, {info['cores']} cores ({info['numba threads']} numba threads), "
              f"{info['memory']} RAM, Python {info['python']}, {info['os']}.", ""]
    lines += ["**Versions**: " + ", ".join(f"{k} {info[k]}" for k in
                                           ("numpy", "numba", "scipy", "networkx", "igraph", "pandana", "shapely",
                                            "pyarrow", "geopandas")) + ".", ""]
    lines += ["All times were taken on a machine shared with other work; rerun `make bench` on a quiet machine "
              "for final figures. Ratios are robust to that: engines take turns run after run.", ""]
    lines += [f"![ratios]({path.with_suffix('.png').name})", ""]
    lines += ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(rows, e2e)]
    lines += [""]
    lines += ["## Graphs", "", "| graph | nodes | edges | one-way | arcs | sitefinder graph build |", "|---|---:|---:|---:|---:|---:|"]
    for f in facts:
        lines.append(f"| {f['name']} | {f['nodes']:,} | {f['edges']:,} | {f['oneway']:,} | {f['arcs']:,} | "
                     f"{_fmt_s(f['sitefinder_build'])} |")
    lines += ["", "## Results", "",
              "Ratio = the engine's time / sitefinder's time in the same run (above 1: sitefinder is faster).", "",
              "| workload | graph | engine | median | runs | ratio | cross-check | note |",
              "|---|---|---|---:|---:|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r.workload} | {r.graph} | {r.engine} | {_fmt_s(r.timing.median if r.timing else None)} | "
                     f"{r.timing.runs if r.timing else '—'} | {_fmt_ratio(r.ratio)} | {r.check} | {r.note} |")
    floors = {r.graph: r.timing.median for r in rows if r.workload.startswith("floor") and r.timing}
    lines += ["", "### How close to the memory floor", "",
              "The floor is one plain sweep over every CSR arc (head and weight) of the reversed graph: no search "
              "can read the graph faster. A full unbounded search visits every arc once too, but in wavefront "
              "order, not memory order: each scanned node costs cache misses on its CSR row, its distance and "
              "its queue entry, so the search runs at memory *latency*, not bandwidth. That is why the gap grows "
              "with the graph: the 1 M and 4 M graphs (CSR, distances, queue: about 60 and 250 MB) no longer fit "
              "in the CPU's cache. Closing it further would need a cache-friendly node order (e.g. along a "
              "Hilbert curve, which OSM ids are not) or searching several categories in one sweep.",
              "", "| graph | floor | one unbounded nearest search (mean of 6 categories) | × floor |", "|---|---:|---:|---:|"]
    for r in rows:
        if r.engine == "sitefinder" and r.workload.startswith("1 ") and "none" in r.workload and r.timing:
            per = r.timing.median / 6
            fl = floors.get(r.graph)
            lines.append(f"| {r.graph} | {_fmt_s(fl)} | {_fmt_s(per)} | {per / fl:.0f}× |" if fl else "")
    if e2e:
        lines += ["", "## End to end (workload 4)", "",
                  "| plots | graph | wall time | peak memory (RSS) | " + " | ".join(e2e[0]["stages"]) + " |",
                  "|---:|---|---:|---:|" + "---:|" * len(e2e[0]["stages"])]
        for r in e2e:
            lines.append(f"| {r['plots']:,} | {r['graph']} | {_fmt_s(r['wall'])} | {r['peak_rss_gib']:.2f} GiB | "
                         + " | ".join(_fmt_s(v) for v in r["stages"].values()) + " |")
        if len(e2e) >= 2:
            lines += ["", f"Growth from {e2e[0]['plots']:,} to {e2e[-1]['plots']:,} plots: "
                      f"{e2e[-1]['wall'] / e2e[0]['wall']:.1f}× the wall time."]
        lines += ["", "Stages: *load* = `sitefinder.load_study` on the GeoDataFrames (plots, network lines, "
                  "features): conversion to arrays, noding the network, graph and segment index; *snap* = plot "
                  "outlines to the network; "
                  "*paths* = the searches of the six criteria; *scoring* = transforms, constraints, ranking and "
                  "attaching the columns; *write* = GeoParquet, atomically. One run each, in a fresh process."]
    if demo:
        lines += ["", "## `sitefinder demo` start-up", "",
                  f"Cold (numba cache emptied, every kernel compiles): median {demo['cold_median']:.1f} s over "
                  f"{len(demo['cold'])} runs; warm (kernels loaded from the cache): median {demo['warm_median']:.1f} s."]
    lines += ["", "## Workloads", "", WORKLOADS]
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    _chart(path.with_suffix(".png"), rows)
    return path


def _chart(path: Path, rows: list) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    peers = [r for r in rows if r.ratio is not None and r.engine not in ("sitefinder",)]
    if not peers:
        return
    engine = {"sitefinder (categories in parallel)": "sitefinder, parallel"}
    labels = [f"{r.graph.split(' (')[0]} | {r.workload.replace('6 categories, ', '')} | {engine.get(r.engine, r.engine)}"
              + (" (lower bound)" if "lower bound" in r.note else "") for r in peers]
    ratios = np.array([r.ratio for r in peers])
    fig, ax = plt.subplots(figsize=(11, 0.24 * len(peers) + 1.5))
    colours = {"scipy": "#1f77b4", "igraph": "#2ca02c", "networkx": "#d62728", "pandana": "#9467bd"}
    bars = ax.barh(np.arange(len(peers)), ratios, color=[colours.get(r.engine, "#7f7f7f") for r in peers])
    for bar, r in zip(bars, peers):
        if "lower bound" in r.note:
            bar.set_hatch("//")
            bar.set_alpha(0.6)
    ax.set_yticks(np.arange(len(peers)), labels, fontsize=6)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xlabel("time / sitefinder's time, same run (log scale; > 1 = sitefinder faster)")
    ax.set_title("sitefinder against scipy, igraph, networkx and pandana")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


def main() -> None:
    """Re-render the Markdown report and chart from a saved ``benchmarks.json``."""
    src = Path(sys.argv[1])
    raw = json.loads(src.read_text())
    rows = [_row_from_dict(d) for d in raw["rows"]]
    out = write_report(src.with_suffix(".md"), raw["info"], rows, raw["facts"], raw["e2e"], raw["demo"],
                       raw["elapsed"], raw["quick"])
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
