# VK Comments Parser — the contract with users and CI. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY313   := $(shell scripts/find-python313.sh)
VENV    := .venv
PY      := $(VENV)/bin/python
TOOLS   := .tools-venv
SAM     := $(TOOLS)/bin/sam
# Security scanners get their own venv: checkov pins boto3 1.35 and packaging 23, sam pins boto3 exactly.
SEC     := .sec-venv
CHECKOV_VERSION   := 3.3.30
PIP_AUDIT_VERSION := 2.10.1
STAMP   := $(VENV)/.installed
# sam build runs pip with the python3.13 it finds on PATH: put the real interpreter first.
SAM_ENV := PATH="$(dir $(PY313)):$$PATH" AWS_DEFAULT_REGION=eu-central-1 SAM_CLI_TELEMETRY=0

.PHONY: help setup demo test up down lint bench invoke build openapi contract services clean

help:
	@echo "make demo | test | up | down | lint | bench | build | contract | invoke FN=<LogicalId> EVENT=events/<f>.json"

$(STAMP): pyproject.toml layers/vkc/requirements.txt
	@test -n "$(PY313)" || { echo "Python 3.13 is required" >&2; exit 1; }
	@test -x $(PY) || $(PY313) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

$(TOOLS)/.installed:
	@test -x $(TOOLS)/bin/python || $(PY313) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --upgrade pip
	$(TOOLS)/bin/pip install -q aws-sam-cli cfn-lint
	@touch $@

$(SEC)/.installed: Makefile
	@test -x $(SEC)/bin/python || $(PY313) -m venv $(SEC)
	$(SEC)/bin/pip install -q --upgrade pip
	$(SEC)/bin/pip install -q checkov==$(CHECKOV_VERSION) pip-audit==$(PIP_AUDIT_VERSION)
	@touch $@

setup: $(STAMP)
	@scripts/ensure-services.sh

services:
	@scripts/ensure-services.sh

demo: setup
	$(PY) -m devtools.demo

test: setup
	$(PY) -m pytest

up: setup
	$(PY) -m devtools.local_stack up

down:
	@test -x $(PY) && $(PY) -m devtools.local_stack down || true

lint: $(STAMP) $(TOOLS)/.installed $(SEC)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/vkc/vkc devtools vkc_cli
	@# each function is its own import root (every door is a module named app)
	@for f in functions/*/; do echo "mypy $$f"; MYPYPATH=layers/vkc:$$f $(VENV)/bin/mypy $$f || exit 1; done
	$(SAM_ENV) $(SAM) validate --template template.yaml
	$(SAM_ENV) $(SAM) validate --lint --template template.yaml
	@# checkov reads the SAM template itself (Serverless::Function, Globals); skips: .checkov.yaml + Metadata
	$(SEC)/bin/checkov --config-file .checkov.yaml -f template.yaml
	@# ... and the CloudFormation SAM generates from it (execution roles, functions, stage, mappings)
	@tmp=$$(mktemp --suffix .json); trap 'rm -f $$tmp' EXIT; \
	  $(SAM_ENV) $(TOOLS)/bin/python scripts/sam_translate.py template.yaml $$tmp && \
	  $(SEC)/bin/checkov --config-file .checkov.yaml -f $$tmp
	scripts/audit-deps.sh

build: $(TOOLS)/.installed
	$(SAM_ENV) $(SAM) build --template template.yaml

bench: setup
	$(PY) -m bench.run

invoke: setup
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<LogicalId> EVENT=events/<file>.json" >&2; exit 2; }
	$(PY) -m devtools.local_stack invoke $(FN) $(EVENT)

openapi: setup
	$(PY) -m devtools.openapi write

# schemathesis, every check and phase (schemathesis.toml), against the `make up` stack if one runs,
# else a throwaway stack on its own ports; CONTRACT_ARGS=--own-stack always starts one.
contract: setup
	$(PY) -m devtools.contract $(CONTRACT_ARGS)

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
