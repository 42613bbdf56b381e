# The two commands of the README: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck unit browser-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/odrbot db upgrade
	$(BIN)/odrbot enterprises import bot/demo/enterprises.jsonl
	@echo ""
	@echo "  web chat:  http://127.0.0.1:8080/"
	@echo "  health:    http://127.0.0.1:8080/healthz   metrics: http://127.0.0.1:8080/metrics"
	@echo ""
	$(BIN)/odrbot serve

# Debian's chromium for the browser tests (Playwright cannot download its own here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: $(STAMP) browser-deps lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.nlp_eval

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
