"""Timing, cross-checking and machine description shared by the benchmarks."""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

import numba
import numpy as np


@dataclass
class Timing:
    """Wall times of one timed callable: ``median`` over ``times`` (after ``warmup``)."""

    median: float
    times: list[float]
    warmup: float
    result: object = field(repr=False, default=None)

    @property
    def runs(self) -> int:
        return len(self.times)


def measure(fn: Callable[[], object], runs: int = 5, cap: float | None = None) -> Timing:
    """Run ``fn`` once to warm up (compile, fill caches), then ``runs`` more times.

    With ``cap`` (seconds), a warm-up slower than ``cap / runs`` is the only
    run: the figure is then one run, and says so (``runs == 1``).
    """
    t = time.perf_counter()
    result = fn()
    warm = time.perf_counter() - t
    if cap is not None and warm * runs > cap:
        return Timing(warm, [warm], warm, result)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return Timing(statistics.median(times), times, warm, result)


def measure_together(fns: dict[str, Callable[[], object]], runs: int = 5, min_total: float = 1.0) -> dict[str, Timing]:
    """Time several engines on the same task, run after run in turn (A, B, C, A, B, C, ...).

    Other work on the machine then slows every engine alike, so the ratios
    stay fair on a busy machine. After one warm-up each, quick tasks get
    more than ``runs`` runs (up to 50) so that each engine is timed for
    about ``min_total`` seconds in all.
    """
    warm, results = {}, {}
    for name, fn in fns.items():
        t = time.perf_counter()
        results[name] = fn()
        warm[name] = time.perf_counter() - t
    n = max(runs, min(50, int(min_total / max(max(warm.values()), 1e-6))))
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(n):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: Timing(statistics.median(times[name]), times[name], warm[name], results[name]) for name in fns}


def once(fn: Callable[[], object]) -> Timing:
    """One timed run (for steps that take minutes and are far above the noise)."""
    t = time.perf_counter()
    result = fn()
    d = time.perf_counter() - t
    return Timing(d, [d], 0.0, result)


def same_values(reference: np.ndarray, other: np.ndarray, rtol: float = 1e-6, atol: float = 0.0) -> tuple[bool, str]:
    """Equal to ``rtol`` relative (plus ``atol``), with ``inf`` (unreached) in the same places."""
    a = np.asarray(reference, np.float64)
    b = np.asarray(other, np.float64)
    if a.shape != b.shape:
        return False, f"shape {b.shape} != {a.shape}"
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb):
        return False, f"{int((fa != fb).sum())} entries reached by one engine only"
    if not np.allclose(a[fa], b[fb], rtol=rtol, atol=atol):
        bad = ~np.isclose(a[fa], b[fb], rtol=rtol, atol=atol)
        worst = float(np.max(np.abs(a[fa][bad] - b[fb][bad]) / np.maximum(np.abs(a[fa][bad]), 1e-300)))
        return False, f"{int(bad.sum())} entries differ (worst relative {worst:.2e})"
    within = f"{rtol:g} relative" + (f" + {atol:g}" if atol else "")
    return True, f"equal to {within} ({int(fa.sum())} finite, {int((~fa).sum())} unreached)"


def counts_within_rounding(low: np.ndarray, high: np.ndarray, other: np.ndarray) -> tuple[bool, str]:
    """``other`` lies between the counts at radius ``r - tol`` (``low``) and ``r + tol`` (``high``).

    For an engine that rounds distances (pandana works in single precision),
    a source within ``tol`` of the radius may fall either way.
    """
    ok = (other >= low) & (other <= high)
    n_edge = int((low != high).sum())
    if not ok.all():
        return False, f"{int((~ok).sum())} counts outside the rounding band"
    return True, (f"equal at all {other.shape[0]} nodes" if n_edge == 0 else
                  f"equal; {n_edge} nodes have a source within 1 cm of the radius, counted either way")


@numba.njit(cache=True)
def edge_sweep(indptr, indices, weights):
    """One plain pass over every CSR arc (head and weight): the memory-bandwidth floor of a search."""
    total = 0.0
    for u in range(indptr.shape[0] - 1):
        for a in range(indptr[u], indptr[u + 1]):
            total += weights[a] + indices[a]
    return total


def machine() -> dict[str, str]:
    """Cores, memory, CPU model and versions, for the report."""
    import importlib.metadata as md

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    for pkg in ("numpy", "numba", "scipy", "networkx", "igraph", "pandana", "shapely", "pyarrow", "geopandas"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "numba threads": str(numba.get_num_threads()),
        "memory": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
        **versions,
    }
