# The README's commands. Every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT   ?= 8000

.PHONY: dev test lint unit bench build deploy install browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'pip>=24,<26.3'  # chalice pins pip below 26.3
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Debian's Chromium for the browser tests (a test tool's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "install chromium (Debian package) first"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -f tests/browser/node_modules/axe-core/axe.min.js || npm ci --prefix tests/browser --no-audit --no-fund --silent

dev: install
	$(BIN)/python -m infra.local --port $(PORT) --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check layers functions infra tests
	$(BIN)/mypy layers/core/ventanilla
	$(BIN)/cfn-lint template.yaml
	$(BIN)/cfn-lint --regions us-east-1 -- infra/waf/cdn-waf.yaml
	$(BIN)/python -m infra.api.generate --check

unit: install
	$(BIN)/pytest tests/unit

test: install browser lint
	$(BIN)/pytest -n 2 tests

bench: install
	$(BIN)/python -m tests.bench

build: install
	sam build --use-container=false

deploy: build
	sam deploy --guided

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache test-artifacts
