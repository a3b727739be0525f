# Everything a fresh machine with Python 3.11 and make needs: uv is installed from PyPI into
# .tools/, the locked environment into .venv/, checkov into its own uv tool environment.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
CHECKOV_VERSION := 3.3.30
# Microsoft's Azure Storage emulator: the Azure evidence-store tests run against it too.
AZURITE_VERSION := 3.37.0
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export MOTO_EC2_LOAD_DEFAULT_AMIS := false
# Bytecode is compiled at install: the provider SDKs are huge, and a machine that sets
# PYTHONDONTWRITEBYTECODE would otherwise recompile them on every run (seconds each time).
export UV_COMPILE_BYTECODE := 1

UV := $(CURDIR)/.tools/bin/uv
RUN := $(UV) run --locked --no-sync
AZURITE := $(CURDIR)/.tools/azurite/node_modules/.bin/azurite-blob

.PHONY: setup drill test lint typecheck pytest checkov-env emulators bench bench-fleet clean azure-responder

$(UV):
	@echo "==> installing uv $(UV_VERSION) from PyPI into .tools/"
	@$(PYTHON) -m venv .tools
	@.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	@echo "==> installing the locked environment into .venv/"
	@$(UV) sync --locked --all-extras --quiet
	@touch $@

setup: .venv/.synced

checkov-env: | $(UV)
	@echo "==> preparing checkov $(CHECKOV_VERSION) in its own tool environment"
	@$(UV) tool install --quiet "checkov==$(CHECKOV_VERSION)" >/dev/null 2>&1 || $(UV) tool install "checkov==$(CHECKOV_VERSION)"

$(AZURITE): | $(UV)
	@echo "==> installing Azurite $(AZURITE_VERSION) from npm into .tools/azurite/"
	@mkdir -p .tools/azurite
	@npm install --prefix .tools/azurite --no-audit --no-fund --silent "azurite@$(AZURITE_VERSION)"

emulators: $(AZURITE)

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

# Third-party emulators are required here: a missing one fails its tests instead of skipping.
pytest: setup checkov-env emulators
	@echo "==> pytest"
	@PREWIRE_REQUIRE_EMULATORS=1 $(RUN) pytest -n auto -q

test: lint typecheck pytest

bench: setup
	@$(RUN) python -m bench.check
	@$(RUN) python -m bench.drill
	@$(RUN) python -m bench.faults --seeds 3

# A fleet contained at AWS's rate limits against Cloud Custodian: about 25 minutes for all sizes.
bench-fleet: setup
	@$(RUN) python -m bench.containment --sizes 100 500 1000

clean:
	rm -rf .venv .tools .mypy_cache .pytest_cache .ruff_cache drill-reports
