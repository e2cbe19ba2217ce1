"""The service measures at work on the seed county, on paired seeds (directions, not tuned
numbers): each measure switched off moves the outcome it acts on, in the window it exists.

Every case runs the same seeds on one county and plan, and needs come from their own stream, so
case-to-case differences are paired. Runs are at ``villagers.scale = 0.1`` over two years after
the reform (the post window is its last 52 weeks); ``scripts/measure_services.py`` measures the
same effects at scale 0.25 over the full horizon with confidence intervals.
"""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config import load_scenario
from mergesim.county import build_county
from mergesim.mechanisms.services import Done, PointKind
from mergesim.model.model import MergerModel
from mergesim.plans import make_plan

pytestmark = pytest.mark.slow

SEEDS = (1, 2, 3)
SCALE = 0.1
TIMELINE = {"timeline.horizon_weeks": 104}
CASES = {
    "seed": {},
    "no_rooms": {"services.village_rooms": False},
    "no_duty": {"services.transition_duty": False},
    "no_agency": {"services.agency_service": False},
    "no_stations": {"services.seat_stations": False},
    "no_devolved": {"services.devolved_stations": False},
}
#: Pre-reform administrative one-trip share: the documented band (docs/services.md).
BAND = (0.60, 0.85)


@pytest.fixture(scope="module")
def geography(request):
    sc = load_scenario(request.config.rootpath / "scenarios" / "seed_county.toml")
    county = build_county(sc)
    return sc, county, make_plan(county, sc)


@pytest.fixture(scope="module")
def runs(geography):
    """``{case: [(summary, post-window Done), ...]}`` over :data:`SEEDS`."""
    sc, county, plan = geography
    out = {}
    for case, overrides in CASES.items():
        out[case] = []
        for seed in SEEDS:
            m = MergerModel(
                sc,
                county=county,
                plan=plan,
                rng=seed,
                **{"villagers.scale": SCALE, **TIMELINE, **overrides},
            )
            # The tracker keeps sums only; keep the post window's served affairs as they pass.
            kept: list[Done] = []
            pool = m.tracker.pools["post"]
            add = pool.add
            pool.add = lambda done, add=add, kept=kept: (kept.append(done), add(done))[1]
            m.run()
            assert m.summary()["needs"]["lost"] == 0
            out[case].append((m.summary(), Done.concat(kept)))
    return out


def paired(runs, off: str, window: str, key: str) -> np.ndarray:
    """Per-seed differences (switched off − seed) of a window metric."""
    return np.array(
        [
            b[window][key] - a[window][key]
            for (a, _), (b, _) in zip(runs["seed"], runs[off], strict=True)
        ]
    )


def test_rooms_raise_the_one_trip_share(runs):
    assert (paired(runs, "no_rooms", "post", "admin_one_trip_share") < 0).all()


def test_duty_teams_save_travel_in_the_transition(runs):
    assert (paired(runs, "no_duty", "transition", "travel_min_mean_admin") > 0).all()
    assert (
        paired(runs, "no_duty", "transition", "admin_travel_min_mean_absorbed_villages") > 0
    ).all()


def test_agency_saves_travel_but_takes_days(runs):
    assert (paired(runs, "no_agency", "post", "travel_min_mean_admin") > 0).all()
    assert (paired(runs, "no_agency", "post", "admin_in_village_share") < 0).all()
    for summary, done in runs["seed"]:
        agency = (done.kind == 0) & (done.handler == PointKind.AGENCY)
        assert agency.sum() > 0 and done.days[agency].mean() > 0
        assert summary["post"]["agency_days_mean"] > 0


def test_stations_save_travel_in_the_abolished_townships(runs):
    key = "admin_travel_min_mean_absorbed_townships"
    assert (paired(runs, "no_stations", "post", key) > 0).all()


def test_devolved_stations_shorten_days_to_done(runs):
    assert (paired(runs, "no_devolved", "post", "admin_days_mean") > 0).all()


def test_telecom_outlets_carry_load_and_groups_are_reported(runs):
    for summary, done in runs["seed"]:
        assert np.count_nonzero(done.handler == PointKind.TELECOM) > 0
        for g in ("border_villages", "former_seats", "far_tercile", "absorbed_villages"):
            assert summary["post"][f"admin_one_trip_share_{g}"] is not None
            assert summary["post"][f"admin_days_mean_{g}"] is not None


def test_pre_reform_one_trip_share_lies_in_the_documented_band(geography):
    """Pre-reform weeks only, at scale 0.25 (smaller samples turn more villagers away at the
    village offices' fractional capacities)."""
    sc, county, plan = geography
    for seed in (1, 2):
        m = MergerModel(sc, county=county, plan=plan, rng=seed, **{"villagers.scale": 0.25})
        while m.week < m.timeline.reform_week:
            m.step()
        share = m.tracker.summary()["pre"]["admin_one_trip_share"]
        assert BAND[0] <= share <= BAND[1] < 0.95, share
