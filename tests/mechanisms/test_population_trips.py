"""The week's trips per villager (``Villagers.add_trips``): repeats add up, in float64 first —
on both paths, NumPy and the compiled one (``population_compiled.py``, when Numba is installed).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.mechanisms import jit
from mergesim.mechanisms.population import synthesize
from mergesim.rng import Streams


@pytest.fixture(scope="module")
def villagers():
    """The seed county's villagers at 0.2 % (about 1,600)."""
    s = Scenario()
    streams = Streams(s.seed)
    county = build_county(s, streams)
    p = dataclasses.replace(s.villagers, scale=0.002)
    return synthesize(county, p, streams.generator("population"))


N_MAX = 1_000  # rows drawn below this, within every seed-county draw at 0.2 %
KERNELS = ["numpy"] + (["numba"] if jit.AVAILABLE else [])


@pytest.mark.parametrize("kernel", KERNELS)
@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.integers(0, N_MAX - 1), max_size=60),
    weeks=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_add_trips_sums_repeats_per_villager(villagers, kernel, rows, weeks, seed):
    """Each villager's minutes are the float64 sum of its trips, in their order, added to the
    week in float32 (what ``np.unique`` + ``np.bincount`` gave); counts and turned-away trips
    add up; the next week starts from zero."""
    v = villagers
    assert v.n > N_MAX
    rng = np.random.default_rng(seed)
    rows = np.asarray(rows, dtype=np.int64)
    for _ in range(weeks):
        v.reset_week()
        travel = rng.random(len(rows)) * 300
        turned = rows[rng.random(len(rows)) < 0.3]
        v.add_trips(rows, travel, turned, kernel)
        u, inv = np.unique(rows, return_inverse=True)
        want = np.zeros(v.n, np.float32)
        want[u] += np.bincount(inv, weights=travel, minlength=len(u)).astype(np.float32)
        np.testing.assert_array_equal(v.travel_week, want)
        np.testing.assert_array_equal(v.trips_week, np.bincount(rows, minlength=v.n))
        np.testing.assert_array_equal(v.turned_away_week, np.bincount(turned, minlength=v.n))


@pytest.mark.parametrize("kernel", KERNELS)
def test_two_calls_in_a_week_add_up_and_reset(villagers, kernel):
    """A second call in the same week adds to the first; the next week zeroes every row
    either call touched."""
    v = villagers
    v.reset_week()
    a, b = np.array([5, 7, 5], dtype=np.int64), np.array([7, 9], dtype=np.int64)
    v.add_trips(a, np.array([1.0, 2.0, 3.0]), a[:1], kernel)
    v.add_trips(b, np.array([4.0, 5.0]), b[1:], kernel)
    assert v.travel_week[[5, 7, 9]].tolist() == [4.0, 6.0, 5.0]
    assert v.trips_week[[5, 7, 9]].tolist() == [2, 2, 1]
    assert v.turned_away_week[[5, 7, 9]].tolist() == [1, 0, 1]
    assert sorted(v.touched.tolist()) == [5, 7, 9]
    v.reset_week()
    assert not v.travel_week.any() and not v.trips_week.any() and not v.turned_away_week.any()
