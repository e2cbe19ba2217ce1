"""Agent views agree with the arrays; Mesa's AgentSet verbs work on them."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.mechanisms.cadres import OUTCOME_NAMES, POST_NAMES, Outcome
from mergesim.mechanisms.population import AGE_NAMES
from mergesim.mechanisms.services import KIND_NAMES, STATUS_NAMES
from mergesim.model import Cadre, MergerModel, ServicePoint, Villager
from tiny_county import tiny_scenario


@pytest.fixture
def model(line):
    county, plan = line
    s = tiny_scenario(
        needs={"admin": [0.3, 0.3, 0.3], "health_routine": [0.2, 0.2, 0.2]},
        villagers={"sample_agents": 40},
    )
    m = MergerModel(s, county=county, plan=plan)
    for _ in range(4):
        m.step()
    return m


def test_villager_views_agree_with_arrays(model):
    v = model.villagers
    views = model.agents_by_type[Villager]
    assert len(views) == 40
    for a in views:
        r = a.row
        assert a.village == v.village[r] and a.household == v.household[r]
        assert a.group == v.group[r] and a.vehicle == v.vehicle[r]
        assert a.age_group == AGE_NAMES[v.age[r]]
        assert a.grievance == v.grievance[r] and a.trust == pytest.approx(v.trust[r])
        assert a.travel_week == pytest.approx(v.travel_week[r])
        assert a.trips_week == v.trips_week[r] and a.access_now == pytest.approx(v.access_now[r])
        assert a.township == model.units.township_after[v.village[r]]
    # AgentSet verbs read the same state as the arrays
    rows = np.array(views.get("row"))
    assert sum(views.get("trips_week")) == v.trips_week[rows].sum()
    old = views.select(lambda a: a.age_group == "elderly")
    assert len(old) == int((v.age[rows] == 2).sum())


def test_writing_through_a_view_writes_the_array(model):
    a = model.villager(7)
    a.grievance = 0.25
    assert model.villagers.grievance[7] == pytest.approx(0.25)
    model.villagers.trust[7] = 0.125
    assert a.trust == pytest.approx(0.125)
    assert model.villager(7) is a  # one registered view per row
    assert a in model.agents_by_type[Villager]
    with pytest.raises(IndexError):
        model.villager(model.villagers.n)


def test_service_point_agents_agree_with_arrays(model):
    s = model.services
    pts = s.points
    agents = model.agents_by_type[ServicePoint]
    assert len(agents) == pts.n
    cap = s.capacity()
    for a in agents:
        i = a.index
        assert a.kind == KIND_NAMES[pts.kind[i]] and a.status == STATUS_NAMES[pts.status[i]]
        assert a.village == pts.village[i] and a.staff == pts.staff[i]
        assert a.capacity == pytest.approx(cap[i])
        assert a.queue == s.queue[i] and a.served_week == s.served_week[i]
        assert a.arrivals_week == s.arrivals[i]
    assert sum(agents.get("served_week")) == s.week_counts["served"]
    stations = agents.select(lambda a: a.kind == "convenience_station")
    (station,) = stations.to_list()
    assert station.status == "converted"
    assert station.handles == ("admin",) and station.admin_level == "township"
    office = agents.select(lambda a: a.kind == "village_office").to_list()[0]
    assert office.admin_level == "village"
    assert agents.select(lambda a: a.kind == "agency").to_list()[0].admin_level is None
    centre = [a for a in agents if a.kind == "service_centre" and a.is_open][0]
    centre.staff = 9.0
    assert pts.staff[centre.index] == 9.0


def test_cadre_views_are_made_on_demand_and_follow_the_reform(line):
    county, plan = line
    m = MergerModel(tiny_scenario(), county=county, plan=plan)
    assert Cadre not in m.agents_by_type  # none registered at set-up: nothing reads them
    pool = m.cadres.pool
    rows = np.flatnonzero(pool.post0 != 0)[:5]
    views = [m.cadre(int(r)) for r in rows]
    assert m.cadre(int(rows[0])) is views[0] and len(m.agents_by_type[Cadre]) == len(rows)
    assert all(c.outcome == "pending" and c.post == c.post_before for c in views)
    while m.week <= m.timeline.reform_week:
        m.step()
    pool = m.cadres.pool
    assert pool.reformed
    for c in views:
        r = c.row
        assert c.outcome == OUTCOME_NAMES[Outcome(pool.outcome[r])]
        assert c.post == POST_NAMES[pool.post[r]] and c.unit == pool.unit[r]
        assert c.age == pytest.approx(pool.age[r]) and c.active == pool.active[r]
    with pytest.raises(IndexError):
        m.cadre(pool.n)
