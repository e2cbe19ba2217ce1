#!/usr/bin/env bash
# Set up the environment (idempotent) and run the main job on the seed county:
#   1. its merger plan — plan_summary.json, plan.csv and the before/after maps;
#   2. one full-scale simulation (800,000 villagers, 3.5 years in weeks) — summary.json,
#      timeseries.csv, villages.csv and the plots of travel, coverage, petitions, grievance,
#      the petition pipeline and the cadres' placement channels;
# all written to results/seed_county/. Extra arguments go to `mergesim run`
# (e.g. `bash scripts/seed.sh --scale 0.1` for a quick run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/mergesim plan scenarios/seed_county.toml --out results/seed_county
exec .venv/bin/mergesim run scenarios/seed_county.toml --out results/seed_county "$@"
