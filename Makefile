# Newsroom: the two commands of the README, and the checks behind them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: run rebuild digest redrive test test-fast setup setup-test lint contracts typecheck unit build bench clean

run: setup  ## serve the site locally on the embedded moto stack with sample content
	$(PY) -m local run

rebuild: setup  ## re-render the running local site from the table and the source bucket
	$(PY) -m local rebuild

digest: setup  ## SHA-256 of every object in the running local site bucket (diff two of them)
	$(PY) -m local digest

redrive: setup  ## show why dead letters failed, then send them back to their queue
	$(PY) -m local redrive

test: setup-test lint contracts typecheck  ## set up and run every test (on every core: pytest-xdist, a test file per worker)
	$(PY) -m pytest -n auto --dist loadfile

test-fast: setup lint contracts typecheck  ## after every change: lint, types, import contracts, unit and use-case tests
	$(PY) -m pytest -q tests/unit tests/usecases

setup:
	@scripts/bootstrap

setup-test:
	@scripts/bootstrap --test

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

contracts:  ## the layering, as import-linter contracts in pyproject.toml
	PYTHONPATH=layers/newsroom:layers/pictures:layers/pdf:layers/redirects:. $(VENV)/bin/lint-imports

typecheck:  ## strict on the core and local/; the fakes must match the ports they stand in for
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy tests/usecases tests/support/fakes.py tests/support/fake_table.py tests/support/fake_site.py

build: setup-test  ## sam build, as CI and a deploy do it
	PYENV_VERSION=3.11.7:3.13.0 .venv-sam/bin/sam build

bench: setup  ## the benchmarks, then ours beside Hugo and Pelican on one corpus (bench/peers.py)
	scripts/bootstrap --bench || echo "scripts/bootstrap --bench could not install the peers: bench/peers.py skips them"
	$(PY) bench/publish_cost.py
	$(PY) bench/log_throughput.py
	$(PY) bench/publish_inmemory.py --json .bench/publish_inmemory.json
	$(PY) bench/peers.py

clean:
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache
