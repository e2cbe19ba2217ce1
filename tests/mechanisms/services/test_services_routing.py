"""Routing on the hand-made line county with known answers, and against brute force.

Line county: villages 0–5, 10 minutes apart, zero area (trips inside a village take 0 minutes);
township 0 = villages 0–2 (seat 0, the county seat), township 1 = villages 3–5 (seat 3). The
plan merges township 1 into township 0 (seat 0), villages 1+2 (seat 1) and 4+5 (seat 4).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from mergesim.mechanisms.needs import NeedKind
from mergesim.mechanisms.services import (
    CLASS_HANDLERS,
    HANDLERS,
    KIND_NAMES,
    PointKind,
    ServiceClass,
    Tier,
    is_open,
    service_class,
)
from mergesim.model import MergerModel
from tiny_county import short_seed_scenario, tiny_scenario


def _model(line, **services):
    county, plan = line
    return MergerModel(tiny_scenario(services=services), county=county, plan=plan)


def _reform(m):
    m.services.on_phase(m, m.timeline.reform_week)
    return m


def _tiers(m, village):
    """``{tier name: (kind name, point village, minutes)}`` of a village's open tiers."""
    r, pts = m.services.routing, m.services.points
    out = {}
    for t in Tier:
        p = int(r.tier_point[t, village])
        if p >= 0:
            out[t.name.lower()] = (
                KIND_NAMES[pts.kind[p]],
                int(pts.village[p]),
                float(r.tier_minutes[t, village]),
            )
    return out


def test_pre_reform_tiers_are_own_office_own_centre_and_county(line):
    m = _model(line)
    assert _tiers(m, 5) == {
        "own": ("village_office", 5, 0.0),
        "centre": ("service_centre", 3, 20.0),
        "county": ("county_centre", 0, 50.0),
    }
    # own township's centre, not the nearest one
    assert _tiers(m, 2)["centre"] == ("service_centre", 0, 20.0)


def test_post_reform_tiers_of_a_merged_away_village(line):
    m = _reform(_model(line))
    # village 5: merged away (seat 4) in an abolished township (old seat 3, new seat 0)
    assert _tiers(m, 5) == {
        "own": ("duty_team", 5, 0.0),
        "agency": ("agency", 4, 0.0),  # the agent collects in the villager's group
        "seat": ("village_room", 4, 10.0),
        "station": ("convenience_station", 3, 20.0),
        "centre": ("service_centre", 0, 50.0),
        "county": ("county_centre", 0, 50.0),
    }
    assert _tiers(m, 4)["own"] == ("village_room", 4, 0.0) and "seat" not in _tiers(m, 4)
    assert _tiers(m, 0)["own"] == ("village_office", 0, 0.0)  # not merged: an ordinary office


@pytest.mark.parametrize(
    ("switches", "tier", "expected"),
    [
        ({"agency_service": False}, "agency", None),
        ({"seat_stations": False}, "station", None),
        ({"transition_duty": False}, "own", None),
        ({"village_rooms": False}, "seat", ("village_office", 4, 10.0)),
    ],
)
def test_post_reform_switches_remove_or_change_a_tier(line, switches, tier, expected):
    m = _reform(_model(line, **switches))
    assert _tiers(m, 5).get(tier) == expected


def test_non_admin_candidates_are_the_nearest_points_of_the_class(line):
    m = _model(line, choice_candidates=2)
    r, pts = m.services.routing, m.services.points
    for c, kinds in CLASS_HANDLERS.items():
        for v in range(6):
            got = [int(p) for p in r.cand_point[c, :, v] if p >= 0]
            assert all(pts.kind[p] in kinds and is_open(pts.status[p : p + 1])[0] for p in got)
            assert np.all(np.diff(r.cand_minutes[c, : len(got), v]) >= 0)  # nearest first
    # telecom outlets are candidates of telecom errands (they used to get no load at all)
    tele = r.cand_point[ServiceClass.TELECOM, 0]
    assert (pts.kind[tele] == PointKind.TELECOM).all()
    assert r.cand_minutes[ServiceClass.SCHOOL, :, 5].tolist() == [20.0, 50.0]


