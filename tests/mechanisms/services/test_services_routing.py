"""Routing on a hand-made line county with known answers, and against brute force."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from mergesim.mechanisms.needs import NeedKind
from mergesim.mechanisms.services import HANDLERS, KIND_NAMES, N_TIERS, PointKind, is_open
from mergesim.model import MergerModel
from tiny_county import short_seed_scenario, tiny_scenario

A = NeedKind.ADMIN


def _model(line, **services):
    county, plan = line
    return MergerModel(tiny_scenario(services=services), county=county, plan=plan)


def _reform(m):
    m.services.on_phase(m, m.timeline.reform_week)
    return m


def _route(m, village, kind, u=0.5):
    p, minutes = m.services.routing.route(
        np.array([village]), np.array([kind], dtype=np.int8), np.array([u])
    )
    point = int(p[0])
    return (
        KIND_NAMES[m.services.points.kind[point]] if point >= 0 else None,
        int(m.services.points.village[point]) if point >= 0 else None,
        float(minutes[0]),
    )


def test_pre_reform_admin_goes_to_own_office_or_own_centre(line):
    m = _model(line)
    assert _route(m, 5, A, 0.1) == ("village_office", 5, 0.0)
    assert _route(m, 5, A, 0.5) == ("service_centre", 3, 20.0)
    assert _route(m, 2, A, 0.5) == ("service_centre", 0, 20.0)  # own township, not nearest


def test_pre_reform_other_needs_go_to_nearest_open_point(line):
    m = _model(line)
    assert _route(m, 2, NeedKind.HEALTH_ROUTINE) == ("clinic", 3, 10.0)
    assert _route(m, 5, NeedKind.HEALTH_SERIOUS) == ("county_hospital", 0, 50.0)
    assert _route(m, 4, NeedKind.POLICE_LEGAL) == ("police", 3, 10.0)


def test_post_reform_seed_policies(line):
    m = _reform(_model(line))
    # village 5: merged away (seat 4) in an abolished township (old seat 3, new seat 0)
    assert _route(m, 5, A, 0.2) == ("duty_team", 5, 0.0)  # ties with agency: lower tier
    assert _route(m, 5, A, 0.5) == ("agency", 4, 0.0)  # the cadre carries the papers
    assert _route(m, 5, A, 0.7) == ("convenience_station", 3, 20.0)
    assert _route(m, 5, A, 0.9) == ("service_centre", 0, 50.0)
    assert _route(m, 3, A, 0.7) == ("convenience_station", 3, 0.0)
    assert _route(m, 5, NeedKind.HEALTH_SERIOUS) == ("regional_centre", 3, 20.0)
    assert m.administrative_township is not None


@pytest.mark.parametrize(
    ("switches", "village", "u", "expected"),
    [
        ({"agency_service": False}, 5, 0.5, ("village_room", 4, 10.0)),
        ({"seat_stations": False}, 5, 0.7, ("service_centre", 0, 50.0)),
        ({"transition_duty": False}, 5, 0.2, ("agency", 4, 0.0)),
        ({"transition_duty": False, "agency_service": False}, 5, 0.2, ("village_room", 4, 10.0)),
        (
            {"village_rooms": False, "agency_service": False},
            5,
            0.5,
            ("convenience_station", 3, 20.0),
        ),
        ({"health_network": False}, 5, NeedKind.HEALTH_SERIOUS, ("county_hospital", 0, 50.0)),
    ],
)
def test_post_reform_policy_switches(line, switches, village, u, expected):
    m = _reform(_model(line, **switches))
    if u == NeedKind.HEALTH_SERIOUS:
        assert _route(m, village, NeedKind.HEALTH_SERIOUS) == expected
    else:
        assert _route(m, village, A, u) == expected


def test_closing_abolished_points_moves_villagers_and_staff(line):
    m = _model(line, keep_abolished_points=False)
    pts = m.services.points
    school = np.flatnonzero(pts.base_kind == PointKind.SCHOOL)
    before = pts.staff[school].copy()
    _reform(m)
    assert _route(m, 5, NeedKind.SCHOOL) == ("school", 0, 50.0)
    assert _route(m, 5, NeedKind.HEALTH_ROUTINE) == ("clinic", 0, 50.0)
    assert pts.staff[school].tolist() == [before.sum(), 0.0]
    m2 = _reform(_model(line, keep_abolished_points=False, transfer_staff=False))
    assert m2.services.points.staff[school].tolist() == [before[0], 0.0]


def test_duty_teams_close_after_duty_weeks(line):
    county, plan = line
    s = tiny_scenario(services={"duty_weeks": 1})
    m = MergerModel(s, county=county, plan=plan)
    m.run()
    duty = np.flatnonzero(m.services.points.kind == PointKind.DUTY_TEAM)
    assert (m.services.points.status[duty] == 3).all()  # closed
    assert _route(m, 5, A, 0.2) == ("agency", 4, 0.0)


def test_routing_agrees_with_brute_force_on_seed_county(seed_county):
    county, plan = seed_county
    s = short_seed_scenario(0.002)
    m = MergerModel(s, county=county, plan=plan)
    D = dijkstra(county.road_matrix(), directed=False)
    rng = np.random.default_rng(3)
    for reformed in (False, True):
        if reformed:
            _reform(m)
        r, pts = m.services.routing, m.services.points
        open_ = is_open(pts.status)
        v = rng.integers(0, county.n_villages, 400)
        u = rng.random(400)
        point, minutes = r.route(v, np.full(400, A, dtype=np.int8), u)
        for i in range(400):
            best, best_t = np.inf, -1
            for t in range(N_TIERS):
                p = r.tier_point[t, v[i]]
                if p < 0 or r.tier_share[t, v[i]] <= u[i]:
                    continue
                road = 0.0 if t < 2 else D[v[i], pts.village[p]]
                if r.local[v[i]] + road < best - 1e-9:
                    best, best_t = r.local[v[i]] + road, t
            assert minutes[i] == pytest.approx(best)
            assert point[i] == r.tier_point[best_t, v[i]]
        for need, kinds in HANDLERS.items():
            cand = np.flatnonzero(open_ & np.isin(pts.kind, list(kinds)))
            brute = r.local + D[:, pts.village[cand]].min(axis=1)
            np.testing.assert_allclose(r.kind_minutes[need], brute)
            chosen = r.kind_point[need]
            assert np.isin(pts.kind[chosen], list(kinds)).all() and open_[chosen].all()


def test_every_merged_away_village_office_closes_and_rooms_open(seed_county):
    county, plan = seed_county
    m = _reform(MergerModel(short_seed_scenario(0.002), county=county, plan=plan))
    pts, u = m.services.points, m.units
    office = pts.base_kind == PointKind.VILLAGE_OFFICE
    role = u.village_role[pts.home[office]]
    assert (pts.status[office][role == 2] == 3).all()
    assert (pts.kind[office][role == 1] == PointKind.VILLAGE_ROOM).all()
    stations = np.flatnonzero(pts.kind == PointKind.CONVENIENCE_STATION)
    assert len(stations) == int((u.township_role == 2).sum())
    assert (pts.kind == PointKind.REGIONAL_CENTRE).sum() == m.config.services.regional_centres
    assert dataclasses.is_dataclass(m.config)
