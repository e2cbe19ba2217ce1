"""The logit choice: probabilities and draws against their definitions, per-row tables against
per-need evaluation, and the administrative options of known and unknown villagers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mergesim.config.schema import ServiceParams
from mergesim.mechanisms.services import PointKind, Role, Tier
from mergesim.mechanisms.services.choice import (
    admin_options,
    class_options,
    class_table,
    draw,
    draw_rows,
    probabilities,
    queue_days,
)
from mergesim.model import MergerModel
from tiny_county import tiny_scenario


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, (5, 4), elements=st.floats(-30, 30)),
    arrays(bool, (5, 4)),
)
def test_probabilities_are_the_softmax_over_valid_options(util, valid):
    p = probabilities(util, valid)
    for i in range(5):
        if not valid[i].any():
            assert (p[i] == 0).all()
            continue
        e = np.where(valid[i], np.exp(util[i] - util[i][valid[i]].max()), 0.0)
        np.testing.assert_allclose(p[i], e / e.sum(), rtol=1e-12, atol=1e-300)


def test_draw_follows_the_probabilities_and_never_picks_an_impossible_option():
    rng = np.random.default_rng(1)
    prob = np.array([[0.0, 0.2, 0.0, 0.8], [0.5, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]])
    n = 40_000
    rows = np.repeat(np.arange(3), n)
    j = draw(prob[rows], rng.random(3 * n))
    for i in range(2):
        freq = np.bincount(j[rows == i], minlength=4) / n
        np.testing.assert_allclose(freq, prob[i], atol=0.01)
        assert (prob[i][j[rows == i]] > 0).all()
    assert (j[rows == 2] == -1).all()
    # the extremes of the uniform land on possible options
    assert draw(prob[:2], np.array([0.0, 0.0])).tolist() == [1, 0]
    assert draw(prob[:2], np.array([1 - 1e-16, 1 - 1e-16])).tolist() == [3, 2]
    k = draw_rows(prob, rows, np.random.default_rng(2))
    for i in range(2):
        freq = np.bincount(k[rows == i], minlength=4) / n
        np.testing.assert_allclose(freq, prob[i], atol=0.01)
    assert (k[rows == 2] == -1).all()


def test_queue_days_is_seven_times_pending_over_capacity():
    got = queue_days(np.array([0, 7, 3, 5]), np.array([2.0, 7.0, 0.0, 1e-20]))
    assert got.tolist() == [0.0, 7.0, 365.0, 365.0]


@pytest.fixture
def reformed(line):
    county, plan = line
    m = MergerModel(tiny_scenario(services={"choice_candidates": 2}), county=county, plan=plan)
    m.services.on_phase(m, m.timeline.reform_week)
    return m


def test_the_class_table_equals_the_logit_of_each_need(reformed):
    m = reformed
    s, p = m.services, m.config.services
    r = s.routing
    rng = np.random.default_rng(0)
    qdays = rng.random(s.points.n) * 10
    factors = np.array([1.0, 2.0])
    table = class_table(r, qdays, factors, p)
    cls = rng.integers(0, r.cand_point.shape[0], 50)
    v = rng.integers(0, 6, 50)
    mode = rng.integers(0, 2, 50)
    opt = class_options(r, v, cls)
    util = -p.choice_beta_minutes * opt.minutes * factors[mode][:, None]
    util -= p.choice_beta_days * qdays[np.maximum(opt.point, 0)]
    np.testing.assert_allclose(table[cls, mode, v], probabilities(util, opt.valid))


def _options(m, village, affair, level, carry, known, covered=False):
    s = m.services
    n = 1
    return admin_options(
        s.routing,
        np.array([village]),
        np.array([affair]),
        np.array([level], dtype=np.int8),
        np.array([carry]),
        np.array([covered] * n),
        np.array([known]),
        s.points.kind,
        s.catalogue,
        m.config.services,
        s._open_wait,
    )


def test_known_villagers_consider_only_points_that_finish_carry_or_forward(reformed):
    m = reformed
    # village 5, a carryable township matter: duty team and agency carry, the seat's room
    # carries, the station forwards an uncovered matter, the centre and county finish
    o = _options(m, 5, 1, 1, True, True)
    assert o.role[0].tolist() == [Role.CARRY, Role.CARRY, Role.CARRY, Role.DESK, Role.FINISH, 1]
    assert o.valid[0].all()
    # in person and covered by the station: the carriers refer (not considered), the station
    # finishes it
    o = _options(m, 5, 0, 1, False, True, covered=True)
    assert o.valid[0].tolist() == [False, False, False, True, True, True]
    assert o.role[0, Tier.STATION] == Role.FINISH


def test_unknown_villagers_start_near_home_and_may_be_referred(reformed):
    m = reformed
    o = _options(m, 5, 0, 2, False, False)  # in person, county level, level not known
    assert o.role[0].tolist()[:5] == [Role.REFER, Role.NONE, Role.REFER, Role.REFER, Role.REFER]
    assert o.valid[0].tolist() == [True, False, True, True, True, False]  # not the county
    # they expect the point to finish it: the wait for an open day (5 days of 7: (7/5 − 1)/2)
    # and the processing, no forwarding days
    proc = m.services.catalogue.process_days[0, 2]
    assert o.days[0, Tier.CENTRE] == pytest.approx(0.2 + proc)


def test_nothing_near_home_takes_it_then_the_villager_acts_as_one_who_knows(line):
    county, plan = line
    s = tiny_scenario(services={"agency_service": False, "village_rooms": False})
    m = MergerModel(s, county=county, plan=plan)
    pts = m.services.points
    # close the village office and the centre of village 5's township: only the county is left
    for i in (m.services.index.office[5], m.services.index.centre[1]):
        pts.status[i] = 3
    m.services.routing = m.services._route(m, reformed=False)
    o = _options(m, 5, 0, 1, False, False)
    assert o.valid[0].tolist() == [False, False, False, False, False, True]
    assert pts.kind[o.point[0, Tier.COUNTY]] == PointKind.COUNTY_CENTRE


def test_expected_days_of_carrying_include_the_interval_and_forwarding(reformed):
    m = reformed
    p: ServiceParams = m.config.services
    cat = m.services.catalogue
    o = _options(m, 5, 3, 2, True, True)  # subsidies, county level, carryable
    up = p.forward_days + cat.process_days[3, 2]
    assert o.days[0, Tier.AGENCY] == pytest.approx(p.carry_interval_days + up)
    wait = 0.2  # the next of five open days in seven: (7/5 − 1)/2
    assert o.days[0, Tier.CENTRE] == pytest.approx(wait + p.forward_days + cat.process_days[3, 2])
    assert o.days[0, Tier.COUNTY] == pytest.approx(wait + cat.process_days[3, 2])
