"""The fixed-seed regression baseline: a small run of every shipped scenario, flattened.

``tests/baseline.json`` holds, per shipped scenario file (:data:`SHIPPED_SCENARIOS`: the files
of ``scenarios/`` that come with mergesim, listed here and only here), the plan summary and the
run summary of a small, short run (:data:`BASELINE_OVERRIDES`) as a flat ``{metric: value}``
table. ``tests/test_baseline.py`` recomputes it and names every metric that changed;
``python scripts/update_baseline.py`` rewrites the file when a change is intended (review the
diff it prints before committing).

A scenario a user adds to ``scenarios/`` (e.g. ``my_variant.toml`` with ``extends``) is not in
the list, so it has no baseline and no test runs it: user files never break the test suite.
Adding a scenario to mergesim means adding its file name to :data:`SHIPPED_SCENARIOS` and
running the script.
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

#: The scenario files shipped with mergesim (in ``scenarios/``): the baseline covers these.
SHIPPED_SCENARIOS: tuple[str, ...] = (
    "example_geonames_raw.toml",
    "example_real.toml",
    "seed_county.toml",
    "seed_county_close_points.toml",
    "seed_county_merger_only.toml",
    "seed_county_ensemble.toml",
    "seed_county_min_communication.toml",
    "seed_county_no_duty_agency.toml",
    "seed_county_no_guarantees.toml",
    "seed_county_none.toml",
    "seed_county_target15.toml",
    "seed_county_target3.toml",
    "seed_county_uniform.toml",
)

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


def compute(
    scenario_dir: str | Path, names: tuple[str, ...] = SHIPPED_SCENARIOS
) -> dict[str, dict]:
    """Baseline of the scenario files ``names`` (default: the shipped ones) in
    ``scenario_dir``, keyed by file name."""
    return {name: scenario_baseline(Path(scenario_dir) / name) for name in names}


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
