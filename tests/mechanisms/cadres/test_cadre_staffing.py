"""Where cadres work: petition stages, the capacity hooks and the service points' competence
multiplier."""

from __future__ import annotations

import dataclasses

import numpy as np
from cadre_helpers import reform

from mergesim.config.schema import GuaranteeParams, Scenario
from mergesim.mechanisms.cadres import (
    COMMITTEE_POSTS,
    TOWNSHIP_POSTS,
    Outcome,
    Post,
    cadres_by_village,
    capacity_factor,
    end_transition,
    point_efficiency,
    service_staff_by_township,
    staff_by_township,
)
from mergesim.mechanisms.cadres import metrics as cm
from mergesim.mechanisms.petitions import N_STAGES, petition_staff, petition_staff_by_township
from mergesim.mechanisms.services import PointKind


def test_capacity_hooks_count_the_cadres_at_work(small):
    county, plan, p, before, after = small
    n0, c0 = staff_by_township(before)
    assert len(n0) == county.n_townships
    assert n0.sum() == before.slots0["township_leader"] + before.slots0["township_staff"]
    n1, c1 = staff_by_township(after)
    assert len(n1) == plan.n_new_townships
    work = np.isin(after.post, TOWNSHIP_POSTS) | np.isin(
        after.outcome, (Outcome.RANK_ON_SPOT, Outcome.TOWNSHIP_TRANSITIONAL)
    )
    assert n1.sum() == work.sum()
    assert np.all((c1 > 0) | (n1 == 0))
    nv, _ = cadres_by_village(after)
    assert len(nv) == plan.n_new_villages
    assert nv.sum() == (
        np.isin(after.post, COMMITTEE_POSTS).sum()
        + (after.outcome == Outcome.VILLAGE_SPECIALIST).sum()
    )
    ps, pc = petition_staff(after)
    pt, _ = petition_staff_by_township(after)
    assert ps.shape == pc.shape == (N_STAGES,) and pt.shape == (plan.n_new_townships, N_STAGES)
    assert np.array_equal(pt.sum(axis=0), ps) and ps.sum() > 0
    assert np.all(after.stage[after.post == Post.TOWNSHIP_LEADER] == -1)


def test_township_points_serve_at_the_staff_kept(small):
    """Service centres' capacity follows the township staff at work against the member
    townships' staff before: taking posts back (guarantee broken) slows them once the
    election ends the transitional posts; before the reform every point is at 1."""
    county, plan, p, before, after = small
    seats = county.township_seat
    kind = np.full(county.n_townships, PointKind.SERVICE_CENTRE)
    assert np.all(point_efficiency(before, before, kind, seats, seats, county, plan) == 1.0)

    def centre_factor(pool):
        pool = pool.copy()
        end_transition(pool, p)
        return point_efficiency(pool, before, kind, seats, seats, county, plan)

    kept = centre_factor(after)
    cut_p = dataclasses.replace(p, staff_retained_share=0.5)
    _, cut = reform(county, plan, cut_p, guarantees=GuaranteeParams(staffing_kept=False))
    halved = centre_factor(cut)
    merged = (
        np.bincount(plan.township_to_new, minlength=plan.n_new_townships)[
            plan.township_to_new[county.township[seats]]
        ]
        > 1
    )
    assert merged.any()
    assert np.all(halved[merged] < kept[merged])
    # The factor is the staff ratio times the competence ratio of the new township.
    n_now, c_now = service_staff_by_township(after.copy())
    n_ref, c_ref = service_staff_by_township(before)
    t_new = plan.township_to_new[county.township[seats]]
    ref_n = np.bincount(plan.township_to_new, weights=n_ref)[t_new]
    ref_c = np.bincount(plan.township_to_new, weights=n_ref * c_ref)[t_new] / ref_n
    direct = point_efficiency(after, before, kind, seats, seats, county, plan)
    np.testing.assert_allclose(direct, n_now[t_new] / ref_n * c_now[t_new] / ref_c)


def test_petition_stages_follow_the_weights(seed_county):
    county, plan = seed_county
    p = Scenario().cadres
    before, _ = reform(county, plan, p)
    n, _ = petition_staff(before)
    w = np.asarray(p.petition_stage_weights) / sum(p.petition_stage_weights)
    assert n.sum() > 100
    assert np.all(np.abs(n / n.sum() - w) < 0.06)


def test_capacity_factor_and_caseload():
    f = capacity_factor(
        np.array([2, 1, 0, 3]),
        np.array([1.2, 1.0, np.nan, 1.0]),
        np.array([1, 1, 2, 0]),
        np.array([1.0, 0.5, 1.0, np.nan]),
    )
    assert np.allclose(f, [2.4, 2.0, 0.0, 1.0])
    c = cm.caseload_per_cadre(np.array([10.0, 5.0, 3.0]), np.array([5, 0, 2]))
    assert np.isclose(c[0], 2.0) and np.isnan(c[1]) and np.isclose(c[2], 1.5)
