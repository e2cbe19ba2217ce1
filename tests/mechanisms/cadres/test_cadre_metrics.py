"""Cadre metrics and the administrative cost."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cadre_helpers import reform

from mergesim.config.schema import GuaranteeParams
from mergesim.mechanisms.cadres import (
    TOWNSHIP_CHANNELS,
    VILLAGE_CHANNELS,
    Outcome,
    Post,
    end_transition,
)
from mergesim.mechanisms.cadres import metrics as cm


def test_cost_falls_with_fewer_units_and_transition_pay_is_a_switch(small):
    county, plan, p, before, after = small
    c0 = cm.admin_cost(before, p, n_townships=county.n_townships, n_villages=county.n_villages)
    c1 = cm.admin_cost(
        after, p, n_townships=plan.n_new_townships, n_villages=plan.n_new_villages, transition=False
    )
    ct = cm.admin_cost(
        after, p, n_townships=plan.n_new_townships, n_villages=plan.n_new_villages, duty_teams=5
    )
    assert c1["total"] < c0["total"] and c1["transition_pay"] == 0
    assert ct["transition_pay"] == after.kept_pay.sum() > 0
    assert ct["points"] == 5 * p.cost_duty_team
    assert np.isclose(ct["total"], sum(v for k, v in ct.items() if k != "total"))
    change = cm.cost_change(c0, c1)
    assert change["total"] < 0 and np.isnan(change["transition_pay"])
    g = GuaranteeParams(transition_pay_kept=False)
    _, no_pay = reform(county, plan, p, guarantees=g)
    assert no_pay.kept_pay.sum() == 0
    assert cm.transition_cost_total(after, p) > cm.transition_cost_total(no_pay, p) > 0


def test_cadres_moved_up_or_transferred_stay_in_the_county_cost(small):
    """Their salaries are still paid (by the county): the cost after the reform counts them,
    so the 'saving' is smaller than the salary bill of the township system alone."""
    county, plan, p, before, after = small
    moved = np.isin(after.outcome, (Outcome.UP_COUNTY, Outcome.TRANSFER))
    assert moved.any() and not after.active[moved].any()
    c0 = cm.admin_cost(before, p, n_townships=county.n_townships, n_villages=county.n_villages)
    c1 = cm.admin_cost(
        after, p, n_townships=plan.n_new_townships, n_villages=plan.n_new_villages, transition=False
    )
    assert c0["salaries_elsewhere"] == 0.0
    assert c1["salaries_elsewhere"] == pytest.approx(after.pay0[moved].sum())
    assert np.isclose(c1["total"], sum(v for k, v in c1.items() if k != "total"))
    system_only = c1["total"] - c1["salaries_elsewhere"]
    assert cm.cost_change(c0, c1)["total"] > 100.0 * (system_only - c0["total"]) / c0["total"]


def test_transition_cost_is_counted_before_the_election_ends_it(small):
    _, _, p, _, after = small
    planned = cm.transition_cost_total(after, p)
    assert planned > 0
    assert planned == pytest.approx(cm.transition_cost_week(after) * p.election_weeks)
    pool = after.copy()
    end_transition(pool, p)
    # The bug: computed from the pool after the election, the transition cost nothing.
    assert cm.transition_cost_total(pool, p) == 0.0 < planned


def test_broken_placement_guarantee_leaves_cadres_unplaced(small):
    county, plan, p, _, after = small
    _, broken = reform(county, plan, p, guarantees=GuaranteeParams(cadres_placed=False))
    bound = (
        Outcome.RANK_ON_SPOT,
        Outcome.TRANSFER,
        Outcome.TOWNSHIP_TRANSITIONAL,
        Outcome.VILLAGE_SPECIALIST,
    )
    n_bound = np.isin(after.outcome, bound).sum()
    un = broken.outcome == Outcome.UNPLACED
    # The same persons (common random numbers), a share of them left without a post.
    assert np.all(np.isin(after.outcome[un], bound))
    assert 0.5 * p.unplaced_share < un.sum() / n_bound < 1.5 * p.unplaced_share
    assert not broken.active[un].any() and np.all(broken.stage[un] == -1)
    town = un & np.isin(broken.post0, (Post.TOWNSHIP_LEADER, Post.TOWNSHIP_STAFF))
    assert np.all(broken.pay[town] == broken.pay0[town])  # civil servants keep the salary
    assert broken.active.sum() < after.active.sum()
    assert cm.cadre_summary(after, broken)["unplaced"] == un.sum()


def test_broken_staffing_guarantee_takes_posts_back(small):
    county, plan, p, _, after = small
    _, broken = reform(county, plan, p, guarantees=GuaranteeParams(staffing_kept=False))
    staff = lambda pool: (pool.post == Post.TOWNSHIP_STAFF).sum()  # noqa: E731
    assert staff(broken) < staff(after)
    # The share applies only when the guarantee is broken.
    _, kept = reform(county, plan, dataclasses.replace(p, staff_retained_share=0.1))
    assert staff(kept) == staff(after)


def test_group_leader_categories_and_summary(small):
    _, _, p, before, after = small
    shares = cm.group_leader_origin_shares(after)
    assert np.isclose(sum(shares.values()), 1.0)
    converted = after.outcome == Outcome.TO_GROUP_LEADER
    assert np.all(cm.group_leader_category(after)[converted] == 5)
    s = cm.cadre_summary(
        before, after, transition={"transition_cost_total": cm.transition_cost_total(after, p)}
    )
    assert s["reformed"] and s["channels"]["to_group_leader"] == converted.sum()
    assert set(s["township_channels"]) == {o.name.lower() for o in TOWNSHIP_CHANNELS}
    assert set(s["village_channels"]) == {o.name.lower() for o in VILLAGE_CHANNELS}
    assert s["transition_cost_total"] > 0
    with pytest.raises(ValueError, match="scope"):
        cm.secretary_origin_share(after, scope="everyone")
