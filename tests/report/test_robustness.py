"""The robustness labels and the Morris ranking, on synthetic tables with known signs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mergesim.report.robustness import (
    END_COLUMNS,
    NO_CLEAR,
    NOT_TESTED,
    ROBUST,
    ROBUSTNESS_COLUMNS,
    label_of,
    morris_table,
    robustness_markdown,
    robustness_table,
)

KEYS = ("villagers.trust_mean", "grievance.file_prob")


def nominal(effect=-3.0, lo=-4.0, hi=-2.0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure": "agency_service",
                "context": "seed",
                "scenario": "seed_minus_agency_service",
                "versus": "seed",
                "metric": "post.travel_min_mean",
                "outcome_group": "all",
                "n_pairs": 8,
                "effect": effect,
                "ci_lo": lo,
                "ci_hi": hi,
                "few": False,
            }
        ]
    )


def ends(effects: dict[tuple[str, str], float]) -> pd.DataFrame:
    rows = [
        {
            "measure": "agency_service",
            "context": "seed",
            "metric": "post.travel_min_mean",
            "key": k,
            "end": e,
            "value": 0.0,
            "n_pairs": 3,
            "effect": v,
            "ci_lo": v - 1,
            "ci_hi": v + 1,
        }
        for (k, e), v in effects.items()
    ]
    return pd.DataFrame(rows, columns=END_COLUMNS)


def test_same_sign_at_every_end_is_robust():
    t = robustness_table(nominal(), ends({(k, e): -1.0 for k in KEYS for e in ("low", "high")}))
    assert list(t.columns) == ROBUSTNESS_COLUMNS
    assert t.loc[0, "label"] == ROBUST and t.loc[0, "depends_on"] == "" and t.loc[0, "n_ends"] == 4


def test_a_flip_at_one_end_depends_on_that_key():
    e = {(k, end): -1.0 for k in KEYS for end in ("low", "high")}
    e[("grievance.file_prob", "high")] = 0.5
    t = robustness_table(nominal(), ends(e))
    assert t.loc[0, "label"] == "depends on grievance.file_prob"
    assert t.loc[0, "depends_on"] == "grievance.file_prob"


def test_every_key_that_flips_is_listed_once_in_test_order():
    e = {(k, end): 2.0 for k in KEYS for end in ("low", "high")}  # both keys flip, both ends
    t = robustness_table(nominal(), ends(e))
    assert t.loc[0, "depends_on"] == "villagers.trust_mean;grievance.file_prob"
    assert t.loc[0, "label"] == "depends on villagers.trust_mean; grievance.file_prob"


def test_a_zero_effect_at_an_end_is_a_flip():
    t = robustness_table(nominal(), ends({("villagers.trust_mean", "low"): 0.0}))
    assert t.loc[0, "depends_on"] == "villagers.trust_mean"


def test_interval_covering_zero_is_no_clear_effect_but_keeps_the_flipping_keys():
    t = robustness_table(nominal(-1.0, -3.0, 1.0), ends({("villagers.trust_mean", "low"): 1.0}))
    assert t.loc[0, "label"] == NO_CLEAR and t.loc[0, "depends_on"] == "villagers.trust_mean"
    # an exact zero effect (a measure that changes nothing) is no clear effect either
    t = robustness_table(nominal(0.0, 0.0, 0.0), ends({("villagers.trust_mean", "low"): 0.0}))
    assert t.loc[0, "label"] == NO_CLEAR and t.loc[0, "depends_on"] == ""


def test_no_finite_end_is_not_tested():
    t = robustness_table(nominal(), ends({("villagers.trust_mean", "low"): math.nan}))
    assert t.loc[0, "label"] == NOT_TESTED and t.loc[0, "n_ends"] == 0
    t = robustness_table(nominal(), ends({}))
    assert t.loc[0, "label"] == NOT_TESTED


@given(
    effect=st.floats(-100, 100).filter(lambda x: abs(x) > 1e-6),
    width=st.floats(0, 0.99),
    signs=st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=1, max_size=6),
)
def test_label_is_depends_exactly_when_some_end_sign_differs(effect, width, signs):
    # an interval that excludes zero: effect ± width·|effect|
    lo, hi = sorted((effect - width * abs(effect), effect + width * abs(effect)))
    keyed = [(f"k{i % 3}", s * (1 + i)) for i, s in enumerate(signs)]
    label, depends, n = label_of(effect, lo, hi, keyed)
    flips = [k for k, v in keyed if np.sign(v) != np.sign(effect)]
    assert n == len(keyed)
    assert depends.split(";") == list(dict.fromkeys(flips)) if flips else depends == ""
    assert (label == ROBUST) == (not flips)
    assert label.startswith("depends on ") == bool(flips)


@given(lo=st.floats(-10, 0), hi=st.floats(0, 10), e=st.floats(-10, 10))
def test_interval_covering_zero_is_always_no_clear_effect(lo, hi, e):
    assert label_of(e, lo, hi, [("k", 1.0)])[0] == NO_CLEAR


def test_morris_ranking_is_normalised_per_outcome():
    idx = pd.DataFrame(
        {
            "metric": ["a", "a", "b", "b"],
            "factor": ["x", "y", "x", "y"],
            "mu_star": [2.0, 1.0, 0.5, 5.0],
            "mu_star_conf": [0.1] * 4,
            "sigma": [1.0] * 4,
        }
    )
    m = morris_table(idx)
    assert list(m.columns) == ["key", "metric", "mu_star", "mu_star_norm", "sigma", "mu_star_conf"]
    got = {(r.key, r.metric): r.mu_star_norm for r in m.itertuples()}
    want = {("x", "a"): 1.0, ("y", "a"): 0.5, ("x", "b"): 0.1, ("y", "b"): 1.0}
    assert got == pytest.approx(want)


def test_markdown_states_what_ran_and_counts_the_labels():
    e = ends({("villagers.trust_mean", "low"): 1.0, ("villagers.trust_mean", "high"): -1.0})
    rob = robustness_table(nominal(), e)
    plan = {
        "keys": ["villagers.trust_mean"],
        "chosen": "listed in levers.toml",
        "ends": [
            {"key": "villagers.trust_mean", "end": "low", "value": 0.4},
            {"key": "villagers.trust_mean", "end": "high", "value": 0.8},
        ],
        "replications": 3,
        "scenarios": ["seed", "seed_minus_agency_service"],
        "overrides": {"villagers.scale": 0.1},
    }
    text = "\n".join(robustness_markdown(rob, e, plan, None))
    assert text.startswith("## Robustness")
    assert "`villagers.trust_mean` = 0.4 (low)" in text and "2 scenarios × 3 replicates" in text
    assert "| agency_service | seed | 0 | 1 | 0 | 0 |" in text
    assert "depends on villagers.trust_mean" in text
