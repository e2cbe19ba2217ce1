"""Scenario discovery: the paired effect per design point and the PRIM boxes, on fake runs
tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mergesim.report import discovery as disc
from mergesim.report.summary import prim_sentences

pytest.importorskip("prim", reason="PRIM is the optional extra mergesim[discovery]")

PARAMS = ["a.x", "a.y", "a.z"]
RANGES = {"a.x": (0.0, 10.0), "a.y": (0.0, 1.0), "a.z": (5.0, 6.0)}
OUTCOME = "post.petitions_per10k"
SETTINGS = {
    "reform": "seed",
    "counterfactual": "none",
    "outcomes": [OUTCOME],
    "thresholds": [1.0],
    "peel_alpha": 0.05,
    "paste_alpha": 0.05,
    "min_mass": 0.05,
    "min_density": 0.8,
    "boxes": 1,
}


def fake_runs(effect, n_points=200, reps=2, seed=0, noise=0.0):
    """Runs of 'seed' and 'none' at ``n_points`` uniform points; ``effect(x, y, z)`` is the
    true reform effect. Each replicate shares a common random term across scenarios (common
    random numbers) that the pairing must cancel."""
    rng = np.random.default_rng(seed)
    u = rng.random((n_points, len(PARAMS)))
    lo = np.array([r[0] for r in RANGES.values()])
    hi = np.array([r[1] for r in RANGES.values()])
    vals = lo + u * (hi - lo)
    rows = []
    for p in range(n_points):
        true = effect(*vals[p])
        for k in range(reps):
            common = rng.normal(0, 50)
            for s, v in (("seed", true), ("none", 0.0)):
                row = {"scenario": s, "point": p, "replicate": k, "seed": str(1000 + k)}
                row.update(dict(zip(PARAMS, vals[p], strict=True)))
                row["status"] = "ok"
                row[OUTCOME] = (
                    20.0 + common + v + rng.normal(0, noise) if noise else 20 + common + v
                )
                rows.append(row)
    return pd.DataFrame(rows)


def test_paired_effect_is_the_mean_of_same_seed_differences():
    runs = fake_runs(lambda x, y, z: x, n_points=5, reps=3)
    eff = disc.paired_effects(runs, OUTCOME, "seed", "none", PARAMS)
    assert list(eff.columns) == ["point", *PARAMS, "effect", "n_pairs"]
    # The common term (sd 50) cancels exactly: the effect is the true one.
    np.testing.assert_allclose(eff["effect"], eff["a.x"], atol=1e-9)
    assert (eff["n_pairs"] == 3).all()


def test_runs_of_different_seeds_never_pair():
    runs = fake_runs(lambda x, y, z: 2.0, n_points=3, reps=2)
    # Replicate 1 of 'none' ran with another seed: it must not pair with replicate 1 of 'seed'.
    mask = (runs["scenario"] == "none") & (runs["replicate"] == 1)
    runs.loc[mask, "seed"] = "999"
    runs.loc[mask, OUTCOME] += 100.0
    eff = disc.paired_effects(runs, OUTCOME, "seed", "none", PARAMS)
    assert (eff["n_pairs"] == 1).all()
    np.testing.assert_allclose(eff["effect"], 2.0)


def test_failed_and_missing_runs_are_left_out():
    runs = fake_runs(lambda x, y, z: 1.5, n_points=2, reps=2)
    runs.loc[(runs["point"] == 0) & (runs["replicate"] == 0), "status"] = "failed"
    runs.loc[(runs["point"] == 1) & (runs["scenario"] == "seed"), OUTCOME] = np.nan
    eff = disc.paired_effects(runs, OUTCOME, "seed", "none", PARAMS)
    assert eff["point"].tolist() == [0]
    assert eff["n_pairs"].tolist() == [1]
    np.testing.assert_allclose(eff["effect"], 1.5)


def test_prim_recovers_a_known_box():
    # Cases: x > 6 and y < 0.4 (z irrelevant).
    runs = fake_runs(lambda x, y, z: 5.0 if (x > 6 and y < 0.4) else 0.0, n_points=400)
    # A dense box: the rule then keeps the peel close to the true one.
    (res,) = disc.discover(runs, {**SETTINGS, "min_density": 0.95}, RANGES)
    assert res.status == disc.BOXES
    (box,) = res.boxes
    assert set(box.limits) == {"a.x", "a.y"}
    assert box.limits["a.x"][0] == pytest.approx(6.0, abs=0.5)
    assert box.limits["a.x"][1] == 10.0  # not peeled: the range's end
    assert box.limits["a.y"][0] == 0.0
    assert box.limits["a.y"][1] == pytest.approx(0.4, abs=0.05)
    assert box.density >= 0.95 and box.coverage >= 0.8
    table = disc.box_table([res])
    assert list(table.columns) == disc.BOX_COLUMNS
    assert len(table) == 2 and set(table["param"]) == {"a.x", "a.y"}
    assert (table["n_points"] == 400).all() and table["n_cases"].iloc[0] == res.n_cases
    assert table.notna().all().all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x0=st.floats(0.5, 5.0),
    y1=st.floats(0.4, 0.8),
    seed=st.integers(0, 10_000),
)
def test_prim_box_holds_the_cases_of_any_corner_box(x0, y1, seed):
    """For any corner box x > x0, y < y1 (mass at least 0.2): the reported box (density
    >= 0.95, highest coverage) holds most of the cases and lies around the true box (a denser
    box leaves less room to overshoot a side)."""
    runs = fake_runs(lambda x, y, z: 5.0 if (x > x0 and y < y1) else 0.0, n_points=300, seed=seed)
    (res,) = disc.discover(runs, {**SETTINGS, "min_density": 0.95}, RANGES)
    assert res.status == disc.BOXES
    box = res.boxes[0]
    assert box.density >= 0.95
    assert box.coverage >= 0.7
    assert "a.z" not in box.limits
    lo_x = box.limits.get("a.x", (0.0, 10.0))[0]
    hi_y = box.limits.get("a.y", (0.0, 1.0))[1]
    assert abs(lo_x - x0) <= 1.0
    assert abs(hi_y - y1) <= 0.1


def test_no_case_and_all_cases_give_no_box_and_say_so():
    runs = fake_runs(lambda x, y, z: 0.0, n_points=30)
    settings_ = {**SETTINGS, "outcomes": [OUTCOME, "post.other"], "thresholds": [1.0, -1.0]}
    runs["post.other"] = runs[OUTCOME]
    res = disc.discover(runs, settings_, RANGES)
    assert [r.status for r in res] == [disc.NO_CASES, disc.ALL_CASES]
    assert [(r.n_cases, r.n_points) for r in res] == [(0, 30), (30, 30)]
    table = disc.box_table(res)
    assert table.empty and list(table.columns) == disc.BOX_COLUMNS
    text = "\n".join(disc.discovery_markdown(res, settings_, {}))
    assert "## Scenario discovery" in text
    assert "nowhere in the design; no box" in text
    assert "everywhere in the design" in text
    assert "nan" not in text.lower()


def test_every_search_is_a_row_of_the_search_table_and_the_summary_says_why_no_box():
    runs = fake_runs(lambda x, y, z: 5.0 if x > 5 else 0.0, n_points=60)
    runs["post.other"] = runs[OUTCOME]
    settings_ = {**SETTINGS, "outcomes": [OUTCOME, "post.other"], "thresholds": [1.0, 100.0]}
    res = disc.discover(runs, settings_, RANGES)
    assert [r.status for r in res] == [disc.BOXES, disc.NO_CASES]
    table = disc.search_table(res, 0.8)
    assert list(table.columns) == disc.SEARCH_COLUMNS
    assert table["status"].tolist() == [disc.BOXES, disc.NO_CASES]
    assert table["n_cases"].tolist() == [r.n_cases for r in res]
    # Read back as a reader of the folder would: the box once, the empty search once, why.
    lines = prim_sentences(disc.box_table(res), table)
    assert len(lines) == 2
    assert "coverage" in lines[0] and "post.other" in lines[1]
    assert lines[1].endswith(
        "threshold 100: 0 of 60 design points are cases: the effect is above the threshold "
        "nowhere in the design; no box."
    )
    assert prim_sentences(None, None) == []


def test_without_prim_the_report_says_so(monkeypatch):
    monkeypatch.setattr(disc, "load_prim", lambda: None)
    runs = fake_runs(lambda x, y, z: 5.0 if x > 5 else 0.0, n_points=30)
    (res,) = disc.discover(runs, SETTINGS, RANGES)
    assert res.status == disc.NO_PRIM and 0 < res.n_cases < 30
    text = "\n".join(disc.discovery_markdown([res], SETTINGS, {}))
    assert "PRIM is not installed" in text


def test_no_box_reaches_the_density():
    # Cases at random (no structure): no box on the trajectory is 99 % dense.
    rng = np.random.default_rng(3)
    flags = iter(rng.random(100) < 0.3)
    runs = fake_runs(lambda x, y, z: 5.0 if next(flags) else 0.0, n_points=100, reps=1)
    (res,) = disc.discover(runs, {**SETTINGS, "min_density": 0.99, "min_mass": 0.2}, RANGES)
    assert res.status == disc.NO_BOX and not res.boxes
    assert 0 < res.best_density < 0.99
    text = "\n".join(disc.discovery_markdown([res], {**SETTINGS, "min_density": 0.99}, {}))
    assert "no box on PRIM's trajectory reaches density 0.99" in text


def test_box_figure_data_scales_limits_to_the_full_range():
    res = disc.Discovery(
        OUTCOME,
        1.0,
        disc.BOXES,
        10,
        4,
        [disc.Box(0.9, 0.85, 0.3, {"a.x": (2.5, 10.0), "a.z": (5.0, 5.5)})],
    )
    data = disc.box_figure_data(res, RANGES, {"a.x": "x label"})
    assert data["lo01"].tolist() == [0.25, 0.0]
    assert data["hi01"].tolist() == [1.0, 0.5]
    assert data["label"].iloc[0] == "x label"


def test_box_figure_draws_on_given_axes():
    from matplotlib.figure import Figure

    from mergesim.plotting.boxes import plot_prim_box

    res = disc.Discovery(
        OUTCOME, 1.0, disc.BOXES, 10, 4, [disc.Box(0.9, 0.85, 0.3, {"a.x": (2.5, 10.0)})]
    )
    data = disc.box_figure_data(res, RANGES, {})
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_prim_box(data, "title", ax=ax) is fig
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a.x"]


def test_integer_assumptions_get_limits_they_take():
    runs = fake_runs(lambda x, y, z: 5.0 if (round(x) >= 6 and y < 0.5) else 0.0, n_points=300)
    runs["a.x"] = runs["a.x"].round()
    (res,) = disc.discover(runs, {**SETTINGS, "min_density": 0.95}, RANGES)
    lo, hi = res.boxes[0].limits["a.x"]
    assert lo == 6.0 and hi == 10.0
