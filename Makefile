# Newsroom: the two commands of the README, and the checks behind them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: run rebuild digest redrive test setup setup-test lint typecheck unit build bench clean

run: setup  ## serve the site locally on the embedded moto stack with sample content
	$(PY) -m local run

rebuild: setup  ## re-render the running local site from the table and the source bucket
	$(PY) -m local rebuild

digest: setup  ## SHA-256 of every object in the running local site bucket (diff two of them)
	$(PY) -m local digest

redrive: setup  ## show why dead letters failed, then send them back to their queue
	$(PY) -m local redrive

test: setup-test lint typecheck  ## set up and run every test
	$(PY) -m pytest

setup:
	@scripts/bootstrap

setup-test:
	@scripts/bootstrap --test

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy

build: setup-test  ## sam build, as CI and a deploy do it
	PYENV_VERSION=3.11.7:3.13.0 .venv-sam/bin/sam build

bench: setup
	$(PY) bench/publish_cost.py

clean:
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache
