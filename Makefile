# Two commands do all set-up on a fresh machine: `make test` and `make demo`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint format bench venv clean

# torch is installed first, from the index pip is configured with, unless TORCH_INDEX names
# another one (for torch only). PyPI's Linux wheel is the CUDA build; for a CPU-only build:
#   make TORCH_INDEX=https://download.pytorch.org/whl/cpu test
# (on a machine whose pip finds a local CPU wheel first, as in this project's, nothing is
# needed). It applies when .venv is created: `make clean` first to reinstall.
TORCH_INDEX ?=
TORCH_INDEX_ARGS := $(if $(strip $(TORCH_INDEX)),--index-url $(strip $(TORCH_INDEX)))

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(strip --quiet $(TORCH_INDEX_ARGS) "torch==2.13.0")
	$(BIN)/python -m pip install --quiet -e ".[test,tracks,attribution]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/python -m selene_sdk.demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples tools
	$(BIN)/ruff format --check src tests benchmarks examples tools

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks examples tools
	$(BIN)/ruff check --fix src tests benchmarks examples tools

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_data.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
