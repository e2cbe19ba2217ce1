"""The Mesa model: construction, step order, phases, the end of the run, overrides."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from mergesim.config.schema import Scenario
from mergesim.errors import UserError
from mergesim.mechanisms.population import village_counts
from mergesim.mechanisms.services import PointKind
from mergesim.metrics import METRICS
from mergesim.model import MergerModel, Phase
from tiny_county import tiny_scenario


def test_model_is_an_ordinary_mesa_model(line, tiny):
    county, plan = line
    m = MergerModel(tiny, county=county, plan=plan)
    assert isinstance(m, mesa.Model)
    assert m.config is tiny and m.scenario is not tiny  # Mesa keeps its own `scenario`
    assert [mech.name for mech in m.mechanisms] == [
        "population",
        "needs",
        "services",
        "cadres",
        "grievance",
        "petitions",
    ]
    m.step()
    assert m.steps == 1 and m.week == 1
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 1 and set(METRICS) <= set(df.columns)


def test_phases_and_configuration_changes(line):
    county, plan = line
    s = tiny_scenario(
        timeline={"warmup_weeks": 3, "transition_weeks": 2, "horizon_weeks": 5},
        services={"duty_weeks": 1},
    )
    m = MergerModel(s, county=county, plan=plan)
    assert m._change_weeks == {3, 4, 5}
    calls = []
    for mech in m.mechanisms:
        orig = mech.on_phase
        mech.on_phase = lambda model, week, _o=orig, _n=mech.name: (
            calls.append((week, _n)),
            _o(model, week),
        )
    phases, centre_kinds, duty = [], [], []
    pts = m.services.points
    while m.running:
        m.step()
        phases.append(m.phase)
        centre_kinds.append(int(pts.kind[m.services.index.centre[1]]))
        duty.append(int((pts.kind == PointKind.DUTY_TEAM)[pts.status == 1].sum()))
    assert phases == [Phase.PRE] * 3 + [Phase.TRANSITION] * 2 + [Phase.POST] * 3
    assert [w for w, n in calls if n == "services"] == [3, 4, 5]
    assert centre_kinds[:3] == [PointKind.SERVICE_CENTRE] * 3
    assert centre_kinds[3:] == [PointKind.CONVENIENCE_STATION] * 5
    assert duty == [0, 0, 0, 2, 0, 0, 0, 0]  # two merged-away villages, one week of duty
    assert m.steps == 8 and not m.running
    with pytest.raises(RuntimeError, match="ended"):
        m.step()


def test_administrative_township_switches_at_the_reform(line, tiny):
    county, plan = line
    m = MergerModel(tiny, county=county, plan=plan)
    assert m.administrative_township().tolist() == [0, 0, 0, 1, 1, 1]
    m.step()
    m.step()  # weeks 0, 1: warm-up
    assert m.administrative_township().tolist() == [0, 0, 0, 1, 1, 1]
    m.step()  # week 2: the reform week
    assert m.administrative_township().tolist() == [0] * 6


def test_dotted_overrides_and_rng(line, tiny):
    county, plan = line
    m = MergerModel(
        tiny,
        county=county,
        plan=plan,
        rng=5,
        **{"services.agency_service": False, "needs.max_trips": 3},
    )
    assert m.config.seed == 5
    assert m.config.services.agency_service is False and m.config.needs.max_trips == 3
    assert tiny.services.agency_service is True  # the base scenario is not modified
    with pytest.raises(UserError, match="services.agency_servce"):
        MergerModel(tiny, county=county, plan=plan, **{"services.agency_servce": False})
    with pytest.raises(UserError, match="max_trips"):
        MergerModel(tiny, county=county, plan=plan, **{"needs.max_trips": 0})


def test_default_scenario_is_the_seed_county(seed_county):
    county, plan = seed_county
    m = MergerModel(county=county, plan=plan, **{"villagers.scale": 0.001})
    assert m.config.services == Scenario().services
    # every inhabited village keeps one villager, so tiny scales round up a little
    assert m.villagers.n == village_counts(county.population, 0.001).sum()
    assert round(0.001 * county.population.sum()) <= m.villagers.n <= county.n_villages + 800
    assert m.timeline.n_weeks == 26 + 156


def test_weekly_outcome_arrays_are_reset(line):
    county, plan = line
    s = tiny_scenario(needs={"banking_telecom": [0.5, 0.5, 0.5]})
    m = MergerModel(s, county=county, plan=plan)
    m.step()
    assert m.villagers.trips_week.sum() > 0
    before = m.villagers.travel_week.copy()
    m.step()
    trips = m.villagers.trips_week.sum()
    assert trips == m.services.arrivals.sum()
    assert not np.array_equal(before, m.villagers.travel_week) or trips == 0
