"""The lever table and the decomposition, on a fake runs table with known effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.plotting.intervals import t_interval
from mergesim.report.levers import (
    CORNERS,
    decomposition,
    lever_pairs,
    lever_table,
    levers_markdown,
    outcome_group,
)

METRICS = ["post.travel_min_mean", "post.admin_days_mean_far_tercile"]
REPS = 5
#: Scenario: its true value of every metric (noise added per replicate, common to all
#: scenarios of a replicate, as with common random numbers, plus a little of its own).
TRUE = {
    "seed": 50.0,
    "merger_only": 56.0,
    "none": 40.0,
    "none_measures": 37.0,
    "seed_minus_agency": 53.0,  # agency: −3 in the seed county
    "merger_plus_agency": 54.0,  # agency: −2 with the merger alone
    "seed_minus_rooms": 51.0,  # rooms: −1 in the seed county
    "merger_minus_rooms": 60.0,  # rooms: −4 with the merger alone
}


def fake_runs(seed: int = 1, true: dict[str, float] = TRUE, reps: int = REPS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 5, reps)
    rows = []
    for s, v in true.items():
        own = rng.normal(0, 0.5, (reps, len(METRICS)))
        for k in range(reps):
            row = {"scenario": s, "point": 0, "replicate": k, "status": "ok"}
            row.update({m: v + common[k] + own[k, j] for j, m in enumerate(METRICS)})
            rows.append(row)
    return pd.DataFrame(rows)


def _values(runs, scenario, metric):
    part = runs[runs["scenario"] == scenario].sort_values("replicate")
    return part[metric].to_numpy()


def test_pairs_follow_the_label_convention():
    pairs = lever_pairs(list(TRUE))
    assert [(p.measure, p.context, p.versus, p.sign) for p in pairs] == [
        ("agency", "seed", "seed", -1),
        ("agency", "merger alone", "merger_only", 1),
        ("rooms", "seed", "seed", -1),
        ("rooms", "merger alone", "merger_only", -1),
    ]
    # A lever whose context corner did not run has no pair.
    assert lever_pairs(["seed_minus_agency", "merger_only"]) == []


def test_lever_table_gives_with_minus_without_and_its_paired_interval():
    runs = fake_runs()
    table = lever_table(runs, METRICS)
    assert len(table) == 4 * len(METRICS)
    for _, r in table.iterrows():
        with_, without = (
            (r["scenario"], r["versus"])
            if "_plus_" in r["scenario"]
            else (r["versus"], r["scenario"])
        )
        d = _values(runs, with_, r["metric"]) - _values(runs, without, r["metric"])
        mean, lo, hi = t_interval(d)
        assert r["effect"] == pytest.approx(mean)
        assert (r["ci_lo"], r["ci_hi"]) == (pytest.approx(lo), pytest.approx(hi))
        assert r["ci_lo"] < r["effect"] < r["ci_hi"] and r["n_pairs"] == REPS
    effect = table.set_index(["measure", "context", "metric"])["effect"]
    # The paired design removes the common noise: each effect is near its true value.
    assert effect["agency", "seed", METRICS[0]] == pytest.approx(-3, abs=1)
    assert effect["agency", "merger alone", METRICS[0]] == pytest.approx(-2, abs=1)
    assert effect["rooms", "merger alone", METRICS[0]] == pytest.approx(-4, abs=1)
    assert set(table["outcome_group"]) == {"all", "far_tercile"}


def test_failed_runs_leave_their_pairs_out():
    runs = fake_runs()
    runs.loc[(runs["scenario"] == "seed_minus_agency") & (runs["replicate"] == 0), "status"] = (
        "failed"
    )
    table = lever_table(runs, METRICS[:1]).set_index(["measure", "context"])
    assert table.loc[("agency", "seed"), "n_pairs"] == REPS - 1
    assert table.loc[("rooms", "seed"), "n_pairs"] == REPS


@pytest.mark.parametrize(
    ("metric", "group"),
    [
        ("post.travel_min_mean", "all"),
        ("post.one_trip_share_border_villages", "border_villages"),
        ("post.admin_in_village_share_former_seats", "former_seats"),
        ("post.travel_min_mean_absorbed_villages", "absorbed_villages"),
        ("post.travel_worst_decile_min", "worst_decile"),
        ("post.admin_days_worst_decile", "worst_decile"),
        ("cadres.cost_change_pct.total", "all"),
    ],
)
def test_outcome_group(metric, group):
    assert outcome_group(metric) == group


def test_decomposition_adds_up_and_matches_the_corners():
    runs = fake_runs()
    dec = decomposition(runs, METRICS)
    assert len(dec) == 4 * len(METRICS)
    for m, part in dec.groupby("metric"):
        e = part.set_index("term")["effect"]
        assert e["reform"] == pytest.approx(e["merger"] + e["measures"] + e["interaction"])
        seed, merger, none, measures = (_values(runs, c, m) for c in CORNERS)
        assert e["reform"] == pytest.approx(np.mean(seed - none))
        assert e["merger"] == pytest.approx(np.mean(merger - none))
        assert e["measures"] == pytest.approx(np.mean(measures - none))
    # Known values: reform +10, merger +16, measures −3, so the interaction is about −3.
    e = dec[dec["metric"] == METRICS[0]].set_index("term")["effect"]
    assert e["interaction"] == pytest.approx(-3, abs=1.5)


def test_decomposition_uses_only_replicates_with_every_corner():
    runs = fake_runs()
    runs.loc[(runs["scenario"] == "none_measures") & (runs["replicate"] == 2), "status"] = "failed"
    dec = decomposition(runs, METRICS[:1])
    assert set(dec["n_pairs"]) == {REPS - 1}
    e = dec.set_index("term")["effect"]
    assert e["reform"] == pytest.approx(e["merger"] + e["measures"] + e["interaction"])
    # Without a corner there is no decomposition.
    assert decomposition(runs[runs["scenario"] != "none"], METRICS).empty


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False), min_size=4, max_size=4),
    st.integers(0, 2**31),
    st.integers(2, 6),
)
def test_decomposition_adds_up_for_any_corners(corners, seed, reps):
    true = dict(zip(CORNERS, corners, strict=True))
    dec = decomposition(fake_runs(seed, true, reps), METRICS[:1])
    e = dec.set_index("term")["effect"]
    assert e["reform"] == pytest.approx(
        e["merger"] + e["measures"] + e["interaction"], rel=1e-9, abs=1e-9
    )


def test_no_pooling_over_design_points():
    # With factors, a scenario has several points: the levers would pool different factor
    # levels, so there are none.
    runs = pd.concat([fake_runs().assign(point=0), fake_runs(2).assign(point=1)])
    assert lever_table(runs, METRICS).empty and decomposition(runs, METRICS).empty


def test_markdown_lists_every_measure_and_the_decomposition():
    runs = fake_runs()
    text = "\n".join(levers_markdown(lever_table(runs, METRICS), decomposition(runs, METRICS)))
    assert "## Levers" in text and "## Decomposition" in text
    assert "| agency |" in text and "| rooms |" in text
    assert "| measure | seed | merger alone |" in text
    assert text.count("### ") == len(METRICS)
    # Not a levers experiment: nothing.
    plain = fake_runs(true={"a": 1.0, "b": 2.0})
    assert levers_markdown(lever_table(plain, METRICS), decomposition(plain, METRICS)) == []
