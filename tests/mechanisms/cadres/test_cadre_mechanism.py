"""The cadres mechanism: training, the election, and its lifecycle on a stand-in model."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from mergesim.config import apply_overrides
from mergesim.config.schema import CadreParams
from mergesim.mechanisms.cadres import (
    CadreMechanism,
    Outcome,
    end_transition,
    sessions_in_week,
    train,
)
from mergesim.mechanisms.timeline import Timeline
from mergesim.plans import make_plan
from mergesim.rng import Streams
from property import small_county


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


def test_mechanism_reforms_once_trains_and_ends_the_transition():
    county, s = small_county(villages=60, townships=6, seed=4)
    s = apply_overrides(
        s,
        {
            "timeline.warmup_weeks": 3,
            "timeline.burn_in_weeks": 1,
            "timeline.transition_weeks": 2,
            "timeline.horizon_weeks": 12,
            "timeline.post_window_weeks": 0,
            "cadres.training_weeks": 4,
            "cadres.training_person_times": 40,
            "cadres.election_weeks": 6,
        },
    )
    streams = Streams(s.seed)
    plan = make_plan(county, s, streams)
    model = SimpleNamespace(
        config=s,
        county=county,
        plan=plan,
        streams=streams,
        timeline=Timeline.from_params(s.timeline),
        week=0,
    )
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
    # Counted before the election ended it: planned, and paid week by week until then.
    assert summary["transition_cost_total"] > 0
    assert summary["transition_cost_paid"] == pytest.approx(summary["transition_cost_total"])
    assert summary["cost_change_pct"]["total"] < 0
    assert mech.cost_transition["total"] > mech.cost_after["total"]
    reform = model.timeline.reform_week
    assert comp[reform + 3] > comp[reform]  # training after the reform
