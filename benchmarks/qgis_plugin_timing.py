"""Wall time of the QGIS plugin's Score plots on every OSM building of central Oslo (run in .venv-qgis).

Plots: the ~10,000 building footprints of the shared Oslo extract (read by
GDAL); network and features: the same extract, read by the plugin's GDAL
reader. Numba's kernels are compiled beforehand (a first, untimed run), so
this measures the work, not the compilation. Each phase is timed from the
algorithm's own progress steps. The CPU may be shared: repeat and take the
median.

    NUMBA_CACHE_DIR=.venv-qgis/numba-cache QT_QPA_PLATFORM=offscreen \\
        .venv-qgis/bin/python benchmarks/qgis_plugin_timing.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OSM = Path(os.environ.get("SITEFINDER_DATA", ROOT.parent / "shared" / "data")) / "oslo" / "oslo-center.osm.pbf"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path[:0] = ["/usr/share/qgis/python/plugins", str(ROOT / "qgis_plugin")]

from qgis.core import QgsProcessingFeedback, QgsVectorLayer  # noqa: E402
from qgis.testing import start_app  # noqa: E402

start_app(cleanup=False)
import processing  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import sitefinder_qgis  # noqa: E402

PLUGIN = sitefinder_qgis.classFactory(None)
PLUGIN.initProcessing()


class StepTimer(QgsProcessingFeedback):
    """Seconds spent in each progress step the algorithm names."""

    def __init__(self):
        super().__init__()
        self.times: dict[str, float] = {}
        self._step, self._t = None, time.perf_counter()

    def setProgressText(self, text):  # noqa: N802
        now = time.perf_counter()
        if self._step is not None:
            self.times[self._step] = self.times.get(self._step, 0.0) + now - self._t
        self._step, self._t = text, now

    def close(self):
        self.setProgressText(None)


def run(plots: QgsVectorLayer, profile: str) -> tuple[float, dict[str, float]]:
    feedback = StepTimer()
    t = time.perf_counter()
    processing.run("sitefinder:scoreplots", {"PLOTS": plots, "OSM": str(OSM), "PROFILE": profile,
                                             "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=feedback)
    total = time.perf_counter() - t
    feedback.close()
    return total, feedback.times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="smahus-integrated")
    args = parser.parse_args()
    plots = QgsVectorLayer(f"{OSM}|layername=multipolygons", "buildings", "ogr")
    plots.setSubsetString("building IS NOT NULL")
    run(plots, args.profile)  # compile (or load) numba's kernels
    results = [run(plots, args.profile) for _ in range(args.runs)]
    totals = [r[0] for r in results]
    n = sum(1 for _ in plots.getFeatures())  # the OSM driver does not know its feature count
    print(f"{n} plots, profile {args.profile}, {args.runs} runs: "
          f"median {statistics.median(totals):.1f} s (min {min(totals):.1f}, max {max(totals):.1f})")
    for step in results[0][1]:
        print(f"  {step:<40} median {statistics.median(r[1].get(step, 0.0) for r in results):6.2f} s")
    sys.stdout.flush()
    os._exit(0)  # no QGIS teardown (it can crash a script's process)


if __name__ == "__main__":
    main()
