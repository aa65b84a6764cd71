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

.PHONY: help demo test bench clean

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

test: $(STAMP)
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
	rm -rf $(VENV) demo_output .pytest_cache .hypothesis
	find sitefinder -name __pycache__ -type d -exec rm -rf {} +
