"""Selection and placement at the reform: every cadre in exactly one post or channel
(property test), the `none` plan redeploys nobody, one-shoulder, the secretary's education
floor and cadres sent down."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cadre_helpers import reform
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.mechanisms.cadres import (
    COMMITTEE_POSTS,
    IN_POST,
    SECRETARY_POSTS,
    TOWNSHIP_CHANNELS,
    TOWNSHIP_POSTS,
    VILLAGE_CHANNELS,
    Outcome,
    Post,
    Source,
    check_placement,
    select_and_place,
)
from mergesim.mechanisms.cadres import metrics as cm
from mergesim.mechanisms.cadres.pool import groups_after
from mergesim.plans import make_plan
from mergesim.plans.policy import none_plan
from property import scenarios, small_county


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
    lost = (Outcome.KEPT, Outcome.DISMISSED, Outcome.UNPLACED)
    assert np.all(np.isin(out[town], (*lost, *TOWNSHIP_CHANNELS)))
    assert np.all(np.isin(out[com], (*lost, *VILLAGE_CHANNELS)))
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
    assert np.all(
        np.bincount(after.unit[gl], minlength=plan.n_new_villages) <= groups_after(county, plan, p)
    )
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
    kept=st.booleans(),
)
@pytest.mark.slow
def test_every_cadre_ends_in_exactly_one_post_or_channel(
    scenario,
    one_shoulder,
    reselect,
    screen,
    send_down,
    pool_scale,
    dq_rate,
    quotas,
    staff_share,
    kept,
):
    county = build_county(scenario)
    plan = make_plan(county, scenario)
    base = scenario.cadres
    p = dataclasses.replace(
        base,
        one_shoulder=one_shoulder,
        reselect_unchanged=reselect,
        screen=screen,
        send_down=send_down,
        rate_criminal=dq_rate,
        staff_retained_share=staff_share,
        township_recruits=base.township_recruits * pool_scale,
        secretary_pool=[v * pool_scale for v in base.secretary_pool],
        group_pool=[v * pool_scale for v in base.group_pool],
        up_county_per_abolished=quotas,
        rank_on_spot_per_township=quotas,
        transfer_per_abolished=quotas,
        specialists_per_village=quotas,
    )
    g = dataclasses.replace(scenario.guarantees, staffing_kept=kept, cadres_placed=kept)
    before, after = reform(county, plan, p, seed=scenario.seed, guarantees=g)
    _assert_one_place_each(county, plan, p, before, after)
    if kept:
        assert not np.any(after.outcome == Outcome.UNPLACED)


def test_reform_can_only_happen_once(small):
    county, plan, p, _, after = small
    with pytest.raises(ValueError, match="already"):
        select_and_place(after, county, plan, p, np.random.default_rng(0))


def test_none_plan_redeploys_nobody():
    county, s = small_county(villages=70, townships=7, seed=5)
    plan = none_plan(county)
    before, after = reform(county, plan, s.cadres)
    inc = before.incumbent
    assert np.all(after.outcome[inc] == Outcome.KEPT)
    assert np.array_equal(after.post, before.post0)
    town = inc & np.isin(before.post0, TOWNSHIP_POSTS)
    vill = inc & ~town
    assert np.array_equal(after.unit[town], plan.township_to_new[before.unit0[town]])
    assert np.array_equal(after.unit[vill], plan.village_to_new[before.unit0[vill]])
    assert not np.any(
        np.isin(
            after.outcome,
            (*TOWNSHIP_CHANNELS, *VILLAGE_CHANNELS, Outcome.GROUP_DEPARTED, Outcome.DISMISSED),
        )
    )
    assert after.kept_pay.sum() == 0
    assert not np.any(after.source != Source.INCUMBENT)  # no candidate pools without mergers
    assert cm.posts_before_after(after) == {
        k: {"before": v["before"], "after": v["before"]}
        for k, v in cm.posts_before_after(after).items()
    }
    assert np.isclose(cm.township_leader_age(after)[0], cm.township_leader_age(after)[1])


def test_seed_county_none_plan_has_no_redeployment(seed_county):
    county, _ = seed_county
    before, after = reform(county, none_plan(county), Scenario().cadres)
    assert np.all(after.outcome[before.incumbent] == Outcome.KEPT)
    assert np.array_equal(after.post, before.post0)


def test_without_one_shoulder_merged_villages_get_a_director(small):
    county, plan, p, _, _ = small
    p2 = dataclasses.replace(p, one_shoulder=False)
    _, after = reform(county, plan, p2)
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
    _, after = reform(county, plan, p)
    merged = int((np.bincount(plan.village_to_new) > 1).sum())
    assert after.sent_down == merged and after.floor_waived == 0
    _, no = reform(county, plan, dataclasses.replace(p, send_down=False))
    assert no.sent_down == 0 and no.floor_waived == merged
