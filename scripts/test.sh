#!/usr/bin/env bash
# Set up the environment (idempotent), check style and the import layers, run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/ruff format --check --quiet src tests scripts benchmarks docs/tutorial
# The layers contract in pyproject.toml ([tool.importlinter]): a wrong arrow fails the build.
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
