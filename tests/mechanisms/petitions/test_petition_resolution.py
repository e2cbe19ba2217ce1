"""Formal closure versus substantive resolution, escalation beyond the county, incidents."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from petition_helpers import P, loop_config

from mergesim.mechanisms.petitions import (
    CLOSED,
    CONCLUDE_STAGE,
    Cause,
    Kind,
    Level,
    LoopConfig,
    Outcome,
    PetitionLoop,
    event_rates,
)
from mergesim.mechanisms.petitions.resolution import (
    access_condition,
    load_factor,
    resolve_probability,
)


def _p(cause, *, gap=None, domain=0, broken=False, comp=1.0, load=0.0, kind=Kind.INDIVIDUAL):
    cfg = LoopConfig.from_params(P)
    n = 1
    return resolve_probability(
        np.full(n, P.resolve_base),
        cfg.cause_factor,
        kind=np.full(n, kind),
        cause=np.full(n, cause),
        domain=np.full(n, domain),
        village=np.zeros(n, dtype=np.int64),
        competence=np.full(n, comp),
        elasticity=P.resolve_elasticity,
        caseload=np.full(n, load),
        load_ref=P.load_ref,
        load_elasticity=P.load_elasticity,
        collective_factor=P.collective_resolve_factor,
        access_gap=gap,
        access_gap_scale=P.access_gap_scale,
        rights_broken=broken,
        rights_remedy_prob=P.rights_remedy_prob,
    )[0]


def test_an_access_petition_is_resolved_by_a_fix_not_by_a_reply():
    base = _p(Cause.BACKGROUND)
    assert base == pytest.approx(P.resolve_base)
    no_gap = np.zeros((6, 1))
    big_gap = np.full((6, 1), 10 * P.access_gap_scale)
    assert _p(Cause.ACCESS, gap=no_gap) == pytest.approx(base)  # the service was fixed
    assert _p(Cause.ACCESS, gap=big_gap) < 1e-3 * base  # a reply cannot close a real gap
    assert _p(Cause.ACCESS, gap=None) == pytest.approx(base)  # unknown gap: cause-free
    # The gap of the petition's own domain counts.
    gap = np.zeros((6, 1))
    gap[2, 0] = 1.0
    assert _p(Cause.ACCESS, gap=gap, domain=2) < _p(Cause.ACCESS, gap=gap, domain=1)
    cond = access_condition(
        np.array([Cause.ACCESS, Cause.RIGHTS]), np.array([2, -1]), np.array([0, 0]), gap, 0.5
    )
    assert cond == pytest.approx([np.exp(-2.0), 1.0])


def test_rights_need_the_guarantee_restored_and_other_causes_their_factor():
    assert _p(Cause.RIGHTS) == pytest.approx(P.resolve_base)
    assert _p(Cause.RIGHTS, broken=True) == pytest.approx(P.rights_remedy_prob)
    assert _p(Cause.BACKGROUND, broken=True) == pytest.approx(P.resolve_base)
    f = P.resolve_cause_factor
    for c in (Cause.ASSETS, Cause.REPRESENTATION, Cause.SEAT_LOSS, Cause.CADRE):
        assert _p(c) == pytest.approx(P.resolve_base * f[c])
    assert _p(Cause.SEAT_LOSS) < _p(Cause.ASSETS) < _p(Cause.BACKGROUND)


def test_handlers_competence_and_caseload():
    assert _p(Cause.BACKGROUND, comp=1.2) > _p(Cause.BACKGROUND) > _p(Cause.BACKGROUND, comp=0.8)
    assert _p(Cause.BACKGROUND, load=P.load_ref) == pytest.approx(P.resolve_base)
    heavy = _p(Cause.BACKGROUND, load=4 * P.load_ref)
    assert heavy == pytest.approx(P.resolve_base * 0.25**P.load_elasticity)
    assert load_factor(np.array([0.0, 5.0, 40.0]), 10.0, 1.0) == pytest.approx([1, 1, 0.25])
    col = _p(Cause.BACKGROUND, kind=Kind.COLLECTIVE)
    assert col == pytest.approx(P.resolve_base * P.collective_resolve_factor)


def _one_week(cfg, n=400, level=Level.TOWNSHIP, kind=Kind.INDIVIDUAL, cause=Cause.BACKGROUND):
    loop = PetitionLoop(cfg, 2, np.random.default_rng(3), county_unit=1)
    loop.set_staffing(np.full((6, 2), 1000))
    loop.file(
        np.linspace(0, 1, n),
        0 if level == Level.TOWNSHIP else 1,
        level=level,
        kind=kind,
        cause=cause,
    )
    return loop


def test_every_concluded_petition_is_replied_to_and_resolution_follows_the_cause():
    cfg = loop_config([0.01] * 6, resolve_base=(0.9, 0.9), cause_factor=np.r_[1, 1, 1, 1, 1, 0, 1])
    loop = _one_week(cfg, cause=Cause.SEAT_LOSS)
    loop.advance(7.0)
    r = loop.rec
    assert np.all(r.stage == CLOSED) and np.all(~np.isnan(r.exit[:, CONCLUDE_STAGE]))
    assert not r.resolved.any()  # a reply, never the seat back
    assert np.all(r.outcome == Outcome.UNRESOLVED)


def test_escalation_from_the_county_and_skip_level_go_beyond_the_county():
    cfg = loop_config([0.01] * 6, resolve_base=(0.0, 0.0), escalate_prob=1.0)
    loop = _one_week(cfg, level=Level.COUNTY)
    loop.advance(7.0)
    r = loop.rec
    assert np.all(r.outcome == Outcome.ESCALATED) and np.all(r.beyond) and r.n == 400
    rates = event_rates(r, 0.0, 7.0, 10_000)
    assert rates["beyond"] == pytest.approx(400 * 365.25 / 7)
    # From a township: skip_level_share of the escalations skip the county.
    cfg = dataclasses.replace(cfg, skip_level_share=0.25)
    loop = _one_week(cfg, n=2000)
    loop.advance(7.0)
    first = loop.rec.parent < 0
    beyond = loop.rec.beyond[first]
    assert 0.2 < beyond.mean() < 0.3
    kids = loop.rec.child[first][~beyond]
    assert np.all(kids >= 0) and np.all(loop.rec.level[kids] == Level.COUNTY)
    assert np.all(loop.rec.child[first][beyond] < 0)


def test_collective_petitions_closed_unresolved_become_incidents():
    cfg = loop_config([0.01] * 6, resolve_base=(0.0, 0.0), incident_prob=1.0)
    loop = _one_week(cfg, n=50, kind=Kind.COLLECTIVE)
    loop.advance(7.0)
    r = loop.rec
    assert r.incident.all() and np.all(r.incident_t == r.closed)
    assert len(loop.incidents_last) == 50
    individual = _one_week(cfg, n=50)
    individual.advance(7.0)
    assert not individual.rec.incident.any()


def test_an_overdue_collective_petition_draws_an_incident_once():
    cfg = loop_config([0.01] * 6, incident_prob=1.0, incident_overdue_days=10.0)
    loop = PetitionLoop(cfg, 2, np.random.default_rng(3), county_unit=1)
    loop.set_staffing(np.zeros((6, 2), dtype=np.int64))  # nobody serves: it waits
    loop.file(np.array([0.5]), 0, kind=Kind.COLLECTIVE)
    loop.file(np.array([0.5]), 0, kind=Kind.INDIVIDUAL)
    for w in range(6):
        loop.advance(7.0 * (w + 1))
        if w < 3:  # deadline 15.5, + 10 days = 25.5: in week 3
            assert not loop.rec.incident.any()
    r = loop.rec
    assert r.incident.tolist() == [True, False]
    assert r.incident_t[0] == pytest.approx(0.5 + P.accept_days + 10.0)
    assert r.incident_drawn.tolist() == [True, False]
