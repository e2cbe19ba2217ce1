"""Capacity and re-trips ("跑多次") with known answers: the allocation rule and the weekly step.

The weekly step is exercised with elderly-care needs from village 5 and one candidate point
(``choice_candidates = 1``: the nearest elderly home, at village 3, 20 minutes away), so that
capacity is the only thing that can turn a villager away.
"""

from __future__ import annotations

import numpy as np
from services_helpers import ELDERLY, injected_model, rows_of

from mergesim.mechanisms.needs import NeedKind
from mergesim.mechanisms.services import PointKind, allocate
from mergesim.model import MergerModel
from tiny_county import tiny_scenario


def test_allocate_serves_oldest_then_priority_up_to_capacity():
    point = np.array([0, 0, 0, 1, 1, 2])
    created = np.array([0, 1, 0, 2, 2, 5])
    prio = np.array([0.5, 0.1, 0.2, 0.3, 0.4, 0.9])
    cap = np.array([2, 5, 0])
    assert allocate(point, created, prio, cap).tolist() == [True, False, True, True, True, False]
    assert not allocate(
        np.array([0, 0]), np.array([0, 0]), np.array([0.2, 0.1]), np.array([0])
    ).any()
    got = allocate(
        np.array([3, 3, 3]), np.array([1, 1, 1]), np.array([0.3, 0.1, 0.2]), np.array([0, 0, 0, 1])
    )
    assert got.tolist() == [False, True, False]


def _model(line, *, staff: float, **needs):
    m = injected_model(line, services={"choice_candidates": 1}, needs=needs)
    home = m.services.points.find(PointKind.ELDERLY_HOME, "township", 1)  # at village 3
    m.services.points.staff[home] = staff
    m.services.points.freeze_base()
    return m, home


def test_over_capacity_villagers_come_back_and_count_trips(line):
    m, home = _model(line, staff=2 / 40)  # capacity 2 affairs a week at scale 1
    v5 = rows_of(m, 5, 5)
    m.needs.schedule = {
        0: [(v, ELDERLY, -1, 0.5) for v in v5],
        1: [(v, ELDERLY, -1, 0.5) for v in v5[:2]],
    }
    assert m.services.scale == 1.0
    m.step()  # week 0: 5 arrive, 2 served on their first trip
    s = m.services
    assert (s.week_counts["served"], s.week_counts["turned_away"]) == (2, 3)
    assert s.done.trips.tolist() == [1, 1] and s.done.travel.tolist() == [40.0, 40.0]
    assert s.done.failed.tolist() == [0, 0] and (s.done.handler == PointKind.ELDERLY_HOME).all()
    assert s.queue[home] == 3 and m.point_agents[home].queue == 3
    assert m.villagers.turned_away_week[v5].sum() == 3
    m.step()  # week 1: the 3 returning needs go first; 2 of them are served
    assert sorted(s.done.trips.tolist()) == [2, 2] and s.done.failed.tolist() == [1, 1]
    assert s.done.wait.tolist() == [1, 1] and s.done.days.tolist() == [7.0, 7.0]
    assert s.waiting == 3  # 1 old + 2 new
    m.step()
    assert sorted(s.done.trips.tolist()) == [2, 3]  # the last old one, then a week-1 one
    m.step()
    m.step()
    assert s.waiting == 0 and s.served == 7 and s.balance(m.needs.created) == 0


def test_given_up_after_max_trips(line):
    m, _ = _model(line, staff=0.0, max_trips=2)
    v = int(rows_of(m, 5, 1)[0])
    m.needs.schedule = {0: [(v, ELDERLY, -1, 0.5)]}
    m.step()
    assert m.services.waiting == 1 and m.services.given_up == 0
    m.step()
    assert m.services.waiting == 0 and m.services.given_up == 1
    assert m.villagers.trips_week[v] == 1  # the second (last) trip
    assert m.services.balance(m.needs.created) == 0


def test_fractional_capacity_is_carried_over(line):
    m, _ = _model(line, staff=0.5 / 40, max_trips=20)  # half an affair a week
    m.needs.schedule = {0: [(v, ELDERLY, -1, 0.5) for v in rows_of(m, 5, 4)]}
    served = []
    for _ in range(8):
        m.step()
        served.append(m.services.week_counts["served"])
    assert served == [0, 1, 0, 1, 0, 1, 0, 1]


def test_long_trips_are_put_off_without_a_trip(line):
    m, _ = _model(line, staff=10.0, long_trip_minutes=5.0, defer_vehicle=0.95)
    v5 = rows_of(m, 5, 40)
    m.needs.schedule = {0: [(v, ELDERLY, -1, 0.5) for v in v5]}
    m.step()
    deferred = m.services.week_counts["deferred"]
    assert deferred > 20  # P(≤ 20 of 40 put off at p = 0.95) < 1e-12
    assert m.villagers.trips_week[v5].sum() == 40 - deferred
    assert m.services.waiting == deferred
    for _ in range(7):
        m.step()
    assert m.services.balance(m.needs.created) == 0


def test_urgent_needs_are_never_put_off(line):
    m, _ = _model(line, staff=10.0, long_trip_minutes=0.0, defer_vehicle=0.95)
    v5 = rows_of(m, 5, 30)
    m.needs.schedule = {0: [(v, NeedKind.HEALTH_SERIOUS, -1, 0.5) for v in v5]}
    m.step()
    assert m.services.week_counts["deferred"] == 0


def test_capacity_scales_with_simulated_share(line):
    county, plan = line
    s = tiny_scenario(villagers={"scale": 0.5})
    m = MergerModel(s, county=county, plan=plan)
    assert m.villagers.n == 300 and m.services.scale == 0.5
    cap = m.services.capacity()
    pts = m.services.points
    centre = m.services.index.centre[0]
    assert cap[centre] == pts.staff[centre] * 40.0 * 0.5
    office = m.services.index.office[2]
    assert cap[office] == pts.staff[office] * 40.0 * 0.5 * 2.0 / 5.0  # two office days a week
    assert (cap[pts.kind == PointKind.AGENCY] == 0).all()  # planned, not open yet


def test_idle_capacity_is_banked_up_to_one_affair(line):
    m, _ = _model(line, staff=0.5 / 40, max_trips=20)  # half an affair a week
    m.needs.schedule = {3: [(v, ELDERLY, -1, 0.5) for v in rows_of(m, 5, 3)]}
    served = []
    for _ in range(6):
        m.step()
        served.append(m.services.week_counts["served"])
    # three idle weeks bank 1.5 (the cap is capacity + 1), then 0.5 a week
    assert served == [0, 0, 0, 1, 1, 0]
