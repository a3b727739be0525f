# Everything a fresh machine with Python 3.11 and make needs: uv is installed from PyPI into
# .tools/, the locked environment into .venv/, checkov into its own uv tool environment.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
CHECKOV_VERSION := 3.3.30
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export MOTO_EC2_LOAD_DEFAULT_AMIS := false
# Bytecode is compiled at install: the provider SDKs are huge, and a machine that sets
# PYTHONDONTWRITEBYTECODE would otherwise recompile them on every run (seconds each time).
export UV_COMPILE_BYTECODE := 1

UV := $(CURDIR)/.tools/bin/uv
RUN := $(UV) run --locked --no-sync

.PHONY: setup drill test lint typecheck pytest checkov-env bench clean azure-responder

$(UV):
	@echo "==> installing uv $(UV_VERSION) from PyPI into .tools/"
	@$(PYTHON) -m venv .tools
	@.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	@echo "==> installing the locked environment into .venv/"
	@$(UV) sync --locked --quiet
	@touch $@

setup: .venv/.synced

checkov-env: | $(UV)
	@echo "==> preparing checkov $(CHECKOV_VERSION) in its own tool environment"
	@$(UV) tool install --quiet "checkov==$(CHECKOV_VERSION)" >/dev/null 2>&1 || $(UV) tool install "checkov==$(CHECKOV_VERSION)"

drill: setup
	@echo "==> prewire drill: every scenario on the embedded AWS emulator and the Azure and GCP fakes"
	@$(RUN) prewire drill

# The Azure responder Function's package, dependencies vendored for Linux / Python 3.11; point
# prewire:azure.responderPackage at build/azure-responder.
azure-responder: setup
	@PATH="$(CURDIR)/.tools/bin:$$PATH" $(RUN) prewire package azure-responder --output build/azure-responder

lint: setup
	@echo "==> ruff"
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .

typecheck: setup
	@echo "==> mypy"
	@$(RUN) mypy

pytest: setup checkov-env
	@echo "==> pytest"
	@$(RUN) pytest -n auto -q

test: lint typecheck pytest

bench: setup
	@$(RUN) python -m bench.render

clean:
	rm -rf .venv .tools .mypy_cache .pytest_cache .ruff_cache drill-reports
