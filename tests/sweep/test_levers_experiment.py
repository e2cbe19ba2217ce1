"""experiments/levers.toml: it validates, names every measure of the report in both contexts,
and each pair of scenarios differs exactly by its measure."""

from __future__ import annotations

from functools import reduce

import pytest
from sweep_standin import ROOT

from mergesim.report.levers import CORNERS, lever_pairs
from mergesim.sweep import load_experiment, plan_runs, validate_file
from mergesim.sweep.costs import estimate

PATH = ROOT / "experiments" / "levers.toml"
#: The measures of the report (issue: the answer in one command).
MEASURES = {
    "agency_service",
    "village_rooms",
    "transition_duty",
    "seat_stations",
    "keep_abolished_points",
    "health_network",
    "devolved_stations",
    "enforcement_teams",
    "communication",
    "risk_watch",
    "staffing_kept",
    "transfers_kept",
    "infrastructure_kept",
    "services_kept",
    "cadres_placed",
    "policies_kept",
    "land_rights_kept",
    "collective_kept",
    "poverty_support_kept",
    "transition_pay",
    "training",
    "screening",
    "policy_plan",
    "border_exemptions",
}


@pytest.fixture(scope="module")
def experiment():
    return load_experiment(PATH)


@pytest.fixture(scope="module")
def scenarios(experiment):
    """Label → the resolved scenario of its first run."""
    return {r.label: r.scenario for r in plan_runs(experiment) if r.replicate == 0}


def _get(scenario, key):
    return reduce(getattr, key.split("."), scenario)


def test_validates():
    assert validate_file(PATH).startswith("ok: experiment 'levers'")


def test_every_measure_in_both_contexts(experiment):
    labels = [s.label for s in experiment.scenarios]
    assert set(CORNERS) <= set(labels)
    pairs = lever_pairs(labels)
    assert {p.measure for p in pairs} == MEASURES
    for m in MEASURES:
        assert sorted(p.context for p in pairs if p.measure == m) == ["merger alone", "seed"]
    assert len(labels) == len(CORNERS) + 2 * len(MEASURES)


def test_each_pair_differs_by_its_measure_alone(experiment, scenarios):
    refs = {s.label: s for s in experiment.scenarios}
    for p in lever_pairs(list(refs)):
        keys = list(refs[p.scenario].overrides)
        assert keys
        with_ = p.versus if p.sign < 0 else p.scenario
        without = p.scenario if p.sign < 0 else p.versus
        for k in keys:
            # "With" is the seed county's setting, "without" that of seed_minus_<measure>.
            assert _get(scenarios[with_], k) == _get(scenarios["seed"], k), (p, k)
            assert _get(scenarios[without], k) == _get(scenarios[f"seed_minus_{p.measure}"], k)
            assert _get(scenarios[with_], k) != _get(scenarios[without], k), (p, k)
        # Both contexts switch the same keys.
        assert keys == list(refs[f"seed_minus_{p.measure}"].overrides)


def test_decomposition_corners(scenarios):
    assert scenarios["none"].plan.method == scenarios["none_measures"].plan.method == "none"
    assert scenarios["merger_only"].plan.method == scenarios["seed"].plan.method
    # none_measures adds exactly what the merger alone lacks of the seed county.
    lacks = [
        "services.agency_service",
        "services.health_network",
        "services.devolved_stations",
        "cadres.training_person_times",
    ]
    for k in lacks:
        assert _get(scenarios["merger_only"], k) == _get(scenarios["none"], k)
        assert _get(scenarios["none_measures"], k) == _get(scenarios["seed"], k)


def test_budget_under_45_minutes_on_two_cores(experiment, tmp_path):
    # The dry run's estimate on 2 idle cores, runs and report (the levers' forest figures
    # included); the smoke version's 2-minute budget is checked with every shipped experiment.
    est = estimate(plan_runs(experiment), tmp_path / "out", workers=2, exp=experiment)
    assert est.figures >= len(experiment.params.metrics)  # one lever figure per metric
    assert est.wall_seconds < 45 * 60
