# txdiag — two commands do all the set-up:
#   make demo   start a local node, create real example transactions, diagnose them
#   make test   the whole test suite (lint, types, tests)
# Both install what they need (a .venv from the lock files, the pinned local node
# tools from tools/package-lock.json) and are idempotent.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)
TOOLS  := tools/node_modules/.installed-$(shell cat tools/package-lock.json | cksum | cut -d' ' -f1)

.PHONY: setup demo test lint typecheck pytest bench serve test-deps clean

# bytecode for every module, so that runs setting PYTHONDONTWRITEBYTECODE (it only stops writing) read it too
setup: $(STAMP) $(TOOLS)
	$(PY) -m compileall -q txdiag

$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

$(TOOLS): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	rm -f tools/node_modules/.installed-*
	touch $@

# system packages the tests use as real parts (Prometheus server, promtool)
test-deps:
	bash scripts/install-test-deps.sh

demo: setup
	$(PY) scripts/demo.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

pytest: setup test-deps
	$(PY) -m pytest

test: lint typecheck pytest

bench: setup test-deps
	$(PY) bench/run.py
	$(PY) bench/bitcoin.py

serve: setup
	$(VENV)/bin/txdiag serve

clean:
	rm -rf $(VENV) tools/node_modules .mypy_cache .ruff_cache .pytest_cache .hypothesis
