"""Staff rebalancing and the "not lowered" check against their definitions; the overload of
closed points relieved by choice and rebalancing on the line county."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from services_helpers import ELDERLY, injected_model, rows_of

from mergesim.mechanisms.services import PointKind, Status
from mergesim.mechanisms.services.staffing import (
    CAPACITY_GROUPS,
    COUNTY_SYSTEMS,
    DEMAND_MEMORY_WEEKS,
    group_capacity,
    not_lowered,
    rebalance,
    rebalance_groups,
    smooth_demand,
)

staff_arrays = arrays(float, 8, elements=st.floats(0.0, 20.0))


@settings(max_examples=80, deadline=None)
@given(
    staff_arrays,
    staff_arrays,
    arrays(np.int64, 8, elements=st.integers(-1, 2)),
    arrays(bool, 8),
    st.floats(0.0, 1.0),
)
def test_rebalancing_conserves_each_groups_staff_and_moves_toward_the_targets(
    staff, target, group, active, rate
):
    out = rebalance(staff, target, group, active, rate)
    ok = active & (group >= 0)
    np.testing.assert_allclose(out[~ok], staff[~ok])
    for g in np.unique(group[ok]):
        sel = ok & (group == g)
        assert out[sel].sum() == pytest.approx(staff[sel].sum(), abs=1e-9)
    gap_before = np.abs(target - staff)[ok].sum()
    gap_after = np.abs(target - out)[ok].sum()
    assert gap_after <= gap_before + 1e-9
    # donors never fall below their target, nor below one staff member (if they had one)
    donor = ok & (out < staff - 1e-12)
    assert (out[donor] >= np.minimum(staff[donor], np.maximum(target[donor], 1.0)) - 1e-9).all()


def test_rebalancing_closes_the_stated_share_of_the_gap():
    staff = np.array([10.0, 2.0, 5.0])
    target = np.array([6.0, 6.0, 5.0])
    out = rebalance(staff, target, np.array([0, 0, 0]), np.ones(3, bool), 0.25)
    np.testing.assert_allclose(out, [9.0, 3.0, 5.0])  # a quarter of the 4-staff gap
    # more need than surplus: the surplus limits the move
    out = rebalance(
        np.array([7.0, 2.0]), np.array([6.0, 6.0]), np.zeros(2, int), np.ones(2, bool), 1.0
    )
    np.testing.assert_allclose(out, [6.0, 3.0])


def test_smoothing_weights_the_new_week_by_the_memory():
    got = smooth_demand(np.array([10.0]), np.array([20.0]))
    assert got[0] == pytest.approx(10.0 + 10.0 / DEMAND_MEMORY_WEEKS)


def test_groups_are_county_systems_and_township_desks():
    kind = np.array(
        [
            PointKind.CLINIC,
            PointKind.COUNTY_HOSPITAL,
            PointKind.SCHOOL,
            PointKind.SERVICE_CENTRE,
            PointKind.CONVENIENCE_STATION,
            PointKind.SERVICE_CENTRE,
            PointKind.VILLAGE_ROOM,
            PointKind.COUNTY_CENTRE,
        ]
    )
    town = np.array([0, 0, 0, 4, 4, 5, 4, 0])
    g = rebalance_groups(kind, town)
    assert g[0] == g[1] != g[2]  # health workers move between clinics and the hospital
    assert g[3] == g[4] == len(COUNTY_SYSTEMS) + 4 and g[5] == len(COUNTY_SYSTEMS) + 5
    assert g[6] == g[7] == -1


def test_not_lowered_names_closures_and_capacity_falls(line):
    m = injected_model(line)
    pts = m.services.points
    tp = m.services._tp
    before = group_capacity(pts, tp, pts.staff)
    assert not_lowered(pts, before, before, 0.05) == {"held": True, "reasons": []}
    clinic = pts.find(PointKind.CLINIC, "township", 1)
    pts.status[clinic] = Status.CLOSED
    now = group_capacity(pts, tp, pts.staff)
    got = not_lowered(pts, now, before, 0.05)
    assert not got["held"]
    assert got["reasons"][0] == "1 clinic point closed"
    names = [n for n, _ in CAPACITY_GROUPS]
    fell = 100 * (1 - now[names.index("health")] / before[names.index("health")])
    assert f"health capacity fell {fell:.0f} %" in got["reasons"]


def test_the_closure_scenario_breaks_not_lowered_and_the_seed_does_not(line):
    kept = injected_model(line, warmup=2, horizon=3)
    closed = injected_model(line, warmup=2, horizon=3, services={"keep_abolished_points": False})
    for m in (kept, closed):
        m.run()
    assert kept.services.not_lowered["held"]
    assert not closed.services.not_lowered["held"]
    assert any("closed" in r for r in closed.services.not_lowered["reasons"])
    assert closed.summary()["guarantees"]["services_not_lowered"]["weeks_broken"] == 3


def test_rebalancing_moves_staff_to_the_point_that_meets_the_demand(line):
    """Village 5's elderly go to the home at village 3 (20 min): its staff are too few, the
    home at village 0 has spare staff; rebalancing moves staff 3 ← 0 at the stated rate."""
    schedule = {
        w: [(int(v), ELDERLY, -1, 0.5) for v in range(100 * 5, 100 * 5 + 30)] for w in range(40)
    }
    out = {}
    for on in (True, False):
        m = injected_model(
            line,
            schedule,
            warmup=2,
            horizon=30,
            services={"choice_candidates": 1, "rebalance_staff": on, "rebalance_rate": 0.2},
        )
        pts = m.services.points
        far = pts.find(PointKind.ELDERLY_HOME, "township", 1)
        near = pts.find(PointKind.ELDERLY_HOME, "township", 0)
        pts.staff[far], pts.staff[near] = 0.25, 2.0  # 10 a week for 30 a week; 80 for none
        pts.freeze_base()
        m.run()
        out[on] = (pts.staff[far], pts.staff[near], m.services.max_over_weeks)
    assert out[False][:2] == (0.25, 2.0)
    total = 2.25
    assert out[True][0] + out[True][1] == pytest.approx(total)
    assert out[True][0] > 0.9  # about headroom × 30 / 40 = 0.94 staff once settled
    assert out[True][2] < out[False][2]
    assert rows_of(m, 5, 30).tolist() == list(range(500, 530))
