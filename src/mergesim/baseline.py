"""The fixed-seed regression baseline: a small run of every shipped scenario, flattened.

``tests/baseline.json`` holds, per scenario file in ``scenarios/``, the plan summary and the
run summary of a small, short run (:data:`BASELINE_OVERRIDES`) as a flat ``{metric: value}``
table. ``tests/test_baseline.py`` recomputes it and names every metric that changed;
``python scripts/update_baseline.py`` rewrites the file when a change is intended (review the
diff it prints before committing).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mergesim.config import apply_overrides, load_scenario
from mergesim.county import build_county
from mergesim.io import flatten
from mergesim.plans import make_plan, summarize
from mergesim.rng import Streams
from mergesim.run import simulate

#: Small and short, so that every shipped scenario runs in about a second.
BASELINE_OVERRIDES: dict[str, Any] = {
    "villagers.scale": 0.02,
    "timeline.warmup_weeks": 12,
    "timeline.burn_in_weeks": 2,
    "timeline.transition_weeks": 8,
    "timeline.horizon_weeks": 24,
    "timeline.post_window_weeks": 12,
}


def flat_table(tree: dict[str, Any]) -> dict[str, float | str | None]:
    """Nested dicts and lists → ``{"a.b.0": value}``, numbers as floats (bools, None and text
    kept), so the table compares and stores the same whatever the numbers' types."""
    return {
        k: v if v is None or isinstance(v, bool | str) else float(v)
        for k, v in flatten(tree, lists="index").items()
    }


def scenario_baseline(path: str | Path) -> dict[str, float | str | None]:
    """Flat plan + run summary of one scenario file at the baseline settings."""
    scenario = apply_overrides(load_scenario(path), BASELINE_OVERRIDES)
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan_summary = summarize(county, make_plan(county, scenario, streams))
    model = simulate(scenario)
    run = model.summary()
    flat = flat_table({"plan": plan_summary})
    flat.update(flat_table({k: run[k] for k in ("pre", "post") if k in run}))
    return flat


def compute(scenario_dir: str | Path) -> dict[str, dict]:
    """Baseline of every ``*.toml`` in ``scenario_dir``, keyed by file name."""
    return {p.name: scenario_baseline(p) for p in sorted(Path(scenario_dir).glob("*.toml"))}


def differences(old: dict, new: dict, rel: float = 1e-9) -> list[str]:
    """One line per metric that changed, appeared or disappeared."""
    lines = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {}), new.get(name, {})
        for key in sorted(set(a) | set(b)):
            if key not in a:
                lines.append(f"{name}: {key}: new metric ({b[key]!r})")
            elif key not in b:
                lines.append(f"{name}: {key}: metric gone (was {a[key]!r})")
            elif not _same(a[key], b[key], rel):
                lines.append(f"{name}: {key}: {a[key]!r} -> {b[key]!r}")
    return lines


def _same(a: Any, b: Any, rel: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    return a == b
