# Entry points (see README): `make demo` and `make test` create .venv (the light install) on first use;
# `make test-transformer` runs the suite again in .venv-transformer, with the transformer extra (torch pinned
# to the 2.13.0 CPU build by constraints.txt). CI (.ci/run) runs both tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TBIN := .venv-transformer/bin

$(BIN)/extractor: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

$(TBIN)/extractor: pyproject.toml constraints.txt
	$(PYTHON) -m venv .venv-transformer
	$(TBIN)/pip install -q -c constraints.txt -e '.[transformer,dev]'
	touch $@

.PHONY: install install-transformer demo test test-transformer
install: $(BIN)/extractor
install-transformer: $(TBIN)/extractor

demo: install
	$(BIN)/extractor extract examples/ -o out/examples.jsonl --force
	@echo "wrote out/examples.jsonl"

test: install
	$(BIN)/python -m pytest

test-transformer: install-transformer
	$(TBIN)/python -m pytest
