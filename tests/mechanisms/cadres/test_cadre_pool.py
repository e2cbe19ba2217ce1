"""The cadre pool: post counts follow the county before the reform and the plan after,
group-wise ranking, and the schema's per-kind and per-origin lists match the codes."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config import apply_overrides
from mergesim.config.schema import CADRE_KINDS, CADRE_ORIGINS, Scenario
from mergesim.errors import ScenarioError
from mergesim.mechanisms.cadres import (
    ORIGIN_NAMES,
    SECRETARY_POSTS,
    Kind,
    Post,
    rank_in_group,
)
from mergesim.mechanisms.cadres import metrics as cm
from mergesim.mechanisms.cadres.pool import groups_after, township_staff_slots


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
    assert (
        after_posts["township_leader"]["after"]
        == np.where(tm > 1, p.township_leaders_merged, p.township_leaders).sum()
    )
    assert (
        after_posts["secretary"]["after"] + after_posts["secretary_director"]["after"]
        == plan.n_new_villages
    )
    assert (
        after_posts["village_member"]["after"]
        == np.where(vm > 1, p.village_others_merged, p.village_others).sum()
    )
    assert after_posts["group_leader"]["after"] == groups_after(county, plan, p).sum()
    assert after_posts["township_staff"]["after"] <= slots0["township_staff"]
    # Fewer units, fewer posts.
    for post in ("township_leader", "village_member", "group_leader"):
        assert after_posts[post]["after"] < after_posts[post]["before"]
    # One-shoulder: every re-selected secretary also heads the committee.
    sec = np.isin(after.post, SECRETARY_POSTS) & after.reselected
    assert np.all(after.post[sec] == Post.SECRETARY_DIRECTOR)


def test_rank_in_group_orders_within_groups():
    g = np.array([2, 0, 2, 0, 2])
    k = np.array([3.0, 1.0, 1.0, 0.0, 2.0])
    assert rank_in_group(g, k).tolist() == [2, 1, 0, 0, 1]
    assert rank_in_group(np.zeros(0, dtype=int)).tolist() == []


def test_schema_list_orders_match_the_codes():
    assert ORIGIN_NAMES == CADRE_ORIGINS
    assert tuple(k.name.lower() for k in Kind) == CADRE_KINDS


def test_schema_rejects_malformed_lists():
    with pytest.raises(ScenarioError, match="6 numbers"):
        apply_overrides(Scenario(), {"cadres.group_pool": [0.1, 0.2]})
    with pytest.raises(ScenarioError, match="ascending"):
        apply_overrides(Scenario(), {"cadres.edu_cutpoints": [0.0, 0.0, 1.0]})
