"""Conservation: every need is done, waiting (to be taken somewhere, or with a village carrier)
or given up — none lost — whatever the capacities, rates, policies, visit odds and seeds
(Hypothesis)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mergesim.config import apply_overrides
from mergesim.config.schema import AFFAIR_NAMES
from mergesim.model import MergerModel
from tiny_county import line_county, merge_line_plan, tiny_scenario

rate = st.floats(0.0, 0.4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    staff_factor=st.sampled_from([0.0, 0.01, 0.05, 0.3, 2.0]),
    admin=rate,
    health=rate,
    bank=rate,
    max_trips=st.integers(1, 5),
    defer=st.floats(0.0, 0.95),
    long_trip=st.sampled_from([0.0, 15.0, 1000.0]),
    agency=st.booleans(),
    duty=st.booleans(),
    keep=st.booleans(),
    stations=st.booleans(),
    rooms=st.booleans(),
    devolved=st.booleans(),
    rebalance=st.booleans(),
    transfers=st.booleans(),
    absent=st.floats(0.0, 0.95),
    docs=st.floats(0.0, 0.95),
    know=st.floats(0.0, 1.0),
    scale=st.sampled_from([1.0, 0.3]),
)
@pytest.mark.slow
def test_needs_are_conserved_every_week(
    seed,
    staff_factor,
    admin,
    health,
    bank,
    max_trips,
    defer,
    long_trip,
    agency,
    duty,
    keep,
    stations,
    rooms,
    devolved,
    rebalance,
    transfers,
    absent,
    docs,
    know,
    scale,
):
    county = line_county(population=[300, 120, 80, 200, 90, 60], area=1.5)
    s = tiny_scenario(
        needs={
            "admin": [admin] * 3,
            "health_routine": [health] * 3,
            "banking_telecom": [bank] * 3,
            "max_trips": max_trips,
            "defer_no_vehicle": defer,
            "long_trip_minutes": long_trip,
        },
        services={
            "agency_service": agency,
            "transition_duty": duty,
            "duty_weeks": 2,
            "keep_abolished_points": keep,
            "seat_stations": stations,
            "village_rooms": rooms,
            "devolved_stations": devolved,
            "rebalance_staff": rebalance,
            "absent_office": absent,
            "absent_centre": absent,
            "know_level": know,
        },
        villagers={"scale": scale},
        timeline={"warmup_weeks": 3, "horizon_weeks": 5, "transition_weeks": 2},
        guarantees={"transfers_kept": transfers},
    )
    s = apply_overrides(
        dataclasses.replace(s, seed=seed),
        {f"needs.affairs.{t}.docs_fail": docs for t in AFFAIR_NAMES},
    )
    m = MergerModel(s, county=county, plan=merge_line_plan(county))
    m.services.points.staff *= staff_factor
    m.services.points.freeze_base()
    svc = m.services
    while m.running:
        waiting_before = svc.waiting
        m.step()
        wc = svc.week_counts
        # flow identity of the week, and the stock identity since the start
        assert waiting_before + wc["new"] == wc["served"] + wc["given_up"] + svc.waiting
        assert svc.balance(m.needs.created) == 0
        assert svc.done.n == wc["served"]
        assert (svc.done.trips >= 1).all() and (svc.done.trips <= max_trips).all()
        assert (svc.done.failed == svc.done.trips - 1).all()  # every trip but the last failed
        assert (svc.done.days >= 7 * svc.done.wait).all()
        assert svc.arrivals.sum() == m.villagers.trips_week.sum()
        assert svc.served_week.sum() == wc["served"]
    summary = m.summary()
    assert summary["needs"]["lost"] == 0
    assert summary["needs"]["created"] == (
        summary["needs"]["served"] + summary["needs"]["waiting"] + summary["needs"]["given_up"]
    )
