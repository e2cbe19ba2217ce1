"""Metric formulas against brute force; coverage against a per-villager loop; docs current."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config import apply_overrides
from mergesim.config.schema import AFFAIR_NAMES
from mergesim.mechanisms.needs import DOMAIN_OF_KIND, NEED_NAMES, NeedKind
from mergesim.mechanisms.petitions import CLOSED, Level, petition_staff_by_township
from mergesim.mechanisms.services import Done, PointKind
from mergesim.metrics import (
    METRICS,
    affair_metrics,
    coverage_share,
    gini,
    metrics_markdown,
    model_reporters,
    worst_decile,
)
from mergesim.model import MergerModel
from mergesim.plans.roles import GROUP_NAMES
from tiny_county import short_seed_scenario

ROOT = Path(__file__).resolve().parents[2]


@given(st.lists(st.floats(0, 500), min_size=1, max_size=40))
def test_gini_equals_the_double_sum(xs):
    x = np.array(xs)
    if x.sum() <= 0:
        assert math.isnan(gini(x))
        return
    brute = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(x) == pytest.approx(brute, abs=1e-9)


@settings(max_examples=50)
@given(st.lists(st.tuples(st.floats(0, 100), st.integers(1, 30)), min_size=1, max_size=12))
def test_worst_decile_equals_the_expanded_population(villages):
    means = np.array([m for m, _ in villages])
    pop = np.array([p for _, p in villages]) * 10  # totals divisible by 10: a whole decile
    people = np.sort(np.repeat(means, pop))[::-1]
    brute = people[: pop.sum() // 10].mean()
    assert worst_decile(means, pop) == pytest.approx(brute)


def _random_done(rng, n, nv):
    kind = rng.integers(0, len(NeedKind), n).astype(np.int8)
    wait = rng.integers(0, 3, n).astype(np.int16)
    trips = rng.integers(1, 4, n).astype(np.int16)
    adm = kind == NeedKind.ADMIN
    handler = rng.choice(
        [
            PointKind.VILLAGE_OFFICE,
            PointKind.AGENCY,
            PointKind.SERVICE_CENTRE,
            PointKind.COUNTY_CENTRE,
        ],
        n,
    ).astype(np.int8)
    return Done(
        villager=rng.integers(0, 10 * nv, n),
        village=rng.integers(0, nv, n).astype(np.int32),
        kind=kind,
        domain=DOMAIN_OF_KIND[kind],
        trips=trips,
        travel=rng.gamma(2.0, 15.0, n).astype(np.float32),
        in_village=rng.random(n) < 0.4,
        wait=wait,
        days=(7.0 * wait + rng.gamma(2.0, 3.0, n)).astype(np.float32),
        vehicle=rng.random(n) < 0.6,
        affair=np.where(adm, rng.integers(0, len(AFFAIR_NAMES), n), -1).astype(np.int8),
        failed=(trips - 1).astype(np.int16),
        handler=handler,
        carried=handler == PointKind.AGENCY,
    )


def test_affair_metrics_equal_direct_computation():
    rng = np.random.default_rng(0)
    nv = 30
    d = _random_done(rng, 5000, nv)
    pop = rng.integers(1, 50, nv)
    masks = {g: rng.random(nv) < 0.5 for g in GROUP_NAMES}
    out = affair_metrics(d, pop, masks)
    t = d.travel.astype(float)
    assert out["travel_min_mean"] == pytest.approx(t.mean())
    assert out["travel_min_p90"] == pytest.approx(np.percentile(t, 90))
    for k in NeedKind:
        sel = d.kind == k
        assert out[f"travel_min_mean_{NEED_NAMES[k]}"] == pytest.approx(t[sel].mean())
        assert out[f"travel_min_p90_{NEED_NAMES[k]}"] == pytest.approx(np.percentile(t[sel], 90))
    adm = d.kind == NeedKind.ADMIN
    assert out["one_trip_share"] == pytest.approx((d.trips == 1).mean())
    assert out["trips_mean"] == pytest.approx(d.trips.mean())
    assert out["admin_in_village_share"] == pytest.approx(d.in_village[adm].mean())
    assert out["admin_one_trip_share"] == pytest.approx((d.trips[adm] == 1).mean())
    assert out["wait_weeks_mean"] == pytest.approx(d.wait.mean())
    for g in GROUP_NAMES:
        sel = masks[g][d.village]
        assert out[f"travel_min_mean_{g}"] == pytest.approx(t[sel].mean())
        assert out[f"admin_travel_min_mean_{g}"] == pytest.approx(t[sel & adm].mean())
        assert out[f"one_trip_share_{g}"] == pytest.approx((d.trips[sel] == 1).mean())
    vmean = np.array([t[d.village == v].mean() for v in range(nv)])
    assert out["travel_worst_decile_min"] == pytest.approx(worst_decile(vmean, pop))
    days = d.days.astype(float)
    assert out["days_mean"] == pytest.approx(days.mean())
    assert out["admin_days_mean"] == pytest.approx(days[adm].mean())
    assert out["admin_failed_trips_mean"] == pytest.approx(d.failed[adm].mean())
    agency = adm & (d.handler == PointKind.AGENCY)
    assert out["admin_agency_share"] == pytest.approx(agency.sum() / adm.sum())
    assert out["agency_days_mean"] == pytest.approx(days[agency].mean())
    assert out["admin_county_share"] == pytest.approx(
        (adm & (d.handler == PointKind.COUNTY_CENTRE)).sum() / adm.sum()
    )
    for a, name in enumerate(AFFAIR_NAMES):
        sel = adm & (d.affair == a)
        assert out[f"admin_one_trip_share_{name}"] == pytest.approx((d.trips[sel] == 1).mean())
        assert out[f"admin_travel_min_mean_{name}"] == pytest.approx(t[sel].mean())
        assert out[f"admin_days_mean_{name}"] == pytest.approx(days[sel].mean())
    for g in GROUP_NAMES:
        sel = masks[g][d.village] & adm
        assert out[f"admin_one_trip_share_{g}"] == pytest.approx((d.trips[sel] == 1).mean())
        assert out[f"admin_days_mean_{g}"] == pytest.approx(days[sel].mean())
        assert out[f"admin_in_village_share_{g}"] == pytest.approx(d.in_village[sel].mean())
    for key, x in (("admin_travel_worst_decile_min", t), ("admin_days_worst_decile", days)):
        vm = np.array([x[adm & (d.village == v)].mean() for v in range(nv)])
        assert out[key] == pytest.approx(worst_decile(vm, pop))
    empty = affair_metrics(Done.empty(), pop, masks)
    assert all(math.isnan(v) for v in empty.values())


def test_coverage_equals_a_per_villager_loop(seed_county):
    county, plan = seed_county
    m = MergerModel(short_seed_scenario(0.01), county=county, plan=plan)
    v = m.villagers
    f = m.config.villagers.no_vehicle_factor
    for phase in range(2):
        if phase:
            m.services.on_phase(m, m.timeline.reform_week)
        r = m.services.routing
        cov = m.tracker.coverage(m)
        for what, mins in (("admin", r.centre_minutes), ("clinic", r.clinic_minutes)):
            for lim in (30, 60):
                inside = 0
                for i in range(v.n):
                    own = mins[v.village[i]] * (1.0 if v.vehicle[i] else f)
                    inside += own <= lim
                assert cov[f"coverage_{what}_{lim}"] == pytest.approx(inside / v.n)
        masks = m.units.group_masks(county)
        sel = masks["absorbed_villages"][v.village]
        own = r.centre_minutes[v.village] * np.where(v.vehicle, 1.0, f)
        assert cov["coverage_admin_30_absorbed_villages"] == pytest.approx((own[sel] <= 30).mean())
    assert coverage_share(
        np.array([10.0, np.inf]), np.array([1, 1]), np.array([1, 0]), 4.0, 30
    ) == pytest.approx(1 / 3)


def test_every_metric_has_a_reporter_and_documentation():
    reps = model_reporters()
    assert set(reps) == set(METRICS)
    for m in METRICS.values():
        assert m.unit and m.formula and m.doc
        assert m.family in ("affair", "coverage", "flow", "petition")


def test_metrics_doc_is_current():
    doc = ROOT / "docs" / "metrics.md"
    assert doc.read_text(encoding="utf-8") == metrics_markdown(), (
        "docs/metrics.md is out of date: run .venv/bin/python scripts/gen_metrics_docs.py"
    )


@pytest.mark.parametrize("staffing", ["cadres", "fixed"])
def test_caseload_divides_by_the_servers_in_force(seed_county, staffing):
    """Open township petitions (scaled to the county) per township server at full scale: the
    cadres' petition staff with the ``min_servers`` floor, or ``servers_township`` when the
    staffing is fixed — never the cadres' count when they do not staff the loop — plus the
    enforcement teams and any task force at work."""
    county, plan = seed_county
    s = apply_overrides(
        short_seed_scenario(0.02),
        {"petitions.staffing": staffing, "petitions.servers_township": [2, 1, 1, 3, 1, 1]},
    )
    m = MergerModel(s, county=county, plan=plan)
    p = s.petitions
    for _ in range(m.timeline.reform_week + 4):
        m.step()
        rec, loop = m.petitions.loop.rec, m.petitions.loop
        open_town = np.count_nonzero(
            (rec.stage < CLOSED) & (rec.level == Level.TOWNSHIP) & (rec.filed < loop.clock)
        )
        n_towns = loop.n_units - 1
        if staffing == "fixed":
            servers = sum(p.servers_township) * n_towns
        else:
            n, _ = petition_staff_by_township(m.cadres.pool)
            servers = np.maximum(np.rint(n), p.min_servers).sum()
        pm = m.petitions
        servers += sum(p.enforcement_servers) * pm.enforcement[:-1].sum()
        servers += p.taskforce_size * (pm.taskforces.until[:-1] > m.week - 1).sum()
        assert m.tracker.current["petition_caseload_per_cadre"] == pytest.approx(
            open_town / m.petitions.scale / servers
        )
    assert open_town > 0
    assert m.petitions.enforcement[:-1].sum() == min(p.enforcement_towns, n_towns)
