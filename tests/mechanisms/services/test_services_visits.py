"""How visits end, with known answers on the line county: official absent, referral up a
level, missing documents, papers carried by the agency (its capacity and turnaround), devolved
county matters, and the guarantees acting on the points.

Affair types (``needs.affairs``) used: household (0; levels 0.2/0.6/0.2, in person), social
insurance (1; 0.5/0.45/0.05, carryable), subsidies (3; 0.2/0.3/0.5, carryable, devolvable
0.8). ``choice_beta_minutes = 10`` makes the choice the nearest option that qualifies.
"""

from __future__ import annotations

import numpy as np
import pytest
from services_helpers import ADMIN, injected_model, rows_of

from mergesim.config.schema import Scenario
from mergesim.mechanisms.services import PointKind, absence
from mergesim.mechanisms.services.visits import docs_failure

HOUSEHOLD, SOCIAL, SUBSIDIES = 0, 1, 3
NEAREST = {"choice_beta_minutes": 10.0}
NO_FAIL = {f"needs.affairs.{t}.docs_fail": 0.0 for t in ("household", "social_insurance")}
NO_ABSENT = {f"services.absent_{k}": 0.0 for k in ("office", "centre", "agency", "station")}


def _model(line, *, services=None, overrides=None, **kw):
    return injected_model(
        line,
        services={**NEAREST, **(services or {})},
        overrides={**NO_FAIL, **NO_ABSENT, **(overrides or {})},
        **kw,
    )


def test_a_known_village_matter_is_done_at_the_office_in_one_trip(line):
    m = _model(line)
    v = int(rows_of(m, 5, 1)[0])
    m.needs.schedule = {0: [(v, ADMIN, HOUSEHOLD, 0.1)]}  # village level
    m.step()
    d = m.services.done
    assert d.n == 1 and d.trips[0] == 1 and d.failed[0] == 0 and d.travel[0] == 0.0
    assert d.handler[0] == PointKind.VILLAGE_OFFICE and d.in_village[0] and not d.carried[0]
    # two office days a week: the mean wait for one is (7/2 − 1)/2 days; proofs take no time
    assert d.days[0] == pytest.approx(1.25) and d.affair[0] == HOUSEHOLD


def test_an_absent_official_fails_every_trip_until_the_villager_gives_up(line):
    m = _model(line, overrides={"services.absent_office": 0.95, "needs.max_trips": 3})
    m.services._absent_q[PointKind.VILLAGE_OFFICE] = 1.0  # always away
    v = int(rows_of(m, 5, 1)[0])
    m.needs.schedule = {0: [(v, ADMIN, HOUSEHOLD, 0.1)]}
    for week in range(3):
        m.step()
        assert m.services.week_counts["absent"] == 1 and m.villagers.trips_week[v] == 1
        assert m.services.given_up == (1 if week == 2 else 0)
    assert m.services.balance(m.needs.created) == 0


def test_absence_rises_when_a_point_loses_staff():
    q = np.array([0.2, 0.2, 0.2, 0.2, 0.0])
    staff = np.array([2.0, 1.0, 4.0, 0.0, 0.0])
    ref = np.array([2.0, 2.0, 2.0, 2.0, 1.0])
    got = absence(q, staff, ref)
    np.testing.assert_allclose(got, [0.2, 0.2**0.5, 0.2**2, 1.0, 0.0])


def test_an_unknown_level_sends_the_villager_to_the_office_first_then_up(line):
    m = _model(line)
    v = int(rows_of(m, 5, 1)[0])
    m.needs.schedule = {0: [(v, ADMIN, HOUSEHOLD, 0.5, 0.99)]}  # township level, not known
    m.step()
    assert m.services.week_counts["referred"] == 1 and m.services.done.n == 0
    m.step()  # now known: the own township's centre (20 min), not the county (50 min)
    d = m.services.done
    assert d.n == 1 and d.trips[0] == 2 and d.failed[0] == 1
    assert d.handler[0] == PointKind.SERVICE_CENTRE and d.travel[0] == 40.0
    proc = m.services.catalogue.process_days[HOUSEHOLD, 1]
    assert d.days[0] == pytest.approx(7.0 + 0.2 + proc)  # a week, an open day, processing


