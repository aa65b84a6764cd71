# sitefinder — every target sets up what it needs on a fresh Debian machine.
#   make demo    score real plots in central Oslo with every built-in profile
#   make test    run the whole test suite
#   make bench   run the benchmarks (writes docs/benchmarks.md)

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

bench: $(STAMP)
	$(BIN)/python benchmarks/demo_timing.py

clean:
	rm -rf $(VENV) demo_output .pytest_cache .hypothesis
	find sitefinder -name __pycache__ -type d -exec rm -rf {} +
