"""Fixed-seed regression baseline: names every metric that changed.

If a change is intended, run ``.venv/bin/python scripts/update_baseline.py`` and commit the new
``tests/baseline.json`` with the change that caused it. Only the shipped scenarios
(:data:`mergesim.baseline.SHIPPED_SCENARIOS`) have a baseline; a user's own file in
``scenarios/`` is none of the suite's business (``tests/test_user_scenario.py``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mergesim.baseline import SHIPPED_SCENARIOS, differences, scenario_baseline

ROOT = Path(__file__).resolve().parents[1]
BASELINE = json.loads((ROOT / "tests" / "baseline.json").read_text())


def test_every_shipped_scenario_exists_and_has_a_baseline():
    missing = [n for n in SHIPPED_SCENARIOS if not (ROOT / "scenarios" / n).is_file()]
    assert not missing, f"SHIPPED_SCENARIOS names files not in scenarios/: {missing}"
    assert sorted(BASELINE) == sorted(SHIPPED_SCENARIOS), (
        "SHIPPED_SCENARIOS and tests/baseline.json disagree; run scripts/update_baseline.py"
    )


def test_every_committed_scenario_is_shipped():
    """A scenario committed to the repository is shipped: listed, so it has a baseline (a
    user's uncommitted file is not; `git ls-files` tells them apart)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "scenarios/*.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    committed = {Path(line).name for line in out.splitlines() if line.count("/") == 1}
    assert committed <= set(SHIPPED_SCENARIOS), committed - set(SHIPPED_SCENARIOS)


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_SCENARIOS)
def test_scenario_matches_baseline(name):
    new = {name: scenario_baseline(ROOT / "scenarios" / name)}
    changed = differences({name: BASELINE.get(name, {})}, new)
    assert not changed, (
        f"{len(changed)} metric(s) changed (run scripts/update_baseline.py if intended):\n"
        + "\n".join(changed[:40])
    )
