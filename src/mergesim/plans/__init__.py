"""Merger plans: the plan model, its checks and summary, and one module per generator."""

from __future__ import annotations

from mergesim.config.schema import Scenario
from mergesim.county.county import County
from mergesim.plans.checks import Check, check_plan, level_warnings, summarize
from mergesim.plans.plan import Plan, build_plan
from mergesim.rng import Streams, geography_streams

__all__ = [
    "Check",
    "Plan",
    "build_plan",
    "check_plan",
    "level_warnings",
    "make_plan",
    "plan_checks",
    "summarize",
]


def make_plan(county: County, scenario: Scenario, streams: Streams | None = None) -> Plan:
    """The plan a scenario asks for (``plan.method``).

    Args:
        county: The county before the merger.
        scenario: A validated scenario.
        streams: The run's random streams (default ``Streams(scenario.seed)``); only the
            ensemble draws, from stream ``"plan"`` keyed by the member number — of
            ``Streams(county.seed)`` when the scenario sets it, like the county.
    """
    from mergesim.county import resolve_path
    from mergesim.plans import ensemble, from_file, policy, uniform

    p = scenario.plan
    streams = geography_streams(scenario, streams)
    if p.method == "ensemble":
        return ensemble.ensemble_member(county, p, streams, p.ensemble_member)
    if p.method == "none":
        plan = policy.none_plan(county)
    elif p.method == "policy":
        plan = policy.policy_plan(county, p)
    elif p.method == "uniform":
        plan = uniform.uniform_plan(county, p)
    elif p.method == "file":
        plan = from_file.load_plan_csv(county, resolve_path(scenario, p.file))
    else:  # the schema's choices prevent this
        raise ValueError(f"unknown plan method {p.method!r}")
    # Deterministic generators draw nothing; the scenario's seed (which fixed the county) is
    # what reproduces them.
    plan.seed = scenario.seed if scenario.county.seed is None else scenario.county.seed
    return plan


def plan_checks(county: County, plan: Plan, scenario: Scenario) -> list[Check]:
    """:func:`check_plan` with the expectations the scenario implies.

    Exemptions are checked for ``policy``, ``ensemble`` and ``file`` plans (a plan file that
    merges a border or heritage unit fails a check, as a generated plan would), the gradient
    for the generators that make it (``policy``, ``ensemble``).
    """
    rules = plan.method in ("policy", "ensemble")
    exempt = rules or plan.method == "file"
    p = scenario.plan
    return check_plan(
        county,
        plan,
        expect_gradient=rules and p.gradient_strength > 0,
        keep_border=exempt and p.keep_border_townships and p.keep_border_villages,
        keep_heritage=exempt and p.keep_heritage,
    )
