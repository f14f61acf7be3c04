# The README's commands. Every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The browser tests' npm tooling (axe-core, ESLint), pinned by tests/browser/package-lock.json.
NODE_DIR   := tests/browser/node_modules
NODE_STAMP := $(NODE_DIR)/.installed-$(shell cksum tests/browser/package-lock.json | cut -d' ' -f1)
ESLINT     := $(NODE_DIR)/.bin/eslint
PRETTIER   := $(NODE_DIR)/.bin/prettier
WEB_CODE   := 'web/**/*.{js,css}'
PORT   ?= 8000

.PHONY: dev test lint check fmt unit bench build deploy publish bootstrap smoke install node browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'pip>=24,<26.3'  # chalice pins pip below 26.3
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(NODE_STAMP): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	rm -f $(NODE_DIR)/.installed-* && touch $@

node: $(NODE_STAMP)

# Debian's Chromium for the browser tests (a test tool's own browser download cannot work offline).
browser: node
	@command -v chromium >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "install chromium (Debian package) first"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

dev: install
	$(BIN)/python -m infra.local --port $(PORT) --demo $(ARGS)

lint: install node
	$(BIN)/ruff check .
	$(BIN)/ruff format --check layers functions infra tests
	$(BIN)/mypy  # the domain package, the functions and infra (pyproject.toml [tool.mypy] files)
	PYTHONPATH=functions/api $(BIN)/lint-imports
	$(ESLINT) web
	$(PRETTIER) --check --log-level warn $(WEB_CODE)
	$(BIN)/cfn-lint template.yaml
	$(BIN)/cfn-lint --regions us-east-1 -- infra/waf/cdn-waf.yaml
	$(BIN)/python -m infra.api.generate --check
	$(BIN)/python -m infra.manuals --check

unit: install
	$(BIN)/pytest tests/unit

# The inner loop (under a minute): style, types, the layers' import contracts, the web client's
# lint and the unit tests.
check: install node
	$(BIN)/ruff check .
	$(BIN)/ruff format --check layers functions infra tests
	$(BIN)/mypy  # the domain package, the functions and infra (pyproject.toml [tool.mypy] files)
	PYTHONPATH=functions/api $(BIN)/lint-imports
	$(ESLINT) web
	$(PRETTIER) --check --log-level warn $(WEB_CODE)
	$(BIN)/pytest -q -n 2 tests/unit

fmt: install node
	$(BIN)/ruff check --fix -q .
	$(BIN)/ruff format layers functions infra tests
	$(PRETTIER) --write --log-level warn $(WEB_CODE)

test: install browser lint
	$(BIN)/pytest -n 2 tests

bench: install
	$(BIN)/python -m tests.bench

# arm64 / python3.12 artifacts in .aws-sam/build from any machine, no container (samconfig.toml).
build: install
	$(BIN)/sam build
	@$(BIN)/python -m infra.build sizes .aws-sam/build

# sam build runs this once per function and layer (template.yaml: Metadata BuildMethod makefile).
build-%:
	$(BIN)/python -m infra.build $* "$(ARTIFACTS_DIR)"

# First time (no parameter_overrides in samconfig.toml yet) guided, which asks the parameters and
# writes them there; then from samconfig.toml. Then web/ goes to the web bucket and the CDN is
# invalidated (docs/deploy.md).
STACK_NAME = $$(sed -n 's/^stack_name *= *"\(.*\)"/\1/p' samconfig.toml | head -1)
deploy: build
	if grep -q '^parameter_overrides' samconfig.toml; then $(BIN)/sam deploy; else $(BIN)/sam deploy --guided; fi
	$(BIN)/python -m infra.ops.publish_web --stack "$(STACK_NAME)"

publish: install
	$(BIN)/python -m infra.ops.publish_web --stack "$(STACK_NAME)"

# First run against the deployed stack: staff users, catalog, teams, calendar, help (idempotent).
bootstrap: install
	$(BIN)/python -m infra.ops.bootstrap --stack "$(STACK_NAME)" $(ARGS)

# Black-box check of a running stack: make smoke URL=https://... (SMOKE_USER/SMOKE_PASSWORD optional).
smoke: install
	@test -n "$(URL)" || { echo "usage: make smoke URL=https://..."; exit 2; }
	$(BIN)/python -m infra.ops.smoke "$(URL)"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache test-artifacts .aws-sam .build-cache
