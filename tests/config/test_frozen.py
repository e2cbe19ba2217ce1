"""Frozen scenarios: a validated scenario cannot be changed; every variant is validated."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from mergesim.config import Scenario, apply_overrides, load_scenario, load_scenario_dict
from mergesim.config.params import Section
from mergesim.errors import ScenarioError
from mergesim.model import MergerModel

SECTIONS = [
    f.name
    for f in dataclasses.fields(Scenario)
    if dataclasses.is_dataclass(typing.get_type_hints(Scenario)[f.name])
]


def one_line(err: ScenarioError) -> str:
    line = err.line()
    assert len(line.splitlines()) == 1, line
    return line


def test_every_section_is_a_frozen_validated_section():
    s = Scenario()
    for obj in [s, *(getattr(s, name) for name in SECTIONS)]:
        assert isinstance(obj, Section), type(obj)
        assert type(obj).__dataclass_params__.frozen, type(obj)


@pytest.mark.parametrize("section", SECTIONS)
def test_assigning_to_a_field_raises(section):
    s = Scenario()
    sec = getattr(s, section)
    name = dataclasses.fields(sec)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(sec, name, getattr(sec, name))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, section, sec)


def test_assigning_to_a_scenario_attribute_raises():
    s = load_scenario_dict({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.seed = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.base_dir = "/elsewhere"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.county.household_size = 4.0


def test_list_parameters_are_tuples_and_scenarios_hash():
    s = Scenario()
    assert s.plan.terrain_pull == (1.0, 0.55, 0.25)
    assert isinstance(s.needs.admin, tuple)
    assert hash(s) == hash(Scenario())
    assert len({s, Scenario(), apply_overrides(s, {"plan.method": "uniform"})}) == 2
    # A list given to a constructor is stored as a tuple, an int for a number as a float.
    t = dataclasses.replace(s.plan, terrain_pull=[2, 1, 1])
    assert t.terrain_pull == (2.0, 1.0, 1.0) and all(type(v) is float for v in t.terrain_pull)


def test_override_out_of_range_is_one_line():
    err = pytest.raises(
        ScenarioError, apply_overrides, Scenario(), {"county.household_size": 0.5}
    ).value
    assert one_line(err) == (
        "parameters: county.household_size: value 0.5 is out of range; "
        "allowed: a value in [1.0, 10.0] (persons)"
    )


def test_set_out_of_range_is_one_line(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("", encoding="utf-8")
    err = pytest.raises(ScenarioError, load_scenario, f, ["county.household_size=0.5"]).value
    assert one_line(err).startswith("--set: county.household_size: value 0.5 is out of range")


def test_model_overrides_are_validated():
    with pytest.raises(ScenarioError, match="county.household_size: value 0.5 is out of range"):
        MergerModel(Scenario(), **{"county.household_size": 0.5})


def test_replace_validates_values_and_cross_field_checks():
    s = Scenario()
    err = pytest.raises(ScenarioError, dataclasses.replace, s.county, household_size=0.5).value
    assert one_line(err).startswith("CountyParams.household_size: value 0.5 is out of range")
    err = pytest.raises(ScenarioError, dataclasses.replace, s.timeline, transition_weeks=500).value
    assert "TimelineParams.transition_weeks: value 500 must be < horizon_weeks" in one_line(err)
    with pytest.raises(ScenarioError, match="wrong type"):
        dataclasses.replace(s.plan, method=3)
    with pytest.raises(ScenarioError, match="3 numbers"):
        dataclasses.replace(s.plan, terrain_pull=(1.0, 1.0))
    with pytest.raises(ScenarioError, match="is not a CountyParams"):
        dataclasses.replace(s, county={"villages": 10})


def test_replace_keeps_base_dir_and_returns_a_new_object(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[county]\nvillages = 300\n", encoding="utf-8")
    s = load_scenario(f)
    t = dataclasses.replace(s, seed=5)
    assert t.base_dir == s.base_dir == str(tmp_path)
    assert t.seed == 5 and s.seed != 5 and t.county is s.county
    u = apply_overrides(s, {"county.villages": 200})
    assert s.county.villages == 300 and u.county.villages == 200
