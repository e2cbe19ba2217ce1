"""Cadres: every cadre in exactly one post or channel, posts follow the plan, the `none` plan
redeploys nobody, determinism, training, capacity hooks and metrics (issue 4)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mergesim.config import apply_overrides
from mergesim.config.schema import CadreParams, Scenario
from mergesim.county import build_county
from mergesim.errors import ScenarioError
from mergesim.mechanisms import cadre_metrics as cm
from mergesim.mechanisms.cadre_pool import (
    COMMITTEE_POSTS,
    IN_POST,
    SECRETARY_POSTS,
    TOWNSHIP_CHANNELS,
    TOWNSHIP_POSTS,
    VILLAGE_CHANNELS,
    Outcome,
    Post,
    Source,
    groups_after,
    rank_in_group,
    synthesize_pool,
    systematic_counts,
    township_staff_slots,
)
from mergesim.mechanisms.cadres import (
    N_STAGES,
    CadreMechanism,
    cadres_by_village,
    capacity_factor,
    check_placement,
    end_transition,
    petition_staff,
    petition_staff_by_township,
    select_and_place,
    sessions_in_week,
    staff_by_township,
    train,
)
from mergesim.model.timeline import Timeline
from mergesim.plans import make_plan
from mergesim.plans.policy import none_plan
from mergesim.rng import Streams
from property import scenarios, small_county


def _reform(county, plan, p: CadreParams, seed: int = 3):
    rng = Streams(seed).generator("cadres")
    pool = synthesize_pool(county, plan, p, rng)
    return pool, select_and_place(pool, county, plan, p, rng)


@pytest.fixture(scope="module")
def small():
    """A small policy-merged county, its plan, and the cadres before and after the reform."""
    county, s = small_county(villages=90, townships=9, seed=11)
    plan = make_plan(county, s)
    before, after = _reform(county, plan, s.cadres)
    return county, plan, s.cadres, before, after


# ---------------------------------------------------------------------------------------------
# Exactly one post or channel (property test)
# ---------------------------------------------------------------------------------------------


def _assert_one_place_each(county, plan, p, before, after):
    check_placement(after)
    out, inc = after.outcome, before.incumbent
    assert np.all(out >= 0)
    # A post exactly when the outcome is an in-post one; candidates never "kept".
    assert np.array_equal(np.isin(out, IN_POST), after.post != Post.NONE)
    # Each incumbent's outcome belongs to its level's channels.
    town = np.isin(before.post0, TOWNSHIP_POSTS)
    com = np.isin(before.post0, COMMITTEE_POSTS)
    grp = before.post0 == Post.GROUP_LEADER
    assert np.all(np.isin(out[town], (Outcome.KEPT, Outcome.DISMISSED, *TOWNSHIP_CHANNELS)))
    assert np.all(np.isin(out[com], (Outcome.KEPT, Outcome.DISMISSED, *VILLAGE_CHANNELS)))
    assert np.all(np.isin(out[grp], (Outcome.KEPT, Outcome.DISMISSED, Outcome.GROUP_DEPARTED)))
    assert np.all(np.isin(out[~inc], (Outcome.APPOINTED, Outcome.NOT_SELECTED)))
    # The channels and posts partition everyone: counts add up.
    assert sum(cm.channel_counts(after).values()) == after.n
    # No unit holds more posts than it has.
    assert np.all(after.unit[after.post != Post.NONE] >= 0)
    lead = after.post == Post.TOWNSHIP_LEADER
    tm = np.bincount(plan.township_to_new, minlength=plan.n_new_townships)
    slots = np.where(tm > 1, p.township_leaders_merged, p.township_leaders)
    assert np.all(np.bincount(after.unit[lead], minlength=len(slots)) <= slots)
    sec = np.isin(after.post, SECRETARY_POSTS)
    assert np.all(np.bincount(after.unit[sec], minlength=plan.n_new_villages) <= 1)
    gl = after.post == Post.GROUP_LEADER
    assert np.all(np.bincount(after.unit[gl], minlength=plan.n_new_villages)
                  <= groups_after(county, plan, p))
    # The input pool is untouched (select_and_place is pure).
    assert not before.reformed and np.all(before.outcome == Outcome.PENDING)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=scenarios(),
    one_shoulder=st.booleans(),
    reselect=st.booleans(),
    screen=st.booleans(),
    send_down=st.booleans(),
    pool_scale=st.sampled_from([0.0, 0.3, 1.0, 3.0]),
    dq_rate=st.sampled_from([0.0, 0.01, 0.3]),
    quotas=st.sampled_from([0.0, 1.0, 5.0]),
    staff_share=st.sampled_from([0.3, 1.0]),
)
def test_every_cadre_ends_in_exactly_one_post_or_channel(
    scenario, one_shoulder, reselect, screen, send_down, pool_scale, dq_rate, quotas,
    staff_share,
):
    county = build_county(scenario)
    plan = make_plan(county, scenario)
    base = scenario.cadres
    p = dataclasses.replace(
        base, one_shoulder=one_shoulder, reselect_unchanged=reselect, screen=screen,
        send_down=send_down, rate_criminal=dq_rate, staff_retained_share=staff_share,
        township_recruits=base.township_recruits * pool_scale,
        secretary_pool=[v * pool_scale for v in base.secretary_pool],
        group_pool=[v * pool_scale for v in base.group_pool],
        up_county_per_abolished=quotas, rank_on_spot_per_township=quotas,
        transfer_per_abolished=quotas, specialists_per_village=quotas,
    )
    before, after = _reform(county, plan, p, seed=scenario.seed)
    _assert_one_place_each(county, plan, p, before, after)


def test_reform_can_only_happen_once(small):
    county, plan, p, _, after = small
    with pytest.raises(ValueError, match="already"):
        select_and_place(after, county, plan, p, np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# The `none` plan and post counts
# ---------------------------------------------------------------------------------------------


def test_none_plan_redeploys_nobody():
    county, s = small_county(villages=70, townships=7, seed=5)
    plan = none_plan(county)
    before, after = _reform(county, plan, s.cadres)
    inc = before.incumbent
    assert np.all(after.outcome[inc] == Outcome.KEPT)
    assert np.array_equal(after.post, before.post0)
    town = inc & np.isin(before.post0, TOWNSHIP_POSTS)
    vill = inc & ~town
    assert np.array_equal(after.unit[town], plan.township_to_new[before.unit0[town]])
    assert np.array_equal(after.unit[vill], plan.village_to_new[before.unit0[vill]])
    assert not np.any(np.isin(after.outcome, (*TOWNSHIP_CHANNELS, *VILLAGE_CHANNELS,
                                              Outcome.GROUP_DEPARTED, Outcome.DISMISSED)))
    assert after.kept_pay.sum() == 0
    assert not np.any(after.source != Source.INCUMBENT)  # no candidate pools without mergers
    assert cm.posts_before_after(after) == {
        k: {"before": v["before"], "after": v["before"]}
        for k, v in cm.posts_before_after(after).items()}
    assert np.isclose(cm.township_leader_age(after)[0], cm.township_leader_age(after)[1])


def test_seed_county_none_plan_has_no_redeployment(seed_county):
    county, _ = seed_county
    before, after = _reform(county, none_plan(county), Scenario().cadres)
    assert np.all(after.outcome[before.incumbent] == Outcome.KEPT)
    assert np.array_equal(after.post, before.post0)


def test_post_counts_follow_the_county_before_and_the_plan_after(small):
    county, plan, p, before, after = small
    nt, nv = county.n_townships, county.n_villages
    slots0 = before.slots0
    assert slots0["township_leader"] == p.township_leaders * nt
    assert slots0["township_staff"] == township_staff_slots(county, p).sum()
    assert slots0["secretary"] + slots0["secretary_director"] == nv
    assert slots0["director"] == slots0["secretary"]
    assert slots0["village_member"] == p.village_others * nv
    assert slots0["group_leader"] == county.groups.sum()
    tm = np.bincount(plan.township_to_new)
    vm = np.bincount(plan.village_to_new)
    after_posts = cm.posts_before_after(after)
    assert after_posts["township_leader"]["after"] == np.where(
        tm > 1, p.township_leaders_merged, p.township_leaders).sum()
    assert (after_posts["secretary"]["after"] + after_posts["secretary_director"]["after"]
            == plan.n_new_villages)
    assert after_posts["village_member"]["after"] == np.where(
        vm > 1, p.village_others_merged, p.village_others).sum()
    assert after_posts["group_leader"]["after"] == groups_after(county, plan, p).sum()
    assert after_posts["township_staff"]["after"] <= slots0["township_staff"]
    # Fewer units, fewer posts.
    for post in ("township_leader", "village_member", "group_leader"):
        assert after_posts[post]["after"] < after_posts[post]["before"]
    # One-shoulder: every re-selected secretary also heads the committee.
    sec = np.isin(after.post, SECRETARY_POSTS) & after.reselected
    assert np.all(after.post[sec] == Post.SECRETARY_DIRECTOR)


def test_without_one_shoulder_merged_villages_get_a_director(small):
    county, plan, p, _, _ = small
    p2 = dataclasses.replace(p, one_shoulder=False)
    _, after = _reform(county, plan, p2)
    merged = np.flatnonzero(np.bincount(plan.village_to_new) > 1)
    directors = after.unit[(after.post == Post.DIRECTOR) & after.reselected]
    secretaries = after.unit[(after.post == Post.SECRETARY) & after.reselected]
    assert set(directors) == set(secretaries) == set(merged)


def test_secretaries_meet_the_education_floor(small):
    _, _, p, _, after = small
    sec = np.isin(after.post, SECRETARY_POSTS) & after.reselected
    assert after.floor_waived == 0
    assert np.all(after.edu[sec] >= p.secretary_min_education)
    assert cm.secretary_education_share(after) == 1.0


def test_send_down_fills_a_village_without_a_qualified_candidate():
    county, s = small_county(villages=60, townships=6, seed=2)
    plan = make_plan(county, s)
    # Nobody local has high school, so only a cadre sent down can meet the floor.
    p = dataclasses.replace(s.cadres, secretary_pool=[0.0] * 6, edu_shift=[3.0, 3.0, -5.0, -5.0])
    _, after = _reform(county, plan, p)
    merged = int((np.bincount(plan.village_to_new) > 1).sum())
    assert after.sent_down == merged and after.floor_waived == 0
    _, no = _reform(county, plan, dataclasses.replace(p, send_down=False))
    assert no.sent_down == 0 and no.floor_waived == merged


# ---------------------------------------------------------------------------------------------
# Determinism and common random numbers
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_cadres_and_outcomes(small):
    county, plan, p, before, after = small
    b2, a2 = _reform(county, plan, p)
    for f in ("age", "edu", "origin", "dq", "competence", "track", "post0", "home_village"):
        assert np.array_equal(getattr(before, f), getattr(b2, f)), f
    for f in ("outcome", "post", "unit", "stage", "kept_pay"):
        assert np.array_equal(getattr(after, f), getattr(a2, f)), f
    b3, _ = _reform(county, plan, p, seed=4)
    assert not np.array_equal(before.age, b3.age)


def test_group_pool_does_not_shift_other_draws(small):
    county, plan, p, before, _ = small
    b2, _ = _reform(county, plan, dataclasses.replace(p, group_pool=[2.0] * 6))
    keep = before.source != Source.GROUP
    keep2 = b2.source != Source.GROUP
    for f in ("age", "edu", "origin", "competence", "evaluation"):
        assert np.array_equal(getattr(before, f)[keep], getattr(b2, f)[keep2]), f


def test_systematic_counts_fix_totals_and_give_floor_or_ceiling():
    rng = np.random.default_rng(1)
    means = rng.random((50, 3)) * np.array([0.1, 1.3, 4.0])
    c = systematic_counts(means, rng.random(means.shape), rng.random(3))
    assert np.all((c == np.floor(means)) | (c == np.ceil(means)))
    assert np.all(np.abs(c.sum(axis=0) - means.sum(axis=0)) <= 1)


def test_rank_in_group_orders_within_groups():
    g = np.array([2, 0, 2, 0, 2])
    k = np.array([3.0, 1.0, 1.0, 0.0, 2.0])
    assert rank_in_group(g, k).tolist() == [2, 1, 0, 0, 1]
    assert rank_in_group(np.zeros(0, dtype=int)).tolist() == []


# ---------------------------------------------------------------------------------------------
# Training, transition, capacity hooks
# ---------------------------------------------------------------------------------------------


def test_sessions_sum_to_the_person_times():
    p = CadreParams(training_person_times=1103, training_weeks=26)
    weekly = [sessions_in_week(p, w) for w in range(-2, 40)]
    assert sum(weekly) == 1103 and max(weekly) - min(w for w in weekly if w) <= 1


def test_training_raises_mean_competence(small):
    _, _, p, _, after = small
    pool = after.copy()
    rng = np.random.default_rng(0)
    start = pool.competence[pool.active].mean()
    given_ = sum(train(pool, p, sessions_in_week(p, w), rng) for w in range(p.training_weeks))
    assert given_ == min(p.training_person_times, p.training_weeks * pool.active.sum())
    assert pool.trained.sum() == given_
    assert pool.competence[pool.active].mean() > start
    assert np.all(pool.competence >= after.competence)  # nobody loses competence
    assert np.all(pool.competence <= p.competence_cap + 1e-12)
    assert np.all(pool.trained[~pool.active] == 0)
    # No training without sessions or without cadres at work.
    assert train(pool, dataclasses.replace(p), 0, rng) == 0


def test_election_ends_transitional_posts_and_kept_pay(small):
    _, _, p, _, after = small
    pool = after.copy()
    assert pool.kept_pay.sum() > 0
    end_transition(pool, p)
    trans = np.isin(pool.outcome, (Outcome.TOWNSHIP_TRANSITIONAL, Outcome.VILLAGE_SPECIALIST))
    assert not pool.active[trans].any() and pool.kept_pay.sum() == 0
    assert pool.transition_over


def test_capacity_hooks_count_the_cadres_at_work(small):
    county, plan, p, before, after = small
    n0, c0 = staff_by_township(before)
    assert len(n0) == county.n_townships
    assert n0.sum() == before.slots0["township_leader"] + before.slots0["township_staff"]
    n1, c1 = staff_by_township(after)
    assert len(n1) == plan.n_new_townships
    work = np.isin(after.post, TOWNSHIP_POSTS) | np.isin(
        after.outcome, (Outcome.RANK_ON_SPOT, Outcome.TOWNSHIP_TRANSITIONAL))
    assert n1.sum() == work.sum()
    assert np.all((c1 > 0) | (n1 == 0))
    nv, _ = cadres_by_village(after)
    assert len(nv) == plan.n_new_villages
    assert nv.sum() == (np.isin(after.post, COMMITTEE_POSTS).sum()
                        + (after.outcome == Outcome.VILLAGE_SPECIALIST).sum())
    ps, pc = petition_staff(after)
    pt, _ = petition_staff_by_township(after)
    assert ps.shape == pc.shape == (N_STAGES,) and pt.shape == (plan.n_new_townships, N_STAGES)
    assert np.array_equal(pt.sum(axis=0), ps) and ps.sum() > 0
    assert np.all(after.stage[after.post == Post.TOWNSHIP_LEADER] == -1)


def test_township_points_serve_at_the_staff_kept(small):
    """Service centres' capacity follows the township staff at work against the member
    townships' staff before: taking posts back slows them once the election ends the
    transitional posts; before the reform every point is at 1."""
    county, plan, p, before, after = small
    from mergesim.mechanisms.cadres import point_efficiency, service_staff_by_township
    from mergesim.mechanisms.service_points import PointKind

    seats = county.township_seat
    kind = np.full(county.n_townships, PointKind.SERVICE_CENTRE)
    assert np.all(point_efficiency(before, before, kind, seats, seats, county, plan) == 1.0)

    def centre_factor(pool):
        pool = pool.copy()
        end_transition(pool, p)
        return point_efficiency(pool, before, kind, seats, seats, county, plan)

    kept = centre_factor(after)
    cut_p = dataclasses.replace(p, staff_retained_share=0.5)
    _, cut = _reform(county, plan, cut_p)
    halved = centre_factor(cut)
    merged = np.bincount(plan.township_to_new, minlength=plan.n_new_townships)[
        plan.township_to_new[county.township[seats]]] > 1
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
    before, _ = _reform(county, plan, p)
    n, _ = petition_staff(before)
    w = np.asarray(p.petition_stage_weights) / sum(p.petition_stage_weights)
    assert n.sum() > 100
    assert np.all(np.abs(n / n.sum() - w) < 0.06)


def test_capacity_factor_and_caseload():
    f = capacity_factor(np.array([2, 1, 0, 3]), np.array([1.2, 1.0, np.nan, 1.0]),
                        np.array([1, 1, 2, 0]), np.array([1.0, 0.5, 1.0, np.nan]))
    assert np.allclose(f, [2.4, 2.0, 0.0, 1.0])
    c = cm.caseload_per_cadre(np.array([10.0, 5.0, 3.0]), np.array([5, 0, 2]))
    assert np.isclose(c[0], 2.0) and np.isnan(c[1]) and np.isclose(c[2], 1.5)


# ---------------------------------------------------------------------------------------------
# Metrics and cost
# ---------------------------------------------------------------------------------------------


def test_cost_falls_with_fewer_units_and_transition_pay_is_a_switch(small):
    county, plan, p, before, after = small
    c0 = cm.admin_cost(before, p, n_townships=county.n_townships, n_villages=county.n_villages)
    c1 = cm.admin_cost(after, p, n_townships=plan.n_new_townships,
                       n_villages=plan.n_new_villages, transition=False)
    ct = cm.admin_cost(after, p, n_townships=plan.n_new_townships,
                       n_villages=plan.n_new_villages, duty_teams=5)
    assert c1["total"] < c0["total"] and c1["transition_pay"] == 0
    assert ct["transition_pay"] == after.kept_pay.sum() > 0
    assert ct["points"] == 5 * p.cost_duty_team
    assert np.isclose(ct["total"], sum(v for k, v in ct.items() if k != "total"))
    change = cm.cost_change(c0, c1)
    assert change["total"] < 0 and np.isnan(change["transition_pay"])
    _, no_pay = _reform(county, plan, dataclasses.replace(p, transition_pay=False))
    assert no_pay.kept_pay.sum() == 0
    assert cm.transition_cost_total(after, p) > cm.transition_cost_total(no_pay, p)


def test_group_leader_categories_and_summary(small):
    _, _, p, before, after = small
    shares = cm.group_leader_origin_shares(after)
    assert np.isclose(sum(shares.values()), 1.0)
    converted = after.outcome == Outcome.TO_GROUP_LEADER
    assert np.all(cm.group_leader_category(after)[converted] == 5)
    s = cm.cadre_summary(before, after, p)
    assert s["reformed"] and s["channels"]["to_group_leader"] == converted.sum()
    assert set(s["township_channels"]) == {o.name.lower() for o in TOWNSHIP_CHANNELS}
    assert set(s["village_channels"]) == {o.name.lower() for o in VILLAGE_CHANNELS}
    assert s["transition_cost_total"] > 0
    with pytest.raises(ValueError, match="scope"):
        cm.secretary_origin_share(after, scope="everyone")


def test_schema_list_orders_match_the_codes():
    from mergesim.config.schema import CADRE_KINDS, CADRE_ORIGINS
    from mergesim.mechanisms.cadre_pool import ORIGIN_NAMES, Kind

    assert ORIGIN_NAMES == CADRE_ORIGINS
    assert tuple(k.name.lower() for k in Kind) == CADRE_KINDS


def test_schema_rejects_malformed_lists():
    with pytest.raises(ScenarioError, match="6 numbers"):
        apply_overrides(Scenario(), {"cadres.group_pool": [0.1, 0.2]})
    with pytest.raises(ScenarioError, match="ascending"):
        apply_overrides(Scenario(), {"cadres.edu_cutpoints": [0.0, 0.0, 1.0]})


# ---------------------------------------------------------------------------------------------
# The mechanism's lifecycle (on a stand-in model: only what the mechanism reads)
# ---------------------------------------------------------------------------------------------


def test_mechanism_reforms_once_trains_and_ends_the_transition():
    county, s = small_county(villages=60, townships=6, seed=4)
    s = apply_overrides(s, {
        "timeline.warmup_weeks": 3, "timeline.burn_in_weeks": 1, "timeline.transition_weeks": 2,
        "timeline.horizon_weeks": 12, "timeline.post_window_weeks": 4, "cadres.training_weeks": 4,
        "cadres.training_person_times": 40, "cadres.election_weeks": 6})
    streams = Streams(s.seed)
    plan = make_plan(county, s, streams)
    model = SimpleNamespace(config=s, county=county, plan=plan, streams=streams,
                            timeline=Timeline.from_params(s.timeline), week=0)
    mech = CadreMechanism()
    mech.setup(model)
    assert mech.name == "cadres" and not mech.pool.reformed
    mech.on_phase(model, 1)  # not the reform week yet: nothing happens
    assert not mech.pool.reformed
    comp = []
    for week in range(model.timeline.n_weeks):
        model.week = week
        if week == model.timeline.reform_week:
            mech.on_phase(model, week)
            first = mech.pool
        elif week == model.timeline.transition_end:
            mech.on_phase(model, week)  # a later phase change does not reform again
            assert mech.pool is first
        mech.step(model)
        comp.append(mech.pool.competence[mech.pool.active].mean())
    assert mech.sessions == 40
    assert mech.pool.transition_over and mech.pool.kept_pay.sum() == 0
    summary = mech.summary()
    assert summary["training_sessions"] == 40
    assert summary["cost_change_pct"]["total"] < 0
    assert mech.cost_transition["total"] > mech.cost_after["total"]
    reform = model.timeline.reform_week
    assert comp[reform + 3] > comp[reform]  # training after the reform
