"""Cadres with consequences: misconduct (what screening keeps out), span of control and
competence change the points' completion odds; the mechanism writes ``points.competence``."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from cadre_helpers import reform

from mergesim.mechanisms.cadres import (
    CadreMechanism,
    Post,
    end_transition,
    sessions_in_week,
    train,
)
from mergesim.mechanisms.cadres.consequences import (
    odds_multiplier,
    point_competence,
    span_ratio,
    working_competence,
)
from mergesim.mechanisms.cadres.pool import IN_POST
from mergesim.mechanisms.services import PointKind
from mergesim.mechanisms.timeline import Timeline
from mergesim.plans import make_plan
from mergesim.rng import Streams
from property import small_county


def _village_points(plan, county):
    """One village office at the seat of every merged village (old index = the seat)."""
    members = np.bincount(plan.village_to_new, minlength=plan.n_new_villages)
    seats = np.asarray(plan.new_village_seat)[members > 1]
    return np.full(len(seats), PointKind.VILLAGE_OFFICE), seats


def test_working_competence_penalises_a_hard_disqualifier(small):
    _, _, p, before, _ = small
    w = working_competence(before, p)
    dq = before.dq != 0
    assert dq.any()
    assert w[dq] == pytest.approx(before.competence[dq] * p.misconduct_factor)
    assert np.array_equal(w[~dq], before.competence[~dq])


def test_screening_raises_the_working_competence_of_those_in_post(small):
    """Screened, nobody with a hard disqualifier is appointed at the reform; unscreened, some
    are, and the cadres in post of the merged units work less well."""
    county, plan, p, _, _ = small
    p = dataclasses.replace(p, rate_criminal=0.05, rate_discipline=0.05)
    _, screened = reform(county, plan, p)
    _, open_door = reform(county, plan, dataclasses.replace(p, screen=False))

    def in_post(pool):
        return np.isin(pool.outcome, IN_POST) & pool.reselected

    assert not (screened.dq[in_post(screened)] != 0).any()
    assert (open_door.dq[in_post(open_door)] != 0).any()
    ws = working_competence(screened, p)[in_post(screened)].mean()
    wo = working_competence(open_door, p)[in_post(open_door)].mean()
    assert ws > wo


def test_span_and_competence_set_the_odds():
    assert span_ratio(np.array([200.0]), np.array([4]), np.array([100.0]), np.array([4]))[0] == 2
    assert span_ratio(np.array([200.0]), np.array([0]), np.array([100.0]), np.array([4]))[0] == 1
    p = SimpleNamespace(competence_odds_elasticity=1.0, span_elasticity=0.5)
    assert odds_multiplier(np.array([1.2]), np.array([4.0]), p)[0] == pytest.approx(0.6)


def test_merged_villages_serve_more_villagers_per_cadre_and_training_helps(small):
    """After the election (specialists gone) a merged village mostly serves about twice the
    villagers with fewer than twice the cadres: the span lowers the odds against the same
    cadres with span ignored. Training raises them; without one-shoulder a director narrows
    the span."""
    county, plan, p, before, after = small
    kind, seats = _village_points(plan, county)
    assert len(seats)
    assert np.all(point_competence(before, before, kind, seats, seats, county, plan, p) == 1.0)

    def odds(pool, q=p):
        pool = pool.copy()
        end_transition(pool, q)
        return point_competence(pool, before, kind, seats, seats, county, plan, q)

    no_span = dataclasses.replace(p, span_elasticity=0.0)
    wider = odds(after) < odds(after, no_span)
    assert wider.mean() > 0.75  # (a seat village that absorbed a tiny one may narrow)
    trained = after.copy()
    rng = np.random.default_rng(0)
    for w in range(p.training_weeks):
        train(trained, p, sessions_in_week(p, w), rng)
    assert np.mean(odds(trained)) > np.mean(odds(after))
    _, two = reform(county, plan, dataclasses.replace(p, one_shoulder=False))
    assert (two.post == Post.DIRECTOR).sum() > (after.post == Post.DIRECTOR).sum()
    span_only = dataclasses.replace(p, competence_odds_elasticity=0.0)
    assert np.mean(odds(two, span_only)) > np.mean(odds(after, span_only))


def test_the_mechanism_writes_points_competence_creating_it_if_missing():
    """The services mechanism owns the points; until it has a ``competence`` array the cadres
    mechanism creates one (ones) and writes it at the reform."""
    county, s = small_county(villages=60, townships=6, seed=4)
    streams = Streams(s.seed)
    plan = make_plan(county, s, streams)
    kind, seats = _village_points(plan, county)
    points = SimpleNamespace(
        kind=kind,
        status=np.zeros(len(seats), dtype=np.int8),
        village=seats.copy(),
        base_village=seats.copy(),
        efficiency=np.ones(len(seats)),
        n=len(seats),
    )
    model = SimpleNamespace(
        config=s,
        county=county,
        plan=plan,
        streams=streams,
        timeline=Timeline.from_params(s.timeline),
        services=SimpleNamespace(points=points),
        week=0,
    )
    mech = CadreMechanism()
    mech.setup(model)
    assert not hasattr(points, "competence")
    model.week = model.timeline.reform_week
    mech.on_phase(model, model.week)
    assert points.competence.shape == (len(seats),)
    expect = point_competence(
        mech.pool, mech.pool_before, kind, seats, seats, county, plan, s.cadres
    )
    np.testing.assert_allclose(points.competence, expect)
    assert np.any(points.competence != 1.0)
