"""The app's session state without a browser: reset, step, redraw; side-by-side runs on the
same seeds; the figures' data and labels."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from mergesim.app import controls
from mergesim.app.figures import (
    map_view_data,
    metric_label,
    nice_ceiling,
    plot_outcome_map,
    plot_series,
    series_data,
)
from mergesim.app.live import Explorer, View
from mergesim.config import load_scenario
from mergesim.metrics import METRICS

PNG = b"\x89PNG\r\n\x1a\n"
ROOT_SCENARIOS = "scenarios"


@pytest.fixture(scope="module")
def paths():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / ROOT_SCENARIOS
    return {
        "same": root / "seed_county.toml",
        "no_duty_agency": root / "seed_county_no_duty_agency.toml",
    }


def _choice(scenario, scale):
    c = controls.choice_of(scenario)
    return type(c)(c.method, c.target_factor, c.switches, scale, c.seed)


@pytest.mark.slow
def test_one_run_steps_and_draws(small_seed):
    ex = Explorer(small_seed)
    assert ex.redraw(View()).status.startswith("no run")
    ex.reset(_choice(small_seed, small_seed.villagers.scale))
    f0 = ex.redraw(View())
    assert len(f0.maps) == 1 and f0.maps[0][1].startswith(PNG) and f0.series.startswith(PNG)
    assert "week 0 of" in f0.status and f0.outcome[0]["value"] == 0.0
    assert ex.advance(28) == 28
    f1 = ex.redraw(View())
    assert "week 28 of" in f1.status and "transition" in f1.status
    assert f1.outcome[0]["value"] != 0.0 and f1.maps[0][1] != f0.maps[0][1]
    assert [r["label"] for r in f1.series_rows] == [
        metric_label(k)
        for k in (
            "travel_min_mean",
            "coverage_admin_30",
            "one_trip_share",
            "petitions_per10k",
            "grievance_mean",
        )
    ]
    f2 = ex.redraw(View("grievance", "before the plan"))
    assert f2.maps[0][1] != f1.maps[0][1]
    assert ex.clock.text().startswith("frame ")


@pytest.mark.slow
def test_the_same_scenario_side_by_side_differs_by_nothing(small_seed, paths):
    ex = Explorer(small_seed, paths)
    ex.reset(_choice(small_seed, small_seed.villagers.scale), "same")
    ex.advance(30)
    for key in ("travel", "wait", "grievance", "petitions"):
        frame = ex.redraw(View(key))
        assert [row["run"] for row in frame.outcome][2] == "B − A"
        assert len(frame.maps) == 3
        a, b = (r.outcome(key) for r in ex.runs)
        assert np.array_equal(a.values, b.values, equal_nan=True), key
        assert frame.outcome[2]["value"] == 0.0 or np.isnan(frame.outcome[2]["value"])


@pytest.mark.slow
def test_without_duty_teams_and_agency_service_travel_rises(small_seed, paths):
    ex = Explorer(small_seed, paths)
    ex.reset(_choice(small_seed, small_seed.villagers.scale), "no_duty_agency")
    ex.advance(30)
    rows = ex.redraw(View("travel")).outcome
    assert rows[2]["value"] > 0  # B − A: less done in the village, more travel
    assert rows[2]["value"] == pytest.approx(rows[1]["value"] - rows[0]["value"])


def test_a_bad_choice_keeps_the_runs(small_seed):
    from mergesim.errors import ScenarioError

    ex = Explorer(small_seed)
    ex.reset(_choice(small_seed, small_seed.villagers.scale))
    runs = ex.runs
    bad = _choice(small_seed, small_seed.villagers.scale)
    bad = type(bad)(bad.method, controls.target_range()[1] + 1, bad.switches, bad.scale, bad.seed)
    with pytest.raises(ScenarioError):
        ex.reset(bad)
    assert ex.runs is runs


def test_series_are_labelled_from_the_metrics_registry(stepped):
    tl = stepped.model.timeline
    data = series_data(
        [("A", stepped.model.tracker.history)],
        reform_week=tl.reform_week,
        transition_end=tl.transition_end,
        n_weeks=tl.n_weeks,
    )
    fig = plot_series(data)
    assert isinstance(fig, Figure)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(titles) == len(data["keys"])
    for key, title in zip(data["keys"], titles, strict=True):
        assert title.startswith(METRICS[key].name) and key not in title
    assert len(data["runs"][0]["week"]) == stepped.week


def test_map_scale_is_round_and_shared_when_given(stepped):
    vv = stepped.outcome("travel")
    md = stepped.map_data(True)
    own = map_view_data(md, vv.values, diverging=True, title="t", unit_label="u")
    assert own["vmin"] == -own["vmax"] == -nice_ceiling(np.nanmax(np.abs(vv.values)))
    shared = map_view_data(md, vv.values, diverging=True, title="t", unit_label="u", scale=2.0)
    assert (shared["vmin"], shared["vmax"]) == (-2.0, 2.0)
    level = map_view_data(
        md, stepped.outcome("petitions").values, diverging=False, title="t", unit_label="u"
    )
    assert level["vmin"] == 0.0 and level["vmax"] >= np.nanmax(stepped.outcome("petitions").values)
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_outcome_map(own, ax=ax) is fig


@pytest.mark.parametrize(
    ("x", "want"),
    [(0.0, 1.0), (0.0979, 0.1), (0.11, 0.15), (0.7, 0.75), (2.2, 3.0), (7.6, 10.0), (1202, 1500.0)],
)
def test_nice_ceiling(x, want):
    assert nice_ceiling(x) == pytest.approx(want)


def test_scenario_b_is_run_at_a_scale(small_seed, paths):
    ex = Explorer(small_seed, paths)
    ex.reset(_choice(small_seed, 0.01), "no_duty_agency")
    assert [r.model.config.villagers.scale for r in ex.runs] == [0.01, 0.01]
    assert ex.runs[1].model.config.services.agency_service is False
    assert load_scenario(paths["no_duty_agency"]).villagers.scale != 0.01
