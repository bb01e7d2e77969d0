# ivmonitor: `make demo` and `make test` work from a fresh clone with Python 3.11 and the
# package registries. The environment is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/ivm demo
	$(BIN)/ivm serve --host 127.0.0.1 --port 8050

bench: $(STAMP)
	$(BIN)/python -m bench load --scale city

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
