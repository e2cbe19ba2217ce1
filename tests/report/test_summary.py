"""The plain-language summary of a levers report, from synthetic tables: clear effects ranked
by size with their intervals, honest wording for intervals that cover zero and for few
replicates, the decomposition in one sentence, and the robustness labels and PRIM boxes when
their tables exist (and nothing about them when they do not)."""

from __future__ import annotations

import pandas as pd

from mergesim.plotting.levers import measure_name
from mergesim.report.levers import DECOMPOSITION_COLUMNS, LEVER_COLUMNS
from mergesim.report.summary import decomposition_sentence, ranked_clear, summary_markdown

TRAVEL, FAR = "post.travel_min_mean", "post.travel_min_mean_far_tercile"


def lever_rows(n_pairs: int = 8) -> pd.DataFrame:
    """agency: −3 [−4, −2] (clear); rooms: +6 [1, 11] (clear); training: 0.5 [−1, 2]."""
    rows = []
    for metric in (TRAVEL, FAR):
        for measure, eff, lo, hi in (
            ("agency_service", -3.0, -4.0, -2.0),
            ("village_rooms", 6.0, 1.0, 11.0),
            ("training", 0.5, -1.0, 2.0),
        ):
            for ctx in ("seed", "merger alone"):
                rows.append(
                    {
                        "measure": measure,
                        "context": ctx,
                        "scenario": f"x_{measure}",
                        "versus": "seed",
                        "metric": metric,
                        "outcome_group": "all" if metric == TRAVEL else "far_tercile",
                        "n_pairs": n_pairs,
                        "effect": eff,
                        "ci_lo": lo,
                        "ci_hi": hi,
                        "few": n_pairs < 5,
                    }
                )
    return pd.DataFrame(rows, columns=LEVER_COLUMNS)


def decomp_rows() -> pd.DataFrame:
    terms = [("reform", 10.0, 8.0, 12.0), ("merger", 12.0, 9.0, 15.0)]
    terms += [("measures", -1.0, -3.0, 1.0), ("interaction", -1.0, -2.0, -0.5)]
    return pd.DataFrame(
        [
            {"metric": TRAVEL, "outcome_group": "all", "term": t, "n_pairs": 8}
            | {"effect": e, "ci_lo": lo, "ci_hi": hi}
            for t, e, lo, hi in terms
        ],
        columns=DECOMPOSITION_COLUMNS,
    )


def test_clear_effects_ranked_by_size_with_their_intervals():
    text = "\n".join(summary_markdown(lever_rows(), decomp_rows()))
    assert text.startswith("## Summary")
    rooms, agency = measure_name("village_rooms"), measure_name("agency_service")
    line = next(x for x in text.splitlines() if x.startswith("- In the seed county"))
    assert "2 of 3 measures have a 95 % interval that excludes zero" in line
    # Largest absolute effect first: rooms (+6) before agency (−3); training covers zero.
    assert line.index(f"{rooms} 6.00 [1.00, 11.0]") < line.index(f"{agency} −3.00 [−4.00, −2.00]")
    assert measure_name("training") not in line and "The other 1 intervals cover zero" in line
    assert "rest on" not in text  # 8 pairs: not few
    # No robustness or PRIM table: not a word about them.
    assert "Robustness" not in text and "PRIM" not in text


def test_ranked_clear_drops_intervals_that_cover_zero():
    part = lever_rows()
    part = part[(part["metric"] == TRAVEL) & (part["context"] == "seed")]
    assert list(ranked_clear(part)["measure"]) == ["village_rooms", "agency_service"]


def test_no_clear_effect_is_worded_as_not_distinguishable():
    rows = lever_rows()
    rows = rows[rows["measure"] == "training"]
    text = "\n".join(summary_markdown(rows, rows.iloc[0:0]))
    assert "none of the 1 measures' 95 % intervals excludes zero" in text
    assert "not distinguishable from zero" in text


def test_few_replicates_are_said():
    text = "\n".join(summary_markdown(lever_rows(n_pairs=2), decomp_rows()))
    assert "rest on 2 replicate pairs (fewer than 5)" in text


def test_decomposition_in_one_sentence():
    s = decomposition_sentence(decomp_rows(), TRAVEL)
    assert s == (
        "Decomposition: reform − no merger 10.0 [8.00, 12.0] = merger alone 12.0 [9.00, 15.0] "
        "+ measures without merging −1.00 [−3.00, 1.00] + interaction −1.00 [−2.00, −0.500]. "
        "The 95 % interval excludes zero for: merger alone, interaction."
    )
    assert decomposition_sentence(decomp_rows(), FAR) == ""


def test_robustness_labels_when_the_table_exists():
    rob = pd.DataFrame(
        [
            (TRAVEL, "village_rooms", "seed", "robust", None),
            (TRAVEL, "agency_service", "seed", "depends on villagers.threshold_mean", None),
            (TRAVEL, "village_rooms", "merger alone", "no clear effect", None),
        ],
        columns=["metric", "measure", "context", "label", "depends_on"],
    ).assign(outcome_group="all", effect=1.0, ci_lo=0.5, ci_hi=1.5)
    rob.loc[1, "depends_on"] = "villagers.threshold_mean"
    text = "\n".join(summary_markdown(lever_rows(), decomp_rows(), robustness=rob))
    rooms, agency = measure_name("village_rooms"), measure_name("agency_service")
    assert f"robust (the sign holds at every range end tested): {rooms} (seed)" in text
    assert f"depends on an assumption: {agency} (seed) on `villagers.threshold_mean`" in text
    assert f"no clear effect at some range end: {rooms} (merger alone)" in text
    assert f"not in the robustness table: {agency} (merger alone)" in text


def test_prim_boxes_one_sentence_each():
    prim = pd.DataFrame(
        [
            ("post.petitions_per10k", 12.0, 1, "villagers.threshold_mean", 0.2, 0.35),
            ("post.petitions_per10k", 12.0, 1, "grievance.trust_mean", 0.1, 0.4),
            ("post.petitions_per10k", 12.0, 2, "petitions.base_rate", 0.5, 1.0),
        ],
        columns=["outcome", "threshold", "box", "param", "lo", "hi"],
    ).assign(coverage=0.8, density=0.6, mass=0.25, n_cases=40, n_points=200)
    text = "\n".join(summary_markdown(lever_rows(), decomp_rows(), prim=prim))
    boxes = [x for x in text.splitlines() if ", box " in x]
    assert len(boxes) == 2
    assert "`villagers.threshold_mean` in [0.200, 0.350] and `grievance.trust_mean` in" in boxes[0]
    assert "coverage 0.800, density 0.600, mass 0.250 (40 cases among 200 points)" in boxes[0]


def test_group_metrics_get_their_largest_clear_effect():
    text = "\n".join(summary_markdown(lever_rows(), decomp_rows()))
    assert "**Outcome groups**" in text
    line = next(x for x in text.splitlines() if "far" in x.lower() and "clear effects" in x)
    assert f"4 clear effects; the largest, {measure_name('village_rooms')} (seed)" in line


def test_no_lever_table_no_summary():
    assert summary_markdown(lever_rows().iloc[0:0], decomp_rows()) == []
