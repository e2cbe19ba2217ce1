"""Invariants of the whole model, over random small counties and random scenarios (Hypothesis).

After every week of a run: no service need lost (created = served + waiting + given up),
petitions conserved (filed = closed + open), every villager still in one village and the
villager count unchanged; after the reform every cadre in exactly one post or channel; and
every weekly metric within its range (shares in [0, 1]; minutes, days, trips, weeks and rates
≥ 0). The per-mechanism property tests (plans, cadres, petition loop, services) vary each
mechanism's own inputs; this one varies the county, the plan and the policy switches together.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from mergesim.config import apply_overrides
from mergesim.errors import ScenarioError
from mergesim.mechanisms.cadres import check_placement
from mergesim.metrics import METRICS
from mergesim.model import MergerModel
from property import small_scenario

SWITCHES = (
    "services.keep_abolished_points",
    "services.seat_stations",
    "services.village_rooms",
    "services.agency_service",
    "services.transition_duty",
    "services.health_network",
    "guarantees.services_kept",
    "guarantees.land_rights_kept",
    "guarantees.transition_pay_kept",
    "communication.enabled",
    "cadres.one_shoulder",
)

#: Units whose metrics cannot be negative (everything but the unitless ones, checked apart).
NON_NEGATIVE = {
    "min",
    "days",
    "weeks",
    "trips",
    "min/person/week",
    "needs/1000 persons",
    "petitions/10,000",
    "petitions/10,000/year",
    "petitions/cadre",
    "cadres",
    "relative productivity",
}


@st.composite
def scenarios(draw):
    villages = draw(st.integers(30, 90))
    s = small_scenario(
        villages=villages,
        townships=draw(st.integers(3, 8)),
        seed=draw(st.integers(0, 10_000)),
        method=draw(st.sampled_from(["policy", "uniform", "none"])),
        target=draw(st.floats(1.3, 3.0)),
    )
    sets = {k: draw(st.booleans()) for k in SWITCHES}
    sets.update(
        {
            "villagers.scale": 0.05,
            "timeline.warmup_weeks": 4,
            "timeline.burn_in_weeks": 1,
            "timeline.transition_weeks": draw(st.integers(1, 4)),
            "timeline.horizon_weeks": 10,
            "timeline.post_window_weeks": 3,
            "services.duty_weeks": draw(st.integers(0, 6)),
            # Enough grievance and filing that the petition loop has work in a short run.
            "grievance.file_prob": 0.5,
            "guarantees.services_loss": draw(st.floats(0.0, 1.0)),
        }
    )
    return apply_overrides(s, sets)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@pytest.mark.slow
@given(scenario=scenarios())
def test_invariants_hold_every_week(scenario):
    """Unit "-" means a share or an index in [0, 1]; a metric that is neither must say its
    unit (this test made cadre competence, a relative productivity, say so)."""
    try:
        model = MergerModel(scenario)
    except ScenarioError:  # e.g. fewer border villages than asked for: not a valid county
        reject()
    v = model.villagers
    n0, nv = v.n, model.county.n_villages
    pop0 = np.bincount(v.village, minlength=nv)
    c, plan = model.county, model.plan
    # The plan is a partition: population and area conserved, each new village in one township.
    new_pop = np.bincount(plan.village_to_new, weights=c.population, minlength=plan.n_new_villages)
    assert new_pop.sum() == c.population.sum() and np.all(new_pop > 0)
    assert np.bincount(plan.village_to_new, weights=c.area).sum() == pytest.approx(c.area.sum())
    town_of_new = np.full(plan.n_new_villages, -1)
    town_of_new[plan.village_to_new] = plan.township_to_new[c.township]
    assert np.array_equal(town_of_new[plan.village_to_new], plan.township_to_new[c.township])
    while model.running:
        model.step()
        assert model.services.balance(model.needs.created) == 0, model.week
        loop = model.petitions.loop
        assert loop.n_filed == loop.n_closed + loop.n_open, model.week
        assert v.n == n0 and np.array_equal(np.bincount(v.village, minlength=nv), pop0)
        assert np.all((v.grievance >= 0) & (v.grievance <= 1))
        if model.week > model.timeline.reform_week:
            check_placement(model.cadres.pool)
        row = model.tracker.history[-1]
        for key, metric in METRICS.items():
            x = row.get(key)
            if x is None or (isinstance(x, float) and math.isnan(x)):
                continue
            if metric.unit == "-":
                assert 0.0 <= x <= 1.0 + 1e-12, (key, x, model.week)
            elif metric.unit in NON_NEGATIVE:
                assert x >= 0.0, (key, x, model.week)
