"""Cadre metrics and the administrative cost."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cadre_helpers import reform

from mergesim.mechanisms.cadres import (
    TOWNSHIP_CHANNELS,
    VILLAGE_CHANNELS,
    Outcome,
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
    _, no_pay = reform(county, plan, dataclasses.replace(p, transition_pay=False))
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
