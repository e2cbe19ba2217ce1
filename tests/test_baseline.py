"""Fixed-seed regression baseline: names every metric that changed.

If a change is intended, run ``.venv/bin/python scripts/update_baseline.py`` and commit the new
``tests/baseline.json`` with the change that caused it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mergesim.baseline import differences, scenario_baseline

# Whole runs of the model or of sweeps: the contributor loop (pytest -m "not slow") skips them.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BASELINE = json.loads((ROOT / "tests" / "baseline.json").read_text())
SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.toml"))


def test_every_shipped_scenario_has_a_baseline():
    assert sorted(BASELINE) == SCENARIOS, (
        "scenarios and tests/baseline.json disagree; run scripts/update_baseline.py"
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_matches_baseline(name):
    new = {name: scenario_baseline(ROOT / "scenarios" / name)}
    changed = differences({name: BASELINE.get(name, {})}, new)
    assert not changed, (
        f"{len(changed)} metric(s) changed (run scripts/update_baseline.py if intended):\n"
        + "\n".join(changed[:40])
    )
