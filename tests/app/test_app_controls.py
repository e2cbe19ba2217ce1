"""The app's controls come from the schema: switches, plan choices, scales; a choice is applied
through the scenario validator."""

from __future__ import annotations

import dataclasses

import pytest

from mergesim.app import controls
from mergesim.config import Scenario, iter_params, scenario_to_dict
from mergesim.errors import ScenarioError


def _bool_keys(sections):
    return {
        k for k, tp, _, _ in iter_params(Scenario) if tp is bool and k.split(".")[0] in sections
    }


def test_every_on_off_measure_of_the_sections_is_a_switch_once():
    keys = [s.key for s in controls.switches()]
    assert len(keys) == len(set(keys))
    assert set(keys) == _bool_keys(controls.SWITCH_SECTIONS)
    assert "services.agency_service" in keys
    listed = [k for k in controls.REPORT_MEASURES if k in set(keys)]
    assert keys[: len(listed)] == listed  # the report's order first


def test_missing_keys_are_skipped_and_new_ones_follow():
    got = [
        s.key
        for s in controls.switches(("services",), ("services.gone", "services.agency_service"))
    ]
    assert got[0] == "services.agency_service"
    assert "services.gone" not in got
    assert set(got) == _bool_keys(("services",))


def test_switch_text_comes_from_the_schema():
    by_key = {s.key: s for s in controls.switches()}
    spec = {k: s for k, _, _, s in iter_params(Scenario)}["services.agency_service"]
    s = by_key["services.agency_service"]
    assert (s.name, s.doc, s.source) == ("agency service", spec.doc, spec.source)


def test_a_choice_changes_only_what_it_sets():
    base = Scenario()
    choice = controls.choice_of(base)
    assert choice.scale == min(base.villagers.scale, controls.WATCH_SCALE)
    off = choice.with_switch("services.agency_service", False)
    a = scenario_to_dict(controls.scenario_for(base, choice))
    b = scenario_to_dict(controls.scenario_for(base, off))
    assert a["services"]["agency_service"] is True and b["services"]["agency_service"] is False
    b["services"]["agency_service"] = True
    assert a == b
    want = scenario_to_dict(
        dataclasses.replace(base, villagers=dataclasses.replace(base.villagers, scale=choice.scale))
    )
    assert a == want


def test_a_bad_choice_is_one_scenario_error_naming_the_key():
    lo, hi = controls.target_range()
    choice = dataclasses.replace(controls.choice_of(Scenario()), target_factor=hi + 1)
    with pytest.raises(ScenarioError, match="plan.target_factor"):
        controls.scenario_for(Scenario(), choice)


def test_plan_methods_and_scales_respect_the_schema():
    methods = controls.plan_methods(Scenario())
    assert "policy" in methods and "file" not in methods
    spec = {k: s for k, _, _, s in iter_params(Scenario)}["villagers.scale"]
    assert all(spec.lo <= s <= spec.hi for s in controls.scales())
    assert controls.WATCH_SCALE in controls.scales()
