# sitefinder — every target sets up what it needs on a fresh Debian machine.
#   make demo    score real plots in central Oslo with every built-in profile
#   make test    run the whole test suite
#   make bench   run the benchmarks (writes docs/benchmarks.md)
#   make test-qgis    only the QGIS plugin's tests, in headless QGIS (make test runs them too)
#   make plugin       build dist/sitefinder_qgis-VERSION.zip for QGIS's plugin manager (and the library's wheel)
#   make screenshots  retake docs/img/qgis-*.png in QGIS under Xvfb

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := test,demo

# apt-get as root, or through sudo when available.
APT := $(shell [ "$$(id -u)" = 0 ] && echo "apt-get" || (command -v sudo >/dev/null && echo "sudo apt-get"))

.PHONY: help demo test bench clean chromium

help:
	@echo "make demo   - score real Oslo plots with every built-in profile (sets itself up)"
	@echo "make test   - run the whole test suite (sets itself up)"
	@echo "make bench  - run the benchmarks"
	@echo "make test-qgis   - run only the QGIS plugin tests (headless QGIS; make test runs them too)"
	@echo "make plugin      - build dist/sitefinder_qgis-VERSION.zip for QGIS's plugin manager, and the library wheel"
	@echo "make screenshots - retake the QGIS screenshots in docs/img (Xvfb)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "sitefinder needs Python >= 3.11 ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	@# Debian ships venv/ensurepip separately (python3-venv).
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || { [ -n "$(APT)" ] && DEBIAN_FRONTEND=noninteractive $(APT) update -qq \
	       && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq python3-venv; } \
	  || { echo "please install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sitefinder demo

# The report test renders the HTML report in headless Chromium (Debian package).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || { [ -n "$(APT)" ] && DEBIAN_FRONTEND=noninteractive $(APT) update -qq \
	       && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq chromium; } \
	  || { echo "please install chromium (the report test renders the HTML report in it)"; exit 1; }

test: $(STAMP) chromium
	@# gdaldem (gdal-bin) is the independent reference for the slope tests.
	@command -v gdaldem >/dev/null 2>&1 \
	  || { [ -n "$(APT)" ] && DEBIAN_FRONTEND=noninteractive $(APT) update -qq \
	       && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq gdal-bin >/dev/null; } \
	  || echo "could not install gdal-bin: the gdaldem slope comparison will fail in CI"
	$(BIN)/python -m pytest

# make bench: sitefinder against scipy, networkx, igraph and pandana; writes docs/benchmarks.md,
# .png and .json (about an hour on 2 cores). make bench-quick: Oslo and 100k nodes only, a few
# minutes, report in /tmp. The peers come from the `bench` extra, installed only here.
.PHONY: bench-quick
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

bench-quick: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py --quick --out /tmp/sitefinder-benchmarks.md

clean:
	rm -rf $(VENV) $(QGIS_VENV) dist demo_output .pytest_cache .hypothesis
	find sitefinder -name __pycache__ -type d -exec rm -rf {} +

# ---------------------------------------------------------------- QGIS plugin
# The plugin is tested in QGIS's own Python (Debian's /usr/bin/python3 with python3-qgis and
# Debian's numpy): a venv over the system packages with numba pinned to that numpy and sitefinder
# installed without its geopandas stack. The library's .venv provides the reference scores.
QGIS_PYTHON   ?= /usr/bin/python3
QGIS_VENV     ?= .venv-qgis
QGIS_STAMP    := $(QGIS_VENV)/.installed
QGIS_PACKAGES := python3-qgis qgis-providers python3-venv
QGIS_ENV      := QT_QPA_PLATFORM=offscreen NUMBA_CACHE_DIR=$(CURDIR)/$(QGIS_VENV)/numba-cache

.PHONY: test-qgis plugin screenshots

$(QGIS_STAMP): pyproject.toml
	@$(QGIS_PYTHON) -c 'import qgis.core, ensurepip' 2>/dev/null \
	  || { [ -n "$(APT)" ] && DEBIAN_FRONTEND=noninteractive $(APT) update -qq \
	       && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq $(QGIS_PACKAGES); } \
	  || { echo "the QGIS tests need QGIS's Python: apt-get install $(QGIS_PACKAGES)"; exit 1; }
	rm -rf $(QGIS_VENV)
	$(QGIS_PYTHON) -m venv --system-site-packages $(QGIS_VENV)
	@# Pin QGIS's own numpy: pip must never replace it (it picks a numba built for it).
	$(QGIS_PYTHON) -c 'import numpy; print("numpy==" + numpy.__version__)' > $(QGIS_VENV)/constraints.txt
	$(QGIS_VENV)/bin/python -m pip install --quiet -c $(QGIS_VENV)/constraints.txt "numba>=0.59" "pytest>=8"
	$(QGIS_VENV)/bin/python -m pip install --quiet --no-deps -e .
	@touch $(QGIS_STAMP)

# make test runs the QGIS suite too (this rule adds it to test's prerequisites).
test: test-qgis

test-qgis: $(STAMP) $(QGIS_STAMP)
	$(QGIS_ENV) $(QGIS_VENV)/bin/python -m pytest tests/qgis

# The plugin zip, and the library as a wheel to install into QGIS's Python (docs/qgis.md).
plugin: $(STAMP)
	$(PYTHON) qgis_plugin/tools/build_zip.py dist
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/sitefinder-*.whl

screenshots: $(QGIS_STAMP)
	@command -v xvfb-run >/dev/null || { [ -n "$(APT)" ] && DEBIAN_FRONTEND=noninteractive $(APT) update -qq \
	  && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq xvfb xauth; }
	NUMBA_CACHE_DIR=$(CURDIR)/$(QGIS_VENV)/numba-cache xvfb-run -a -s "-screen 0 1280x1024x24" \
	  $(QGIS_VENV)/bin/python qgis_plugin/tools/screenshots.py
