# The README's two commands: `make demo` and `make test`. Both create the virtual environment.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-transformers install lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/veilleur demo

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 -q

# The bring-your-own-model tests need torch, which the default environment stays free of: they run
# in an environment of their own. TORCH names what pip installs for it; a CPU-only wheel keeps the
# CUDA packages out (.ci/run passes the machine's, when it has one).
TVENV := .venv-transformers
TORCH ?= torch

test-transformers:
	test -x $(TVENV)/bin/python || $(PY) -m venv $(TVENV)
	$(TVENV)/bin/pip install --quiet "$(TORCH)" -e ".[dev,transformers]"
	VEILLEUR_REQUIRE_TRANSFORMERS=1 $(TVENV)/bin/python -m pytest -q -p no:cacheprovider tests/pipeline/test_transformer_head.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) veilleur-data .pytest_cache .ruff_cache
