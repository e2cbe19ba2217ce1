"""The one largest-remainder rounding (county populations, villagers per village)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mergesim.numeric import largest_remainder


def test_examples():
    assert largest_remainder(np.array([1, 1, 1]), 10).tolist() == [4, 3, 3]  # tie: first wins
    assert largest_remainder(np.array([5, 0, 5]), 3).tolist() == [2, 0, 1]
    assert largest_remainder(np.array([0, 0]), 5).tolist() == [0, 0]
    assert largest_remainder(np.array([2.0, 1.0]), 0).tolist() == [0, 0]


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=40), st.integers(0, 10**7))
def test_sums_exactly_and_stays_within_one_of_the_exact_share(weights, total):
    w = np.array(weights)
    out = largest_remainder(w, total)
    assert out.dtype == np.int64 and (out >= 0).all()
    if w.sum() <= 0:
        assert (out == 0).all()
        return
    assert out.sum() == total
    exact = w / w.sum() * total
    assert np.all(out >= np.floor(exact)) and np.all(out <= np.floor(exact) + 1)
