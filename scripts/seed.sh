#!/usr/bin/env bash
# Set up the environment (idempotent) and run the main job: the seed county's merger plan,
# written to results/seed_county/ (plan_summary.json, plan.csv, maps).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/mergesim plan scenarios/seed_county.toml --out results/seed_county "$@"
