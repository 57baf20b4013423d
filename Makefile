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

.PHONY: help setup demo test test-unit test-integration test-e2e up down lint bench invoke build openapi services clean vendor-web web-size test-web deploy-web eval split train contract

help:
	@echo "make demo | test | test-unit | test-integration | test-e2e | up | down | lint | bench | build | contract | invoke FN=<LogicalId> EVENT=events/<f>.json"
	@echo "make eval | split | train   (quality on the labelled corpus in evals/corpus)"

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

# by kind (tests/<kind>/, each also a marker): unit needs no service, integration the real ones,
# e2e the multi-process local stack (and a real browser)
test-unit: $(STAMP)
	$(PY) -m pytest tests/unit

test-integration: setup
	$(PY) -m pytest tests/integration

test-e2e: setup
	$(PY) -m pytest tests/e2e

up: setup
	$(PY) -m devtools.local_stack up

down:
	@test -x $(PY) && $(PY) -m devtools.local_stack down || true

lint: $(STAMP) $(TOOLS)/.installed $(SEC)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/vkc/vkc devtools vkc_cli
	$(PY) -m devtools.layers
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

# Quality of the analysis on the labelled corpus: dev and test figures, recorded as quality.*.
eval: setup
	$(PY) -m evals

# Train/dev/test assignment of the corpus lines (by id hash) into evals/corpus/splits.json.
split: setup
	$(PY) -m evals.split

# Offline training of the sentiment model (scikit-learn, never shipped) into the layer's models/.
train: setup
	$(PY) -m pip install -q -e '.[train]'
	$(PY) -m evals.train_sentiment

invoke: setup
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<LogicalId> EVENT=events/<file>.json" >&2; exit 2; }
	$(PY) -m devtools.local_stack invoke $(FN) $(EVENT)

# the dashboard (web/): re-vendor the pinned libraries (integrity-checked), measure what it ships
vendor-web:
	scripts/vendor-web.sh

web-size: setup
	$(PY) -m devtools.web_bundle

# the browser tests only (chromium is installed by the tests' session fixture where missing)
test-web: setup
	$(PY) -m pytest tests/e2e/web tests/integration/test_static_site.py -q

# after `sam deploy`: upload web/ to the stack's site bucket and invalidate index.html (docs: README "Deploy")
deploy-web: setup
	@test -n "$(STACK)" || { echo "usage: make deploy-web STACK=<stack-name> [REGION=<region>]" >&2; exit 2; }
	$(PY) -m devtools.deploy_web --stack $(STACK) $(if $(REGION),--region $(REGION))

openapi: setup
	$(PY) -m devtools.openapi write

# schemathesis, every check and phase (schemathesis.toml), against the `make up` stack if one runs,
# else a throwaway stack on its own ports; CONTRACT_ARGS=--own-stack always starts one.
contract: setup
	$(PY) -m devtools.contract $(CONTRACT_ARGS)

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
