"""The affair pool: metrics from sums equal those of the pooled affairs (up to rounding)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_metrics_formulas import _random_done

from mergesim.mechanisms.services import Done
from mergesim.metrics import affair_metrics, gini, worst_decile
from mergesim.metrics.pool import AffairPool, gini_of_counts, percentile_of_counts
from mergesim.plans.roles import GROUP_NAMES


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 1.5, 2.0, 7.25, 30.0, 61.5]), min_size=1, max_size=60),
    st.sampled_from([0, 10, 50, 90, 99, 100]),
)
def test_counted_percentile_and_gini_equal_numpy_on_the_expanded_sample(xs, q):
    x = np.asarray(xs, dtype=float)
    vals, cnts = np.unique(x, return_counts=True)
    assert percentile_of_counts(vals, cnts, q) == np.percentile(x, q)
    want = gini(x)
    got = gini_of_counts(vals, cnts)
    assert (math.isnan(want) and math.isnan(got)) or got == pytest.approx(want, abs=1e-12)


def test_pool_of_weeks_equals_the_metrics_of_the_concatenated_affairs():
    rng = np.random.default_rng(3)
    nv = 25
    # Travel times from a small set, as routing tables give them (values repeat).
    weeks = [_random_done(rng, int(rng.integers(0, 900)), nv) for _ in range(6)]
    for d in weeks:
        d.travel[:] = rng.choice(np.float32([0.0, 12.5, 30.0, 44.25, 90.0]), d.n)
    pop = rng.integers(1, 40, nv)
    masks = {g: rng.random(nv) < 0.5 for g in GROUP_NAMES}
    pool = AffairPool(nv)
    for d in weeks:
        pool.add(d)
    got = pool.metrics(pop, masks, worst_decile)
    want = affair_metrics(Done.concat(weeks), pop, masks)
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert (math.isnan(v) and math.isnan(got[k])) or got[k] == pytest.approx(v, rel=1e-12), k


def test_pool_memory_holds_distinct_travel_times_only():
    rng = np.random.default_rng(4)
    pool = AffairPool(10)
    for _ in range(20):
        d = _random_done(rng, 2000, 10)
        d.travel[:] = rng.choice(np.float32([5.0, 10.0, 20.0]), d.n)
        pool.add(d)
    assert len(pool.keys) <= 3 * 8  # (kind, travel) pairs, not affairs
