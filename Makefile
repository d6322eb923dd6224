# Two entry points (see README): `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/extractor: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

.PHONY: install demo test
install: $(BIN)/extractor

demo: install
	$(BIN)/extractor extract examples/ -o out/examples.jsonl --force
	@echo "wrote out/examples.jsonl"

test: install
	$(BIN)/python -m pytest
