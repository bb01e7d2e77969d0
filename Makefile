# ivmonitor: `make demo` and `make test` work from a fresh clone with Python 3.11 and the
# package registries. The environment is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo demo-cities bench screenshots clean vendor-plotly

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

# One worker per core, at most 4 (each builds its own demo city and browser); a test file's
# tests stay together on one worker, so a module's shared setup runs once. The slowest tests
# are listed at the end.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile --durations 15

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/ivm demo
	$(BIN)/ivm serve --host 127.0.0.1 --port 8050

# Three municipalities in one installation, each with its own plan and accounts, served at
# http://aalst.localhost:8050, http://mechelen.localhost:8050, http://herstappe.localhost:8050.
CITIES ?= Aalst,Mechelen,Herstappe
demo-cities: $(STAMP)
	$(BIN)/ivm demo --cities $(CITIES) --out data/cities
	IVM_TENANTS=data/cities/tenants.yaml $(BIN)/ivm serve --host 127.0.0.1 --port 8050

# Every benchmark at one scale (`make bench SCALE=national`); results in bench/RESULTS.md.
SCALE ?= city
# Every part runs even when an earlier one stops with an error (the dashboard part also exits
# 1 when it misses a target); each part prints, for every target, whether it is met.
bench: $(STAMP)
	status=0; \
	$(BIN)/python -m bench load --scale $(SCALE) || status=1; \
	$(BIN)/python -m bench indicators --scale $(SCALE) || status=1; \
	$(BIN)/python -m bench dashboard --scale $(SCALE) || status=1; \
	$(BIN)/python -m bench profile --scale $(SCALE) || status=1; \
	$(BIN)/python -m bench export || status=1; \
	exit $$status

# The README's screenshots, made from the demo (run `make demo` or `ivm demo` first).
screenshots: $(STAMP)
	$(BIN)/ivm demo
	$(BIN)/python -m bench.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The small plotly.js bundle for the installed plotly (see dashboard/assets/vendor/README.md);
# needs npm. Commit the new file and remove the old one.
vendor-plotly: $(STAMP)
	v=$$($(BIN)/python -c "from plotly.offline import get_plotlyjs_version as v; print(v())") && \
	d=$$(mktemp -d) && (cd $$d && npm pack --silent plotly.js-basic-dist-min@$$v >/dev/null && \
	tar xzf plotly.js-basic-dist-min-$$v.tgz) && \
	cp $$d/package/plotly-basic.min.js dashboard/assets/vendor/plotly-basic-$$v.min.js && \
	cp $$d/package/LICENSE dashboard/assets/vendor/plotly-LICENSE.txt && rm -r $$d && \
	sed -i "s/plotly-basic-[0-9.]*\.min\.js/plotly-basic-$$v.min.js/" dashboard/assets/plotly-bundle.js && \
	echo "dashboard/assets/vendor/plotly-basic-$$v.min.js; update its README (version, SHA-256)"
