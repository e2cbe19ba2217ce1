#!/usr/bin/env bash
# Create .venv with Python 3.12 (from .python-version) and install mergesim with test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet -e ".[test]"
