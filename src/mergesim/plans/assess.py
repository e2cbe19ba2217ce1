"""A scenario's county and plan, checked and summarised: what ``mergesim plan`` computes before
it writes anything (:func:`mergesim.api.plan_scenario` adds the files; the validation suite
uses the result as it is)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.county.county import County
from mergesim.plans import make_plan, plan_checks, summarize
from mergesim.plans.checks import Check
from mergesim.plans.ensemble import ensemble_plans
from mergesim.plans.plan import Plan
from mergesim.rng import Streams

#: Summary keys printed by ``mergesim plan``, in order.
PLAN_TABLE_KEYS = (
    "townships_before",
    "townships_after",
    "townships_abolished",
    "villages_before",
    "villages_after",
    "merged_villages",
    "villages_merged_away",
    "border_townships_kept",
    "border_villages_kept",
    "heritage_kept",
    "village_pop_ratio",
    "village_area_ratio",
    "township_pop_ratio",
    "township_area_ratio",
    "villages_per_new_near_seat",
    "villages_per_new_far",
    "villages_per_new_plain",
    "villages_per_new_mountain",
    "seed",
)


@dataclass
class PlanResult:
    """A scenario's county and plan with the plan's summary and checks.

    Attributes:
        county, plan: The county and its merger plan.
        summary: :func:`~mergesim.plans.summarize` plus the scenario's name, the checks and,
            for an ensemble, the spread of its members.
        checks: The plan checks (and, for an ensemble, one over all members).
        ensemble_rows: One summary row per ensemble member (``method = "ensemble"`` only).
        seconds: Time to build and check.
        out, files: Where the files went (set when they are written).
    """

    county: County
    plan: Plan
    summary: dict
    checks: list[Check]
    ensemble_rows: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    out: Path | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def all_checks_ok(self) -> bool:
        """Whether every plan check passed."""
        return all(c.ok for c in self.checks)

    def report(self) -> str:
        """The summary and checks as a plain-text table."""
        s = self.summary
        width = max(len(k) for k in PLAN_TABLE_KEYS)
        lines = [f"plan '{s['method']}' for county '{self.county.name}' ({self.seconds:.2f} s)", ""]
        lines += [f"  {k:<{width}}  {_shown(s[k])}" for k in PLAN_TABLE_KEYS if k in s]
        lines += ["", "checks:"]
        lines += [f"  [{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}" for c in self.checks]
        if s.get("notes"):
            lines += ["", "notes:"] + [f"  - {n}" for n in s["notes"]]
        if self.out is not None:
            lines += ["", f"wrote {len(self.files)} files to {self.out}"]
        return "\n".join(lines)


def _shown(value: object) -> object:
    """A summary value for the table: an undefined ratio (NaN; null in the JSON) in words."""
    return "n/a" if isinstance(value, float) and np.isnan(value) else value


def assess_plan(scenario: Scenario) -> PlanResult:
    """Build the scenario's county and plan, summarise and check the plan (and, for an
    ensemble, every member).

    Raises:
        mergesim.errors.UserError: Bad data or plan file (one line).
    """
    t0 = time.perf_counter()
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan = make_plan(county, scenario, streams)
    summary = summarize(county, plan)
    summary["scenario"] = scenario.name
    checks = plan_checks(county, plan, scenario)
    summary["checks"] = {c.name: {"ok": c.ok, "detail": c.detail} for c in checks}
    rows: list[dict] = []
    if scenario.plan.method == "ensemble":
        rows, spread, failed = assess_ensemble(county, scenario, streams)
        summary["ensemble"] = spread
        if failed:
            checks.append(
                Check(
                    "ensemble checks",
                    False,
                    f"members failing a check: {', '.join(map(str, failed))}",
                )
            )
        else:
            checks.append(
                Check("ensemble checks", True, f"all {len(rows)} members pass every check")
            )
    return PlanResult(county, plan, summary, checks, rows, time.perf_counter() - t0)


def assess_ensemble(
    county: County, scenario: Scenario, streams: Streams
) -> tuple[list[dict], dict, list[int]]:
    """Summaries of every ensemble member, their spread (min/mean/max) and failing members.

    What ``mergesim plan`` does for an ensemble (``benchmarks/bench_plan.py --ensemble N``
    times it): ``plan.ensemble_size`` plans, each summarised and checked."""
    rows, failed = [], []
    for k, plan in enumerate(ensemble_plans(county, scenario.plan, streams)):
        sm = summarize(county, plan)
        rows.append({"member": k, **{key: sm[key] for key in PLAN_TABLE_KEYS}})
        if not all(c.ok for c in plan_checks(county, plan, scenario)):
            failed.append(k)
    spread = {}
    for key in PLAN_TABLE_KEYS:
        if key == "seed":
            continue
        v = np.array([r[key] for r in rows], dtype=float)
        spread[key] = {
            "min": float(v.min()),
            "mean": round(float(v.mean()), 4),
            "max": float(v.max()),
        }
    return rows, spread, failed
