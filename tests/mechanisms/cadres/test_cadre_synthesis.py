"""Synthesis of the cadre pool: determinism, common random numbers across pool sizes,
systematic counts."""

from __future__ import annotations

import dataclasses

import numpy as np
from cadre_helpers import reform

from mergesim.mechanisms.cadres import (
    Source,
    systematic_counts,
)


def test_same_seed_same_cadres_and_outcomes(small):
    county, plan, p, before, after = small
    b2, a2 = reform(county, plan, p)
    for f in ("age", "edu", "origin", "dq", "competence", "track", "post0", "home_village"):
        assert np.array_equal(getattr(before, f), getattr(b2, f)), f
    for f in ("outcome", "post", "unit", "stage", "kept_pay"):
        assert np.array_equal(getattr(after, f), getattr(a2, f)), f
    b3, _ = reform(county, plan, p, seed=4)
    assert not np.array_equal(before.age, b3.age)


def test_group_pool_does_not_shift_other_draws(small):
    county, plan, p, before, _ = small
    b2, _ = reform(county, plan, dataclasses.replace(p, group_pool=[2.0] * 6))
    keep = before.source != Source.GROUP
    keep2 = b2.source != Source.GROUP
    for f in ("age", "edu", "origin", "competence", "evaluation"):
        assert np.array_equal(getattr(before, f)[keep], getattr(b2, f)[keep2]), f


def test_systematic_counts_fix_totals_and_give_floor_or_ceiling():
    rng = np.random.default_rng(1)
    means = rng.random((50, 3)) * np.array([0.1, 1.3, 4.0])
    c = systematic_counts(means, rng.random(means.shape), rng.random(3))
    assert np.all((c == np.floor(means)) | (c == np.ceil(means)))
    assert np.all(np.abs(c.sum(axis=0) - means.sum(axis=0)) <= 1)
