"""A live run's outcomes per village agree with the county's value and with independent
computations (the tracker's served affairs, the petition summary)."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.app.session import OUTCOMES, FrameClock, LiveRun, difference
from mergesim.mechanisms.petitions import petition_summary
from mergesim.metrics import METRICS

DAYS = 7  # days a week in the petition records


def test_every_outcome_has_a_registered_metric():
    assert set(OUTCOMES) == {"travel", "wait", "grievance", "petitions"}
    assert all(o.metric in METRICS for o in OUTCOMES.values())


def test_nothing_has_changed_before_the_first_week(small_seed):
    run = LiveRun(small_seed, small_seed.seed)
    assert run.week == 0 and "not started" in run.phase_text()
    travel = run.outcome("travel")
    assert travel.county == 0.0
    assert np.nanmax(np.abs(travel.values)) == 0.0


@pytest.mark.parametrize("key", ["travel", "grievance", "petitions"])
def test_county_value_is_the_villager_weighted_mean_of_the_villages(stepped, key):
    vv = stepped.outcome(key)
    pop = stepped.village_pop().astype(float)
    ok = pop > 0
    assert vv.values.shape == pop.shape
    assert np.all(np.isfinite(vv.values[ok]))
    assert np.dot(vv.values[ok], pop[ok]) / pop[ok].sum() == pytest.approx(vv.county, rel=1e-9)


def test_wait_matches_the_affairs_the_tracker_kept(stepped):
    # Weeks 26-29 are the transition window: its served affairs are the ones since the reform.
    reform, weeks = stepped.model.timeline.reform_week, stepped.week
    assert reform < weeks <= stepped.model.timeline.transition_end
    pool = stepped.model.tracker.pools["transition"]  # the window's affairs, as sums
    vv = stepped.outcome("wait")
    assert f"weeks {reform}–{weeks - 1}" in vv.period
    assert vv.county == pytest.approx(pool.s["wait"] / pool.s["n"], rel=1e-12)


def test_petitions_match_the_petition_summary(stepped):
    m, reform = stepped.model, stepped.model.timeline.reform_week
    ps = petition_summary(m.petitions.loop, reform * DAYS, stepped.week * DAYS, m.villagers.n)
    assert stepped.outcome("petitions").county == pytest.approx(
        ps["petitions_all_per10k"], rel=1e-9
    )


def test_difference_is_b_minus_a(stepped):
    a, b = stepped.outcome("grievance"), stepped.outcome("travel")
    d = difference(a, b)
    assert np.array_equal(d.values, b.values - a.values, equal_nan=True)
    assert d.county == b.county - a.county and d.outcome.diverging


def test_step_stops_at_the_end_of_the_run(small_seed):
    from mergesim.config import apply_overrides

    short = apply_overrides(
        small_seed,
        {
            "timeline.warmup_weeks": 2,
            "timeline.burn_in_weeks": 0,
            "timeline.transition_weeks": 1,
            "timeline.horizon_weeks": 3,
            "timeline.post_window_weeks": 0,
        },
    )
    run = LiveRun(short, short.seed)
    assert run.step(100) == run.n_weeks == 5
    assert run.finished and run.step(1) == 0


def test_frame_clock_reports_the_mean_of_recent_frames():
    clock = FrameClock(keep=2)
    assert clock.text() == ""
    for s in (1.0, 0.010, 0.020):
        clock.add("step", s)
    clock.add("draw", 0.100)
    assert clock.step_ms == pytest.approx([10.0, 20.0])
    assert clock.text().startswith("frame 115 ms (step 15 + draw 100)")
    assert clock.timed("draw", lambda: 7) == 7