def test_missing_documents_fail_the_first_visit_and_not_the_next(line):
    m = _model(
        line,
        overrides={
            "needs.affairs.household.docs_fail": 0.9,
            "services.docs_retry_factor": 0.0,
            "services.office_staff": 10.0,  # room for all 60 at the office
        },
    )
    vs = rows_of(m, 5, 60)
    m.needs.schedule = {0: [(int(v), ADMIN, HOUSEHOLD, 0.1) for v in vs]}
    m.step()
    first = m.services.week_counts["docs_missing"]
    assert 40 <= first <= 60  # Binomial(60, 0.9): P(< 40) < 1e-7
    m.step()
    d = m.services.done
    assert d.n == first and (d.trips == 2).all() and (d.failed == 1).all()
    assert m.services.waiting == 0


def test_docs_failure_follows_its_formula():
    class P:
        docs_retry_factor = 0.5
        advice_factor = 0.4

    base = np.array([0.2, 0.2, 0.2, 0.2, 0.0])
    tries = np.array([0, 1, 0, 0, 3])
    advised = np.array([False, False, True, False, True])
    comp = np.array([1.0, 1.0, 1.0, 2.0, 1.0])
    got = docs_failure(base, tries, advised, comp, P)
    b = np.array([0.2, 0.1, 0.08, 0.2, 0.0])
    expect = b / (b + (1 - b) * comp)  # competence multiplies the odds of success
    np.testing.assert_allclose(got, expect)
    assert got[3] == pytest.approx(0.2 / (0.2 + 0.8 * 2))


def _post(line, **kw):
    m = _model(line, warmup=2, horizon=12, **kw)
    while m.week < m.timeline.reform_week:
        m.step()
    return m


def test_the_agency_carries_papers_with_turnaround_and_queues_when_full(line):
    m = _post(line, services={"transition_duty": False, "agency_per_agent_week": 1.0})
    vs = rows_of(m, 5, 3)
    m.needs.schedule = {m.week: [(int(v), ADMIN, SOCIAL, 0.7) for v in vs]}  # township level
    carried = []
    for _ in range(4):
        m.step()
        carried.append(m.services.done)
    assert [d.n for d in carried] == [1, 1, 1, 0]  # one a week: the agent's capacity
    proc = m.services.catalogue.process_days[SOCIAL, 1]
    interval = m.config.services.carry_interval_days
    for w, d in enumerate(carried[:3]):
        assert d.handler[0] == PointKind.AGENCY and d.carried[0] and d.in_village[0]
        assert d.trips[0] == 1 and d.travel[0] == 0.0  # handed over at home, no more trips
        days = d.days[0] - 7 * w - proc
        assert 0.0 <= days <= 2 * interval  # to the township and back on the next trips
    assert m.villagers.trips_week[vs].sum() == 0  # waiting weeks: no trips


def test_devolved_stations_finish_county_matters_at_the_township(line):
    days = {}
    for devolved in (True, False):
        m = _post(
            line,
            services={
                "transition_duty": False,
                "agency_service": False,
                "village_rooms": False,
                "devolved_stations": devolved,
            },
        )
        v = int(rows_of(m, 5, 1)[0])
        m.needs.schedule = {m.week: [(v, ADMIN, SUBSIDIES, 0.9)]}  # county, devolvable
        m.step()
        d = m.services.done
        assert d.n == 1 and d.handler[0] == PointKind.CONVENIENCE_STATION
        days[devolved] = float(d.days[0])
    cat, p = m.services.catalogue, m.config.services
    assert days[True] == pytest.approx(0.2 + cat.process_days[SUBSIDIES, 1])
    assert days[False] == pytest.approx(0.2 + p.forward_days + cat.process_days[SUBSIDIES, 2])


def test_cut_transfers_lower_the_village_points_capacity(line):
    kept = _post(line)
    cut = _post(line, overrides={"guarantees.transfers_kept": False})
    share = Scenario().services.transfers_cut_share
    village = np.isin(cut.services.points.kind, [PointKind.VILLAGE_ROOM, PointKind.AGENCY])
    np.testing.assert_allclose(
        cut.services.capacity()[village], kept.services.capacity()[village] * (1 - share)
    )
    other = cut.services.points.kind == PointKind.SERVICE_CENTRE
    np.testing.assert_allclose(cut.services.capacity()[other], kept.services.capacity()[other])
