# Two commands set everything up on a fresh machine (Python 3.11, gcc, package registries):
#   make run   - create .venv, install, run the main job on the built-in default case
#   make test  - create .venv, install with test extras, lint, type-check, build the docs,
#                run the whole suite
#   make docs  - build the documentation into docs/_build/html (warnings are errors)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint docs bench clean browser web postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed web
	$(BIN)/roof assess --out securityroof-report --force

# The live page's Leaflet, from the npm registry (web/package-lock.json), copied
# into the package; no CDN at run time.
web: | $(BIN)/python
	@$(BIN)/python tools/build_web.py || echo "the live page will say its map library is missing"


# Debian's PostgreSQL server for the service's database tests (they start their own).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) || \
	  echo "Debian's postgresql could not be installed: the PostgreSQL tests will be skipped"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

# Debian's Chromium for the report's browser test (no browser download of its own).
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	  echo "Debian's chromium could not be installed: the browser test will be skipped"

# The documentation site (Sphinx; the scenario reference is generated from the models).
docs: $(VENV)/.installed-test
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

test: lint docs browser postgres web
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_flight.py
	$(BIN)/python benchmarks/bench_full_model.py
	$(BIN)/python benchmarks/bench_engagement.py
	$(BIN)/python benchmarks/bench_analyses.py
	$(BIN)/python benchmarks/bench_stability.py
	$(BIN)/python benchmarks/bench_envelope.py
	$(BIN)/python benchmarks/bench_ops_load.py
	$(BIN)/python benchmarks/bench_ops_hostile.py

clean:
	rm -rf $(VENV) build src/*.egg-info docs/_build docs/_generated