def test_service_class_splits_police_and_banking_needs():
    class P:
        court_share = 0.2
        telecom_share = 0.3

    kind = np.array([NeedKind.POLICE_LEGAL] * 2 + [NeedKind.BANKING_TELECOM] * 2 + [1, 2, 3, 4])
    u = np.array([0.1, 0.5, 0.1, 0.5, 0.0, 0.0, 0.0, 0.0])
    got = service_class(kind, u, P).tolist()
    assert got == [
        ServiceClass.COURT,
        ServiceClass.POLICE,
        ServiceClass.TELECOM,
        ServiceClass.BANK,
        ServiceClass.HEALTH_ROUTINE,
        ServiceClass.HEALTH_SERIOUS,
        ServiceClass.SCHOOL,
        ServiceClass.ELDERLY_CARE,
    ]
    assert set(HANDLERS[NeedKind.BANKING_TELECOM]) == {PointKind.BANK, PointKind.TELECOM}


def test_closing_abolished_points_moves_candidates_and_staff(line):
    m = _model(line, keep_abolished_points=False, choice_candidates=1)
    pts = m.services.points
    school = np.flatnonzero(pts.base_kind == PointKind.SCHOOL)
    before = pts.staff[school].copy()
    _reform(m)
    r = m.services.routing
    assert int(pts.village[r.cand_point[ServiceClass.SCHOOL, 0, 5]]) == 0
    assert r.cand_minutes[ServiceClass.SCHOOL, 0, 5] == 50.0
    assert pts.staff[school].tolist() == [before.sum(), 0.0]
    m2 = _reform(_model(line, keep_abolished_points=False, transfer_staff=False))
    assert m2.services.points.staff[school].tolist() == [before[0], 0.0]


def test_a_broken_staffing_guarantee_stops_the_transfer(line):
    county, plan = line
    s = tiny_scenario(guarantees={"staffing_kept": False}, services={"station_staff": 0.0})
    m = _reform(MergerModel(s, county=county, plan=plan))
    pts, idx = m.services.points, m.services.index
    kept = _reform(_model(line, station_staff=0.0)).services.points
    host = idx.centre[0]
    assert pts.staff[host] == pts.base_staff[host] < kept.staff[host]


def test_duty_teams_close_after_duty_weeks(line):
    county, plan = line
    s = tiny_scenario(services={"duty_weeks": 1})
    m = MergerModel(s, county=county, plan=plan)
    m.run()
    duty = np.flatnonzero(m.services.points.kind == PointKind.DUTY_TEAM)
    assert (m.services.points.status[duty] == 3).all()  # closed
    assert "own" not in _tiers(m, 5) and _tiers(m, 5)["agency"] == ("agency", 4, 0.0)


def test_routing_agrees_with_brute_force_on_seed_county(seed_county):
    county, plan = seed_county
    m = MergerModel(short_seed_scenario(0.002), county=county, plan=plan)
    D = dijkstra(county.road_matrix(), directed=False)
    for reformed in (False, True):
        if reformed:
            _reform(m)
        r, pts = m.services.routing, m.services.points
        open_ = is_open(pts.status)
        # administrative tiers: local + road minutes to the tier's point
        for t in Tier:
            ok = r.tier_point[t] >= 0
            assert open_[r.tier_point[t][ok]].all()
            road = D[np.flatnonzero(ok), pts.village[r.tier_point[t][ok]]]
            if t in (Tier.OWN, Tier.AGENCY):
                road = 0.0
            np.testing.assert_allclose(r.tier_minutes[t][ok], r.local[ok] + road)
        assert (r.tier_point[Tier.CENTRE] >= 0).all() and (r.tier_point[Tier.COUNTY] >= 0).all()
        # candidates: the k nearest open points of the class, by brute force
        k = r.cand_point.shape[1]
        for c, kinds in CLASS_HANDLERS.items():
            cand = np.flatnonzero(open_ & np.isin(pts.kind, list(kinds)))
            brute = np.sort(r.local[:, None] + D[:, pts.village[cand]], axis=1)[:, :k]
            got = r.cand_minutes[c].T[:, : brute.shape[1]]
            np.testing.assert_allclose(got, brute)
        np.testing.assert_allclose(r.clinic_minutes, r.cand_minutes[ServiceClass.HEALTH_ROUTINE, 0])


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
    assert (pts.kind == PointKind.COUNTY_CENTRE).sum() == 1
    assert dataclasses.is_dataclass(m.config)
