"""Village means against a brute-force loop, contagion (keeps the village mean with equal
weights), the rows of a set of villages."""

from __future__ import annotations

import numpy as np
from grievance_helpers import grouped, village_sizes
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mergesim.mechanisms.grievance import (
    contagion,
    rows_of,
    village_mean,
)


@settings(max_examples=60)
@given(sizes=village_sizes, data=st.data())
def test_village_mean_equals_a_loop(sizes, data):
    village, offsets = grouped(sizes)
    n, nv = len(village), len(sizes)
    x = data.draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    w = data.draw(arrays(np.float64, n, elements=st.floats(0.1, 5)))
    for weight in (None, w):
        brute = np.full(nv, np.nan)
        for v in range(nv):
            rows = village == v
            if rows.any():
                brute[v] = np.average(x[rows], weights=None if weight is None else w[rows])
        by_bincount = village_mean(x, village, nv, weight)
        by_segments = village_mean(x, village, nv, weight, offsets)
        np.testing.assert_allclose(by_bincount, brute, rtol=1e-9)
        np.testing.assert_allclose(by_segments, brute, rtol=1e-9)


@settings(max_examples=60)
@given(sizes=village_sizes, rate=st.floats(0.0, 1.0), data=st.data())
def test_contagion_keeps_the_village_mean_and_narrows_the_spread(sizes, rate, data):
    village, offsets = grouped(sizes)
    n, nv = len(village), len(sizes)
    g = data.draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    for off in (None, offsets):
        out = contagion(g, village, nv, rate, offsets=off)
        np.testing.assert_allclose(
            village_mean(out, village, nv), village_mean(g, village, nv), rtol=1e-9, atol=1e-12
        )
        m = village_mean(g, village, nv)[village]
        np.testing.assert_allclose(np.abs(out - m), (1 - rate) * np.abs(g - m), atol=1e-12)
        assert ((out >= 0) & (out <= 1)).all()


def test_key_persons_pull_the_village_toward_themselves():
    village, offsets = grouped([3])
    g = np.array([1.0, 0.0, 0.0])
    w = np.array([8.0, 1.0, 1.0])  # the first is a key person
    out = contagion(g, village, 1, 0.5, weight=w, offsets=offsets)
    assert out.mean() > g.mean()  # weighted mean 0.8 pulls the others up
    np.testing.assert_allclose(out[1:], 0.4)


# ---------------------------------------------------------------------------------------------
# The guarantees
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(sizes=village_sizes, data=st.data())
def test_rows_of_lists_the_rows_of_the_villages(sizes, data):
    village, offsets = grouped(sizes)
    chosen = data.draw(st.lists(st.integers(0, len(sizes) - 1), unique=True, max_size=8))
    rows = rows_of(offsets, np.array(chosen, dtype=np.int64))
    expected = np.concatenate(
        [np.flatnonzero(village == v) for v in chosen] or [np.zeros(0, np.int64)]
    )
    np.testing.assert_array_equal(rows, expected)
