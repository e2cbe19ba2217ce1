"""The grievance mechanism in a model: cadres as villagers, the standing losses by cause, the
services' "not lowered" check, causes on every petition, settling, the leader's cut."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mergesim.mechanisms.cadres import Outcome
from mergesim.mechanisms.grievance import PART_CAUSES, cadre_losses
from mergesim.mechanisms.grievance.causes import PART_OF
from mergesim.mechanisms.petitions import Cause
from mergesim.mechanisms.population import AgeGroup
from mergesim.model.model import MergerModel
from mergesim.plans.roles import Role
from tiny_county import short_seed_scenario

SCALE = 0.05


def _guarantees(sc, **switches):
    return dataclasses.replace(sc, guarantees=dataclasses.replace(sc.guarantees, **switches))


@pytest.fixture(scope="module")
def reformed(seed_county):
    """The short seed run stepped to just after the reform, every guarantee broken."""
    county, plan = seed_county
    sc = short_seed_scenario(SCALE)
    off = {
        f: False
        for f in (
            "collective_kept",
            "land_rights_kept",
            "policies_kept",
            "poverty_support_kept",
            "infrastructure_kept",
            "transition_pay_kept",
        )
    }
    m = MergerModel(_guarantees(sc, **off), county=county, plan=plan, rng=3)
    while m.week <= m.timeline.reform_week:
        m.step()
    return m


def test_every_represented_cadre_lives_in_their_home_village(reformed):
    m = reformed
    cv, v = m.grievance.cadres, m.villagers
    pool = m.cadres.pool_before
    assert len(np.unique(cv.row)) == cv.n  # one villager each
    home = np.where(
        pool.home_village[cv.pool_row] >= 0,
        pool.home_village[cv.pool_row],
        m.county.township_seat[pool.home_township[cv.pool_row]],
    )
    np.testing.assert_array_equal(v.village[cv.row], home)
    assert pool.incumbent[cv.pool_row].all()
    # Thinned like the villagers: about `scale` of the incumbents, working age where possible.
    share = cv.n / pool.incumbent.sum()
    assert 0.7 * SCALE < share <= 1.05 * SCALE
    assert np.mean(v.age[cv.row] == AgeGroup.WORKING) > 0.95


def test_displaced_cadres_carry_their_own_losses(reformed):
    m = reformed
    cv = m.grievance.cadres
    pool = m.cadres.pool
    out = pool.outcome[cv.pool_row]
    assert cv.displaced.any()
    in_post = np.isin(out, (Outcome.KEPT, Outcome.APPOINTED))
    # In post: a loss only from a pay cut (a director kept as a committee member).
    cut = pool.pay[cv.pool_row] < pool.pay0[cv.pool_row]
    np.testing.assert_array_equal(cv.loss[in_post] > 0, cut[in_post])
    dismissed = out == Outcome.DISMISSED
    if dismissed.any():
        assert (cv.loss[dismissed] >= m.config.conflict.cadre_post_loss).all()
    part = m.grievance.parts[PART_OF[Cause.CADRE]]
    np.testing.assert_array_equal(part[cv.row], cv.loss)
    assert np.count_nonzero(part) == np.count_nonzero(cv.loss)


def test_transition_pay_and_placement_change_the_cadres_losses(reformed):
    m = reformed
    cv, pool = m.grievance.cadres, m.cadres.pool
    g, c, cp = m.config.grievance, m.config.conflict, m.config.cadres
    kept = dataclasses.replace(m.config.guarantees, transition_pay_kept=True)
    broke = dataclasses.replace(kept, transition_pay_kept=False)
    # The fixture broke transition_pay_kept, so the cadres mechanism kept no pay; a copy keeps
    # every cut salary, as if the guarantee had held.
    held = pool.copy()
    departing = np.isin(
        pool.outcome,
        (
            Outcome.TO_GROUP_LEADER,
            Outcome.VILLAGE_SPECIALIST,
            Outcome.BUSINESS,
            Outcome.VILLAGE_LEFT,
            Outcome.GROUP_DEPARTED,
        ),
    )
    held.kept_pay = np.where(departing, np.maximum(pool.pay0 - pool.pay, 0.0), 0.0)
    with_pay, _ = cadre_losses(held, cv, g, kept, c, cp)
    without, _ = cadre_losses(pool, cv, g, broke, c, cp)
    r = cv.pool_row
    out = pool.outcome[r]
    # Those who retire normally or chose a business lose no pay either way.
    spared = (out == Outcome.BUSINESS) | (
        (out == Outcome.VILLAGE_LEFT) & (pool.age[r] >= cp.village_retire_age)
    )
    paid = (held.kept_pay[r] > 0) & ~spared
    assert paid.any()
    assert (without[paid] > with_pay[paid]).all()
    assert np.array_equal(without[~paid], with_pay[~paid])
    # The cadres mechanism marks the unplaced (cadres_placed broken); they lose more.
    stub = pool.copy()
    stub.unplaced = np.zeros(stub.n, dtype=bool)
    stub.unplaced[cv.pool_row[cv.displaced]] = True
    un, _ = cadre_losses(stub, cv, g, broke, c, cp)
    d = cv.displaced
    np.testing.assert_allclose(un[d] - without[d], c.cadre_unplaced_loss, rtol=1e-6)


def test_standing_losses_reach_the_right_villagers(reformed):
    m = reformed
    g, v, units = m.grievance, m.villagers, m.units
    merged = units.village_role[v.village] != Role.UNCHANGED
    for k, cause in enumerate(PART_CAUSES):
        if cause == Cause.CADRE:
            continue
        # Unmerged villages lose no asset, voice or right; perceived losses reach only
        # villagers of merged units (or of abolished townships).
        abolished = units.township_role[m.county.township[v.village]] == Role.ABSORBED
        hit = g.parts[k] != 0
        assert not (hit & ~merged & ~abolished).any(), cause
    seat = g.parts[PART_OF[Cause.SEAT_LOSS]] > 0
    lost_seat = units.old_seat & (units.township_role[m.county.township] == Role.ABSORBED)
    np.testing.assert_array_equal(seat, lost_seat[v.village])
    assert g.parts[PART_OF[Cause.REPRESENTATION]].max() > 0
    assert g.facts["rights_losers_share"] > 0


def test_services_lowered_in_fact_breaks_the_guarantee_whatever_the_switch(seed_county):
    county, plan = seed_county
    m = MergerModel(short_seed_scenario(SCALE), county=county, plan=plan, rng=1)
    while m.week <= m.timeline.reform_week:
        m.step()
    g, v = m.grievance, m.villagers
    abolished = (m.units.township_role[county.township] == Role.ABSORBED)[v.village]
    rights = g.parts[PART_OF[Cause.RIGHTS]].copy()
    assert m.config.guarantees.services_kept
    m.services.not_lowered = {"held": False, "reasons": ["a point closed (test stub)"]}
    g.step(m)  # the grievance step alone: the services' own step would redo its check
    added = g.parts[PART_OF[Cause.RIGHTS]] - rights
    np.testing.assert_allclose(added[abolished], m.config.guarantees.services_loss)
    assert not added[~abolished].any()
    summary = m.summary()
    assert summary["grievance"]["services_not_lowered_broken"] is True
    assert summary["guarantees"]["services_not_lowered"]["held"] is False


def test_closing_the_abolished_townships_points_breaks_services_not_lowered(seed_county):
    """``services.keep_abolished_points = false``: summary.json marks the guarantee broken."""
    county, plan = seed_county
    sc = short_seed_scenario(SCALE)
    sc = dataclasses.replace(
        sc, services=dataclasses.replace(sc.services, keep_abolished_points=False)
    )
    m = MergerModel(sc, county=county, plan=plan, rng=1)
    if not hasattr(m.services, "not_lowered"):
        pytest.skip("the services mechanism has no 'not lowered' check (services branch adds it)")
    while m.week <= m.timeline.reform_week + 1:
        m.step()
    summary = m.summary()
    assert summary["guarantees"]["services_not_lowered"]["held"] is False
    assert summary["grievance"]["services_not_lowered_broken"] is True


def test_every_petition_carries_a_cause(seed_county):
    county, plan = seed_county
    sc = short_seed_scenario(SCALE)
    sc = dataclasses.replace(sc, grievance=dataclasses.replace(sc.grievance, file_prob=1.0))
    sc = _guarantees(sc, land_rights_kept=False, collective_kept=False)
    m = MergerModel(sc, county=county, plan=plan, rng=2).run()
    rec = m.petitions.loop.rec
    first = rec.parent < 0
    causes = np.bincount(rec.cause[first], minlength=len(Cause))
    assert causes[Cause.BACKGROUND] > 0
    assert causes[[c for c in Cause if c != Cause.BACKGROUND]].sum() > 0
    access = rec.cause == Cause.ACCESS
    assert (rec.domain[access] >= 0).all() and (rec.domain[~access] == -1).all()
    # Repeats and escalations keep their parent's cause.
    child = rec.parent >= 0
    np.testing.assert_array_equal(rec.cause[child], rec.cause[rec.parent[child]])


def test_settling_a_fixable_cause_clears_the_filers_part(reformed):
    g = reformed.grievance
    k = PART_OF[Cause.RIGHTS]
    rows = np.flatnonzero(g.parts[k] > 0)[:3]
    assert len(rows)
    before = g.standing[rows].copy()
    g.settle(rows, np.full(len(rows), Cause.RIGHTS, dtype=np.int8))
    assert not g.parts[k, rows].any()
    assert (g.standing[rows] < before).all()
    voice = PART_OF[Cause.REPRESENTATION]
    vrows = np.flatnonzero(g.parts[voice] > 0)[:3]
    kept = g.parts[voice, vrows].copy()
    g.settle(vrows, np.full(len(vrows), Cause.REPRESENTATION, dtype=np.int8))
    np.testing.assert_array_equal(g.parts[voice, vrows], kept)  # a reply cannot give voice


def test_an_aggrieved_displaced_cadre_cuts_the_village_threshold(reformed):
    g, v = reformed.grievance, reformed.villagers
    cv = g.cadres
    i = np.flatnonzero(cv.displaced)[0]
    row, vil = cv.row[i], v.village[cv.row[i]]
    saved = v.grievance[row]
    try:
        v.grievance[row] = 1.0
        theta = g.led_thresholds(v)
        cut = reformed.config.grievance.leader_threshold_cut
        assert theta[vil] == pytest.approx(g.filing.theta[vil] * (1 - cut))
        v.grievance[row] = 0.0
        others = cv.displaced & (v.village[cv.row] == vil)
        if not (v.grievance[cv.row[others]] > v.threshold[cv.row[others]]).any():
            assert g.led_thresholds(v)[vil] == g.filing.theta[vil]
    finally:
        v.grievance[row] = saved
